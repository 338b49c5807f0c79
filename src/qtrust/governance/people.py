"""People and roles: who may do what, and the one key each person signs with.

A project names its people and their roles — exactly one ``owner`` (the single person responsible for
quantum safety), and researchers, reviewers, approvers, legal and auditors. Two-person rules only hold if
nobody can sign for somebody else, so:

* a person's key is made by that person, on their machine, under their own passphrase
  (``qtrust people keygen``); only the public key and a *key claim* leave the machine. The claim is the
  key's signature over the person's id, so a key cannot be put on the roster under a name its holder did
  not choose;
* one key belongs to one person, for the whole life of the log;
* the roster is an evidence entry. The first is signed by the log key and by the owner it names; every
  later one by the owner in force. Re-keying a person also needs their old key's endorsement (made by
  ``keygen --replace``), or a revocation recorded first;
* every action (a request, a sign-off, an attestation, a record) is signed by the person's own key, and
  the verifier (:mod:`qtrust.governance.rules`) checks it against the roster *at that point of the log*.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.encoding import b64decode, b64encode
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import ED25519, PublicKey, SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.files import write_file_atomically
from qtrust.policy.roles import Role

PROJECT_V1 = statements.PROJECT_V1
PERSON_PASSPHRASE_ENV = "QTRUST_PERSON_PASSPHRASE"
CLAIM_FORMAT = "https://qtrust.dev/person-key/v1"
ID_PATTERN = r"[a-z0-9][a-z0-9._-]{0,63}"


def claim_message(person_id: str, keyid: str) -> bytes:
    return f"{CLAIM_FORMAT}\n{person_id}\n{keyid}\n".encode()


def endorsement_message(person_id: str, old_keyid: str, new_keyid: str) -> bytes:
    return f"{CLAIM_FORMAT}/rotation\n{person_id}\n{old_keyid}\n{new_keyid}\n".encode()


class Endorsement(BaseModel):
    """The old key's signature handing a person's identity to their new key."""

    model_config = ConfigDict(extra="forbid")

    keyid: str
    signature: str


class KeyClaim(BaseModel):
    """Proof that whoever holds the key chose to be ``id``: the key's signature over id and key id."""

    model_config = ConfigDict(extra="forbid")

    signature: str
    endorsement: Endorsement | None = None


def make_claim(person_id: str, key: SigningKey, previous: SigningKey | None = None) -> KeyClaim:
    endorsement = None
    if previous is not None:
        endorsement = Endorsement(
            keyid=previous.keyid,
            signature=b64encode(previous.sign(endorsement_message(person_id, previous.keyid, key.keyid))),
        )
    return KeyClaim(
        signature=b64encode(key.sign(claim_message(person_id, key.keyid))), endorsement=endorsement
    )


def claim_problem(person_id: str, key: PublicKey, claim: KeyClaim) -> str | None:
    """Why ``claim`` does not prove that ``key``'s holder is ``person_id``, or None."""
    try:
        signature = b64decode(claim.signature)
    except ValueError:
        return f"{person_id}'s key claim is not base64"
    if not key.verify(signature, claim_message(person_id, key.keyid)):
        return f"{person_id}'s key claim is not signed by the key it names (a key put on the roster by someone else)"
    return None


def endorsed_by(person_id: str, old: PublicKey, new: PublicKey, claim: KeyClaim) -> bool:
    """Whether ``claim`` carries ``old``'s endorsement of ``new`` for ``person_id``."""
    e = claim.endorsement
    if e is None or e.keyid != old.keyid:
        return False
    try:
        signature = b64decode(e.signature)
    except ValueError:
        return False
    return old.verify(signature, endorsement_message(person_id, old.keyid, new.keyid))


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    email: str = ""
    roles: list[Role]
    public_key_pem: str
    key_claim: KeyClaim

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(ID_PATTERN, value):
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


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    keyid: str
    reason: str


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
        holders: dict[str, str] = {}
        for person in self.people:
            try:
                keyid = person.key.keyid
            except ValueError as error:
                raise ValueError(f"{person.id}'s public key is unreadable: {error}") from None
            if keyid in holders:
                raise ValueError(
                    f"one key belongs to one person: {person.id} and {holders[keyid]} hold the same key"
                )
            holders[keyid] = person.id
        return self

    @property
    def owner(self) -> Person | None:
        return next((p for p in self.people if "owner" in p.roles), None)

    def find(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)

    def person(self, person_id: str) -> Person:
        found = self.find(person_id)
        if found is None:
            raise InputError(
                f"no person {person_id!r} in project {self.name!r} (people: {', '.join(p.id for p in self.people) or 'none'})",
                where="--as",
                fix="the owner adds them with `qtrust people add`",
            )
        return found

    def with_roles(self, role: str) -> list[Person]:
        return [p for p in self.people if role in p.roles]


