"""Reading the YAML files users hand to qtrust (configs, plans, policies, checklists, records).

Every such file fails the same ways — missing, unreadable, not YAML, not a mapping, a field that does not
validate — and each deserves the same kind of one-line error: what, where (the file, and the line or field),
and how to fix it. One reader keeps those messages alike and the YAML error's line number in all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from qtrust.errors import InputError

Model = TypeVar("Model", bound=BaseModel)


def parse_yaml(text: str, source: str) -> Any:
    """``text`` as YAML; a syntax error names the line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})", where=where, fix="fix the YAML syntax"
        ) from None


def read_yaml_mapping(path: str | Path, *, what: str, flag: str, fix: str, allow_empty: bool = False) -> dict:
    """The top-level mapping of the YAML file at ``path`` (a ``what``, passed with ``flag``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no {what} at {path}", where=flag, fix=f"give the path of a {what}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the {what}: {error}", where=str(path), fix="check the file") from None
    doc = parse_yaml(text, str(path))
    if doc is None and allow_empty:
        return {}
    if not isinstance(doc, dict):
        raise InputError(f"a {what} is a YAML mapping", where=str(path), fix=fix)
    return doc


def validate(model: type[Model], doc: dict, source: str, *, fix: str, label=None) -> Model:
    """``model`` from ``doc``; the first validation problem names its field (``label(loc)`` may rename it)."""
    try:
        return model.model_validate(doc)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        field = label(loc) if label is not None else ".".join(str(p) for p in loc)
        raise InputError(
            first["msg"].removeprefix("Value error, "),
            where=f"{source}: {field}" if field else source,
            fix=fix,
        ) from None
