"""Release checklists as operations any shell can call: the items, where the project stands, attest one.

Why here and not in the CLI: a dashboard shows the same per-item verdicts ``qtrust checklist status`` prints
(only entries that verify count), and an attestation from a web form must be checked — item, note,
attachment digest — before anyone's passphrase is asked for, exactly as on the command line. The checklists
and their rules live in :mod:`qtrust.governance.checklists` and :mod:`qtrust.governance.status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtrust.governance.attestations import prepare_attestation
from qtrust.governance.checklists import Checklist, load_checklists
from qtrust.governance.entries import LogEntries
from qtrust.governance.signing import sign_checked
from qtrust.governance.status import ItemStatus, evaluate_checklists
from qtrust.workflow.session import Session

#: Users' own checklist files, or directories of them, beside the shipped ones.
Extra = Sequence[str | Path]


@dataclass(frozen=True)
class ChecklistStatus:
    """Every item's verdict (satisfied or missing, the entries it rests on, why), in checklist order."""

    items: list[ItemStatus]

    @property
    def satisfied(self) -> int:
        return sum(s.ok for s in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"satisfied": self.satisfied, "total": self.total, "items": [s.to_dict() for s in self.items]}


@dataclass(frozen=True)
class Attested:
    """A recorded attestation of a checklist item."""

    item: str
    seq: int
    signed_by: str


def checklists(extra: Extra = ()) -> list[Checklist]:
    """The shipped checklists and the user's own (a malformed file is an InputError naming it)."""
    return load_checklists(extra)


def status(session: Session, extra: Extra = ()) -> ChecklistStatus:
    """Each item satisfied or missing, judged on the entries that verify against the session's trusted keys."""
    loaded = load_checklists(extra)
    with session.reading() as (_, ledger):
        return status_of(ledger, loaded)


def status_of(ledger: LogEntries, loaded: Sequence[Checklist]) -> ChecklistStatus:
    """The same verdicts over a ledger already read (a dashboard's cached one: no second verification)."""
    return ChecklistStatus(evaluate_checklists(loaded, ledger))


def attest(
    session: Session,
    person_id: str,
    item: str,
    note: str,
    attachment: Path | None = None,
    extra: Extra = (),
) -> Attested:
    """Record ``person_id``'s signed attestation of ``item`` (with the SHA-256 of ``attachment``, if given).

    Every check on the input happens before a passphrase is asked for.
    """
    doc = prepare_attestation(load_checklists(extra), item, note, attachment, attested_by=person_id)
    with session.acting_as(person_id) as (log, ledger, key):
        recorded = sign_checked(log, ledger, person_id, key, doc, where="checklist attest")
    return Attested(item, recorded.seq, person_id)
