"""Gate an audit's results against the release policy, and put a policy in force: `qtrust gate` and
`qtrust policy`, callable from any shell.

The policy is the one the owner put in force in the log, unless the caller names a file; without a log,
qtrust's default. Whenever a log exists the gate asks it whether the results are a recorded audit's (by
sha256, among entries that verify) — recording or not: results no verified audit names are marked
unverified and cannot pass. A decision is recorded only for results that are a recorded audit's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qtrust.audit.outputs import sha256_of
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import Recorded
from qtrust.files import write_file_atomically
from qtrust.governance.entries import LogEntries
from qtrust.governance.policies import register_policy
from qtrust.governance.rules import PolicyInForce
from qtrust.policy.gate import GateResult, Provenance, junit_xml, run_gate
from qtrust.policy.policy import Policy, load_policy
from qtrust.results.schema import AuditResult
from qtrust.workflow.session import Session


def load_results(path: Path) -> AuditResult:
    """An audit's results.json, or a one-line error saying it is not one."""
    try:
        return AuditResult.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            f"no audit results at {path}",
            where="RESULTS",
            fix="run `qtrust audit` first, or give the path of its results.json",
        ) from None
    except (OSError, ValueError, ValidationError) as error:
        first = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        raise InputError(
            f"{path} is not a qtrust results.json: {first}",
            where="RESULTS",
            fix="give the results.json an audit wrote",
        ) from None


def audit_results_sha256(ledger: LogEntries, seq: int | None) -> str | None:
    """The sha256 of the results.json that verified audit entry ``seq`` recorded; None if it is no such entry."""
    entry = ledger.entry(seq) if seq is not None else None
    if entry is None or entry.predicate_type != statements.SLSA_PROVENANCE_V1:
        return None
    return next(
        (
            (s.get("digest") or {}).get("sha256")
            for s in entry.statement.get("subject", [])
            if s.get("name") == "results.json"
        ),
        None,
    )


def provenance_of(ledger: LogEntries, results_sha256: str) -> Provenance:
    """Verified if a verified audit entry names this results.json's sha256 (the newest such entry)."""
    found = [
        e.seq
        for e in ledger.of(statements.SLSA_PROVENANCE_V1)
        if any(
            s.get("name") == "results.json" and (s.get("digest") or {}).get("sha256") == results_sha256
            for s in e.statement.get("subject", [])
        )
    ]
    if found:
        return Provenance("verified", f"results.json is the output of audit entry {found[-1]}", found[-1])
    return Provenance(
        "unverified",
        f"no verified audit entry in the evidence log names this results.json (sha256 {results_sha256[:12]}…): "
        "it was edited after the audit, or never recorded",
    )


def decision_statement(
    gate: GateResult, audit_seq: int | None, results_sha256: str, result: AuditResult
) -> dict:
    """The signed gate decision: the results and policy by digest, every check and the verdict."""
    policy = gate.policy
    plan = result.plan
    return statements.statement(
        [
            statements.resource("results.json", results_sha256),
            statements.resource(f"policy:{policy.name}", policy.digest()),
        ],
        statements.GATE_DECISION_V1,
        {
            "decision": "pass" if gate.passed else "fail",
            "audit": {"seq": audit_seq, "results_sha256": results_sha256},
            "plan": {"name": plan.name, "digest": plan.digest, "seq": plan.seq} if plan else None,
            "policy": {
                "name": policy.name,
                "digest": policy.digest(),
                "content": policy.model_dump(mode="json"),
            },
            "counts": gate.counts,
            "checks": [c.to_dict() for c in gate.checks],
            "notes": gate.notes,
        },
    )


def _open_for_gate(session: Session, record: bool):
    """The log with its keys to record the decision; read-only (or None without a log) otherwise."""
    ws = session.workspace
    if record:
        return ws.open_log(session.log_key_passphrase())
    return ws.open_log() if ws.has_log() else None


@dataclass
class GateRun:
    """A gate's outcome, where its results came from, and the decision's entry if it was recorded."""

    outcome: GateResult
    provenance: Provenance
    recorded: Recorded | None

    def to_dict(self) -> dict[str, Any]:
        return self.outcome.to_dict() | {
            "entry": self.recorded.seq if self.recorded else None,
            "audit_entry": self.provenance.audit_seq,
        }


def gate_results(
    session: Session,
    results: Path,
    *,
    policy_file: Path | None = None,
    record: bool = True,
    junit: Path | None = None,
) -> GateRun:
    """Judge ``results`` against the policy in force (or ``policy_file``) and its plan; record the decision."""
    result = load_results(results)
    digest = sha256_of(results)
    rules = load_policy(policy_file) if policy_file is not None else None
    log = _open_for_gate(session, record)
    recorded = None
    try:
        if log is not None:
            ledger = session.ledger(log)
            provenance = provenance_of(ledger, digest)
            if record and provenance.status != "verified":
                raise InputError(
                    provenance.detail,
                    where="RESULTS",
                    fix="gate the results.json of a recorded audit (qtrust audit records by default), "
                    "or pass --no-record to judge it unrecorded",
                )
            in_force = ledger.rule.policy
            if rules is None and in_force is not None:
                rules = Policy.model_validate(in_force.content)
        else:
            provenance = Provenance("unverified", "there is no evidence log to check the results against")
        outcome = run_gate(result, rules or load_policy(None)).with_provenance(
            provenance, required=log is not None
        )
        if log is not None and record:
            recorded = log.append(decision_statement(outcome, provenance.audit_seq, digest, result))
    finally:
        if log is not None:
            log.store.close()
    if junit is not None:
        write_file_atomically(junit, junit_xml(outcome))
    return GateRun(outcome, provenance, recorded)


def put_policy_in_force(
    session: Session, owner_id: str, policy_file: Path | None
) -> tuple[Policy, Recorded | None]:
    """The owner registers a release policy (``None``: qtrust's default); None recorded if already in force."""
    rules = load_policy(policy_file)
    with session.acting_as(owner_id) as (log, ledger, key):
        return rules, register_policy(log, ledger, owner_id, key, rules)


def policy_in_force(session: Session) -> PolicyInForce | None:
    """The policy the owner put in force, from entries that verify; None if there is none."""
    with session.reading() as (_, ledger):
        return ledger.rule.policy
