"""Package an audited run as a deployable model (`qtrust package`), tied to the audit's evidence entry.

When an evidence log exists, the audit folder's results.json must be the output of an audit entry that
verifies (found by its sha256, as the gate does); the entry number goes into the artefact's manifest. With
no log the artefact is built but says it has no evidence entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.files import read_named_file
from qtrust.serve.artefact import Packaged, package
from qtrust.workflow.gate import audit_results_sha256, provenance_of
from qtrust.workflow.session import Session


@dataclass(frozen=True)
class PackagedRun:
    packaged: Packaged
    audit_entry: int | None
    provenance: str  # why the entry is (or is not) known


def package_run(
    session: Session,
    run: Path | str,
    destination: Path,
    *,
    model: str,
    fallback: str,
    seed: int | None = None,
    outputs: Path | None = None,
) -> PackagedRun:
    """Check the run against the evidence log (when there is one), then write the artefact.

    ``run``: an audit output folder, or an evidence entry number; an entry's outputs are read from
    ``outputs`` (default ``qtrust-out``, where ``make audit`` writes) and must be the ones it recorded.
    """
    if str(run).isdigit():
        folder = Path(outputs or "qtrust-out")
        entry = _entry_outputs(session, int(str(run)), folder)
        packaged = package(folder, destination, model=model, fallback=fallback, seed=seed, audit_entry=entry)
        return PackagedRun(packaged, entry, f"{folder}/results.json is the output of audit entry {entry}")
    run = Path(run)
    results = read_named_file(run / "results.json", where="RUN", fix="pass an audit output folder")
    digest = hashlib.sha256(results).hexdigest()
    entry, why = None, "there is no evidence log to tie the model to"
    if session.workspace.has_log():
        with session.reading() as (_, ledger):
            provenance = provenance_of(ledger, digest)
        if provenance.status != "verified":
            raise InputError(
                provenance.detail,
                where="RUN",
                fix="package the output folder of a recorded audit, unchanged",
            )
        entry, why = provenance.audit_seq, provenance.detail
    packaged = package(run, destination, model=model, fallback=fallback, seed=seed, audit_entry=entry)
    return PackagedRun(packaged, entry, why)


def _entry_outputs(session: Session, seq: int, folder: Path) -> int:
    """``seq`` once ``folder`` holds exactly the results.json that audit entry ``seq`` recorded."""
    if not session.workspace.has_log():
        raise InputError(
            f"RUN {seq} is an evidence entry number, but there is no evidence log in {session.workspace.home}",
            where="RUN",
            fix="pass --home (or QTRUST_HOME) of the log the audit was recorded in, or pass the output folder",
        )
    with session.reading() as (_, ledger):
        recorded = audit_results_sha256(ledger, seq)
    if recorded is None:
        raise InputError(
            f"evidence entry {seq} is not a verified audit entry",
            where="RUN",
            fix="give the number of an audit entry (`qtrust log list --kind audit` lists them) or an audit output folder",
        )
    results = read_named_file(
        folder / "results.json", where="--outputs", fix=f"pass --outputs with the folder entry {seq} wrote"
    )
    if hashlib.sha256(results).hexdigest() != recorded:
        raise InputError(
            f"{folder}/results.json is not the output of audit entry {seq} (its sha256 differs from the "
            f"recorded {recorded[:12]}…)",
            where="--outputs",
            fix=f"pass --outputs with the folder entry {seq} wrote, unchanged",
        )
    return seq
