"""Approval gates with separation of duties: a request, then sign-offs by the roles the policy names.

Two gates: a *release* (it must cite a passing ``qtrust gate`` decision) and an *experiment* that combines
production data with a quantum backend. Every request and every sign-off is an evidence entry signed by
the person's own key. The rules are enforced before anything is recorded: the requester cannot approve,
an approver must hold a role the request still needs, and no one signs the same request twice — so a
refused approval leaves no trace that could be mistaken for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.people import Project, sign_as
from qtrust.policy.policy import Policy

RequestKind = Literal["release", "experiment"]


@dataclass
class RequestStatus:
    seq: int
    kind: str
    requested_by: str
    required_roles: list[str]
    subject: dict[str, Any]
    approvals: dict[str, tuple[str, int]] = field(default_factory=dict)  # role -> (person, entry)
    rejections: list[tuple[str, str, int]] = field(default_factory=list)  # (person, role, entry)

    @property
    def missing_roles(self) -> list[str]:
        return [r for r in self.required_roles if r not in self.approvals]

    @property
    def state(self) -> Literal["approved", "rejected", "pending"]:
        if self.rejections:
            return "rejected"
        return "pending" if self.missing_roles else "approved"


def open_request(
    log: EvidenceLog,
    project: Project,
    person_id: str,
    key: SigningKey,
    kind: RequestKind,
    subject: dict[str, Any],
    policy: Policy,
    note: str = "",
) -> Recorded:
    """Record a request; a release must cite a passing gate decision entry."""
    if kind == "release":
        gate_seq = subject.get("gate")
        doc = log.statement(gate_seq) if isinstance(gate_seq, int) else {}
        if doc.get("predicateType") != statements.GATE_DECISION_V1:
            raise InputError(
                f"entry {gate_seq} is not a gate decision",
                where="--gate",
                fix="cite the entry `qtrust gate` printed",
            )
        if doc["predicate"]["decision"] != "pass":
            raise InputError(
                f"the gate decision of entry {gate_seq} failed; a release needs a passing gate",
                where="--gate",
                fix="fix what the gate reported and run `qtrust gate` again",
            )
        subject = subject | {"audit": doc["predicate"]["audit"]["seq"]}
    roles = list(getattr(policy.approvals, kind))
    missing = [
        r for r in roles if not project.with_roles(r) or all(p.id == person_id for p in project.with_roles(r))
    ]
    if missing:
        raise InputError(
            f"no one but the requester holds the role(s) {missing} this {kind} needs",
            where="project roster",
            fix="add people with those roles (`qtrust people add`); a requester cannot approve their own request",
        )
    predicate = {
        "kind": kind,
        "subject": subject,
        "requested_by": person_id,
        "required_roles": roles,
        "policy": {"name": policy.name, "digest": policy.digest()},
        "note": note,
    }
    return sign_as(
        log,
        project,
        person_id,
        key,
        statements.statement(
            [statements.resource(f"request:{kind}", policy.digest())],
            statements.APPROVAL_REQUEST_V1,
            predicate,
        ),
    )


def request_status(log: EvidenceLog, request_seq: int) -> RequestStatus:
    doc = log.statement(request_seq)
    if doc.get("predicateType") != statements.APPROVAL_REQUEST_V1:
        raise InputError(
            f"entry {request_seq} is not an approval request",
            where="N",
            fix="list requests with `qtrust approvals`",
        )
    p = doc["predicate"]
    status = RequestStatus(request_seq, p["kind"], p["requested_by"], p["required_roles"], p["subject"])
    for entry, approval in log.statements_of("approval"):
        a = approval.get("predicate", {})
        if approval.get("predicateType") != statements.APPROVAL_V1 or a.get("request") != request_seq:
            continue
        if a["decision"] == "approve":
            status.approvals.setdefault(a["role"], (a["approved_by"], entry.seq))
        else:
            status.rejections.append((a["approved_by"], a["role"], entry.seq))
    return status


def approve(
    log: EvidenceLog,
    project: Project,
    person_id: str,
    key: SigningKey,
    request_seq: int,
    *,
    decision: Literal["approve", "reject"] = "approve",
    note: str = "",
) -> tuple[Recorded, RequestStatus]:
    """Sign off (or reject) a request in one role the request still needs; refuses anything else."""
    status = request_status(log, request_seq)
    person = project.person(person_id)
    if person_id == status.requested_by:
        raise InputError(
            f"{person_id} requested entry {request_seq} and cannot also approve it (separation of duties)",
            where="--as",
            fix="ask someone else who holds one of: "
            + ", ".join(status.missing_roles or status.required_roles),
        )
    signed = {who for who, _ in status.approvals.values()} | {who for who, _, _ in status.rejections}
    if person_id in signed:
        raise InputError(
            f"{person_id} has already signed request {request_seq}",
            where="--as",
            fix="each required role needs a different person",
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
    predicate = {
        "request": request_seq,
        "decision": decision,
        "role": role,
        "approved_by": person_id,
        "note": note,
    }
    recorded = sign_as(
        log,
        project,
        person_id,
        key,
        statements.statement(
            # the subject is the request entry itself, named by its leaf hash
            [statements.resource(f"entry:{request_seq}", log.entry(request_seq).leaf_hash.hex())],
            statements.APPROVAL_V1,
            predicate,
        ),
    )
    return recorded, request_status(log, request_seq)
