"""The checkpoint half of verification: signatures, roots, consistency, coverage and witnesses.

Why coverage matters: the post-quantum guarantee lives in the checkpoints (Ed25519 *and* ML-DSA-65), and an
entry reaches it only through a checkpoint whose root it is under. A log whose checkpoints were deleted, or
whose newest entries were never checkpointed, would otherwise verify on Ed25519 alone. So every entry must
be under a valid checkpoint; the ones after the last are reported as not yet covered.

Witness cosignatures are checked the same way: each witness the auditor names must have cosigned a valid
checkpoint that covers every entry. A witness cosigns only after checking that the log still extends what
it saw before, so this is what stops a lone operator from truncating the tail or re-signing the history.
"""

from __future__ import annotations

from collections.abc import Sequence

from qtrust.evidence import merkle
from qtrust.evidence.checkpoint import Checkpoint, CheckpointError, verify_checkpoint
from qtrust.evidence.cosignature import WitnessKey, verify_cosignature
from qtrust.evidence.key_history import KeyHistory
from qtrust.evidence.verification import KnownCheckpoint, LogView, Problem, VerifyReport


def check_checkpoints(
    view: LogView,
    history: KeyHistory,
    roots: dict[int, bytes],
    known: Sequence[tuple[KnownCheckpoint, Checkpoint]],
    first_diff_with_known: dict[str, int],
    witnesses: Sequence[WitnessKey],
    report: VerifyReport,
) -> None:
    problems = report.problems
    size = report.size
    previous: Checkpoint | None = None
    skipped = False  # a checkpoint since ``previous`` was rejected (and reported) above
    last_good = view.start
    valid: dict[int, Checkpoint] = {}  # size -> checkpoint that verified and matches the recomputed root
    claimed = 0  # the largest size a checkpoint with valid signatures vouches for
    for stored in view.checkpoints:
        report.checkpoints += 1
        label = f"checkpoint {stored.idx} (size {stored.size})"
        try:
            cp = verify_checkpoint(stored.note, history.checkpoint_keys(stored.size), origin=view.origin)
        except CheckpointError as error:
            problems.append(Problem(min(stored.size, size) if stored.size else None, f"{label}: {error}"))
            skipped = True
            continue
        if cp.size != stored.size:
            problems.append(Problem(None, f"{label}: the signed note says size {cp.size}"))
            skipped = True
            continue
        claimed = max(claimed, cp.size)
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
            valid[cp.size] = cp
        if previous is not None:
            _check_consistency(view, previous, cp, label, size, skipped, problems)
        previous = cp
        skipped = False

    report.covered = max(valid, default=0)
    if claimed < size:  # (a signed checkpoint that does not match is reported above, with its cause)
        problems.append(
            Problem(
                claimed,
                f"entries {claimed}..{size - 1} are not covered by a checkpoint signed with Ed25519 "
                "and ML-DSA-65 (never checkpointed, or the checkpoint was deleted): they are not yet part of "
                "the verifiable log; the log operator runs `qtrust log checkpoint`",
            )
        )
    _check_known(view, history, roots, known, first_diff_with_known, report)
    _check_witnesses(view, valid, witnesses, report)


def _check_consistency(view, previous, cp, label, size, skipped, problems) -> None:
    if cp.size < previous.size:
        problems.append(Problem(None, f"{label} is smaller than the checkpoint before it"))
        return
    try:
        proof = view.consistency_proof(previous.size, cp.size)
    except (merkle.ProofError, LookupError) as error:
        # a proof that cannot exist because entries are gone or a checkpoint between was rejected is a
        # consequence of a problem already reported: it names no entry itself
        problems.append(
            Problem(
                None if cp.size > size or skipped else previous.size,
                f"no consistency proof from size {previous.size} to {cp.size}: {error}",
            )
        )
        return
    if not merkle.verify_consistency(previous.size, cp.size, previous.root, cp.root, proof):
        problems.append(
            Problem(
                previous.size if cp.size <= size else None,
                f"{label} is not consistent with the checkpoint of size {previous.size}: the log was forked",
            )
        )


def _check_known(view, history, roots, known, first_diff_with_known, report) -> None:
    """Checkpoints the auditor kept (or a witness's latest): the log must still extend them."""
    size = report.size
    for item, cp in known:
        report.known_checkpoints += 1
        label = f"earlier checkpoint of size {cp.size} from {item.source}"
        try:
            verify_checkpoint(
                item.note,
                history.checkpoint_keys(cp.size) if history.windows else history.trusted,
                origin=view.origin,
            )
        except CheckpointError as error:
            report.problems.append(Problem(None, f"{label}: {error}"))
            continue
        if cp.size > size:
            report.problems.append(
                Problem(size, f"the log is truncated: {label} covers {cp.size} entries, the log has {size}")
            )
        elif cp.size in roots and roots[cp.size] != cp.root:
            seq = first_diff_with_known.get(item.source)
            where = (
                f"entry {seq} differs from the earlier copy"
                if seq is not None
                else f"an entry in 0..{cp.size - 1} differs (pass the earlier bundle itself to name it)"
            )
            report.problems.append(
                Problem(seq, f"the log was forked: it is not consistent with the {label}; {where}")
            )


def _check_witnesses(
    view: LogView, valid: dict[int, Checkpoint], witnesses: Sequence[WitnessKey], report: VerifyReport
) -> None:
    for witness in witnesses:
        cosigned = [
            c.size
            for c in view.cosignatures
            if c.size in valid and verify_cosignature(valid[c.size], c.lines, witness) is not None
        ]
        report.witnessed[witness.name] = witnessed = max(cosigned, default=0)
        if witnessed < report.size:
            report.problems.append(
                Problem(
                    witnessed,
                    f"entries {witnessed}..{report.size - 1} are not witnessed by {witness.name}: no checkpoint "
                    f"covering them carries its cosignature (Ed25519 + ML-DSA-44); the witness runs "
                    "`qtrust witness cosign`",
                )
            )