def roster_statement(
    project: Project, *, changed_by: str, revoked: list[Revocation] | None = None
) -> dict[str, Any]:
    """The roster entry: the people, their roles, public keys and key claims, and any revocation."""
    subjects = [statements.resource(f"person:{p.id}", p.key.keyid) for p in project.people] or [
        statements.resource(f"project:{project.name}", "0" * 64)
    ]
    return statements.statement(
        subjects,
        PROJECT_V1,
        {
            "project": project.model_dump(mode="json"),
            "changed_by": changed_by,
            "revoked": [r.model_dump() for r in revoked or []],
        },
    )


# --- the key files on a person's own machine ---------------------------------------------------------------


class ClaimFile(BaseModel):
    """What a person hands the owner: their id, public key and key claim (nothing secret)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["https://qtrust.dev/person-key/v1"] = CLAIM_FORMAT
    id: str
    public_key_pem: str
    key_claim: KeyClaim

    @classmethod
    def read(cls, path: Path) -> ClaimFile:
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            claim = cls.model_validate(doc)
            key = PublicKey.from_pem(claim.public_key_pem)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as error:
            raise InputError(
                f"not a key claim file: {str(error).splitlines()[0]}",
                where=str(path),
                fix="pass the .claim.json that `qtrust people keygen ID` wrote on the person's machine",
            ) from None
        if key.algorithm != ED25519:
            raise InputError("a person's key is Ed25519", where=str(path), fix="run `qtrust people keygen`")
        problem = claim_problem(claim.id, key, claim.key_claim)
        if problem:
            raise InputError(
                problem, where=str(path), fix="ask the person to run `qtrust people keygen` again"
            )
        return claim


class PersonKeys:
    """``<home>/people``: the private keys of the people who work on this machine, each under their passphrase."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "people"

    def key_file(self, person_id: str) -> Path:
        return self.path / f"{person_id}.key"

    def claim_file(self, person_id: str) -> Path:
        return self.path / f"{person_id}.claim.json"

    def keygen(self, person_id: str, passphrase: bytes, *, replace: bool = False) -> ClaimFile:
        """Make ``person_id``'s key; with ``replace``, the old key endorses the new one and is retired."""
        if not re.fullmatch(ID_PATTERN, person_id):
            raise InputError(
                f"{person_id!r} is not a person id",
                where="ID",
                fix="use lower-case letters, digits, '.', '_' or '-'",
            )
        if not passphrase:
            raise InputError(
                "the passphrase is empty", where=PERSON_PASSPHRASE_ENV, fix="choose a passphrase"
            )
        previous = None
        if self.key_file(person_id).exists():
            if not replace:
                raise InputError(
                    f"{person_id} already has a key in {self.path}",
                    where="people keygen",
                    fix="use it; to replace it, run `qtrust people keygen ID --replace` (the old key endorses the new)",
                )
            previous = self.load(person_id, passphrase)
        key = SigningKey.generate(ED25519)
        claim = ClaimFile(
            id=person_id, public_key_pem=key.public.pem(), key_claim=make_claim(person_id, key, previous)
        )
        if previous is not None:
            retired = self.path / "retired" / f"{person_id}-{previous.keyid.split(':')[1][:16]}.key"
            write_file_atomically(retired, self.key_file(person_id).read_bytes(), 0o600)
        write_file_atomically(self.key_file(person_id), key.encrypted_pem(passphrase), 0o600)
        write_file_atomically(self.claim_file(person_id), (claim.model_dump_json(indent=2) + "\n").encode())
        return claim

    def load(self, person_id: str, passphrase: bytes) -> SigningKey:
        path = self.key_file(person_id)
        if not path.is_file():
            raise InputError(
                f"no private key for {person_id} in {self.path}",
                where="--as",
                fix=f"act as {person_id} on the machine that holds their key, or make it there with `qtrust people keygen {person_id}`",
            )
        return SigningKey.from_encrypted_pem(
            path.read_bytes(), passphrase, where=PERSON_PASSPHRASE_ENV, what=f"{person_id}'s personal key"
        )


def sign_as(log: EvidenceLog, project: Project, person_id: str, key: SigningKey, statement: dict) -> Recorded:
    """Append ``statement`` signed by ``person_id``'s key; refuses a key that is not theirs on the roster."""
    person = project.person(person_id)
    if key.keyid != person.key.keyid:
        raise InputError(
            f"the key in {person_id}'s key file is not the one the project roster holds for them",
            where="--as",
            fix="restore their key file, or have the owner record their new key (`qtrust people add ID --key CLAIM`)",
        )
    return log.append(statement, signers=[key])
