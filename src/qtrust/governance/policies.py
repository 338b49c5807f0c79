"""The release policy in force: registered in the log by the project's owner, before anyone asks for a release.

Why not a ``--policy`` file on the requester's command line: whoever asks for a release could then bring the
policy that lets it through — which roles must sign, which thresholds the gate applies. The owner puts one
policy in force (``qtrust policy register``, signed with the owner's key); a later registration replaces it.
A release request must cite a passing gate decision judged by that policy and ask for exactly the roles it
names, and the verifier checks both against the log (:mod:`qtrust.governance.rules`).
"""

from __future__ import annotations

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.rules import PolicyInForce
from qtrust.governance.signing import owner_acting, sign_checked
from qtrust.policy.policy import Policy


def policy_statement(policy: Policy, registered_by: str) -> dict:
    content = policy.model_dump(mode="json")
    return statements.statement(
        [statements.resource(f"policy:{policy.name}", policy.digest())],
        statements.POLICY_V1,
        {"policy": content, "digest": policy.digest(), "registered_by": registered_by},
    )


def register_policy(
    log: EvidenceLog, ledger: LogEntries, person_id: str, key: SigningKey, policy: Policy
) -> Recorded | None:
    """Put ``policy`` in force, signed by the owner; None if it is already the policy in force."""
    owner_acting(ledger, person_id, to="put a release policy in force")
    current = ledger.rule.policy
    if current is not None and current.digest == policy.digest():
        return None
    return sign_checked(
        log, ledger, person_id, key, policy_statement(policy, person_id), where="policy register"
    )


def policy_in_force(ledger: LogEntries) -> PolicyInForce | None:
    return ledger.rule.policy


def in_force_or_refuse(ledger: LogEntries) -> PolicyInForce:
    policy = ledger.rule.policy
    if policy is None:
        owner = ledger.rule.project.owner if ledger.rule.project else None
        raise InputError(
            "no release policy is in force in this log",
            where="policy",
            fix=f"the owner registers one first: qtrust policy register POLICY.yaml --as {owner.id if owner else 'OWNER'}",
        )
    return policy
