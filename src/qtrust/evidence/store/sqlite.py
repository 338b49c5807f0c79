"""The default store: one SQLite file, ``<home>/evidence.db``.

One writer at a time: every append runs in ``BEGIN IMMEDIATE``, which takes SQLite's write lock before the
next sequence number is read, so concurrent processes queue instead of racing. ``synchronous=FULL`` makes
a committed entry survive a power cut. Triggers abort every UPDATE and DELETE (and an INSERT OR REPLACE
onto an existing row), and an INSERT whose sequence number is not the next one.

Why a rollback journal (``TRUNCATE``) and not WAL: a reader of a WAL database creates ``-wal`` and ``-shm``
files beside it, so an auditor with read access only could not verify, and a read-only command would write.
With a rollback journal a reader opened ``mode=ro`` creates nothing and takes only a shared lock; a
writer waits (``busy_timeout``) for the page-sized reads of a verifier to finish. A store written in WAL
mode by an earlier qtrust is switched on its next write; until then a reader opens it immutable when no
writer is active (no ``-wal`` file), and read-only otherwise.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from qtrust.errors import InputError
from qtrust.evidence import merkle
from qtrust.evidence.store.base import (
    TABLES,
    EvidenceStore,
    StoredCheckpoint,
    StoredCosignature,
    StoredEntry,
    read_only_refusal,
)

BUSY_MS = 120_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    envelope BLOB NOT NULL,
    leaf_hash BLOB NOT NULL,
    integrated_time TEXT NOT NULL,
    receipt_keyid TEXT NOT NULL,
    receipt BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tree_nodes (
    level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    idx INTEGER PRIMARY KEY, size INTEGER NOT NULL, note BLOB NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cosignatures (
    idx INTEGER PRIMARY KEY, size INTEGER NOT NULL, witness TEXT NOT NULL, lines TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_gap_free BEFORE INSERT ON entries
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq) + 1, 0) FROM entries)
BEGIN SELECT RAISE(ABORT, 'qtrust evidence: sequence numbers must be gap-free'); END;
"""
for _table in TABLES:
    for _op in ("UPDATE", "DELETE"):
        SCHEMA += (
            f"CREATE TRIGGER IF NOT EXISTS {_table}_no_{_op.lower()} BEFORE {_op} ON {_table} "
            f"BEGIN SELECT RAISE(ABORT, 'qtrust evidence is append-only: {_op} on {_table} refused'); END;\n"
        )
# INSERT OR REPLACE deletes the row it collides with without firing DELETE triggers (unless the connection
# turned recursive_triggers on), so an insert onto an existing key is refused before conflict resolution.
# (entries needs no such trigger: the gap-free one already refuses any seq that exists.)
for _table, _key in (
    ("meta", "key"),
    ("tree_nodes", "level, idx"),
    ("checkpoints", "idx"),
    ("cosignatures", "idx"),
):
    _match = " AND ".join(f"{c} = NEW.{c}" for c in _key.split(", "))
    SCHEMA += (
        f"CREATE TRIGGER IF NOT EXISTS {_table}_no_replace BEFORE INSERT ON {_table} "
        f"WHEN EXISTS (SELECT 1 FROM {_table} WHERE {_match}) "
        f"BEGIN SELECT RAISE(ABORT, 'qtrust evidence is append-only: REPLACE on {_table} refused'); END;\n"
    )


def _unusable(path: Path, error: Exception) -> InputError:
    return InputError(
        f"{path} is not a usable SQLite evidence store: {error}",
        where="--home / QTRUST_HOME",
        fix="point qtrust at the directory that holds the log, or restore evidence.db from a backup",
    )


def _is_wal(path: Path) -> bool:
    """Whether the database header says WAL (bytes 18-19 are 2): a store from an earlier qtrust."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2


class SQLiteStore(EvidenceStore):
    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = read_only
        if not self.path.is_file() and (read_only or not create):
            raise InputError(
                f"no evidence log at {self.path}",
                where="--home / QTRUST_HOME",
                fix="run a command that records evidence first, e.g. `qtrust keys init`",
            )
        if read_only:
            self._conn = self._open_read_only()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(
                f"cannot create the evidence directory {self.path.parent}: {error.strerror or error}",
                where="--home / QTRUST_HOME",
                fix="point --home / QTRUST_HOME at a directory you can write",
            ) from None
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            self._conn.execute("PRAGMA journal_mode=TRUNCATE")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(f"BEGIN IMMEDIATE;{SCHEMA}COMMIT;")
        except sqlite3.DatabaseError as error:
            raise _unusable(self.path, error) from None

    def _open_read_only(self) -> sqlite3.Connection:
        """Open without creating or changing anything: no schema script, no journal, no -wal / -shm."""
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        if _is_wal(self.path) and not Path(f"{self.path}-wal").exists():
            uri += "&immutable=1"  # a WAL store with no writer active: reading it creates no -shm file
        try:
            conn = sqlite3.connect(
                uri, uri=True, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as error:
            raise _unusable(self.path, error) from None
        missing = [t for t in TABLES[:4] if t not in names]
        if missing:
            conn.close()
            raise _unusable(self.path, ValueError(f"tables {', '.join(missing)} are missing"))
        self._tables = names
        return conn

    @contextmanager
    def _write_transaction(self):
        if self.read_only:
            raise read_only_refusal(self.location)
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    @contextmanager
    def _read_cursor(self):
        yield self._conn.cursor()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql.format(p="?"), params).fetchall()
        except sqlite3.DatabaseError as error:
            raise _unusable(self.path, error) from None

    def _has_table(self, name: str) -> bool:
        if self.read_only:
            return name in self._tables
        return True  # the writer's schema script creates every table

    def _scalar(self, cursor, sql: str) -> object:
        row = cursor.execute(sql).fetchone()
        return row[0] if row else None

    def _fetch_nodes_with(self, cursor, coords: list[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        out = {}
        for level, idx in coords:
            row = cursor.execute(
                "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?", (level, idx)
            ).fetchone()
            if row is None or not isinstance(row[0], bytes):
                raise LookupError(f"tree node ({level}, {idx}) is missing from {self.location}")
            out[(level, idx)] = bytes(row[0])
        return out

    def _insert_entry(self, cursor, e: StoredEntry) -> None:
        cursor.execute(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            (e.seq, e.kind, e.envelope, e.leaf_hash, e.integrated_time, e.receipt_keyid, e.receipt),
        )

    def _insert_nodes(self, cursor, nodes: list[tuple[merkle.Coord, bytes]]) -> None:
        cursor.executemany("INSERT INTO tree_nodes VALUES (?, ?, ?)", [(lv, i, h) for (lv, i), h in nodes])

    def _insert_checkpoint(self, cursor, c: StoredCheckpoint) -> None:
        cursor.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", (c.idx, c.size, c.note, c.created_at))

    def _insert_cosignature(self, cursor, c: StoredCosignature) -> None:
        cursor.execute(
            "INSERT INTO cosignatures VALUES (?, ?, ?, ?, ?)",
            (c.idx, c.size, c.witness, c.lines, c.created_at),
        )

    def _insert_meta(self, cursor, key: str, value: str) -> None:
        cursor.execute("INSERT INTO meta VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self._conn.close()
