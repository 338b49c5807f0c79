"""Verification: recompute everything a log claims and name the first entry that breaks it.

The verifier trusts nothing the log says about itself except what the trusted keys signed. In one pass over
the entries it checks, for each one, that the sequence number is the next, that the stored leaf hash is
the hash of the stored envelope bytes, that the log's receipt binds this leaf to this position, and that
the DSSE envelope is signed by a key trusted at that position (the log keys in force, a key an entry rule
vouches for — a person's key bound by the roster at that point — or any other key the auditor trusts); it
follows the log's own key history (:mod:`qtrust.evidence.key_history`). Entry rules
(:class:`EntryRule`, composable like sigstore's verification policies) then judge what the entry *says*:
pre-registration of plans here, separation of duties in :mod:`qtrust.governance`.

Checkpoints (:mod:`qtrust.evidence.checkpoint_checks`) must carry valid Ed25519 and ML-DSA-65 signatures
by the log keys of their time, match the recomputed root and be consistent with each other and with any
checkpoint the auditor kept. Every entry must lie under such a checkpoint: entries after the last one are
not yet covered and fail, so the post-quantum signature is always demanded. Where the auditor names
witnesses, every entry must also lie under a checkpoint each witness cosigned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from qtrust.encoding import canonical_json, sha256_hex
from qtrust.evidence import merkle, statements
from qtrust.evidence.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from qtrust.evidence.checkpoint_checks import check_checkpoints
from qtrust.evidence.cosignature import WitnessKey
from qtrust.evidence.dsse import EnvelopeError, parse_envelope
from qtrust.evidence.key_history import KeyHistory, check_signatures
from qtrust.evidence.keys import PublicKey, TrustedKeys
from qtrust.evidence.receipts import receipt_message
from qtrust.evidence.store import StoredEntry
from qtrust.evidence.verification import EntryRule, KnownCheckpoint, LogView, Problem, VerifyReport


class PlanRule:
    """Pre-registration order: an audit may only cite a plan that an earlier entry registered."""

    def __init__(self, start: int) -> None:
        self.start = start  # a --since bundle cannot see plans registered before its first entry
        self.registered: dict[str, int] = {}

    def keys_at(self, seq: int, statement: dict) -> Mapping[str, PublicKey]:
        return {}

    def check(self, entry: StoredEntry, statement: dict, signed_by: frozenset[str]) -> str | None:
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


def _check_entry(
    entry: StoredEntry, history: KeyHistory, origin: str, rules: Sequence[EntryRule]
) -> str | None:
    """Every per-entry check; returns the first failure's reason, or None."""
    if entry.damage:
        return f"the stored row was altered in the database: {entry.damage}"
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
        problem = history.learn(entry, statement, origin)
        if problem:
            return problem
    receipt_key = history.log_key(entry.receipt_keyid, entry.seq)
    if receipt_key is None:
        return f"receipt signed by {entry.receipt_keyid[:23]}…, not a log key in force at this position"
    if not receipt_key.verify(entry.receipt, receipt_message(origin, entry.seq, leaf, entry.integrated_time)):
        return (
            "the log's receipt does not match: this is not the entry recorded at this position "
            "(changed, swapped or renumbered)"
        )
    extra: dict[str, PublicKey] = {}
    for rule in rules:
        extra.update(rule.keys_at(entry.seq, statement))
    if kind == statements.KEY_ROTATION_V1:
        # signed by the outgoing log key and by the incoming one (proof that whoever rotates holds it)
        try:
            incoming = {
                k.keyid: k
                for k in (PublicKey.from_pem(i["public_key_pem"]) for i in statement["predicate"]["keys"])
            }
        except (KeyError, TypeError, ValueError) as error:
            return f"unreadable public key in key-rotation entry: {error}"
        problem, signed_by = check_signatures(envelope, entry.seq, history, extra | incoming)
        if problem is None and not history.signed_by_log(envelope, entry.seq):
            problem = "a key rotation must be signed by the outgoing log key"
        if problem is None and not set(incoming) & signed_by:
            problem = "a key rotation must be signed by an incoming key too"
        problem = problem or history.learn(entry, statement, origin)
    else:
        problem, signed_by = check_signatures(envelope, entry.seq, history, extra)
    if problem is not None:
        return problem
    for rule in rules:
        problem = rule.check(entry, statement, signed_by)
        if problem is not None:
            return problem
    return None


def verify_log(
    view: LogView,
    trusted: TrustedKeys,
    known: Sequence[KnownCheckpoint] = (),
    *,
    rules: Sequence[EntryRule] = (),
    witnesses: Sequence[WitnessKey] = (),
) -> VerifyReport:
    """Verify ``view`` against the auditor's ``trusted`` keys, ``known`` checkpoints and ``witnesses``."""

    report = VerifyReport(origin=view.origin, trusted_keys=[k.keyid for k in trusted])
    problems = report.problems
    history = KeyHistory(trusted)
    all_rules: list[EntryRule] = [PlanRule(view.start), *rules]

    # Entries before a partial bundle's first one that later entries depend on: proven by inclusion.
    for entry in view.context_entries:
        reason = _check_entry(entry, history, view.origin, all_rules)
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
        reason = _check_entry(entry, history, view.origin, all_rules)
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
    report.size = expected
    check_checkpoints(view, history, roots, known_parsed, first_diff_with_known, witnesses, report)
    return report


def statement_of(entry: StoredEntry) -> dict:
    return json.loads(parse_envelope(entry.envelope).payload)


__all__ = [
    "EntryRule",
    "KnownCheckpoint",
    "LogView",
    "PlanRule",
    "Problem",
    "VerifyReport",
    "statement_of",
    "verify_log",
]
