"""Approval gates with separation of duties: a request, then sign-offs by the roles the policy in force names.

Two gates: a *release* (it must cite a passing ``qtrust gate`` decision judged by the policy in force) and an
*experiment* that combines production data with a quantum backend. Every request and every sign-off is an
evidence entry signed by the person's own key. The rules live in one place, :mod:`qtrust.governance.rules`:
the verifier applies them to the log, and the functions here apply the same rules before anything is
recorded (with a fix for each refusal), so a refused sign-off leaves no trace that could be mistaken for one
and the status of a request is computed from entries that verify — never from a store column.
"""

from __future__ import annotations

from typing import Any, Literal

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.policies import in_force_or_refuse
from qtrust.governance.rules import RequestState
from qtrust.governance.signing import roster_in_force, sign_checked

RequestKind = Literal["release", "experiment", "rollout"]  # rollout: advance a canary past a gated step
RequestStatus = RequestState  # what `qtrust approvals` shows: the request as the verified log built it


def open_request(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    kind: RequestKind,
    subject: dict[str, Any],
    note: str = "",
) -> Recorded:
    """Record a request under the policy in force; a release must cite a passing gate decision judged by it."""
    project = roster_in_force(ledger)
    project.person(person_id)
    policy = in_force_or_refuse(ledger)
    if kind == "release":
        gate_seq = subject.get("gate")
        gate = ledger.rule.gates.get(gate_seq) if isinstance(gate_seq, int) else None
        if gate is None:
            why = ledger.why_rejected(gate_seq) if isinstance(gate_seq, int) else None
            raise InputError(
                f"entry {gate_seq} is not a verified gate decision" + (f" ({why})" if why else ""),
                where="--gate",
                fix="cite the entry `qtrust gate` printed",
            )
        if gate.get("decision") != "pass":
            raise InputError(
                f"the gate decision of entry {gate_seq} failed; a release needs a passing gate",
                where="--gate",
                fix="fix what the gate reported and run `qtrust gate` again",
            )
        if (gate.get("policy") or {}).get("digest") != policy.digest:
            raise InputError(
                f"gate decision {gate_seq} was judged by policy {(gate.get('policy') or {}).get('name')!r}, not by "
                f"the policy in force ({policy.name!r}, entry {policy.seq})",
                where="--gate",
                fix="run `qtrust gate` again (it applies the policy in force by default) and cite that decision",
            )
        subject = subject | {"audit": (gate.get("audit") or {}).get("seq")}
    roles = policy.roles(kind)
    missing = [
        r for r in roles if not project.with_roles(r) or all(p.id == person_id for p in project.with_roles(r))
    ]
    if missing:
        raise InputError(
            f"no one but the requester holds the role(s) {missing} this {kind} needs",
            where="project roster",
            fix="the owner adds people with those roles (`qtrust people add`); a requester cannot approve their own request",
        )
    doc = statements.statement(
        [statements.resource(f"request:{kind}", policy.digest)],
        statements.APPROVAL_REQUEST_V1,
        {
            "kind": kind,
            "subject": subject,
            "requested_by": person_id,
            "required_roles": roles,
            "policy": {"name": policy.name, "digest": policy.digest, "seq": policy.seq},
            "note": note,
        },
    )
    return sign_checked(log, ledger, person_id, key, doc, where="request")


def request_status(ledger: LogEntries, request_seq: int) -> RequestStatus:
    """Where request ``request_seq`` stands, from the entries that verify."""
    found = ledger.rule.requests.get(request_seq)
    if found is not None:
        return found
    why = ledger.why_rejected(request_seq)
    raise InputError(
        f"entry {request_seq} is not a verified approval request"
        + (f": it does not verify ({why})" if why else ""),
        where="N",
        fix="list requests with `qtrust approvals`",
    )


def approve(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    request_seq: int,
    *,
    decision: Literal["approve", "reject"] = "approve",
    note: str = "",
) -> tuple[Recorded, RequestStatus]:
    """Sign off (or reject) a request in one role the request still needs; refuses anything else."""
    status = request_status(ledger, request_seq)
    person = roster_in_force(ledger).person(person_id)
    if person_id == status.requested_by:
        raise InputError(
            f"{person_id} requested entry {request_seq} and cannot also approve it (separation of duties)",
            where="--as",
            fix="ask someone else who holds one of: "
            + ", ".join(status.missing_roles or status.required_roles),
        )
    if person_id in status.signers:
        raise InputError(
            f"{person_id} has already signed request {request_seq}",
            where="--as",
            fix="each required role needs a different person",
        )
    if status.rejections:
        raise InputError(
            f"request {request_seq} was rejected (entry {status.rejections[0][2]})",
            where="N",
            fix="open a new request once the reason is addressed",
        )
    open_roles = [r for r in status.missing_roles if r in person.roles]
    if not open_roles:
        raise InputError(
            f"{person_id} holds {', '.join(person.roles)}; request {request_seq} still needs "
            f"{', '.join(status.missing_roles) or 'nothing (it is complete)'}",
            where="--as",
            fix="ask a person with a missing role to sign",
        )
    role = open_roles[0]
    doc = statements.statement(
        # the subject is the request entry itself, named by its leaf hash
        [statements.resource(f"entry:{request_seq}", log.entry(request_seq).leaf_hash.hex())],
        statements.APPROVAL_V1,
        {"request": request_seq, "decision": decision, "role": role, "approved_by": person_id, "note": note},
    )
    return sign_checked(log, ledger, person_id, key, doc, where="approve"), status
