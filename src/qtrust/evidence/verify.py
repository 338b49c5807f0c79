"""Verification: recompute everything a log claims and name the first entry that breaks it.

The verifier trusts nothing the log says about itself except what the trusted keys signed. In one pass over
the entries it checks, for each one, that the sequence number is the next, that the stored leaf hash is
the hash of the stored envelope bytes, that the log's receipt binds this leaf to this position, and that
the DSSE envelope is signed by a trusted key (the log keys in force at that position, or any other key the
auditor trusts, e.g. a person's); it follows the log's own key history (the log-init entry, then each
rotation, which the outgoing key must sign). It recomputes the RFC 9162 root at every checkpoint size and
demands that every checkpoint carries valid Ed25519 and ML-DSA-65 signatures by the log keys of its time,
matches the recomputed root, and is consistent (RFC 9162 §2.1.4.2 proof) with the checkpoint before it and
with any checkpoint the auditor kept from earlier.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from qtrust.evidence import merkle, statements
from qtrust.evidence.checkpoint import Checkpoint, CheckpointError, parse_checkpoint, verify_checkpoint
from qtrust.evidence.dsse import EnvelopeError, parse_envelope
from qtrust.evidence.encoding import canonical_json, sha256_hex
from qtrust.evidence.keys import PublicKey, TrustedKeys
from qtrust.evidence.receipts import receipt_message
from qtrust.evidence.store import StoredCheckpoint, StoredEntry


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
    checkpoints: int = 0
    known_checkpoints: int = 0
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

    def to_dict(self) -> dict:
        first = self.first
        return {
            "ok": self.ok,
            "origin": self.origin,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "known_checkpoints": self.known_checkpoints,
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
    key_entries: list[StoredEntry] = field(default_factory=list)  # log-init / rotations before ``start``
    key_entry_proof: Callable[[int, int], list[bytes]] | None = None


@dataclass
class _KeyWindow:
    key: PublicKey
    first: int  # first sequence number it may sign for
    last: int | None = None  # last one (set by a rotation)

    def covers(self, seq: int) -> bool:
        return self.first <= seq and (self.last is None or seq <= self.last)


class _Keys:
    """The log's key history, learned from its own entries and checked against the auditor's trust set."""

    def __init__(self, trusted: TrustedKeys) -> None:
        self.trusted = trusted
        self.windows: dict[str, _KeyWindow] = {}
        self.people: dict[str, PublicKey] = {}  # the current roster's keys (see _learn_people)

    def log_key(self, keyid: str, seq: int) -> PublicKey | None:
        window = self.windows.get(keyid)
        return window.key if window is not None and window.covers(seq) else None

    def checkpoint_keys(self, size: int) -> TrustedKeys:
        """Log keys that may sign a checkpoint of ``size``: those in force for the next entry, number ``size``."""
        return TrustedKeys(w.key for w in self.windows.values() if w.covers(size))


def _signature_problem(envelope, seq: int, keys: _Keys, extra_ok: Iterable[str] = ()) -> str | None:
    """None if the envelope has a valid signature by a key trusted for ``seq``; else the reason."""
    message = envelope.signed_bytes
    untrusted = []
    valid = False
    for sig in envelope.signatures:
        # a log key signs only inside its window: a retired one is not rescued by the auditor's trust set,
        # which keeps it only to check the entries from before its rotation
        if sig.keyid in keys.windows:  # a log key counts only inside its own window
            key = keys.log_key(sig.keyid, seq)
        else:
            key = keys.people.get(sig.keyid) or keys.trusted.get(sig.keyid)
        if key is None and sig.keyid in extra_ok:
            continue
        if key is None:
            window = keys.windows.get(sig.keyid)
            untrusted.append(sig.keyid[:23] + "…" + (" (a retired log key)" if window is not None else ""))
            continue
        if not key.verify(sig.sig, message):
            return f"envelope signature by {sig.keyid[:23]}… does not verify (payload or signature changed)"
        valid = True
    if not valid:
        return f"envelope is signed only by keys outside the trusted set: {', '.join(untrusted)}"
    return None


def _keys_in(predicate: dict) -> list[PublicKey]:
    return [PublicKey.from_pem(item["public_key_pem"]) for item in predicate.get("keys", [])]


def _learn_keys(entry: StoredEntry, statement: dict, keys: _Keys, origin: str) -> str | None:
    """Update the key history from a log-init or rotation entry; returns a problem or None."""
    predicate = statement.get("predicate", {})
    try:
        new_keys = _keys_in(predicate)
    except (KeyError, TypeError, ValueError) as error:
        return f"unreadable public key in {entry.kind} entry: {error}"
    if predicate.get("origin") != origin:
        return f"{entry.kind} entry names origin {predicate.get('origin')!r}, not this log's {origin!r}"
    if statement["predicateType"] == statements.LOG_INIT_V1:
        if entry.seq != 0:
            return "a log-init entry may only be entry 0"
        untrusted = [k.keyid for k in new_keys if k.keyid not in keys.trusted]
        if untrusted:
            return (
                f"the log's own keys {', '.join(k[:23] + '…' for k in untrusted)} are not in the trusted set "
                "(pin them with --trusted-keys)"
            )
        for key in new_keys:
            keys.windows[key.keyid] = _KeyWindow(key, first=0)
        return None
    retired = set(predicate.get("retired", []))
    active = {k for k, w in keys.windows.items() if w.covers(entry.seq) and w.last is None}
    if retired != active:
        return "a key rotation must retire exactly the log keys in force"
    for keyid in retired:
        keys.windows[keyid].last = entry.seq
    for key in new_keys:
        keys.windows[key.keyid] = _KeyWindow(key, first=entry.seq + 1)
    return None


class _Plans:
    """Pre-registration order: an audit may only cite a plan that an earlier entry registered."""

    def __init__(self, start: int) -> None:
        self.start = start  # a --since bundle cannot see plans registered before its first entry
        self.registered: dict[str, int] = {}

    def check(self, entry: StoredEntry, statement: dict) -> str | None:
        kind, predicate = statement["predicateType"], statement["predicate"]
        if kind == statements.PLAN_V1:
            plan = predicate.get("plan")
            if not isinstance(plan, dict) or sha256_hex(canonical_json(plan)) != predicate.get("digest"):
                return "plan entry: the recorded digest is not the digest of the recorded plan"
            self.registered[predicate["digest"]] = entry.seq
        elif kind == statements.SLSA_PROVENANCE_V1:
            cited = predicate.get("buildDefinition", {}).get("externalParameters", {}).get("plan")
            if not isinstance(cited, dict):
                return None
            seq = self.registered.get(cited.get("digest"))
            if seq is None and isinstance(cited.get("seq"), int) and cited["seq"] < self.start:
                return None  # registered before this bundle begins; the full log shows it
            if seq is None or seq != cited.get("seq") or seq >= entry.seq:
                return (
                    f"the audit cites plan {cited.get('name')!r} (entry {cited.get('seq')}, sha256 "
                    f"{str(cited.get('digest'))[:12]}…), which no earlier entry registered: not pre-registered"
                )
        return None


def _check_entry(entry: StoredEntry, keys: _Keys, origin: str, plans: _Plans | None = None) -> str | None:
    """Every per-entry check; returns the first failure's reason, or None."""
    leaf = merkle.leaf_hash(entry.envelope)
    if entry.leaf_hash != leaf:
        return "stored leaf hash does not match the stored envelope bytes (the envelope was changed)"
    try:
        envelope = parse_envelope(entry.envelope)
        statement = envelope.statement()
        statements.check_statement(statement)
    except (EnvelopeError, ValueError) as error:
        return f"malformed envelope: {error}"
    if envelope.payload_type != "application/vnd.in-toto+json":
        return f"unexpected payloadType {envelope.payload_type!r}"
    kind = statement["predicateType"]
    if kind == statements.LOG_INIT_V1:
        # the log's first keys come from entry 0 itself, and must be keys the auditor already trusts
        problem = _learn_keys(entry, statement, keys, origin)
        if problem:
            return problem
    receipt_key = keys.log_key(entry.receipt_keyid, entry.seq)
    if receipt_key is None:
        return f"receipt signed by {entry.receipt_keyid[:23]}…, not a log key in force at this position"
    if not receipt_key.verify(entry.receipt, receipt_message(origin, entry.seq, leaf, entry.integrated_time)):
        return (
            "the log's receipt does not match: this is not the entry recorded at this position "
            "(changed, swapped or renumbered)"
        )
    if kind == statements.KEY_ROTATION_V1:
        # signed by the outgoing log key (checked here) and the incoming one (listed in the entry)
        incoming = {k["keyid"] for k in statement["predicate"].get("keys", []) if isinstance(k, dict)}
        problem = _signature_problem(envelope, entry.seq, keys, extra_ok=incoming)
        if problem is None and not any(keys.log_key(s.keyid, entry.seq) for s in envelope.signatures):
            problem = "a key rotation must be signed by the outgoing log key"
        return problem or _learn_keys(entry, statement, keys, origin)
    problem = _signature_problem(envelope, entry.seq, keys)
    if problem is None and kind == statements.PROJECT_V1:
        problem = _learn_people(envelope, statement, entry.seq, keys)
    if problem is None and plans is not None:
        problem = plans.check(entry, statement)
    return problem


