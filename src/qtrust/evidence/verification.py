"""The verifier's vocabulary: what it reads (a log view, checkpoints an auditor kept), what it reports
(problems by sequence number), and the shape of a rule over what entries say.

Its own module so that the entry checks (:mod:`qtrust.evidence.verify`) and the checkpoint checks
(:mod:`qtrust.evidence.checkpoint_checks`) share these types without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from qtrust.evidence.keys import PublicKey
from qtrust.evidence.store import StoredCheckpoint, StoredCosignature, StoredEntry


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}" if self.seq is not None else self.reason


@dataclass
class VerifyReport:
    origin: str
    entries: int = 0
    size: int = 0  # the log's size as verified (start + entries of a --since bundle)
    checkpoints: int = 0
    covered: int = 0  # entries under a valid checkpoint with both signatures
    known_checkpoints: int = 0
    witnessed: dict[str, int] = field(default_factory=dict)  # witness name -> entries under its cosignature
    trusted_keys: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem with the lowest sequence number (problems without one come after)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq if p.seq is not None else 0))

    def bad_entries(self) -> dict[int, str]:
        """Each entry a problem names, with the first reason: such an entry counts for nothing."""
        bad: dict[int, str] = {}
        for problem in self.problems:
            if problem.seq is not None:
                bad.setdefault(problem.seq, problem.reason)
        return bad

    def to_dict(self) -> dict:
        first = self.first
        return {
            "ok": self.ok,
            "origin": self.origin,
            "entries": self.entries,
            "size": self.size,
            "checkpoints": self.checkpoints,
            "covered": self.covered,
            "known_checkpoints": self.known_checkpoints,
            "witnessed": self.witnessed,
            "trusted_keys": self.trusted_keys,
            "first_bad_entry": first.seq if first else None,
            "reason": first.reason if first else None,
            "problems": [{"seq": p.seq, "reason": p.reason} for p in self.problems],
        }


@dataclass(frozen=True)
class KnownCheckpoint:
    """A checkpoint an auditor kept from an earlier look at the log, with that copy's leaf hashes if known."""

    note: bytes
    source: str
    leaf_hashes: Sequence[bytes] = ()


@dataclass
class LogView:
    """What the verifier reads: from a live store or from an offline bundle."""

    origin: str
    entries: Iterable[StoredEntry]
    checkpoints: list[StoredCheckpoint]
    consistency_proof: Callable[[int, int], list[bytes]]
    start: int = 0  # first sequence number present (a bundle exported with --since)
    prefix_nodes: list[bytes] = field(default_factory=list)  # complete subtrees of [0, start), left to right
    # entries before ``start`` that later ones depend on (key history, the roster, policies, requests),
    # each proven by inclusion in the bundle's latest checkpoint
    context_entries: list[StoredEntry] = field(default_factory=list)
    cosignatures: list[StoredCosignature] = field(default_factory=list)


class EntryRule(Protocol):
    """A rule over what entries say, fed every entry that passed the cryptographic checks, in log order.

    ``keys_at`` names extra keys whose signatures on this entry are checked (e.g. the roster's people, and the
    keys a new roster introduces); ``check`` returns why an entry breaks the rule, or None — and learns from
    the entry only when it returns None.
    """

    def keys_at(self, seq: int, statement: dict) -> Mapping[str, PublicKey]: ...

    def check(self, entry: StoredEntry, statement: dict, signed_by: frozenset[str]) -> str | None: ...
