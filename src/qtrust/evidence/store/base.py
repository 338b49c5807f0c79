"""The one interface every evidence store implements, and the append logic they share.

A store keeps five append-only tables: ``meta`` (the log's origin), ``entries`` (sequence number, the
exact envelope bytes, the leaf hash and the log's receipt), ``tree_nodes`` (the hash of every complete
Merkle subtree, so proofs for any size cost O(log n) lookups), ``checkpoints`` (signed notes) and
``cosignatures`` (witnesses' signature lines on a checkpoint). Backends differ only in how they take the
writer lock, how they block UPDATE / DELETE / TRUNCATE, how they open read-only, and SQL details.

Why the sequence number is computed under the writer lock rather than taken from a SEQUENCE or an
autoincrement: a rolled-back transaction burns a SEQUENCE value and leaves a gap, and a gap is exactly
what a verifier must treat as a deleted entry. The log's first entry is written in the same transaction
that records its origin, so two first uses at once cannot both start a log.

The ``kind`` column is a label for listing, written by whoever appended the row: nothing that decides
anything reads it (statuses and the verifier read the signed statement).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from qtrust.errors import InputError
from qtrust.evidence import merkle

PAGE = 2048  # entries per read when iterating the log

# (seq, leaf hash, integrated time) -> (key id, signature): the log's per-entry receipt, signed in the lock
ReceiptSigner = Callable[[int, bytes, str], tuple[str, bytes]]


class LogExistsError(InputError):
    """The store already holds a log (raised when a second first use loses the race to start one)."""


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    kind: str
    envelope: bytes
    leaf_hash: bytes
    integrated_time: str
    receipt_keyid: str
    receipt: bytes
    # set when a stored column had a type no qtrust writer produces (the row was edited in the database)
    damage: str | None = None


@dataclass(frozen=True)
class StoredCheckpoint:
    idx: int
    size: int
    note: bytes
    created_at: str


@dataclass(frozen=True)
class StoredCosignature:
    """A witness's signature lines on the checkpoint of ``size`` (C2SP tlog-cosignature lines)."""

    idx: int
    size: int
    witness: str
    lines: str
    created_at: str


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _blob(value: object) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def entry_from_row(row: tuple) -> StoredEntry:
    """A row as the verifier sees it: a column of an unexpected type is named, never a crash."""
    seq, kind, envelope, leaf, time, keyid, receipt = row
    damaged = []
    blobs = {}
    for name, value in (("envelope", envelope), ("leaf_hash", leaf), ("receipt", receipt)):
        blobs[name] = _blob(value)
        if blobs[name] is None:
            damaged.append(f"{name} is {type(value).__name__}, not bytes")
    for name, value in (("kind", kind), ("integrated_time", time), ("receipt_keyid", keyid)):
        if not isinstance(value, str):
            damaged.append(f"{name} is {type(value).__name__}, not text")
    return StoredEntry(
        int(seq),
        kind if isinstance(kind, str) else str(kind),
        blobs["envelope"] or b"",
        blobs["leaf_hash"] or b"",
        time if isinstance(time, str) else str(time),
        keyid if isinstance(keyid, str) else str(keyid),
        blobs["receipt"] or b"",
        "; ".join(damaged) or None,
    )


def read_only_refusal(location: str) -> InputError:
    return InputError(
        f"the evidence store {location} was opened read-only",
        where="evidence",
        fix="open it with the signing keys to write (a bug if you see this from a qtrust command)",
    )


#: Every store keeps the same five tables (and refuses UPDATE, DELETE and TRUNCATE on each).
TABLES = ("meta", "entries", "tree_nodes", "checkpoints", "cosignatures")


