"""Jinja2 environments for the report templates stored in ``qtrust/report/templates``."""

from __future__ import annotations

import functools
import re
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATE_PACKAGE = "qtrust.report"
TEMPLATE_DIR = "templates"


@functools.cache
def html_environment() -> jinja2.Environment:
    """Autoescaping environment for HTML: every ``{{ value }}`` is escaped unless it is ``Markup``."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATE_PACKAGE, TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_MD_SPECIAL = re.compile(r"[\\`*|<>]|\](?=[(\[])|(?<!\w)_|_(?!\w)")


def md_escape(value: Any) -> str:
    """Text made inert for Markdown (and for the HTML a Markdown renderer lets through).

    Backslash-escapes Markdown punctuation (so ``a|b`` cannot split a table cell, ``<script>`` is shown, not
    run, and ``[text](url)`` is not a link) and folds newlines into spaces so a value cannot break out of its
    line. Plain brackets and intraword underscores are left alone, to keep the raw file readable.
    """
    text = " ".join(str(value).split("\n"))
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _md_finalize(value: Any) -> Any:
    if value is None:
        return "n/a"
    if isinstance(value, Markup):
        return str(value)
    return md_escape(value)


@functools.cache
def markdown_environment() -> jinja2.Environment:
    """Environment for Markdown: every ``{{ value }}`` is Markdown-escaped unless it is ``Markup``.

    ``Markup`` here means "already Markdown": pre-formatted tables and YAML built by the Python side.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATE_PACKAGE, TEMPLATE_DIR),
        autoescape=False,
        finalize=_md_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
