"""The team store: PostgreSQL, for a log that several people and CI runners append to.

Sequence numbers are assigned under a transaction-scoped advisory lock (one per schema), never from a
SEQUENCE, whose values a rolled-back transaction burns. Row triggers abort UPDATE and DELETE, statement
triggers abort TRUNCATE, and an INSERT whose sequence number is not the next one is refused by the
database itself. ``?schema=NAME`` in the URL keeps several logs in one database (default ``qtrust``).

Read-only commands open the connection read-only (``default_transaction_read_only``) and run no DDL: a
verifier needs only SELECT, and a missing schema is reported, never created. Credentials in the URL never
reach output, errors or recorded evidence (:mod:`qtrust.credentials`).
"""

from __future__ import annotations

from contextlib import contextmanager

from qtrust.credentials import redact, scrub
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
from qtrust.store_url import split_url

LOCK_CLASS = 0x7174  # "qt": the first key of pg_advisory_xact_lock(int, int); the second is the schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    envelope BYTEA NOT NULL,
    leaf_hash BYTEA NOT NULL,
    integrated_time TEXT NOT NULL,
    receipt_keyid TEXT NOT NULL,
    receipt BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS tree_nodes (
    level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS checkpoints (
    idx BIGINT PRIMARY KEY, size BIGINT NOT NULL, note BYTEA NOT NULL, created_at TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION qtrust_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'qtrust evidence is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END $$;
CREATE OR REPLACE FUNCTION qtrust_gap_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq) + 1, 0) FROM entries) THEN
        RAISE EXCEPTION 'qtrust evidence: sequence numbers must be gap-free (got %)', NEW.seq;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER entries_gap_free BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION qtrust_gap_free();
"""
COSIGNATURES = """
CREATE TABLE IF NOT EXISTS cosignatures (
    idx BIGINT PRIMARY KEY, size BIGINT NOT NULL, witness TEXT NOT NULL, lines TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE OR REPLACE TRIGGER cosignatures_no_change BEFORE UPDATE OR DELETE ON cosignatures
FOR EACH ROW EXECUTE FUNCTION qtrust_refuse();
CREATE OR REPLACE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures
FOR EACH STATEMENT EXECUTE FUNCTION qtrust_refuse();
"""
for _table in TABLES[:4]:
    SCHEMA += (
        f"CREATE OR REPLACE TRIGGER {_table}_no_change BEFORE UPDATE OR DELETE ON {_table} "
        f"FOR EACH ROW EXECUTE FUNCTION qtrust_refuse();\n"
        f"CREATE OR REPLACE TRIGGER {_table}_no_truncate BEFORE TRUNCATE ON {_table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION qtrust_refuse();\n"
    )


class PostgresStore(EvidenceStore):
    def __init__(self, url: str, *, connect_timeout: int = 5, read_only: bool = False) -> None:
        import psycopg

        conninfo, self.schema = split_url(url)
        self.location = f"{redact(conninfo)} (schema {self.schema})"
        self.read_only = read_only
        try:
            self._conn = psycopg.connect(conninfo, connect_timeout=connect_timeout, autocommit=False)
            self._conn.read_only = read_only  # every transaction of a reader is READ ONLY
        except psycopg.Error as error:
            text = str(error).strip()
            reason = text.splitlines()[0] if text else type(error).__name__
            raise InputError(
                f"cannot connect to PostgreSQL at {redact(conninfo)}: {scrub(reason, url)}",
                where="--store / QTRUST_STORE",
                fix="check the host, port, database and credentials, and that the server is running",
            ) from None
        with self._conn.cursor() as cur:
            cur.execute("SELECT hashtext(%s)", (self.schema,))
            self._lock_key = cur.fetchone()[0]
            if read_only:
                cur.execute(
                    "SELECT to_regclass(%s), to_regclass(%s)",
                    (f'"{self.schema}".entries', f'"{self.schema}".cosignatures'),
                )
                found = cur.fetchone()
                self._tables = {t for t, oid in zip(("entries", "cosignatures"), found, strict=True) if oid}
            else:
                cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self._lock_key))
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            cur.execute(f'SET search_path TO "{self.schema}"')
            if not read_only:
                if cur.execute("SELECT to_regclass('entries') IS NULL").fetchone()[0]:
                    cur.execute(SCHEMA)
                if cur.execute("SELECT to_regclass('cosignatures') IS NULL").fetchone()[0]:
                    cur.execute(COSIGNATURES)
        self._conn.commit()
        if read_only and "entries" not in self._tables:
            self._conn.close()
            raise InputError(
                f"no qtrust evidence log in schema {self.schema!r} of {redact(conninfo)}",
                where="--store / QTRUST_STORE",
                fix="check the database and ?schema= (a read-only command creates nothing)",
            )

    @contextmanager
    def _write_transaction(self):
        if self.read_only:
            raise read_only_refusal(self.location)
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self._lock_key))
            yield cur

    @contextmanager
    def _read_cursor(self):
        with self._conn.transaction(), self._conn.cursor() as cur:
            yield cur

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._read_cursor() as cur:
            return cur.execute(sql.format(p="%s"), params).fetchall()

    def _has_table(self, name: str) -> bool:
        return name in self._tables if self.read_only else True

    def _scalar(self, cursor, sql: str) -> object:
        row = cursor.execute(sql).fetchone()
        return row[0] if row else None

    def _fetch_nodes_with(self, cursor, coords: list[merkle.Coord]) -> dict[merkle.Coord, bytes]:
        if not coords:
            return {}
        levels = [lv for lv, _ in coords]
        idxs = [i for _, i in coords]
        rows = cursor.execute(
            "SELECT n.level, n.idx, n.hash FROM tree_nodes n "
            "JOIN unnest(%s::int[], %s::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx",
            (levels, idxs),
        ).fetchall()
        out = {(int(lv), int(i)): bytes(h) for lv, i, h in rows}
        missing = [c for c in coords if c not in out]
        if missing:
            raise LookupError(f"tree node {missing[0]} is missing from {self.location}")
        return out

    def _insert_entry(self, cursor, e: StoredEntry) -> None:
        cursor.execute(
            "INSERT INTO entries VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (e.seq, e.kind, e.envelope, e.leaf_hash, e.integrated_time, e.receipt_keyid, e.receipt),
        )

    def _insert_nodes(self, cursor, nodes: list[tuple[merkle.Coord, bytes]]) -> None:
        cursor.executemany("INSERT INTO tree_nodes VALUES (%s, %s, %s)", [(lv, i, h) for (lv, i), h in nodes])

    def _insert_checkpoint(self, cursor, c: StoredCheckpoint) -> None:
        cursor.execute(
            "INSERT INTO checkpoints VALUES (%s, %s, %s, %s)", (c.idx, c.size, c.note, c.created_at)
        )

    def _insert_cosignature(self, cursor, c: StoredCosignature) -> None:
        cursor.execute(
            "INSERT INTO cosignatures VALUES (%s, %s, %s, %s, %s)",
            (c.idx, c.size, c.witness, c.lines, c.created_at),
        )

    def _insert_meta(self, cursor, key: str, value: str) -> None:
        cursor.execute("INSERT INTO meta VALUES (%s, %s)", (key, value))

    def close(self) -> None:
        self._conn.close()
