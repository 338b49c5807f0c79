"""The verifier's governance rules: who may sign what, judged against the roster at that point of the log.

This is where separation of duties becomes something an outsider can check rather than something the CLI
promised. Fed every entry that passed the cryptographic checks, in log order (an
:class:`qtrust.evidence.verify.EntryRule`), it keeps the project's state as the log built it — the roster,
the keys ever bound to each person, revoked keys, the policy in force, gate decisions and requests — and
rejects an entry that:

* changes the roster without the owner's signature (the first roster: the log key's and the named owner's);
  binds a key whose holder did not claim that id, or a key that ever belonged to someone else, or a revoked
  key; re-keys a person without their old key's endorsement or a revocation;
* puts a release policy in force that the owner did not sign;
* is a request, sign-off, attestation or record not signed by the key the roster binds to the person it
  names; or a sign-off by the requester, in a role the signer does not hold at signing time or the request
  does not (or no longer) need, a second one by the same person, or one after a rejection;
* asks for a release without a passing gate decision judged by the policy in force, or with other roles
  than that policy demands.

Statuses (:mod:`qtrust.governance.ledger`) read only entries that pass, and the same rule refuses a
governance action *before* it is recorded (``judge`` without learning), so the CLI and the verifier
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from qtrust.evidence import statements as st
from qtrust.evidence.keys import PublicKey
from qtrust.evidence.store import StoredEntry
from qtrust.governance.people import Project, Revocation, claim_problem, endorsed_by

# the predicate field that names the person acting, per predicate type
ACTOR = {
    st.APPROVAL_REQUEST_V1: "requested_by",
    st.APPROVAL_V1: "approved_by",
    st.RISK_V1: "recorded_by",
    st.IMPACT_ASSESSMENT_V1: "recorded_by",
    st.DATA_ASSET_V1: "recorded_by",
    st.INCIDENT_V1: "by",
    st.ATTESTATION_V1: "attested_by",
    st.POLICY_V1: "registered_by",
    st.ROLLOUT_V1: "by",
    st.DRILL_V1: "by",
    st.ROLLOUT_PLAN_V1: "registered_by",  # a person's move (start, advance, pause, resume, rollback); decisions: the log key
}
Judgement = tuple[str | None, Callable[[], None]]


def _noop() -> None:
    return None


@dataclass
class RequestState:
    seq: int
    kind: str
    requested_by: str
    required_roles: list[str]
    subject: dict[str, Any]
    policy: dict[str, Any]
    approvals: dict[str, tuple[str, int]] = field(default_factory=dict)  # role -> (person, entry)
    rejections: list[tuple[str, str, int]] = field(default_factory=list)  # (person, role, entry)

    @property
    def signers(self) -> set[str]:
        return {who for who, _ in self.approvals.values()} | {who for who, _, _ in self.rejections}

    @property
    def missing_roles(self) -> list[str]:
        return [r for r in self.required_roles if r not in self.approvals]

    @property
    def state(self) -> str:
        if self.rejections:
            return "rejected"
        return "pending" if self.missing_roles else "approved"


@dataclass(frozen=True)
class PolicyInForce:
    seq: int
    name: str
    digest: str
    content: dict[str, Any]
    registered_by: str

    def roles(self, kind: str) -> list[str]:
        approvals = self.content.get("approvals") or {}
        default = {
            "release": ["approver", "owner"],
            "experiment": ["reviewer", "legal"],
            "rollout": ["approver"],
        }
        return list(approvals.get(kind, default.get(kind, [])))


class GovernanceRule:
    """The project's state as the log built it, and the rules each governance entry must satisfy."""

    def __init__(self) -> None:
        self.log_keys: set[str] = set()
        self.project: Project | None = None
        self.project_seq: int | None = None
        self.rosters: list[tuple[int, Project]] = []
        self._keys: dict[str, PublicKey] = {}  # the current roster's keys
        self.bound: dict[str, str] = {}  # every key ever on a roster -> its person
        self.revoked: dict[str, tuple[str, int]] = {}  # keyid -> (person, entry)
        self.policy: PolicyInForce | None = None
        self.gates: dict[int, dict[str, Any]] = {}
        self.deployments: dict[int, dict[str, Any]] = {}
        self.incidents_opened = 0  # verified "open" events: the next incident is INC-<this + 1>
        self.requests: dict[int, RequestState] = {}

    # --- EntryRule ------------------------------------------------------------------------------------------
    def keys_at(self, seq: int, statement: dict) -> Mapping[str, PublicKey]:
        """The roster's keys; on a roster entry also the keys it introduces, whose signatures then count."""
        if statement.get("predicateType") != st.PROJECT_V1:
            return self._keys
        introduced = {}
        for person in (statement.get("predicate") or {}).get("project", {}).get("people", []) or []:
            try:
                key = PublicKey.from_pem(person["public_key_pem"])
            except (KeyError, TypeError, ValueError):
                continue  # the roster check names it
            introduced[key.keyid] = key
        return {**self._keys, **introduced}

    def check(self, entry: StoredEntry, statement: dict, signed_by: frozenset[str]) -> str | None:
        problem, learn = self.judge(entry.seq, statement, signed_by)
        if problem is None:
            learn()
        return problem

    # --- the rules --------------------------------------------------------------------------------------------
    def judge(self, seq: int, statement: dict, signed_by: frozenset[str]) -> Judgement:
        """(why ``statement`` at ``seq`` breaks a rule or None, and how to learn from it if it does not)."""
        kind = statement.get("predicateType")
        predicate = statement.get("predicate") or {}
        if kind == st.LOG_INIT_V1:
            return None, lambda: self.log_keys.update(k.get("keyid") for k in predicate.get("keys", []))
        if kind == st.KEY_ROTATION_V1:
            return None, lambda: self._rotate(predicate)
        if kind == st.PROJECT_V1:
            return self._roster(seq, predicate, signed_by)
        if kind == st.GATE_DECISION_V1:
            if not self.log_keys & signed_by:
                return "a gate decision must be signed by the log key", _noop
            return None, lambda: self.gates.__setitem__(seq, predicate)
        if kind == st.DEPLOYMENT_V1:
            if not self.log_keys & signed_by:
                return "a deployment must be signed by the log key", _noop
            return None, lambda: self.deployments.__setitem__(seq, predicate)
        if kind == st.INCIDENT_V1 and str(predicate.get("by", "")).startswith(st.SYSTEM_ACTOR):
            if predicate.get("event") != "open":
                return "only people update or close an incident; qtrust itself only opens one", _noop
            if not self.log_keys & signed_by:
                return "an incident opened by qtrust itself must be signed by the log key", _noop
            return None, self._incident_opened
        if kind == st.ROLLOUT_V1 and predicate.get("event") == "decision":
            if not self.log_keys & signed_by:
                return "a rollout step decision must be signed by the log key", _noop
            return None, _noop
        if kind in ACTOR:
            problem = self._signed_by_actor(kind, predicate, signed_by)
            if problem:
                return problem, _noop
            if kind == st.POLICY_V1:
                return self._policy(seq, predicate)
            if kind == st.APPROVAL_REQUEST_V1:
                return self._request(seq, predicate)
            if kind == st.APPROVAL_V1:
                return self._approval(seq, predicate)
            if kind == st.INCIDENT_V1 and predicate.get("event") == "open":
                return None, self._incident_opened
        return None, _noop

    def _incident_opened(self) -> None:
        self.incidents_opened += 1

    def _rotate(self, predicate: dict) -> None:
        self.log_keys -= set(predicate.get("retired", []))
        self.log_keys |= {k.get("keyid") for k in predicate.get("keys", [])}

    def _signed_by_actor(self, kind: str, predicate: dict, signed_by: frozenset[str]) -> str | None:
        label = st.kind_of(kind)
        actor = predicate.get(ACTOR[kind])
        if not isinstance(actor, str) or not actor:
            return f"a {label} entry must name who made it ({ACTOR[kind]})"
        person = self.project.find(actor) if self.project else None
        if person is None:
            return f"{actor}, who signs this {label}, is not on the project roster at this point"
        if person.key.keyid not in signed_by:
            return (
                f"this {label} names {actor} but is not signed by {actor}'s key "
                f"(the key roster entry {self.project_seq} binds to them)"
            )
        return None

    def _roster(self, seq: int, predicate: dict, signed_by: frozenset[str]) -> Judgement:
        try:
            project = Project.model_validate(predicate.get("project"))
            revoked = [Revocation.model_validate(r) for r in predicate.get("revoked") or []]
        except ValidationError as error:
            return f"invalid project roster: {error.errors()[0]['msg'].removeprefix('Value error, ')}", _noop
        owner = project.owner
        if owner is None:
            return "a project roster must name its owner", _noop
        if self.project is None:
            if not self.log_keys & signed_by:
                return "the first project roster must be signed by the log key", _noop
            if owner.key.keyid not in signed_by:
                return f"the first project roster must be signed by the owner it names ({owner.id})", _noop
        else:
            current = self.project.owner
            if current is None or current.key.keyid not in signed_by:
                who = current.id if current else "the owner"
                return (
                    f"a roster change must be signed by the owner in force ({who}, roster entry {self.project_seq})",
                    _noop,
                )
        newly_revoked: dict[str, tuple[str, int]] = {}
        for r in revoked:
            if self.bound.get(r.keyid) != r.id:
                return f"revocation of {r.keyid[:23]}…: that key was never {r.id}'s", _noop
            newly_revoked[r.keyid] = (r.id, seq)
        revoked_now = self.revoked | newly_revoked
        previous = {p.id: p for p in self.project.people} if self.project else {}
        for person in project.people:
            key = person.key
            problem = claim_problem(person.id, key, person.key_claim)
            if problem:
                return problem, _noop
            holder = self.bound.get(key.keyid)
            if holder is not None and holder != person.id:
                return f"one key belongs to one person: {person.id}'s key already belonged to {holder}", _noop
            if key.keyid in revoked_now:
                return (
                    f"{person.id}'s key was revoked (entry {revoked_now[key.keyid][1]}) and cannot return",
                    _noop,
                )
            before = previous.get(person.id)
            if before is not None and before.key.keyid != key.keyid:
                old = before.key
                if old.keyid not in revoked_now and not endorsed_by(person.id, old, key, person.key_claim):
                    return (
                        f"{person.id} is re-keyed without their old key's endorsement and without revoking it",
                        _noop,
                    )

        def learn() -> None:
            self.project, self.project_seq = project, seq
            self.rosters.append((seq, project))
            self._keys = {p.key.keyid: p.key for p in project.people}
            self.bound.update({p.key.keyid: p.id for p in project.people})
            self.revoked.update(newly_revoked)

        return None, learn

    def _policy(self, seq: int, predicate: dict) -> Judgement:
        from qtrust.encoding import canonical_json, sha256_hex

        owner = self.project.owner if self.project else None
        if owner is None or predicate.get("registered_by") != owner.id:
            return "a release policy is put in force by the project's owner only", _noop
        content = predicate.get("policy")
        if not isinstance(content, dict) or sha256_hex(canonical_json(content)) != predicate.get("digest"):
            return "policy entry: the recorded digest is not the digest of the recorded policy", _noop
        policy = PolicyInForce(seq, str(content.get("name")), predicate["digest"], content, owner.id)
        return None, lambda: setattr(self, "policy", policy)

    def _request(self, seq: int, predicate: dict) -> Judgement:
        kind = predicate.get("kind")
        if kind not in ("release", "experiment", "rollout"):
            return f"unknown request kind {kind!r}", _noop
        policy = self.policy
        if policy is None:
            return "no release policy was in force (none registered by the owner before this request)", _noop
        cited = predicate.get("policy") or {}
        if cited.get("digest") != policy.digest:
            return (
                f"the request cites policy sha256 {str(cited.get('digest'))[:12]}…, not the policy in force "
                f"(entry {policy.seq}, {policy.digest[:12]}…)",
                _noop,
            )
        if list(predicate.get("required_roles") or []) != policy.roles(kind):
            return (
                f"the request asks for {predicate.get('required_roles')} but the policy in force demands "
                f"{policy.roles(kind)}",
                _noop,
            )
        subject = predicate.get("subject") or {}
        if kind == "release":
            gate = self.gates.get(subject.get("gate")) if isinstance(subject.get("gate"), int) else None
            if gate is None:
                return (
                    f"the release cites entry {subject.get('gate')}, which is no earlier gate decision",
                    _noop,
                )
            if gate.get("decision") != "pass":
                return f"the release cites gate decision {subject.get('gate')}, which failed", _noop
            if (gate.get("policy") or {}).get("digest") != policy.digest:
                return (
                    f"gate decision {subject.get('gate')} was judged by another policy than the one in force "
                    f"(entry {policy.seq})",
                    _noop,
                )
        request = RequestState(seq, kind, predicate["requested_by"], policy.roles(kind), subject, dict(cited))
        return None, lambda: self.requests.__setitem__(seq, request)

    def _approval(self, seq: int, predicate: dict) -> Judgement:
        target = predicate.get("request")
        request = self.requests.get(target) if isinstance(target, int) else None
        if request is None:
            return f"the sign-off cites entry {target}, which is no earlier verified request", _noop
        who, role, decision = predicate.get("approved_by"), predicate.get("role"), predicate.get("decision")
        if decision not in ("approve", "reject"):
            return f"unknown decision {decision!r}", _noop
        if who == request.requested_by:
            return f"{who} requested entry {target} and cannot sign it off (separation of duties)", _noop
        if who in request.signers:
            return f"{who} has already signed request {target}", _noop
        if request.rejections:
            return f"request {target} was rejected in entry {request.rejections[0][2]}", _noop
        person = self.project.find(who) if self.project else None
        if person is None or role not in person.roles:
            return f"{who} does not hold the role {role!r} at this point of the log", _noop
        if role not in request.missing_roles:
            return f"request {target} does not (or no longer) need a sign-off as {role!r}", _noop

        def learn() -> None:
            if decision == "approve":
                request.approvals[role] = (who, seq)
            else:
                request.rejections.append((who, role, seq))

        return None, learn
