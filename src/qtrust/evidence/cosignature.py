"""Witness cosignatures on checkpoints (C2SP tlog-cosignature), and the witness's public identity.

A witness is a second party with its own keys and its own memory of the log. Before it cosigns a
checkpoint it checks that the log still extends the last checkpoint it cosigned (a consistency proof), so a
log operator who truncates the tail, forks the history or re-signs the whole log with new keys cannot get
a cosignature for the result. A verifier that demands a witness's cosignature over every entry therefore
no longer depends on the operator alone.

Each qtrust witness signs twice, as the log does: an Ed25519 ``cosignature/v1`` line (key ID type byte
0x04; the message is ``cosignature/v1``, ``time <t>`` and the whole checkpoint body) and an ML-DSA-44 line
(type byte 0x06; the message is the ``subtree/v1`` structure over origin, size 0..N and root, which
commits to the witness's name). A verifier demands both, so the witness's word outlives Ed25519 too.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from typing import Any

from qtrust.encoding import b64decode, b64encode
from qtrust.errors import InputError
from qtrust.evidence.checkpoint import SIGNATURE_PREFIX, Checkpoint
from qtrust.evidence.keys import ED25519, MLDSA44, PublicKey, SigningKey

WITNESS_FORMAT = "https://qtrust.dev/witness/v1"
ED25519_COSIGNATURE_TYPE = b"\x04"
MLDSA44_COSIGNATURE_TYPE = b"\x06"
SUBTREE_LABEL = b"subtree/v1\n\x00"


def key_id(name: str, key: PublicKey) -> bytes:
    kind = ED25519_COSIGNATURE_TYPE if key.algorithm == ED25519 else MLDSA44_COSIGNATURE_TYPE
    return hashlib.sha256(name.encode() + b"\n" + kind + key.raw).digest()[:4]


def ed25519_message(checkpoint: Checkpoint, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint.body()


def mldsa44_message(name: str, checkpoint: Checkpoint, timestamp: int) -> bytes:
    origin = checkpoint.origin.encode()
    return (
        SUBTREE_LABEL
        + bytes([len(name.encode())])
        + name.encode()
        + struct.pack(">Q", timestamp)
        + bytes([len(origin)])
        + origin
        + struct.pack(">QQ", 0, checkpoint.size)
        + checkpoint.root
    )


@dataclass(frozen=True)
class WitnessKey:
    """A witness as a verifier pins it: its name and its two public keys."""

    name: str
    ed25519: PublicKey
    mldsa44: PublicKey

    def to_json(self) -> dict[str, Any]:
        return {
            "format": WITNESS_FORMAT,
            "name": self.name,
            "keys": [
                {"algorithm": k.algorithm, "public_key_pem": k.pem()} for k in (self.ed25519, self.mldsa44)
            ],
        }

    @classmethod
    def from_json(cls, doc: Any, where: str) -> WitnessKey:
        fix = "pass the witness.json that `qtrust witness init` wrote (or the witness directory)"
        if (
            not isinstance(doc, dict)
            or doc.get("format") != WITNESS_FORMAT
            or not isinstance(doc.get("name"), str)
        ):
            raise InputError(f"not a qtrust witness key (format {WITNESS_FORMAT!r})", where=where, fix=fix)
        keys: dict[str, PublicKey] = {}
        for item in doc.get("keys") or []:
            try:
                key = PublicKey.from_pem(item["public_key_pem"])
            except (KeyError, TypeError, ValueError) as error:
                raise InputError(f"unreadable witness key: {error}", where=where, fix=fix) from None
            keys[key.algorithm] = key
        if set(keys) != {ED25519, MLDSA44}:
            raise InputError("a witness has one Ed25519 and one ML-DSA-44 key", where=where, fix=fix)
        return cls(doc["name"], keys[ED25519], keys[MLDSA44])


def cosign(
    checkpoint: Checkpoint, name: str, ed25519: SigningKey, mldsa44: SigningKey, timestamp: int
) -> str:
    """The two signature lines a witness adds to ``checkpoint`` (each ends with a newline)."""
    stamp = struct.pack(">Q", timestamp)
    lines = []
    for key, message in (
        (ed25519, ed25519_message(checkpoint, timestamp)),
        (mldsa44, mldsa44_message(name, checkpoint, timestamp)),
    ):
        blob = key_id(name, key.public) + stamp + key.sign(message)
        lines.append(f"{SIGNATURE_PREFIX}{name} {b64encode(blob)}\n")
    return "".join(lines)


def verify_cosignature(checkpoint: Checkpoint, lines: str, witness: WitnessKey) -> int | None:
    """The cosignature's time if ``lines`` carry a valid Ed25519 *and* ML-DSA-44 cosignature by ``witness``."""
    valid: dict[str, int] = {}
    ids = {key_id(witness.name, k): k for k in (witness.ed25519, witness.mldsa44)}
    for line in lines.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            continue
        name, _, blob = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        if name != witness.name:
            continue
        try:
            raw = b64decode(blob)
        except ValueError:
            continue
        key = ids.get(raw[:4])
        if key is None or len(raw) < 13:
            continue
        (timestamp,) = struct.unpack(">Q", raw[4:12])
        message = (
            ed25519_message(checkpoint, timestamp)
            if key.algorithm == ED25519
            else mldsa44_message(witness.name, checkpoint, timestamp)
        )
        if timestamp < 2**63 and key.verify(raw[12:], message):
            valid[key.algorithm] = timestamp
    if set(valid) != {ED25519, MLDSA44}:
        return None
    return valid[ED25519]


def load_witness_key(doc_bytes: bytes, where: str) -> WitnessKey:
    try:
        doc = json.loads(doc_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"not JSON: {error}", where=where, fix="pass the witness.json of a witness"
        ) from None
    return WitnessKey.from_json(doc, where)