class EvidenceStore(ABC):
    """Append-only storage of one log. Subclasses provide the transaction and SQL primitives."""

    location: str
    read_only: bool = False

    # --- primitives each backend implements ---------------------------------------------------------------
    @abstractmethod
    def _write_transaction(self):
        """A context manager: holds the single-writer lock, yields a cursor, commits or rolls back."""

    @abstractmethod
    def _read(self, sql: str, params: tuple = ()) -> list[tuple]: ...

    @abstractmethod
    def _fetch_nodes_with(self, cursor, coords: list[merkle.Coord]) -> dict[merkle.Coord, bytes]: ...

    @abstractmethod
    def _insert_entry(self, cursor, entry: StoredEntry) -> None: ...

    @abstractmethod
    def _insert_nodes(self, cursor, nodes: list[tuple[merkle.Coord, bytes]]) -> None: ...

    @abstractmethod
    def _insert_checkpoint(self, cursor, checkpoint: StoredCheckpoint) -> None: ...

    @abstractmethod
    def _insert_cosignature(self, cursor, cosignature: StoredCosignature) -> None: ...

    @abstractmethod
    def _insert_meta(self, cursor, key: str, value: str) -> None: ...

    @abstractmethod
    def _scalar(self, cursor, sql: str) -> object: ...

    @abstractmethod
    def _has_table(self, name: str) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    # --- the shared logic ---------------------------------------------------------------------------------
    def origin(self) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = 'origin'")
        return rows[0][0] if rows else None

    def start(self, origin: str, first: tuple[str, bytes], receipt: ReceiptSigner) -> StoredEntry:
        """Record the origin and the log's first entry in one transaction, under the writer lock.

        Raises :class:`LogExistsError` when another writer started a log first: exactly one log-init entry, and
        the keys it names are the keys of whoever won.
        """
        with self._write_transaction() as cur:
            existing = self._scalar(cur, "SELECT value FROM meta WHERE key = 'origin'")
            size = int(self._scalar(cur, "SELECT COALESCE(MAX(seq) + 1, 0) FROM entries"))
            if existing is not None or size:
                raise LogExistsError(
                    f"the store {self.location} already holds a log"
                    + (f" ({existing})" if existing is not None else ""),
                    where="--store / QTRUST_STORE",
                    fix="use that log's keys (copy its keys directory here), or choose another store or ?schema=",
                )
            self._insert_meta(cur, "origin", origin)
            self._insert_meta(cur, "created_at", utc_now())
            return self._append_in(cur, [first], receipt)[0]

    def size(self) -> int:
        rows = self._read("SELECT COALESCE(MAX(seq) + 1, 0) FROM entries")
        return int(rows[0][0])

    def append(self, items: Iterable[tuple[str, bytes]], receipt: ReceiptSigner) -> list[StoredEntry]:
        """Append (kind, envelope bytes) items in one transaction, gap-free, in the given order."""
        items = list(items)
        with self._write_transaction() as cur:
            return self._append_in(cur, items, receipt)

    def _append_in(self, cur, items: list[tuple[str, bytes]], receipt: ReceiptSigner) -> list[StoredEntry]:
        leaves = [merkle.leaf_hash(envelope) for _, envelope in items]
        out = []
        seq = int(self._scalar(cur, "SELECT COALESCE(MAX(seq) + 1, 0) FROM entries"))
        pending: dict[merkle.Coord, bytes] = {}
        for (kind, envelope), leaf in zip(items, leaves, strict=True):
            needed = [c for c in merkle.left_sibling_coords(seq) if c not in pending]
            siblings = {**pending, **(self._fetch_nodes_with(cur, needed) if needed else {})}
            nodes = merkle.nodes_completed_by(seq, leaf, siblings)
            now = utc_now()
            keyid, signature = receipt(seq, leaf, now)
            entry = StoredEntry(seq, kind, envelope, leaf, now, keyid, signature)
            self._insert_entry(cur, entry)
            self._insert_nodes(cur, nodes)
            pending.update(nodes)
            out.append(entry)
            seq += 1
        return out

    def entries(
        self, start: int = 0, end: int | None = None, kind: str | None = None
    ) -> Iterator[StoredEntry]:
        """Entries in order, read a page at a time, each page its own short read.

        Why pages and not one streaming cursor: on PostgreSQL a cursor lives in a transaction, and while a
        caller iterates, anything it does on the same connection would nest in that transaction: a second
        read reuses the cursor's name, and an append becomes a savepoint that commits only when the
        iteration ends (rolled back if it is abandoned) while holding the writer lock.
        """
        sql = "SELECT seq, kind, envelope, leaf_hash, integrated_time, receipt_keyid, receipt FROM entries"
        sql += (
            " WHERE seq >= {p}"
            + ("" if end is None else " AND seq < {p}")
            + ("" if kind is None else " AND kind = {p}")
        )
        sql += f" ORDER BY seq LIMIT {PAGE}"
        extra = (() if end is None else (end,)) + (() if kind is None else (kind,))
        pos = start
        while True:
            rows = self._read(sql, (pos, *extra))
            for row in rows:
                yield entry_from_row(row)
            if len(rows) < PAGE:
                return
            pos = int(rows[-1][0]) + 1

    def entry(self, seq: int) -> StoredEntry | None:
        return next(self.entries(seq, seq + 1), None)

    def fetch_nodes(self, coords: Iterable[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        coords = list(coords)
        with self._read_cursor() as cur:
            return self._fetch_nodes_with(cur, coords)

    @abstractmethod
    def _read_cursor(self): ...

    def add_checkpoint(self, size: int, note: bytes) -> StoredCheckpoint | None:
        """Store a checkpoint unless a newer one (larger size) got there first; then returns None."""
        with self._write_transaction() as cur:
            # sizes grow with idx (this method only ever adds a larger one): the newest row, found by the
            # primary key, has the largest size; MAX(size) would scan every checkpoint on every append
            latest = self._scalar(cur, "SELECT size FROM checkpoints ORDER BY idx DESC LIMIT 1")
            if latest is not None and int(latest) >= size:
                return None
            idx = int(self._scalar(cur, "SELECT COALESCE(MAX(idx) + 1, 0) FROM checkpoints"))
            checkpoint = StoredCheckpoint(idx, size, note, utc_now())
            self._insert_checkpoint(cur, checkpoint)
            return checkpoint

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self._read("SELECT idx, size, note, created_at FROM checkpoints ORDER BY idx")
        return [StoredCheckpoint(int(i), int(s), _blob(n) or b"", str(c)) for i, s, n, c in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The newest checkpoint alone (``checkpoints()[-1]`` reads them all: O(n) on every append)."""
        rows = self._read("SELECT idx, size, note, created_at FROM checkpoints ORDER BY idx DESC LIMIT 1")
        return next((StoredCheckpoint(int(i), int(s), _blob(n) or b"", str(c)) for i, s, n, c in rows), None)

    def add_cosignature(self, size: int, witness: str, lines: str) -> StoredCosignature:
        """Store a witness's cosignature lines on the checkpoint of ``size`` (no log key needed: they verify
        on their own)."""
        with self._write_transaction() as cur:
            idx = int(self._scalar(cur, "SELECT COALESCE(MAX(idx) + 1, 0) FROM cosignatures"))
            cosignature = StoredCosignature(idx, size, witness, lines, utc_now())
            self._insert_cosignature(cur, cosignature)
            return cosignature

    def cosignatures(self) -> list[StoredCosignature]:
        if not self._has_table("cosignatures"):  # a store written before witnesses existed
            return []
        rows = self._read("SELECT idx, size, witness, lines, created_at FROM cosignatures ORDER BY idx")
        return [StoredCosignature(int(i), int(s), str(w), str(t), str(c)) for i, s, w, t, c in rows]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
