"""People and roles: who may do what, and the key each person signs with.

A project names its people and their roles — exactly one ``owner`` (the single person responsible for
quantum safety), and researchers, reviewers, approvers, legal and auditors. The roster is an evidence
entry signed by the log key; each later action (a request, an approval, an attestation, an incident) is an
entry signed by the *person's own* Ed25519 key, so the log shows who did it, and a verifier trusts a
person's key only from the roster entry that introduced it onwards.

Each person's private key is encrypted at rest with that person's passphrase (``QTRUST_PERSON_PASSPHRASE``
or a prompt), kept in ``<home>/people/<id>.key`` (mode 0600) on the machine where they work.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.files import write_file_atomically
from qtrust.evidence.keys import PublicKey, SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded

Role = Literal["owner", "researcher", "reviewer", "approver", "legal", "auditor"]
ROLES: tuple[str, ...] = Role.__args__
PROJECT_V1 = statements.PROJECT_V1
PERSON_PASSPHRASE_ENV = "QTRUST_PERSON_PASSPHRASE"


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    email: str = ""
    roles: list[Role]
    public_key_pem: str

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", value):
            raise ValueError("a person id is 1-64 characters: lower-case letters, digits, '.', '_' or '-'")
        return value

    @field_validator("roles")
    @classmethod
    def _some_role(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a person needs at least one role")
        return sorted(set(value))

    @property
    def key(self) -> PublicKey:
        return PublicKey.from_pem(self.public_key_pem)


class Project(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    people: list[Person] = Field(default_factory=list)

    @model_validator(mode="after")
    def _roster(self) -> Project:
        ids = [p.id for p in self.people]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"person ids must be unique; repeated: {repeated}")
        owners = [p.id for p in self.people if "owner" in p.roles]
        if self.people and len(owners) != 1:
            raise ValueError(
                f"a project has exactly one owner responsible for quantum safety; found {owners or 'none'}"
            )
        return self

    def person(self, person_id: str) -> Person:
        for person in self.people:
            if person.id == person_id:
                return person
        raise InputError(
            f"no person {person_id!r} in project {self.name!r} (people: {', '.join(p.id for p in self.people) or 'none'})",
            where="--as",
            fix="add them with `qtrust people add`",
        )

    def with_roles(self, role: str) -> list[Person]:
        return [p for p in self.people if role in p.roles]


def current_project(log: EvidenceLog) -> tuple[Project, int] | None:
    """The latest roster in the log and its entry number."""
    latest = None
    for entry, doc in log.statements_of("project"):
        if doc.get("predicateType") == PROJECT_V1:
            latest = (Project.model_validate(doc["predicate"]["project"]), entry.seq)
    return latest


def record_project(log: EvidenceLog, project: Project) -> Recorded:
    """Append the roster (signed by the log key): the people, their roles and their public keys."""
    subjects = [statements.resource(f"person:{p.id}", p.key.keyid) for p in project.people] or [
        statements.resource(f"project:{project.name}", "0" * 64)
    ]
    return log.append(
        statements.statement(subjects, PROJECT_V1, {"project": project.model_dump(mode="json")})
    )


class PersonKeys:
    """``<home>/people``: the private keys of the people who work on this machine."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "people"

    def save(self, person_id: str, key: SigningKey, passphrase: bytes) -> None:
        """Store a person's key, encrypted with their passphrase; never overwrites an existing one."""
        if (self.path / f"{person_id}.key").exists():
            raise InputError(
                f"{person_id} already has a key in {self.path}", where="people", fix="use the existing key"
            )
        if not passphrase:
            raise InputError(
                "the passphrase is empty", where=PERSON_PASSPHRASE_ENV, fix="choose a passphrase"
            )
        write_file_atomically(self.path / f"{person_id}.key", key.encrypted_pem(passphrase), 0o600)
        write_file_atomically(self.path / f"{person_id}.pub", key.public.pem().encode(), 0o644)

    def load(self, person_id: str, passphrase: bytes) -> SigningKey:
        path = self.path / f"{person_id}.key"
        if not path.is_file():
            raise InputError(
                f"no private key for {person_id} in {self.path}",
                where="--as",
                fix=f"act as {person_id} on the machine that holds their key, or create it with `qtrust people add`",
            )
        return SigningKey.from_encrypted_pem(path.read_bytes(), passphrase)


def sign_as(log: EvidenceLog, project: Project, person_id: str, key: SigningKey, statement: dict) -> Recorded:
    """Append ``statement`` signed by ``person_id``'s key; refuses a key that is not theirs on the roster."""
    person = project.person(person_id)
    if key.keyid != person.key.keyid:
        raise InputError(
            f"the key in {person_id}'s key file is not the one the project roster holds for them",
            where="--as",
            fix="restore their key file, or record their new public key with `qtrust people add --public-key`",
        )
    return log.append(statement, signers=[key])
