"""One verified pass over the evidence log: the entries governance decisions may rest on (the ledger).

Why verify here and not trust the store: a checklist item ticked, or a release approved, by an entry that an
attacker with database access inserted, edited or relabelled would be worse than none. The store is readable
and writable by anyone holding database credentials; only the signatures tie an entry to the log's keys and
to a person on the roster. So the entries are read through :func:`qtrust.evidence.verify_log` with the
governance rules (:mod:`qtrust.governance.rules`), against keys the caller trusts (the workspace keyring or a
pinned trust file), and an entry counts only if the verifier names no problem at it and a checkpoint covers
it. An entry's type is its *signed* predicate type, never the store's ``kind`` column. Rejected entries are
kept with the verifier's reason, so a status can say "entry 7 would satisfy this but does not verify"
instead of silently ignoring it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from qtrust.evidence import statements
from qtrust.evidence.cosignature import WitnessKey
from qtrust.evidence.dsse import EnvelopeError, parse_envelope
from qtrust.evidence.keys import TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.store import StoredEntry
from qtrust.evidence.verify import KnownCheckpoint, LogView, VerifyReport, verify_log
from qtrust.evidence.view import store_view
from qtrust.governance.rules import GovernanceRule

ATTESTATION_V1 = statements.ATTESTATION_V1
GOVERNANCE_APPROACH_V1 = statements.GOVERNANCE_APPROACH_V1
# Group names the checklist rules use, and the predicate type each stands for.
GROUPS = {
    "audits": statements.SLSA_PROVENANCE_V1,
    "plans": statements.PLAN_V1,
    "attestations": ATTESTATION_V1,
    "approaches": GOVERNANCE_APPROACH_V1,
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

    @property
    def predicate_type(self) -> str:
        return str(self.statement.get("predicateType"))


@dataclass
class LogEntries:
    """Every readable entry, split into verified and rejected (with the verifier's reason), and the project's
    state as the governance rules built it from the verified ones."""

    report: VerifyReport
    rule: GovernanceRule
    size: int
    verified: list[Entry] = field(default_factory=list)
    rejected: list[tuple[Entry, str]] = field(default_factory=list)

    @property
    def latest_checkpoint_size(self) -> int:
        return self.report.covered

    def of(self, group: str) -> list[Entry]:
        """Verified entries of a predicate type (or of a group name: audits, plans, attestations, approaches)."""
        wanted = GROUPS.get(group, group)
        return [e for e in self.verified if e.predicate_type == wanted]

    def rejected_of(self, group: str) -> list[tuple[Entry, str]]:
        wanted = GROUPS.get(group, group)
        return [(e, r) for e, r in self.rejected if e.predicate_type == wanted]

    def entry(self, seq: int) -> Entry | None:
        """The verified entry ``seq`` (None if it does not exist or does not verify)."""
        return next((e for e in self.verified if e.seq == seq), None)

    def why_rejected(self, seq: int) -> str | None:
        return next((r for e, r in self.rejected if e.seq == seq), None)


def _tap(entries: Iterator[StoredEntry], kept: list[Entry]) -> Iterator[StoredEntry]:
    """Pass the verifier its entries while keeping each readable statement (one read of the store)."""
    for stored in entries:
        parsed = _entry(stored)
        if parsed is not None:
            kept.append(parsed)
        yield stored


def _entry(stored: StoredEntry) -> Entry | None:
    try:
        envelope = parse_envelope(stored.envelope)
        statement = envelope.statement()
    except (EnvelopeError, ValueError):
        return None  # the verifier reports it; an unreadable entry can satisfy nothing
    if not isinstance(statement.get("predicate"), dict):
        return None
    signers = tuple(s.keyid for s in envelope.signatures)
    return Entry(stored.seq, stored.integrated_time, statement, signers)


def read_view(
    view: LogView,
    trusted: TrustedKeys,
    known: Sequence[KnownCheckpoint] = (),
    witnesses: Sequence[WitnessKey] = (),
) -> LogEntries:
    """Verify ``view`` with the governance rules and sort its entries into verified / rejected."""
    kept: list[Entry] = [e for e in map(_entry, view.context_entries) if e is not None]
    view.entries = _tap(iter(view.entries), kept)
    report = verify_log(view, trusted, known, rules=[GovernanceRule()], witnesses=witnesses)
    bad = report.bad_entries()
    out = LogEntries(report=report, rule=GovernanceRule(), size=report.size)
    for entry in sorted(kept, key=lambda e: e.seq):
        reason = bad.get(entry.seq)
        if reason is None and entry.seq >= report.covered:
            reason = (
                f"not covered by a checkpoint (the log's checkpoints cover entries 0..{report.covered - 1})"
            )
        if reason is None:
            # the project's state from the entries that count, and only those (a prefix of the log's order):
            # an entry the verifier accepted but that is not covered, or not witnessed, changes nothing
            reason = out.rule.check(_as_stored(entry), entry.statement, frozenset(entry.signers))
        (out.rejected.append((entry, reason)) if reason else out.verified.append(entry))
    return out


def _as_stored(entry: Entry) -> StoredEntry:
    return StoredEntry(entry.seq, "", b"", b"", entry.recorded_at, "", b"")


def read_log(log: EvidenceLog, trusted: TrustedKeys, **options: Any) -> LogEntries:
    """Verify the whole log against ``trusted`` and sort its entries into verified / rejected."""
    return read_view(store_view(log), trusted, **options)
