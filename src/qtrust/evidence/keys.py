"""Signing keys: Ed25519 for everyday signatures, ML-DSA-65 (FIPS 204) so the record outlives Ed25519.

Why two algorithms: a quantum computer that runs Shor's algorithm forges Ed25519 signatures, and evidence
must stay checkable for as long as the models it speaks for are in use. Checkpoints carry both signatures
(a verifier requires both); everything under a checkpoint is bound to it through SHA-256, which Grover's
algorithm only weakens. Entry envelopes and per-entry receipts use Ed25519 alone, which keeps appends fast
and the log small (an ML-DSA-65 signature is 3,309 bytes).

Private keys live encrypted at rest (PKCS#8 with the best encryption ``cryptography`` offers, keyed by a
passphrase) in files of mode 0600; public keys are listed in ``keyring.json`` and can be exported as a
trust file for auditors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa

from qtrust.errors import InputError
from qtrust.files import write_file_atomically

Algorithm = Literal["ed25519", "ml-dsa-65", "ml-dsa-44"]
ED25519: Algorithm = "ed25519"
MLDSA65: Algorithm = "ml-dsa-65"
MLDSA44: Algorithm = "ml-dsa-44"  # witnesses' post-quantum cosignatures (C2SP tlog-cosignature type 0x06)
ALGORITHMS: tuple[Algorithm, ...] = (ED25519, MLDSA65)
KEYRING_FORMAT = "https://qtrust.dev/keyring/v1"
PASSPHRASE_ENV = "QTRUST_KEY_PASSPHRASE"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class PublicKey:
    algorithm: Algorithm
    der: bytes  # SubjectPublicKeyInfo
    _key: Any = field(compare=False, repr=False)

    @classmethod
    def from_der(cls, der: bytes) -> PublicKey:
        key = serialization.load_der_public_key(der)
        if isinstance(key, ed25519.Ed25519PublicKey):
            return cls(ED25519, der, key)
        if isinstance(key, mldsa.MLDSA65PublicKey):
            return cls(MLDSA65, der, key)
        if isinstance(key, mldsa.MLDSA44PublicKey):
            return cls(MLDSA44, der, key)
        raise ValueError(
            f"unsupported public key type {type(key).__name__}: qtrust uses Ed25519, ML-DSA-65 and ML-DSA-44"
        )

    @classmethod
    def from_pem(cls, pem: str | bytes) -> PublicKey:
        data = pem.encode() if isinstance(pem, str) else pem
        key = serialization.load_pem_public_key(data)
        return cls.from_der(
            key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )

    @property
    def keyid(self) -> str:
        """``sha256:`` + the hex SHA-256 of the SubjectPublicKeyInfo: stable, algorithm-agnostic."""
        return "sha256:" + hashlib.sha256(self.der).hexdigest()

    @property
    def raw(self) -> bytes:
        return self._key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def pem(self) -> str:
        return self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    algorithm: Algorithm
    _private: Any = field(repr=False)
    public: PublicKey = field(repr=False)

    @classmethod
    def generate(cls, algorithm: Algorithm) -> SigningKey:
        makers = {
            ED25519: ed25519.Ed25519PrivateKey.generate,
            MLDSA65: mldsa.MLDSA65PrivateKey.generate,
            MLDSA44: mldsa.MLDSA44PrivateKey.generate,
        }
        return cls._wrap(makers[algorithm]())

    @classmethod
    def _wrap(cls, private: Any) -> SigningKey:
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        public = PublicKey.from_der(der)
        return cls(public.algorithm, private, public)

    @classmethod
    def from_encrypted_pem(
        cls,
        pem: bytes,
        passphrase: bytes,
        *,
        where: str = PASSPHRASE_ENV,
        what: str = "the log's signing key",
    ) -> SigningKey:
        """Decrypt a private key; a wrong passphrase is blamed on ``where`` (the variable that supplied it)."""
        try:
            private = serialization.load_pem_private_key(pem, password=passphrase)
        except (ValueError, TypeError) as error:
            raise InputError(
                f"the passphrase is wrong: {what} could not be decrypted",
                where=where,
                fix=f"set {where} to the passphrase that key was created with",
            ) from error
        return cls._wrap(private)

    @property
    def keyid(self) -> str:
        return self.public.keyid

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def encrypted_pem(self, passphrase: bytes) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )


@dataclass(frozen=True)
class LogKeys:
    """The active signing pair: Ed25519 signs envelopes, receipts and checkpoints; ML-DSA-65 checkpoints."""

    ed25519: SigningKey
    mldsa65: SigningKey

    @classmethod
    def generate(cls) -> LogKeys:
        return cls(SigningKey.generate(ED25519), SigningKey.generate(MLDSA65))

    def public_keys(self) -> list[PublicKey]:
        return [self.ed25519.public, self.mldsa65.public]


class TrustedKeys:
    """The public keys a verifier accepts, by key id."""

    def __init__(self, keys: Iterable[PublicKey] = ()) -> None:
        self._keys: dict[str, PublicKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: PublicKey) -> None:
        self._keys[key.keyid] = key

    def get(self, keyid: str) -> PublicKey | None:
        return self._keys.get(keyid)

    def __contains__(self, keyid: object) -> bool:
        return keyid in self._keys

    def __iter__(self):
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def copy(self) -> TrustedKeys:
        return TrustedKeys(self._keys.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": KEYRING_FORMAT,
            "keys": [{"keyid": k.keyid, "algorithm": k.algorithm, "public_key_pem": k.pem()} for k in self],
        }

    @classmethod
    def from_json(cls, doc: Any, where: str) -> TrustedKeys:
        """Read a keyring or trust file; refuses anything malformed, naming the file."""
        if (
            not isinstance(doc, dict)
            or doc.get("format") != KEYRING_FORMAT
            or not isinstance(doc.get("keys"), list)
        ):
            raise InputError(
                f"not a qtrust keyring (expected format {KEYRING_FORMAT!r} with a 'keys' list)",
                where=where,
                fix="pass a file written by `qtrust keys export`",
            )
        keys = []
        for i, item in enumerate(doc["keys"]):
            try:
                key = PublicKey.from_pem(item["public_key_pem"])
            except (KeyError, TypeError, ValueError) as error:
                raise InputError(
                    f"key {i} is unreadable: {error}", where=where, fix="re-export the keys"
                ) from None
            if item.get("keyid") not in (None, key.keyid):
                raise InputError(
                    f"key {i} claims id {item.get('keyid')} but its public key hashes to {key.keyid}",
                    where=where,
                    fix="re-export the keys; the file was altered",
                )
            keys.append(key)
        return cls(keys)


class KeyDirectory:
    """``<home>/keys``: the encrypted private keys of the active pair, and the keyring of every public key.

    Layout: ``ed25519.key`` and ``ml-dsa-65.key`` (encrypted PKCS#8 PEM, mode 0600), ``keyring.json``
    (public keys with status active / retired), ``retired/<keyid>.key`` after a rotation.
    """

    FILES: ClassVar[dict[str, str]] = {ED25519: "ed25519.key", MLDSA65: "ml-dsa-65.key"}

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def keyring_path(self) -> Path:
        return self.path / "keyring.json"

    def exists(self) -> bool:
        return self.keyring_path.is_file()

    def _require(self) -> None:
        if not self.exists():
            raise InputError(
                f"no signing keys in {self.path}",
                where="keys",
                fix="run `qtrust keys init` (or point --home / QTRUST_HOME at the directory that holds them)",
            )

    def _keyring(self) -> dict[str, Any]:
        self._require()
        try:
            doc = json.loads(self.keyring_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise InputError(
                f"unreadable keyring: {error}", where=str(self.keyring_path), fix="restore it from a backup"
            ) from None
        return doc

    def active_keys(self) -> list[dict[str, str]]:
        """The active signing keys' id, algorithm and creation time (ISO 8601): how old each one is."""
        return [
            {"keyid": k["keyid"], "algorithm": k["algorithm"], "created": k.get("created", "")}
            for k in self._keyring().get("keys", [])
            if k.get("status") == "active"
        ]

    def _write_keyring(self, doc: dict[str, Any]) -> None:
        write_file_atomically(self.keyring_path, (json.dumps(doc, indent=2) + "\n").encode(), 0o644)

    def create(self, passphrase: bytes, keys: LogKeys | None = None) -> LogKeys:
        """Write a new active pair; refuses to overwrite existing keys (that would orphan the log)."""
        if self.exists():
            raise InputError(
                f"signing keys already exist in {self.path}",
                where="keys init",
                fix="use `qtrust keys rotate` to replace them (the rotation is recorded in the log)",
            )
        if not passphrase:
            raise InputError(
                "the key passphrase is empty", where=PASSPHRASE_ENV, fix="choose a non-empty passphrase"
            )
        keys = keys or LogKeys.generate()
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        for key in (keys.ed25519, keys.mldsa65):
            write_file_atomically(self.path / self.FILES[key.algorithm], key.encrypted_pem(passphrase), 0o600)
        created = _now()
        self._write_keyring(
            {
                "format": KEYRING_FORMAT,
                "keys": [
                    {
                        "keyid": k.keyid,
                        "algorithm": k.algorithm,
                        "public_key_pem": k.pem(),
                        "status": "active",
                        "created": created,
                    }
                    for k in keys.public_keys()
                ],
            }
        )
        return keys

    def load(self, passphrase: bytes) -> LogKeys:
        self._require()
        loaded = {}
        for algorithm, name in self.FILES.items():
            path = self.path / name
            if not path.is_file():
                raise InputError(
                    f"the private key file {path} is missing", where="keys", fix="restore it from a backup"
                )
            key = SigningKey.from_encrypted_pem(path.read_bytes(), passphrase)
            if key.algorithm != algorithm:
                raise InputError(
                    f"{path} holds a {key.algorithm} key", where="keys", fix="restore the right file"
                )
            loaded[algorithm] = key
        active = {k["keyid"] for k in self._keyring()["keys"] if k.get("status") == "active"}
        for key in loaded.values():
            if key.keyid not in active:
                raise InputError(
                    f"the private key in {self.path / self.FILES[key.algorithm]} is not the active key of the keyring",
                    where="keys",
                    fix="restore the matching key files and keyring.json together",
                )
        return LogKeys(loaded[ED25519], loaded[MLDSA65])

    def trusted(self) -> TrustedKeys:
        """Every public key this directory has held (active and retired): the local trust anchors."""
        return TrustedKeys.from_json(self._keyring(), where=str(self.keyring_path))

    def stage(self, new: LogKeys, passphrase: bytes) -> Path:
        """Write the incoming pair to ``pending/`` *before* the rotation entry is appended.

        Why: once the log says the keys changed, losing the new private keys would leave a log nobody can
        extend. Staged first, they survive a crash between the append and :meth:`rotate`.
        """
        pending = self.path / "pending"
        pending.mkdir(exist_ok=True, mode=0o700)
        for key in (new.ed25519, new.mldsa65):
            write_file_atomically(pending / self.FILES[key.algorithm], key.encrypted_pem(passphrase), 0o600)
        return pending

    def unstage(self) -> None:
        for name in self.FILES.values():
            (self.path / "pending" / name).unlink(missing_ok=True)

    def rotate(self, old: LogKeys, new: LogKeys, passphrase: bytes) -> LogKeys:
        """Make ``new`` the active pair; the old private keys move to ``retired/`` and stay trusted for old entries.

        Call it after the rotation entry is in the log, so a failed append leaves the keys as they were.
        """
        retired = self.path / "retired"
        retired.mkdir(exist_ok=True, mode=0o700)
        for key in (old.ed25519, old.mldsa65):
            write_file_atomically(
                retired / f"{key.keyid.split(':')[1][:16]}.key", key.encrypted_pem(passphrase), 0o600
            )
        for key in (new.ed25519, new.mldsa65):
            write_file_atomically(self.path / self.FILES[key.algorithm], key.encrypted_pem(passphrase), 0o600)
        doc = self._keyring()
        now = _now()
        for item in doc["keys"]:
            if item.get("status") == "active":
                item["status"], item["retired"] = "retired", now
        doc["keys"] += [
            {
                "keyid": k.keyid,
                "algorithm": k.algorithm,
                "public_key_pem": k.pem(),
                "status": "active",
                "created": now,
            }
            for k in new.public_keys()
        ]
        self._write_keyring(doc)
        self.unstage()
        return new
