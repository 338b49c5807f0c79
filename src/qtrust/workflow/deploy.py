"""Record a deployment: which artefact went into service, tied to its audit, and how it is served.

Why an evidence entry: an auditor who asks "what answered this person on that day" needs more than the
artefact's digest in the prediction log; they need to know that the artefact came from an audit that
verifies, and the settings it ran under (backend, shots, shot budget, latency budget, limits, where the
prediction log is). The entry is signed by the log key, like a gate decision, and names the audit entry the
artefact was packaged from; an artefact whose audit is not a verified entry of this log is not deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qtrust._version import __version__
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import Recorded
from qtrust.governance.entries import LogEntries
from qtrust.serve.artefact import Artefact
from qtrust.workflow.gate import audit_results_sha256
from qtrust.workflow.session import Session


@dataclass(frozen=True)
class Deployment:
    recorded: Recorded
    audit_entry: int


def _audit_entry(ledger: LogEntries, seq: int | None, results_sha256: str) -> int:
    """``seq`` if it is a verified audit entry whose results.json is ``results_sha256``."""
    if seq is not None and audit_results_sha256(ledger, seq) == results_sha256:
        return seq
    raise InputError(
        f"the artefact names audit entry {seq}, which is not a verified audit of this log with its results.json "
        f"(sha256 {results_sha256[:12]}…)",
        where="ARTEFACT",
        fix="package the model from an audit recorded in this evidence log (qtrust package), "
        "or serve with --no-record for a first look",
    )


def deployment_statement(artefact: Artefact, audit_entry: int, service: Mapping[str, Any]) -> dict:
    manifest = artefact.manifest
    audit = manifest["audit"]
    return statements.statement(
        [
            statements.resource("model.qtrust", artefact.sha256),
            statements.resource("results.json", audit["results_sha256"]),
        ],
        statements.DEPLOYMENT_V1,
        {
            "artefact": {
                "sha256": artefact.sha256,
                "format": manifest["format"],
                "model": manifest["model"],
                "fallback": manifest["fallback"],
                "threshold": manifest["threshold"],
                "egress": manifest["egress"],
            },
            "audit": {
                "seq": audit_entry,
                "results_sha256": audit["results_sha256"],
                "dataset_digest": audit["dataset_digest"],
                "seed": audit["seed"],
            },
            "service": dict(service),
            "served_by": f"qtrust {__version__}",
        },
    )


def record_deployment(session: Session, artefact: Artefact, service: Mapping[str, Any]) -> Deployment:
    """Append the signed deployment entry; refused unless the artefact's audit entry verifies here."""
    if not session.workspace.has_log():
        raise InputError(
            f"there is no evidence log in {session.workspace.home} to record the deployment in",
            where="--home / --store",
            fix="serve from the workspace the audit was recorded in, or pass --no-record for a first look",
        )
    audit = artefact.manifest["audit"]
    with session.writing() as (log, ledger):
        entry = _audit_entry(ledger, audit.get("evidence_entry"), audit["results_sha256"])
        recorded = log.append(deployment_statement(artefact, entry, service))
    return Deployment(recorded, entry)
