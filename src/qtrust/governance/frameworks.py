"""The three frameworks checklist items map to, and the check that a cited clause exists.

Why both a format check and a catalogue: the format (``MEASURE 2.11``, ``IV.2(g)``, ``A.7.5``) catches a
mapping written the wrong way, and the catalogue (``data/frameworks.yaml``, every NIST AI RMF 1.0
subcategory, every EU AI Act Annex IV point, every ISO/IEC 42001:2023 Annex A control) catches one that is
well formed but does not exist. A reviewer who follows a mapping to ``MEASURE 2.14`` finds nothing; better
to refuse it when the checklist is loaded, naming the nearest real clause.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

Framework = Literal["nist_ai_rmf", "eu_ai_act", "iso_42001"]
FRAMEWORKS: tuple[Framework, ...] = ("nist_ai_rmf", "eu_ai_act", "iso_42001")

# How each framework spells its identifiers; the catalogue decides which of them exist.
ID_FORMATS: dict[Framework, re.Pattern[str]] = {
    "nist_ai_rmf": re.compile(r"(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+"),
    "eu_ai_act": re.compile(r"IV\.\d+(\([a-z]\))?"),
    "iso_42001": re.compile(r"A\.\d+(\.\d+)*"),
}
FORMAT_EXAMPLES: dict[Framework, str] = {
    "nist_ai_rmf": "a subcategory such as 'MEASURE 2.11' (function in capitals, one space, category.number)",
    "eu_ai_act": "an Annex IV point such as 'IV.2(g)' or 'IV.3'",
    "iso_42001": "an Annex A control such as 'A.7.5' or 'A.6.2.4'",
}


@dataclass(frozen=True)
class FrameworkCatalogue:
    """One framework: the document and version the identifiers come from, and what each one says."""

    key: Framework
    title: str
    document: str
    version: str
    url: str
    ids: dict[str, str]

    def describe(self, identifier: str) -> str:
        return self.ids.get(identifier, "")


@cache
def catalogues() -> dict[Framework, FrameworkCatalogue]:
    """The shipped catalogues (read once; they are package data, not user input)."""
    text = resources.files("qtrust.governance").joinpath("data/frameworks.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)["frameworks"]
    return {
        key: FrameworkCatalogue(
            key=key,
            title=doc[key]["title"],
            document=doc[key]["document"],
            version=str(doc[key]["version"]),
            url=doc[key]["url"],
            ids={str(k): str(v) for k, v in doc[key]["ids"].items()},
        )
        for key in FRAMEWORKS
    }


def check_identifier(framework: Framework, identifier: str) -> str | None:
    """None if ``identifier`` is a real clause of ``framework``; otherwise why not, and what was meant."""
    if not ID_FORMATS[framework].fullmatch(identifier):
        return f"{identifier!r} is not written as {FORMAT_EXAMPLES[framework]}"
    catalogue = catalogues()[framework]
    if identifier in catalogue.ids:
        return None
    close = difflib.get_close_matches(identifier, list(catalogue.ids), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"{identifier!r} is not in {catalogue.document} ({catalogue.version}){hint}"
