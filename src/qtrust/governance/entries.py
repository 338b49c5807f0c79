"""One verified pass over the evidence log: the entries governance decisions may rest on.

Why verify here and not trust the store: a checklist item ticked by an entry that an attacker with database
access inserted or edited would be worse than an unticked one. The store is readable and writable by
anyone holding database credentials; only the signatures tie an entry to the log's keys. So the entries
are read through :func:`qtrust.evidence.verify_log` (against keys the caller trusts, e.g. the workspace
keyring or a pinned trust file) in the same pass, and an entry counts only if the verifier names no
problem at its sequence number. Rejected entries are kept, with the verifier's reason, so a status report
can say "entry 7 would satisfy this but does not verify" instead of silently ignoring it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from qtrust.evidence import statements
from qtrust.evidence.dsse import EnvelopeError, parse_envelope
from qtrust.evidence.keys import TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.store import StoredEntry
from qtrust.evidence.verify import VerifyReport, verify_log
from qtrust.evidence.view import store_view

ATTESTATION_V1 = f"{statements.QTRUST_PREDICATES}/attestation/v1"
GOVERNANCE_APPROACH_V1 = f"{statements.QTRUST_PREDICATES}/governance-approach/v1"
# The predicate types governance reads; every other entry is verified but not kept.
WANTED = {
    statements.SLSA_PROVENANCE_V1: "audits",
    statements.PLAN_V1: "plans",
    ATTESTATION_V1: "attestations",
    GOVERNANCE_APPROACH_V1: "approaches",
}


@dataclass(frozen=True)
class Entry:
    """A log entry governance reads: its position, time, signed statement and signer key ids."""

    seq: int
    recorded_at: str
    statement: dict[str, Any]
    signers: tuple[str, ...]

    @property
    def predicate(self) -> dict[str, Any]:
        return self.statement.get("predicate", {})


@dataclass
class LogEntries:
    """The verified entries of each wanted type (oldest first) and the rejected ones with the reason."""

    report: VerifyReport
    latest_checkpoint_size: int
    verified: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in WANTED.values()})
    rejected: dict[str, list[tuple[Entry, str]]] = field(
        default_factory=lambda: {k: [] for k in WANTED.values()}
    )

    def of(self, group: str) -> list[Entry]:
        return self.verified[group]

    def rejected_of(self, group: str) -> list[tuple[Entry, str]]:
        return self.rejected[group]


def _tap(entries: Iterator[StoredEntry], kept: list[tuple[str, Entry]]) -> Iterator[StoredEntry]:
    """Pass the verifier its entries while keeping the ones governance wants (one read of the store)."""
    for stored in entries:
        parsed = _entry(stored)
        if parsed is not None:
            kept.append(parsed)
        yield stored


def _entry(stored: StoredEntry) -> tuple[str, Entry] | None:
    try:
        envelope = parse_envelope(stored.envelope)
        statement = envelope.statement()
    except (EnvelopeError, ValueError):
        return None  # the verifier reports it; an unreadable entry can satisfy nothing
    group = WANTED.get(statement.get("predicateType"))
    if group is None or not isinstance(statement.get("predicate"), dict):
        return None
    signers = tuple(s.keyid for s in envelope.signatures)
    return group, Entry(stored.seq, stored.integrated_time, statement, signers)


def read_log(log: EvidenceLog, trusted: TrustedKeys) -> LogEntries:
    """Verify the whole log against ``trusted`` and sort the entries governance reads into kept / rejected."""
    view = store_view(log)
    kept: list[tuple[str, Entry]] = []
    view.entries = _tap(iter(view.entries), kept)
    report = verify_log(view, trusted)
    bad: dict[int, str] = {}
    for problem in report.problems:
        if problem.seq is not None:
            bad.setdefault(problem.seq, problem.reason)
    latest = log.store.latest_checkpoint()
    out = LogEntries(report=report, latest_checkpoint_size=latest.size if latest is not None else 0)
    for group, entry in kept:
        if entry.seq in bad:
            out.rejected[group].append((entry, bad[entry.seq]))
        else:
            out.verified[group].append(entry)
    return out
