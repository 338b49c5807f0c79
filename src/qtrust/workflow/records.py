"""The risk register and impact assessments as operations any shell can call: record one, list the latest.

Why here and not in the CLI: a server that takes a risk from a web form must validate it the same way,
check its checklist links against the same checklists, have it signed by the person who wrote it, and list
the register from entries that verify — the CLI only reads the YAML file and prints. The record types and
their rules live in :mod:`qtrust.governance.records`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from qtrust.governance import records as register
from qtrust.governance.checklists import load_checklists
from qtrust.governance.records import ImpactAssessment, Risk
from qtrust.workflow.session import Session
from qtrust.yamlfile import validate

RecordKind = Literal["risk", "impact"]
Record = Risk | ImpactAssessment
#: What a record can be given as: the model, its fields (a web form, JSON), or a YAML file of them.
RecordSource = Record | Mapping[str, Any] | Path


@dataclass(frozen=True)
class RecordMade:
    """A recorded risk or impact assessment (a known id: a new version)."""

    kind: RecordKind
    id: str
    seq: int
    signed_by: str


@dataclass(frozen=True)
class RecordEntry:
    """The latest verified version of one record, where it is, who recorded it, and whether review is due."""

    item: Record
    seq: int
    recorded_by: str
    review_overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return self.item.model_dump(mode="json") | {
            "entry": self.seq,
            "recorded_by": self.recorded_by,
            "review_overdue": self.review_overdue,
        }


def checklist_item_ids() -> set[str]:
    """Every item of the shipped checklists: what a record's ``checklist_items`` may link to."""
    return {item.id for checklist in load_checklists() for item in checklist.items}


def parse_record(kind: RecordKind, source: RecordSource) -> Record:
    """``source`` as a checked record of ``kind``; a bad field is an InputError naming it."""
    model, _ = register.KINDS[kind]
    if isinstance(source, model):
        return source
    if isinstance(source, Path):
        return register.load_record(kind, source)
    if isinstance(source, Mapping):
        fix = f"fields of a {kind}: {', '.join(model.model_fields)}"
        return validate(model, dict(source), kind, fix=fix)
    raise TypeError(f"a {kind} is a {model.__name__}, a mapping of its fields or a YAML file")


def record(session: Session, person_id: str, kind: RecordKind, source: RecordSource) -> RecordMade:
    """Record a risk or impact assessment signed by ``person_id``; it is checked before a passphrase is asked for."""
    item = parse_record(kind, source)
    with session.acting_as(person_id) as (log, ledger, key):
        recorded = register.record(log, ledger, person_id, key, kind, item, checklist_item_ids())
    return RecordMade(kind, item.id, recorded.seq, person_id)


def latest(session: Session, kind: RecordKind, *, today: dt.date | None = None) -> dict[str, RecordEntry]:
    """Each record id → its latest verified version; a review date before ``today`` is overdue."""
    today = today or dt.date.today()
    with session.reading() as (_, ledger):
        found = register.latest_records(ledger, kind)
    return {
        rid: RecordEntry(item, seq, by, item.review_date < today) for rid, (item, seq, by) in found.items()
    }
