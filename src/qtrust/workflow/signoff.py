"""Sign-offs as operations any shell can call: request a release or an experiment, approve, see where it stands.

Why here and not in the CLI: a web app that shows a "sign off" button must refuse what ``qtrust approve``
refuses (one's own request, a role the request does not need, a second signature) and count only what
``qtrust approvals`` counts. The rules live in :mod:`qtrust.governance.approvals`; this module opens the log
for the acting person, calls them, and returns what happened — including the entries it did *not* count,
so a reader sees an attempted forgery instead of silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from qtrust.governance import approvals as rules
from qtrust.governance.approvals import RequestKind, RequestStatus
from qtrust.workflow.session import Session

#: Entry types whose failure to verify bears on a request's standing: shown as "not counted".
SIGN_OFF_TYPES = ("/approval/v1", "/approval-request/v1", "/project/v1", "/policy/v1")


@dataclass(frozen=True)
class RequestOpened:
    """A recorded request and the roles the policy in force needs to sign it off."""

    seq: int
    kind: RequestKind
    requested_by: str
    needs: list[str]


@dataclass(frozen=True)
class SignedOff:
    """A recorded approval or rejection, and where the request stands after it."""

    seq: int
    request: int
    decision: Literal["approve", "reject"]
    signed_by: str
    state: str  # pending, approved or rejected
    missing_roles: list[str]


@dataclass(frozen=True)
class NotCounted:
    """A sign-off-related entry that does not verify, with the verifier's reason."""

    seq: int
    reason: str


@dataclass(frozen=True)
class Approvals:
    """Requests as the verified log built them, and the related entries that were not counted."""

    requests: list[RequestStatus]
    not_counted: list[NotCounted]
    asked: int | None = None  # the one request asked about, if any

    @property
    def approved(self) -> bool:
        """Whether the request asked about is approved (False when none was asked about)."""
        return self.asked is not None and self.requests[0].state == "approved"


def _request(
    session: Session, person_id: str, kind: RequestKind, subject: dict[str, Any], note: str
) -> RequestOpened:
    with session.acting_as(person_id) as (log, ledger, key):
        recorded = rules.open_request(log, ledger, person_id, key, kind, subject, note)
        needs = ledger.rule.policy.roles(kind)
    return RequestOpened(recorded.seq, kind, person_id, needs)


def request_release(session: Session, person_id: str, gate: int, note: str = "") -> RequestOpened:
    """Ask for release sign-off, citing entry ``gate``: a passing gate decision under the policy in force."""
    return _request(session, person_id, "release", {"gate": gate}, note)


def request_experiment(
    session: Session, person_id: str, dataset: str, backend: str, note: str = ""
) -> RequestOpened:
    """Ask for approval to run production ``dataset`` on the quantum ``backend``."""
    return _request(session, person_id, "experiment", {"dataset": dataset, "backend": backend}, note)


def request_rollout_advance(
    session: Session, person_id: str, rollout_id: str, to_percent: float, note: str = ""
) -> RequestOpened:
    """Ask for sign-off to advance rollout ``rollout_id`` to ``to_percent`` (a step its plan gates)."""
    return _request(session, person_id, "rollout", {"rollout": rollout_id, "to_percent": to_percent}, note)


def approve(
    session: Session, person_id: str, request: int, *, reject: bool = False, note: str = ""
) -> SignedOff:
    """Sign off (or reject) ``request`` as ``person_id``, in a role it still needs; never one's own request."""
    decision: Literal["approve", "reject"] = "reject" if reject else "approve"
    with session.acting_as(person_id) as (log, ledger, key):
        recorded, status = rules.approve(log, ledger, person_id, key, request, decision=decision, note=note)
        # the ledger learnt the new entry, so the status now includes it
        return SignedOff(recorded.seq, request, decision, person_id, status.state, list(status.missing_roles))


def approvals(session: Session, request: int | None = None) -> Approvals:
    """Every request (or just ``request``) and where it stands, from entries that verify."""
    with session.reading() as (_, ledger):
        statuses = (
            [rules.request_status(ledger, request)]
            if request is not None
            else list(ledger.rule.requests.values())
        )
        ignored = [
            NotCounted(e.seq, reason)
            for e, reason in ledger.rejected
            if e.predicate_type.endswith(SIGN_OFF_TYPES)
        ]
    return Approvals(statuses, ignored, request)
