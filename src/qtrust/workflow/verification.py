"""Verify the local log or an offline bundle, as `qtrust verify` does: every signature, leaf, root,
checkpoint, sign-off and witness cosignature, plus the output files against the digests signed in the log.

A bundle carries its exporter's public keys; trusting them proves only that the bundle agrees with itself.
So a bundle is checked against pinned keys (``trusted_keys``), and without them the outcome is marked
unpinned and cannot pass unless the caller accepts the bundle's keys knowingly (``trust_bundle_keys``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qtrust.audit.outputs import sha256_of
from qtrust.errors import InputError
from qtrust.evidence.bundle import BUNDLE_FORMAT, check_inclusion_proofs, load_bundle
from qtrust.evidence.cosignature import WitnessKey, load_witness_key
from qtrust.evidence.keys import TrustedKeys
from qtrust.evidence.verification import KnownCheckpoint, Problem, VerifyReport
from qtrust.evidence.view import store_view
from qtrust.evidence.witness import WitnessDirectory
from qtrust.files import read_named_file
from qtrust.governance.entries import LogEntries, read_view
from qtrust.workflow.session import Session, read_trusted_keys


def known_checkpoints(paths: Sequence[Path]) -> list[KnownCheckpoint]:
    """Checkpoints an auditor kept: earlier bundles (with their leaves) or checkpoint notes."""
    known = []
    for path in paths:
        head = read_named_file(path, where="--known", fix="pass an earlier bundle or checkpoint file")
        if head.lstrip().startswith(b"{") and BUNDLE_FORMAT.encode() in head[:400]:
            earlier = load_bundle(path)
            if earlier.latest_note is None:
                continue
            prefix = [b""] * earlier.start  # unknown leaves before an earlier --since bundle
            leaves = [*prefix, *earlier.leaf_hashes][: earlier.size]
            known.append(KnownCheckpoint(earlier.latest_note, str(path), leaves))
        else:
            known.append(KnownCheckpoint(head, str(path)))
    return known


def witnesses_of(paths: Sequence[Path], origin: str) -> tuple[list[WitnessKey], list[KnownCheckpoint]]:
    """Witness keys from witness.json files or witness directories; a directory's latest cosigned
    checkpoint for this log also becomes a checkpoint the log must still extend."""
    keys, known = [], []
    for path in paths:
        if Path(path).is_dir():
            witness = WitnessDirectory(path)
            keys.append(witness.public())
            latest = witness.latest_checkpoint(origin)
            if latest is not None:
                known.append(latest)
            continue
        data = read_named_file(path, where="--witness", fix="pass a witness.json or a witness directory")
        keys.append(load_witness_key(data, str(path)))
    return keys, known


def check_outputs(directory: Path, ledger: LogEntries) -> list[str]:
    """Each file in ``directory`` against the digests inside signed statements of entries that verify."""
    recorded: dict[str, set[str]] = {}
    for entry in ledger.verified:
        for subject in entry.statement.get("subject", []):
            digest = (subject.get("digest") or {}).get("sha256") if isinstance(subject, dict) else None
            if subject.get("name") and digest:
                recorded.setdefault(subject["name"], set()).add(digest)
    try:
        files = sorted(p for p in Path(directory).iterdir() if p.is_file())
    except OSError as error:
        raise InputError(
            f"cannot read {directory}: {error}", where="--outputs", fix="give an audit's output folder"
        ) from None
    problems = [
        f"{path} does not match any digest a verified entry records for {path.name}"
        for path in files
        if path.name in recorded and sha256_of(path) not in recorded[path.name]
    ]
    if not any(path.name in recorded for path in files):
        problems.append(f"no file in {directory} is named by a verified entry")
    return problems


@dataclass
class Verification:
    """What was verified, against which keys, and the report."""

    source: str
    report: VerifyReport
    trusted: TrustedKeys
    unpinned: bool = False  # a bundle checked against the keys it carries
    self_trusted: bool = False  # ... and the caller did not accept that knowingly: cannot pass

    @property
    def passed(self) -> bool:
        return self.report.ok and not self.self_trusted


def _finish(ledger: LogEntries, outputs: Path | None) -> VerifyReport:
    report = ledger.report
    if outputs is not None:
        report.problems += [Problem(None, p) for p in check_outputs(outputs, ledger)]
    return report


def verify_local(
    session: Session,
    *,
    known: Sequence[Path] = (),
    witnesses: Sequence[Path] = (),
    outputs: Path | None = None,
) -> Verification:
    """Verify the session's own log (read-only) against its keyring or the pinned keys."""
    kept = known_checkpoints(known)
    trusted = session.trusted()
    log = session.workspace.open_log()
    with log.store:
        witness_keys, witness_known = witnesses_of(witnesses, log.origin)
        ledger = read_view(store_view(log), trusted, [*kept, *witness_known], witness_keys)
        source = log.store.location
    return Verification(source, _finish(ledger, outputs), trusted)


def verify_bundle(
    bundle: Path,
    *,
    trusted_keys: Path | None = None,
    trust_bundle_keys: bool = False,
    known: Sequence[Path] = (),
    witnesses: Sequence[Path] = (),
    outputs: Path | None = None,
) -> Verification:
    """Verify an offline bundle; needs no workspace at all (an auditor's machine)."""
    kept = known_checkpoints(known)
    loaded = load_bundle(bundle)
    trusted = read_trusted_keys(trusted_keys) if trusted_keys is not None else loaded.keys
    witness_keys, witness_known = witnesses_of(witnesses, loaded.view.origin)
    ledger = read_view(loaded.view, trusted, [*kept, *witness_known], witness_keys)
    ledger.report.problems += [Problem(seq, reason) for seq, reason in check_inclusion_proofs(loaded)]
    unpinned = trusted_keys is None
    return Verification(
        str(bundle),
        _finish(ledger, outputs),
        trusted,
        unpinned=unpinned,
        self_trusted=unpinned and not trust_bundle_keys,
    )
