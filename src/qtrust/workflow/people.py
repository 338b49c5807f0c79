"""The project's people as operations any shell can call: make a key, change the roster, read it.

Why here and not in the CLI: a server that onboards people, or a test, must make the same checks in the same
order as ``qtrust people`` — a claim file is read before any passphrase is asked for, the acting person's key
is decrypted before the log's — without copying command code. Each function takes a :class:`Session` and
returns what happened; the rules themselves live in :mod:`qtrust.governance.roster`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qtrust.governance import roster as roster_changes
from qtrust.governance.people import PERSON_PASSPHRASE_ENV, ClaimFile, Person, PersonKeys, Project
from qtrust.governance.rules import PolicyInForce
from qtrust.workflow.session import Session, require_passphrase


@dataclass(frozen=True)
class KeyMade:
    """A person's new key on this machine, and the claim file they hand the owner."""

    person_id: str
    key_file: Path
    claim_file: Path
    claim: ClaimFile
    replaced: bool  # the old key endorsed this one: the owner can re-key them


@dataclass(frozen=True)
class PersonAdded:
    """The roster entry that added (or changed) a person."""

    seq: int
    project_name: str
    person: Person
    signed_by: str


@dataclass(frozen=True)
class RosterChanged:
    """The roster entry of a removal or an ownership transfer."""

    seq: int
    person_id: str  # who was removed, or who owns the project now
    signed_by: str
    revoked: bool = False


@dataclass(frozen=True)
class Roster:
    """The roster in force and the release policy in force, from entries that verify."""

    project: Project | None
    project_seq: int | None
    policy: PolicyInForce | None


def keygen(session: Session, person_id: str, *, replace: bool = False) -> KeyMade:
    """Make ``person_id``'s signing key in this home under their own passphrase (never the log key's).

    With ``replace`` the old key, decrypted with the same passphrase, endorses the new one.
    """
    keys = PersonKeys(session.workspace.home)
    claim = keys.keygen(
        person_id,
        require_passphrase(
            session.person_passphrase, "personal passphrase", PERSON_PASSPHRASE_ENV, confirm=not replace
        ),
        replace=replace,
    )
    return KeyMade(person_id, keys.key_file(person_id), keys.claim_file(person_id), claim, replace)


def _claim(session: Session, person_id: str, claim: ClaimFile | Path | None) -> ClaimFile | None:
    """The key claim given, read from a file, or else the one ``person_id`` made in this home (if any)."""
    if isinstance(claim, ClaimFile):
        return claim
    if claim is not None:
        return ClaimFile.read(claim)
    local = PersonKeys(session.workspace.home).claim_file(person_id)
    return ClaimFile.read(local) if local.is_file() else None


def add_person(
    session: Session,
    acting_id: str,
    *,
    person_id: str,
    name: str,
    roles: Sequence[str],
    email: str = "",
    claim: ClaimFile | Path | None = None,
    project_name: str | None = None,
) -> PersonAdded:
    """Add ``person_id`` (or change their name, roles or key), signed by the owner ``acting_id``.

    The first person starts the roster and the log (the log key co-signs); they must be its owner and add
    themselves. The claim is read and checked before any passphrase is asked for.
    """
    checked = _claim(session, person_id, claim)
    with session.acting_as(acting_id, create=True) as (log, ledger, key):
        recorded, person = roster_changes.add_person(
            log,
            ledger,
            acting_id,
            key,
            person_id=person_id,
            name=name,
            roles=roles,
            email=email,
            claim=checked,
            project_name=project_name,
        )
        project = ledger.rule.project
    return PersonAdded(recorded.seq, project.name if project else "", person, acting_id)


def remove_person(
    session: Session, acting_id: str, person_id: str, *, revoke_reason: str | None = None
) -> RosterChanged:
    """Take ``person_id`` off the roster (the owner signs); with a reason, their key is revoked for good."""
    with session.acting_as(acting_id) as (log, ledger, key):
        recorded = roster_changes.remove_person(
            log, ledger, acting_id, key, person_id, revoke_reason=revoke_reason
        )
    return RosterChanged(recorded.seq, person_id, acting_id, revoked=bool(revoke_reason))


def transfer_ownership(session: Session, acting_id: str, new_owner: str) -> RosterChanged:
    """Hand the project over to ``new_owner`` (already on the roster); the current owner signs."""
    with session.acting_as(acting_id) as (log, ledger, key):
        recorded = roster_changes.transfer_ownership(log, ledger, acting_id, key, new_owner)
    return RosterChanged(recorded.seq, new_owner, acting_id)


def roster(session: Session) -> Roster:
    """Who is on the project and which release policy is in force, counting only entries that verify."""
    with session.reading() as (_, ledger):
        rule = ledger.rule
        return Roster(rule.project, rule.project_seq, rule.policy)