def _learn_people(envelope, statement: dict, seq: int, keys: _Keys) -> str | None:
    """A roster signed by a log key makes its people's keys trusted for the entries after it.

    The new roster replaces the old one: someone taken off the project can no longer sign.
    """
    if not any(keys.log_key(s.keyid, seq) for s in envelope.signatures):
        return "a project roster must be signed by a log key"
    try:
        people = statement["predicate"]["project"]["people"]
        keys.people = {k.keyid: k for k in (PublicKey.from_pem(p["public_key_pem"]) for p in people)}
    except (KeyError, TypeError, ValueError) as error:
        return f"unreadable project roster: {error}"
    return None


def verify_log(view: LogView, trusted: TrustedKeys, known: Sequence[KnownCheckpoint] = ()) -> VerifyReport:
    report = VerifyReport(origin=view.origin, trusted_keys=[k.keyid for k in trusted])
    problems = report.problems
    keys = _Keys(trusted)
    plans = _Plans(view.start)

    # Key history before a partial bundle's first entry: proven by inclusion in the latest checkpoint.
    for entry in view.key_entries:
        reason = _check_entry(entry, keys, view.origin)
        if reason:
            problems.append(Problem(entry.seq, reason))

    known_parsed: list[tuple[KnownCheckpoint, Checkpoint]] = []
    for item in known:
        try:
            known_parsed.append((item, parse_checkpoint(item.note)[0]))
        except CheckpointError as error:
            problems.append(Problem(None, f"earlier checkpoint from {item.source}: {error}"))
    wanted = {c.size for c in view.checkpoints} | {c.size for _, c in known_parsed}
    roots: dict[int, bytes] = {}

    acc = merkle.RootAccumulator()
    if view.start:
        # seed the accumulator with the complete subtrees of [0, start)
        coords = merkle.root_plan(view.start)
        if len(coords) != len(view.prefix_nodes):
            problems.append(Problem(view.start, "the bundle's prefix hashes do not match its starting point"))
        else:
            acc._stack = [(lv, h) for (lv, _), h in zip(coords, view.prefix_nodes, strict=True)]
            acc.size = view.start
    if 0 in wanted and view.start == 0:
        roots[0] = merkle.EMPTY_ROOT
    if view.start in wanted:
        roots[view.start] = acc.root()

    expected = view.start
    tree_valid = True
    first_diff_with_known: dict[str, int] = {}
    for entry in view.entries:
        if entry.seq != expected:
            if entry.seq > expected:
                missing = (
                    f"entry {expected} is"
                    if entry.seq == expected + 1
                    else f"entries {expected}..{entry.seq - 1} are"
                )
                problems.append(
                    Problem(
                        expected, f"{missing} missing: the sequence jumps from {expected - 1} to {entry.seq}"
                    )
                )
            else:
                problems.append(
                    Problem(entry.seq, f"entry {entry.seq} appears again after entry {expected - 1}")
                )
            tree_valid = False
            expected = entry.seq
        reason = _check_entry(entry, keys, view.origin, plans)
        if reason:
            problems.append(Problem(entry.seq, reason))
        for item in known:
            if (
                entry.seq < len(item.leaf_hashes)
                and item.source not in first_diff_with_known
                and item.leaf_hashes[entry.seq] != merkle.leaf_hash(entry.envelope)
            ):
                first_diff_with_known[item.source] = entry.seq
        acc.append(merkle.leaf_hash(entry.envelope))
        expected += 1
        report.entries += 1
        if acc.size in wanted and tree_valid:
            roots[acc.size] = acc.root()
    size = expected

    # Checkpoints: signatures by the log keys of their time, match with the recomputed tree, consistency.
    previous: Checkpoint | None = None
    skipped = False  # a checkpoint since ``previous`` was rejected (and reported) above
    last_good = view.start
    for stored in view.checkpoints:
        report.checkpoints += 1
        label = f"checkpoint {stored.idx} (size {stored.size})"
        try:
            cp = verify_checkpoint(stored.note, keys.checkpoint_keys(stored.size), origin=view.origin)
        except CheckpointError as error:
            problems.append(Problem(min(stored.size, size) if stored.size else None, f"{label}: {error}"))
            skipped = True
            continue
        if cp.size != stored.size:
            problems.append(Problem(None, f"{label}: the signed note says size {cp.size}"))
            skipped = True
            continue
        if cp.size > size:
            problems.append(
                Problem(
                    size,
                    f"the log is truncated: {label} covers {cp.size} entries but only {size} are present",
                )
            )
        elif cp.size in roots and roots[cp.size] != cp.root:
            # the range's start is only a bound: if a per-entry check named the entry, point at that one
            named = [p.seq for p in problems if p.seq is not None and last_good <= p.seq < cp.size]
            problems.append(
                Problem(
                    min(named, default=last_good),
                    f"{label} does not match the entries (root differs): an entry in {last_good}..{cp.size - 1} "
                    "was changed after it was checkpointed",
                )
            )
        elif cp.size in roots:
            last_good = cp.size
        if previous is not None:
            if cp.size < previous.size:
                problems.append(Problem(None, f"{label} is smaller than the checkpoint before it"))
            else:
                try:
                    proof = view.consistency_proof(previous.size, cp.size)
                except (merkle.ProofError, LookupError) as error:
                    proof = None
                    # a proof that cannot exist because entries are gone or a checkpoint between was
                    # rejected is a consequence of a problem already reported: it names no entry itself
                    problems.append(
                        Problem(
                            None if cp.size > size or skipped else previous.size,
                            f"no consistency proof from size {previous.size} to {cp.size}: {error}",
                        )
                    )
                if proof is not None and not merkle.verify_consistency(
                    previous.size, cp.size, previous.root, cp.root, proof
                ):
                    problems.append(
                        Problem(
                            previous.size if cp.size <= size else None,
                            f"{label} is not consistent with the checkpoint of size {previous.size}: the log was forked",
                        )
                    )
        previous = cp
        skipped = False

    # Checkpoints the auditor kept: the log must still extend them.
    for item, cp in known_parsed:
        report.known_checkpoints += 1
        label = f"earlier checkpoint of size {cp.size} from {item.source}"
        try:
            verify_checkpoint(
                item.note, keys.checkpoint_keys(cp.size) if keys.windows else keys.trusted, origin=view.origin
            )
        except CheckpointError as error:
            problems.append(Problem(None, f"{label}: {error}"))
            continue
        if cp.size > size:
            problems.append(
                Problem(size, f"the log is truncated: {label} covers {cp.size} entries, the log has {size}")
            )
        elif cp.size in roots and roots[cp.size] != cp.root:
            seq = first_diff_with_known.get(item.source)
            where = (
                f"entry {seq} differs from the earlier copy"
                if seq is not None
                else f"an entry in 0..{cp.size - 1} differs (pass the earlier bundle itself to name it)"
            )
            problems.append(
                Problem(seq, f"the log was forked: it is not consistent with the {label}; {where}")
            )
    return report


def statement_of(entry: StoredEntry) -> dict:
    return json.loads(parse_envelope(entry.envelope).payload)


__all__ = [
    "KnownCheckpoint",
    "LogView",
    "Problem",
    "VerifyReport",
    "statement_of",
    "verify_log",
]
