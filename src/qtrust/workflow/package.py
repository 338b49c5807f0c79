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
from qtrust.workflow.gate import provenance_of
from qtrust.workflow.session import Session


@dataclass(frozen=True)
class PackagedRun:
    packaged: Packaged
    audit_entry: int | None
    provenance: str  # why the entry is (or is not) known


def package_run(
    session: Session, run: Path, destination: Path, *, model: str, fallback: str, seed: int | None = None
) -> PackagedRun:
    """Check the run against the evidence log (when there is one), then write the artefact."""
    if str(run).isdigit():
        raise InputError(
            f"RUN {run} looks like an evidence entry number; packaging reads the audit's output folder",
            where="RUN",
            fix="pass the folder the audit wrote (e.g. qtrust-out/); its results.json is matched to the entry",
        )
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
