"""Record a governance entry as a person: checked by the verifier's own rules first, then signed with their key.

Every governance action goes through :func:`sign_checked`, so the CLI can never record what
``qtrust verify`` would reject: the roster in force names the person, their key is the one it binds to
them, and the rules of :mod:`qtrust.governance.rules` accept the entry at the position it will take.
"""

from __future__ import annotations

from qtrust.errors import InputError
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.people import Project, sign_as


def roster_in_force(ledger: LogEntries) -> Project:
    project = ledger.rule.project
    if project is None:
        raise InputError(
            "the project has no people yet",
            where="--as",
            fix="the owner starts the roster: `qtrust people add ID --name NAME --role owner --as ID`",
        )
    return project


def owner_acting(ledger: LogEntries, acting_id: str, *, to: str) -> Project:
    """The roster in force, if ``acting_id`` is its owner: only the owner may ``to`` (change the roster,
    put a policy in force); the verifier's rules refuse the entry otherwise, so refuse it before signing."""
    project = roster_in_force(ledger)
    owner = project.owner
    if owner is None or owner.id != acting_id:
        raise InputError(
            f"only the project's owner ({owner.id if owner else 'none'}) may {to}",
            where="--as",
            fix=f"ask {owner.id if owner else 'the owner'} to run it (--as {owner.id if owner else 'OWNER'})",
        )
    return project


def sign_checked(
    log: EvidenceLog, ledger: LogEntries, person_id: str, key: SigningKey, doc: dict, *, where: str
) -> Recorded:
    """Append ``doc`` signed by ``person_id`` if the governance rules accept it; learn from it afterwards."""
    project = roster_in_force(ledger)
    project.person(person_id)
    problem, learn = ledger.rule.judge(log.size(), doc, frozenset({key.keyid}))
    if problem:
        raise InputError(problem, where=where, fix="`qtrust people list` shows the roster in force")
    recorded = sign_as(log, project, person_id, key, doc)
    learn()
    return recorded
