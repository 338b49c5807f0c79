"""Governance approaches as reference data, and the signed record of which ones a project operates under.

Why record it: "we follow industry standards" in a model card is a claim; an entry in the evidence log,
signed, dated and citing the exact reference text it adopted (by digest), is something a reviewer can
check, and every document qtrust writes can cite it by sequence number. The five approaches
(self-regulation, industry standards, government regulation, international agreements, research norms and
open science) ship in ``data/approaches.yaml`` with their scope, strengths, weaknesses and real examples.
The latest verified record is the one in force; adopting again replaces it (the history stays in the log).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from qtrust.encoding import canonical_json, sha256_hex
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import GOVERNANCE_APPROACH_V1, Entry, LogEntries

APPROACHES_RESOURCE = "qtrust.governance/data/approaches.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Example(_Strict):
    """A real instrument that embodies the approach."""

    name: str
    issuer: str
    year: int | None = None


class Approach(_Strict):
    id: str
    title: str
    scope: str
    strengths: list[str] = Field(min_length=1)
    weaknesses: list[str] = Field(min_length=1)
    examples: list[Example] = Field(min_length=1)


class _ApproachesFile(_Strict):
    approaches: list[Approach]


@cache
def load_approaches() -> tuple[Approach, ...]:
    """The shipped approaches, in the order of the data file."""
    text = resources.files("qtrust.governance").joinpath("data/approaches.yaml").read_text(encoding="utf-8")
    return tuple(_ApproachesFile.model_validate(yaml.safe_load(text)).approaches)


def approach_by_id() -> dict[str, Approach]:
    return {a.id: a for a in load_approaches()}


def approaches_digest(adopted: Sequence[Approach]) -> str:
    """sha256 of the adopted approaches' reference text: the record pins what was adopted, word for word."""
    return sha256_hex(canonical_json([a.model_dump(mode="json") for a in adopted]))


@dataclass(frozen=True)
class AdoptedApproaches:
    """The approaches a project recorded that it operates under, and where that record is."""

    seq: int
    recorded_at: str
    ids: tuple[str, ...]
    approaches: tuple[Approach, ...]  # the ids still present in the reference data
    note: str

    def citation(self) -> str:
        """One line for a report or model card: what the project operates under, and the entry to check."""
        titles = [a.title for a in self.approaches] or list(self.ids)
        return f"Operates under: {', '.join(titles)} (recorded in evidence entry {self.seq}, {self.recorded_at[:10]})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "recorded_at": self.recorded_at,
            "approaches": list(self.ids),
            "note": self.note,
            "citation": self.citation(),
        }


def resolve_approaches(approach_ids: Sequence[str]) -> list[Approach]:
    """The approaches named, in order and without repeats; an unknown id is an InputError naming the valid ones."""
    known = approach_by_id()
    chosen: list[Approach] = []
    for raw in approach_ids:
        approach = known.get(raw)
        if approach is None:
            close = difflib.get_close_matches(raw, list(known), n=1)
            raise InputError(
                f"no governance approach {raw!r}",
                where="ID",
                fix=(f"did you mean {close[0]!r}? " if close else "") + f"use one of: {', '.join(known)}",
            )
        if approach not in chosen:
            chosen.append(approach)
    return chosen


def record_approach(log: EvidenceLog, approach_ids: Sequence[str], note: str) -> Recorded:
    """Sign into the log that the project operates under these approaches (ids of ``load_approaches()``)."""
    if not approach_ids:
        raise InputError(
            "no approach given", where="ID", fix="name at least one: qtrust governance approaches"
        )
    chosen = resolve_approaches(approach_ids)
    note = (note or "").strip()
    if not note:
        raise InputError("the note is empty", where="--note", fix="say why these approaches, and who decided")
    digest = approaches_digest(chosen)
    return log.append(
        statements.statement(
            [statements.resource("governance-approaches", digest)],
            GOVERNANCE_APPROACH_V1,
            {
                "approaches": [{"id": a.id, "title": a.title} for a in chosen],
                "note": note,
                "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reference": {"name": APPROACHES_RESOURCE, "sha256": digest},
            },
        )
    )


def _adopted(entry: Entry) -> AdoptedApproaches | None:
    listed = entry.predicate.get("approaches")
    if not isinstance(listed, list) or not listed:
        return None
    ids = tuple(str(a.get("id")) for a in listed if isinstance(a, dict) and a.get("id"))
    known = approach_by_id()
    return AdoptedApproaches(
        seq=entry.seq,
        recorded_at=str(entry.predicate.get("recorded_at", entry.recorded_at)),
        ids=ids,
        approaches=tuple(known[i] for i in ids if i in known),
        note=str(entry.predicate.get("note", "")),
    )


def current_approaches(ledger: LogEntries) -> AdoptedApproaches | None:
    """The latest adoption among the entries that verify (None if there is none)."""
    for entry in reversed(ledger.of("approaches")):
        adopted = _adopted(entry)
        if adopted is not None:
            return adopted
    return None
