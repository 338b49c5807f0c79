"""The evidence log: sign statements into DSSE envelopes, append them gap-free, checkpoint, prove.

``EvidenceLog`` is the one object the rest of qtrust records through. It owns no storage itself (a store
does) and holds the signing keys only while a command runs. Every log begins with a ``log-init`` entry that
names its origin and public keys, so the first thing an auditor pins is visible in the log itself; a key
rotation is an entry signed by the outgoing key and the incoming one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qtrust.encoding import canonical_json
from qtrust.errors import InputError
from qtrust.evidence import merkle, statements
from qtrust.evidence.checkpoint import Checkpoint, sign_checkpoint
from qtrust.evidence.dsse import EnvelopeError, parse_envelope, sign_envelope
from qtrust.evidence.keys import LogKeys, SigningKey
from qtrust.evidence.receipts import receipt_message
from qtrust.evidence.store import EvidenceStore, StoredCheckpoint, StoredEntry


@dataclass(frozen=True)
class Recorded:
    """What a caller needs to cite an entry: its sequence number and leaf hash."""

    seq: int
    leaf_hash: bytes
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "leaf_hash": "sha256:" + self.leaf_hash.hex(), "kind": self.kind}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class EvidenceLog:
    def __init__(self, store: EvidenceStore, keys: LogKeys | None = None) -> None:
        self.store = store
        self.keys = keys
        origin = store.origin()
        if origin is None:
            raise InputError(
                f"the evidence store at {store.location} holds no log yet",
                where="--home / --store",
                fix="run `qtrust keys init` to create the keys and start the log",
            )
        self.origin = origin

    # --- creation ---------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, store: EvidenceStore, keys: LogKeys) -> EvidenceLog:
        """Start a log in an empty store: its origin and a log-init entry naming ``keys``, in one transaction.

        Raises :class:`~qtrust.evidence.store.LogExistsError` if the store already holds a log (another first use
        may have won the race): the caller's keys are then not the log's.
        """
        origin = f"qtrust.dev/log/{uuid.uuid4().hex}"
        public = keys.public_keys()
        doc = statements.statement(
            [
                statements.resource(k.keyid, k.keyid) | {"annotations": {"algorithm": k.algorithm}}
                for k in public
            ],
            statements.LOG_INIT_V1,
            {
                "origin": origin,
                "created": _now(),
                "keys": [
                    {"keyid": k.keyid, "algorithm": k.algorithm, "public_key_pem": k.pem()} for k in public
                ],
            },
        )
        envelope = sign_envelope(canonical_json(doc), [keys.ed25519])

        def receipt(seq: int, leaf: bytes, time: str) -> tuple[str, bytes]:
            return keys.ed25519.keyid, keys.ed25519.sign(receipt_message(origin, seq, leaf, time))

        store.start(origin, (statements.kind_of(statements.LOG_INIT_V1), envelope), receipt)
        log = cls(store, keys)
        log.checkpoint()
        return log

    def _signing(self) -> LogKeys:
        if self.keys is None:
            raise InputError(
                "this command needs the signing keys", where="keys", fix="set QTRUST_KEY_PASSPHRASE"
            )
        return self.keys

    # --- writing ----------------------------------------------------------------------------------------------
    def _receipt(self, seq: int, leaf: bytes, time: str) -> tuple[str, bytes]:
        key = self._signing().ed25519
        return key.keyid, key.sign(receipt_message(self.origin, seq, leaf, time))

    def append(
        self, statement: dict[str, Any], *, signers: list[SigningKey] | None = None, checkpoint: bool = True
    ) -> Recorded:
        return self.append_many([statement], signers=signers, checkpoint=checkpoint)[0]

    def append_many(
        self,
        statement_list: Iterable[dict[str, Any]],
        *,
        signers: list[SigningKey] | None = None,
        checkpoint: bool = True,
    ) -> list[Recorded]:
        """Sign each statement (outside the lock), then append them as one transaction, in order."""
        keys = self._signing()
        signers = signers or [keys.ed25519]
        items = []
        for doc in statement_list:
            try:
                statements.check_statement(doc)
            except ValueError as error:
                raise InputError(
                    f"not an in-toto statement: {error}",
                    where="evidence",
                    fix="build it with qtrust.evidence.statements",
                ) from None
            try:
                statements.check_exact_integers(doc)
            except ValueError as error:
                raise InputError(
                    f"not recorded: {error}",
                    where="evidence",
                    fix="use a smaller number (seeds: below 2**53)",
                ) from None
            payload = canonical_json(doc)
            items.append((statements.kind_of(doc["predicateType"]), sign_envelope(payload, signers)))
        stored = self.store.append(items, self._receipt)
        if checkpoint:
            self.checkpoint()
        return [Recorded(e.seq, e.leaf_hash, e.kind) for e in stored]

    def checkpoint(self) -> StoredCheckpoint | None:
        """Sign and store a checkpoint of the current size (Ed25519 + ML-DSA-65); None if one exists."""
        size = self.store.size()
        latest = self.store.latest_checkpoint()
        if latest is not None and latest.size >= size:
            return None
        note = sign_checkpoint(Checkpoint(self.origin, size, self.root(size), _now()), self._signing())
        return self.store.add_checkpoint(size, note)

    def rotate_keys(self, new: LogKeys, reason: str = "") -> Recorded:
        """Record a rotation signed by the outgoing and the incoming Ed25519 keys, then switch to ``new``."""
        old = self._signing()
        doc = statements.statement(
            [
                statements.resource(k.keyid, k.keyid) | {"annotations": {"algorithm": k.algorithm}}
                for k in new.public_keys()
            ],
            statements.KEY_ROTATION_V1,
            {
                "origin": self.origin,
                "time": _now(),
                "reason": reason,
                "retired": [k.keyid for k in old.public_keys()],
                "keys": [
                    {"keyid": k.keyid, "algorithm": k.algorithm, "public_key_pem": k.pem()}
                    for k in new.public_keys()
                ],
            },
        )
        recorded = self.append(doc, signers=[old.ed25519, new.ed25519], checkpoint=False)
        self.keys = new
        self.checkpoint()
        return recorded

    # --- reading and proving ----------------------------------------------------------------------------------
    def size(self) -> int:
        return self.store.size()

    def root(self, size: int | None = None) -> bytes:
        return merkle.root(self.size() if size is None else size, self.store.fetch_nodes)

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        return merkle.inclusion_proof(seq, self.size() if size is None else size, self.store.fetch_nodes)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return merkle.consistency_proof(
            old_size, self.size() if new_size is None else new_size, self.store.fetch_nodes
        )

    def entries(self, start: int = 0, end: int | None = None) -> Iterator[StoredEntry]:
        return self.store.entries(start, end)

    def entry(self, seq: int) -> StoredEntry:
        entry = self.store.entry(seq)
        if entry is None:
            raise InputError(
                f"there is no entry {seq} (the log has {self.size()} entries, 0..{self.size() - 1})",
                where="N",
                fix="list the entries with `qtrust log`",
            )
        return entry

    def statement(self, seq: int) -> dict[str, Any]:
        """The signed payload of one entry, unverified (for reading; `qtrust verify` judges it)."""
        entry = self.entry(seq)
        try:
            if entry.damage:
                raise EnvelopeError(entry.damage)
            return json.loads(parse_envelope(entry.envelope).payload)
        except (EnvelopeError, ValueError) as error:
            raise InputError(
                f"entry {seq} cannot be read: {error}",
                where=f"entry {seq} of {self.store.location}",
                fix="run `qtrust verify` to see what was altered",
            ) from None

    def statements_of(self, predicate_type: str) -> Iterator[tuple[StoredEntry, dict[str, Any]]]:
        """Entries whose *signed* statement has ``predicate_type`` (unverified: for listing and lookups that
        are checked again; anything that decides reads the verified ledger, :mod:`qtrust.governance.entries`)."""
        for entry in self.store.entries():
            try:
                doc = json.loads(parse_envelope(entry.envelope).payload)
            except (ValueError, TypeError):
                continue
            if isinstance(doc, dict) and doc.get("predicateType") == predicate_type:
                yield entry, doc
