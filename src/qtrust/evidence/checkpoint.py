"""Checkpoints: signed notes of the log's origin, size and root hash (C2SP tlog-checkpoint format).

A checkpoint is the log's commitment: whoever holds one can later demand an inclusion proof for any entry
under it and a consistency proof that a later checkpoint extends it rather than rewriting it. The note body
is the C2SP checkpoint ("<origin>\\n<size>\\n<base64 root>\\n", here with one extension line, the time),
followed by a blank line and one signature line per key: "— <name> <base64(key hash ‖ signature)>".

Every qtrust checkpoint carries two signatures and a verifier demands both: Ed25519 (signed-note type
0x01, key hash = SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4]) and ML-DSA-65. Signed notes define no
ML-DSA type yet; qtrust uses the type byte 0xff followed by the identifier "ml-dsa-65", and says so here
so that any other verifier can compute the same key hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qtrust.encoding import b64decode, b64encode
from qtrust.evidence.keys import ED25519, MLDSA65, LogKeys, PublicKey, TrustedKeys

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space
_TYPE_ID = {ED25519: b"\x01", MLDSA65: b"\xffml-dsa-65"}


class CheckpointError(ValueError):
    """A checkpoint is malformed or its signatures do not verify."""


def note_key_hash(name: str, key: PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _TYPE_ID[key.algorithm] + key.raw).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str

    def body(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{b64encode(self.root)}\ntime {self.time}\n".encode()


def sign_checkpoint(checkpoint: Checkpoint, keys: LogKeys) -> bytes:
    body = checkpoint.body()
    lines = [
        f"{SIGNATURE_PREFIX}{checkpoint.origin} "
        f"{b64encode(note_key_hash(checkpoint.origin, key.public) + key.sign(body))}\n"
        for key in (keys.ed25519, keys.mldsa65)
    ]
    return body + b"\n" + "".join(lines).encode()


def parse_checkpoint(note: bytes) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]]]:
    """The checkpoint and its (name, key hash, signature) lines; raises CheckpointError if malformed."""
    try:
        text = note.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("checkpoint is not UTF-8") from None
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise CheckpointError("checkpoint has no signature block")
    lines = body.split("\n")
    if len(lines) < 4 or not lines[3].startswith("time "):
        raise CheckpointError("checkpoint body must be origin, size, root and a time line")
    try:
        size = int(lines[1])
        root = b64decode(lines[2])
    except ValueError as error:
        raise CheckpointError(f"bad size or root: {error}") from None
    if size < 0 or len(root) != 32 or str(size) != lines[1]:
        raise CheckpointError("bad size or root")
    checkpoint = Checkpoint(origin=lines[0], size=size, root=root, time=lines[3][5:])
    if checkpoint.body() != (body + "\n").encode():
        raise CheckpointError("checkpoint body is not in canonical form")
    signatures = []
    for line in sigs.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError(f"malformed signature line {line[:40]!r}")
        name, _, blob = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            raw = b64decode(blob)
        except ValueError as error:
            raise CheckpointError(f"signature line: {error}") from None
        if len(raw) < 5:
            raise CheckpointError("signature line too short")
        signatures.append((name, raw[:4], raw[4:]))
    return checkpoint, signatures


def verify_checkpoint(note: bytes, trusted: TrustedKeys, origin: str | None = None) -> Checkpoint:
    """Parse and check a checkpoint: a valid Ed25519 *and* a valid ML-DSA-65 signature by trusted keys."""
    checkpoint, signatures = parse_checkpoint(note)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    body = checkpoint.body()
    valid: set[str] = set()
    by_hash = {(note_key_hash(checkpoint.origin, k), k.algorithm): k for k in trusted}
    for name, key_hash, sig in signatures:
        if name != checkpoint.origin:
            continue
        for algorithm in (ED25519, MLDSA65):
            key = by_hash.get((key_hash, algorithm))
            if key is not None and key.verify(sig, body):
                valid.add(algorithm)
    missing = [a for a in (ED25519, MLDSA65) if a not in valid]
    if missing:
        raise CheckpointError(
            f"checkpoint of size {checkpoint.size} lacks a valid {' and '.join(missing)} signature by a trusted key"
        )
    return checkpoint
