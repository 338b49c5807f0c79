"""Changing the roster: add or re-key a person, change roles, remove, revoke a lost key, hand over ownership.

Every change is one roster entry, checked by the verifier's own rules (:mod:`qtrust.governance.rules`)
before it is recorded. The first roster is signed by the log key and by the owner it names (who adds
themselves); every later change by the owner in force, with their personal key. The log key alone can no
longer change who may sign.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from qtrust.errors import InputError
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.people import ClaimFile, Person, Project, Revocation, roster_statement
from qtrust.governance.signing import owner_acting

ROLE_FIX = "roles: owner, researcher, reviewer, approver, legal, auditor; exactly one owner"


def _project(name: str, people: Sequence[Person], where: str) -> Project:
    try:
        return Project(name=name, people=list(people))
    except ValidationError as error:
        raise InputError(
            error.errors()[0]["msg"].removeprefix("Value error, "), where=where, fix=ROLE_FIX
        ) from None


def _record(
    log: EvidenceLog,
    ledger: LogEntries,
    project: Project,
    signers: list[SigningKey],
    changed_by: str,
    revoked: list[Revocation] | None = None,
) -> Recorded:
    doc = roster_statement(project, changed_by=changed_by, revoked=revoked)
    problem, learn = ledger.rule.judge(log.size(), doc, frozenset(k.keyid for k in signers))
    if problem:
        raise InputError(problem, where="people", fix="`qtrust people list` shows the roster in force")
    recorded = log.append(doc, signers=signers)
    learn()
    return recorded


def add_person(
    log: EvidenceLog,
    ledger: LogEntries,
    acting_id: str,
    acting_key: SigningKey,
    *,
    person_id: str,
    name: str,
    roles: Sequence[str],
    email: str = "",
    claim: ClaimFile | None = None,
    project_name: str | None = None,
) -> tuple[Recorded, Person]:
    """Add ``person_id`` (or change their name, roles or key); the first call starts the roster."""
    if claim is not None and claim.id != person_id:
        raise InputError(
            f"the key claim is for {claim.id!r}, not {person_id!r}",
            where="--key",
            fix=f"pass {person_id}'s own claim file (made by `qtrust people keygen {person_id}` on their machine)",
        )
    where = f"people add {person_id}"
    current = ledger.rule.project
    if current is None:
        if acting_id != person_id or "owner" not in roles:
            raise InputError(
                "the first person on the roster is its owner, who adds themselves",
                where="--as",
                fix=f"qtrust people add ID --name NAME --role owner --as ID (then {person_id})",
            )
        existing = None
    else:
        owner_acting(ledger, acting_id, to="change the roster")
        existing = current.find(person_id)
        owner = current.owner
        if "owner" in roles and owner is not None and owner.id != person_id:
            raise InputError(
                f"{owner.id} owns the project; a project has exactly one owner",
                where="--role",
                fix=f"hand ownership over with: qtrust people transfer {person_id} --as {owner.id}",
            )
    if claim is None and existing is None:
        raise InputError(
            f"{person_id} has no key on the roster yet",
            where="--key",
            fix=f"{person_id} runs `qtrust people keygen {person_id}` on their machine and gives you the .claim.json",
        )
    if claim is not None:
        key_pem, key_claim = claim.public_key_pem, claim.key_claim
    else:
        key_pem, key_claim = existing.public_key_pem, existing.key_claim
    try:
        person = Person(
            id=person_id,
            name=name,
            email=email,
            roles=list(roles),
            public_key_pem=key_pem,
            key_claim=key_claim,
        )
    except ValidationError as error:
        raise InputError(
            error.errors()[0]["msg"].removeprefix("Value error, "), where=where, fix=ROLE_FIX
        ) from None
    if current is None:
        project = _project(project_name or "qtrust-project", [person], where)
        signers = [log._signing().ed25519, acting_key]
    else:
        project = _project(current.name, [*(p for p in current.people if p.id != person_id), person], where)
        signers = [acting_key]
    return _record(log, ledger, project, signers, acting_id), person


def remove_person(
    log: EvidenceLog,
    ledger: LogEntries,
    acting_id: str,
    acting_key: SigningKey,
    person_id: str,
    *,
    revoke_reason: str | None = None,
) -> Recorded:
    """Take ``person_id`` off the roster; with ``revoke_reason`` their key is revoked for good (lost, stolen)."""
    current = owner_acting(ledger, acting_id, to="change the roster")
    person = current.person(person_id)
    if person_id == acting_id:
        raise InputError(
            "the owner cannot leave the roster",
            where="ID",
            fix=f"hand ownership over first: qtrust people transfer NEW --as {acting_id}",
        )
    project = _project(
        current.name, [p for p in current.people if p.id != person_id], f"people remove {person_id}"
    )
    revoked = (
        [Revocation(id=person_id, keyid=person.key.keyid, reason=revoke_reason)] if revoke_reason else None
    )
    return _record(log, ledger, project, [acting_key], acting_id, revoked)


def transfer_ownership(
    log: EvidenceLog, ledger: LogEntries, acting_id: str, acting_key: SigningKey, new_owner: str
) -> Recorded:
    """Make ``new_owner`` (already on the roster) the owner; the old owner keeps their other roles, if any."""
    current = owner_acting(ledger, acting_id, to="change the roster")
    current.person(new_owner)
    if new_owner == acting_id:
        raise InputError(f"{acting_id} already owns the project", where="NEW", fix="name someone else")
    people = []
    for p in current.people:
        roles = set(p.roles)
        if p.id == acting_id:
            roles.discard("owner")
        if p.id == new_owner:
            roles.add("owner")
        if roles:
            people.append(p.model_copy(update={"roles": sorted(roles)}))
    project = _project(current.name, people, f"people transfer {new_owner}")
    return _record(log, ledger, project, [acting_key], acting_id)
