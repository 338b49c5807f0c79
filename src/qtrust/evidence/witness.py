"""A witness: a second party that cosigns the log's checkpoints only if the log still extends what it saw.

The witness lives in its own directory, on its own machine ideally, with keys the log operator never holds:

    <dir>/witness.json            its name and public keys (give this to auditors: `verify --witness`)
    <dir>/ed25519.key             \\ encrypted with the witness's passphrase (QTRUST_WITNESS_PASSPHRASE),
    <dir>/ml-dsa-44.key           /  mode 0600
    <dir>/logs/<id>.json          per log: the pinned log keys and the last cosigned size and root
    <dir>/logs/<id>.checkpoint    the last cosigned checkpoint, with its cosignature (usable as --known)

To cosign (C2SP tlog-witness semantics, made stricter): the witness verifies the whole log against the log
keys it pinned at first contact, following the log's own rotations, with its last cosigned checkpoint as a
checkpoint the log must still extend; only then does it sign the newest checkpoint, record it as its new
state, and add the cosignature lines to the store (no log key is needed for that: they verify on their own).
A truncated, forked or re-keyed log fails the first step, so it never gets a cosignature.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtrust.encoding import b64encode
from qtrust.errors import InputError
from qtrust.evidence.checkpoint import parse_checkpoint
from qtrust.evidence.cosignature import WitnessKey, cosign, load_witness_key
from qtrust.evidence.keys import ED25519, MLDSA44, SigningKey, TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.verify import EntryRule, KnownCheckpoint, verify_log
from qtrust.evidence.view import store_view
from qtrust.files import write_file_atomically

WITNESS_PASSPHRASE_ENV = "QTRUST_WITNESS_PASSPHRASE"
NAME_PATTERN = "a schema-less URL such as witness.example.org/audit-team"
_FILES = {ED25519: "ed25519.key", MLDSA44: "ml-dsa-44.key"}


@dataclass(frozen=True)
class Cosigned:
    origin: str
    size: int
    previous_size: int | None
    lines: str


def _valid_name(name: str) -> bool:
    return 0 < len(name.encode()) < 256 and not any(c.isspace() for c in name) and "+" not in name


class WitnessDirectory:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def key_file(self) -> Path:
        return self.path / "witness.json"

    def exists(self) -> bool:
        return self.key_file.is_file()

    def public(self) -> WitnessKey:
        if not self.exists():
            raise InputError(
                f"no witness in {self.path}",
                where="witness",
                fix="create one with `qtrust witness init DIR --name NAME`",
            )
        return load_witness_key(self.key_file.read_bytes(), str(self.key_file))

    @classmethod
    def create(cls, path: Path, name: str, passphrase: bytes) -> WitnessDirectory:
        witness = cls(path)
        if witness.exists():
            raise InputError(
                f"a witness already lives in {path}", where="DIR", fix="choose another directory"
            )
        if not _valid_name(name):
            raise InputError(f"{name!r} is not a witness name", where="--name", fix=f"use {NAME_PATTERN}")
        if not passphrase:
            raise InputError(
                "the witness passphrase is empty", where=WITNESS_PASSPHRASE_ENV, fix="choose one"
            )
        keys = {alg: SigningKey.generate(alg) for alg in _FILES}
        for alg, key in keys.items():
            write_file_atomically(witness.path / _FILES[alg], key.encrypted_pem(passphrase), 0o600)
        public = WitnessKey(name, keys[ED25519].public, keys[MLDSA44].public)
        write_file_atomically(witness.key_file, (json.dumps(public.to_json(), indent=2) + "\n").encode())
        return witness

    def _signing_keys(self, passphrase: bytes) -> dict[str, SigningKey]:
        keys = {}
        for alg, name in _FILES.items():
            path = self.path / name
            if not path.is_file():
                raise InputError(
                    f"the witness key {path} is missing", where="witness", fix="restore it from a backup"
                )
            keys[alg] = SigningKey.from_encrypted_pem(
                path.read_bytes(), passphrase, where=WITNESS_PASSPHRASE_ENV, what="the witness's key"
            )
        public = self.public()
        if keys[ED25519].keyid != public.ed25519.keyid or keys[MLDSA44].keyid != public.mldsa44.keyid:
            raise InputError(
                "the witness's private keys do not match witness.json",
                where=str(self.path),
                fix="restore both",
            )
        return keys

    # --- per-log state ----------------------------------------------------------------------------------------
    def _state_path(self, origin: str, suffix: str) -> Path:
        return self.path / "logs" / f"{hashlib.sha256(origin.encode()).hexdigest()[:24]}.{suffix}"

    def state(self, origin: str) -> dict[str, Any] | None:
        path = self._state_path(origin, "json")
        if not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise InputError(
                f"unreadable witness state: {error}", where=str(path), fix="restore it from a backup"
            ) from None
        return doc

    def latest_checkpoint(self, origin: str) -> KnownCheckpoint | None:
        """The last checkpoint this witness cosigned for ``origin``: the log must still extend it."""
        path = self._state_path(origin, "checkpoint")
        return KnownCheckpoint(path.read_bytes(), f"witness {self.public().name}") if path.is_file() else None

    def cosign(
        self,
        log: EvidenceLog,
        passphrase: bytes,
        *,
        trusted: TrustedKeys | None = None,
        rules: Sequence[EntryRule] = (),
    ) -> Cosigned:
        """Verify ``log`` against what this witness saw before and cosign its newest checkpoint."""
        public = self.public()
        keys = self._signing_keys(passphrase)
        state = self.state(log.origin)
        if state is None and trusted is None:
            raise InputError(
                f"this witness has not seen log {log.origin} before",
                where="--trusted-keys",
                fix="pin the log's public keys on first contact: --trusted-keys TRUST.json (from `qtrust keys export`)",
            )
        pinned = trusted if state is None else TrustedKeys.from_json(state["log_keys"], where="witness state")
        latest = log.store.latest_checkpoint()
        if latest is None:
            raise InputError(
                "the log has no checkpoint to cosign", where="witness", fix="record something first"
            )
        previous = self.latest_checkpoint(log.origin)
        report = verify_log(store_view(log), pinned, [previous] if previous else [], rules=rules)
        if not report.ok:
            first = report.first
            raise InputError(
                f"refusing to cosign log {log.origin}: {first}",
                where="witness",
                fix="the log does not extend what this witness cosigned before, or does not verify: report it",
            )
        checkpoint, _ = parse_checkpoint(latest.note)
        lines = cosign(checkpoint, public.name, keys[ED25519], keys[MLDSA44], int(time.time()))
        new_state = {
            "origin": log.origin,
            "size": checkpoint.size,
            "root": b64encode(checkpoint.root),
            "log_keys": pinned.to_json(),
        }
        # the witness's memory first: a failed store write is retried by cosigning the same checkpoint again
        write_file_atomically(self._state_path(log.origin, "checkpoint"), latest.note + lines.encode())
        write_file_atomically(
            self._state_path(log.origin, "json"), (json.dumps(new_state, indent=2) + "\n").encode()
        )
        log.store.add_cosignature(checkpoint.size, public.name, lines)
        return Cosigned(log.origin, checkpoint.size, state["size"] if state else None, lines)
