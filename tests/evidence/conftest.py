"""Evidence-log fixtures for both stores, and the tools of an attacker who can write to the database.

``evidence`` gives a fresh workspace with an initialised log (entry 0 is log-init), once on SQLite and
once on PostgreSQL. PostgreSQL is not optional: when the server is unreachable the PostgreSQL cases fail
(CI starts it); each case uses its own schema, dropped afterwards. ``QTRUST_TEST_PG`` overrides the URL.

The attacker (``EvidenceEnv.attacker``) holds database credentials but none of the signing keys: it drops
the guard triggers with plain SQL and then edits, deletes or inserts rows. The log operator, who does hold
the keys, is modelled by the tests themselves (they call ``EvidenceLog`` after the attacker's SQL).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pg_support import drop_schema as drop_pg_schema
from pg_support import new_schema, pg_connect
from pg_support import schema_url as pg_schema_url
from qtrust.encoding import b64decode, b64encode, canonical_json
from qtrust.evidence import EvidenceLog, LogKeys, TrustedKeys, Workspace, verify_log
from qtrust.evidence import statements as st
from qtrust.evidence.verify import KnownCheckpoint, VerifyReport
from qtrust.evidence.view import store_view

PASSPHRASE = b"qtrust test passphrase"
TEST_PREDICATE = "https://qtrust.dev/evidence/test/v1"
BACKENDS = ("sqlite", "postgresql")
ENTRY_COLUMNS = ("kind", "envelope", "leaf_hash", "integrated_time", "receipt_keyid", "receipt")


def statement_for(i: int, tag: str = "t") -> dict[str, Any]:
    """A small in-toto statement that differs by ``i`` and ``tag`` (so forks differ from the original)."""
    return st.statement(
        [st.resource(f"artefact-{tag}-{i}", f"{i % 256:02x}" * 32)], TEST_PREDICATE, {"i": i, "tag": tag}
    )


class Attacker:
    """Raw SQL on the store's database, with no signing key. ``?`` placeholders work on both backends."""

    def __init__(self, env: EvidenceEnv) -> None:
        self.env = env

    def _connect(self):
        if self.env.backend == "sqlite":
            return sqlite3.connect(self.env.home / "evidence.db", timeout=30, isolation_level=None)
        conn = pg_connect()
        conn.execute(f'SET search_path TO "{self.env.schema}"')
        return conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement in its own transaction; returns the rows (if any). Database errors propagate."""
        conn = self._connect()
        try:
            if self.env.backend == "sqlite":
                cur = conn.execute(sql, tuple(params))
                return cur.fetchall()
            cur = conn.execute(sql.replace("?", "%s"), tuple(params))
            return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def triggers(self) -> list[tuple[str, str]]:
        """(trigger, table) of every trigger on the store's tables."""
        if self.env.backend == "sqlite":
            rows = self.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            rows = self.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = ? AND NOT t.tgisinternal",
                (self.env.schema,),
            )
        return [(name, table) for name, table in rows]

    def drop_guards(self) -> None:
        """Drop every guard trigger (append-only and gap-free); nothing is re-created afterwards."""
        found = self.triggers()
        assert found, "the store has no guard triggers to drop"
        for name, table in found:
            if self.env.backend == "sqlite":
                self.execute(f'DROP TRIGGER "{name}"')
            else:
                self.execute(f'DROP TRIGGER "{name}" ON "{table}"')
        assert self.triggers() == []

    # --- row edits (call drop_guards first: the database refuses them otherwise) ---------------------
    def row(self, seq: int) -> dict[str, Any]:
        rows = self.execute(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries WHERE seq = ?", (seq,))
        assert rows, f"no entry {seq}"
        return {
            c: bytes(v) if isinstance(v, bytes | memoryview) else v
            for c, v in zip(ENTRY_COLUMNS, rows[0], strict=True)
        }

    def update_entry(self, seq: int, **values: Any) -> None:
        assert set(values) <= set(ENTRY_COLUMNS)
        sets = ", ".join(f"{c} = ?" for c in values)
        self.execute(f"UPDATE entries SET {sets} WHERE seq = ?", (*values.values(), seq))

    def swap_entries(self, i: int, j: int) -> None:
        """Exchange the full contents of two rows, leaving their sequence numbers in place."""
        a, b = self.row(i), self.row(j)
        self.update_entry(i, **b)
        self.update_entry(j, **a)

    def delete_entries(self, where: str, params: Sequence[Any] = ()) -> None:
        self.execute(f"DELETE FROM entries WHERE {where}", params)

    def truncate_from(self, size: int, *, checkpoints: bool) -> None:
        """Delete entries (and their tree nodes) from ``size`` on; with ``checkpoints``, those covering them."""
        self.delete_entries("seq >= ?", (size,))
        self.execute("DELETE FROM tree_nodes WHERE ((idx + 1) << level) > ?", (size,))
        if checkpoints:
            self.execute("DELETE FROM checkpoints WHERE size > ?", (size,))

    def count(self, table: str) -> int:
        return int(self.execute(f"SELECT COUNT(*) FROM {table}")[0][0])

    @staticmethod
    def edit_envelope(raw: bytes, *, payload=None, sig=None) -> bytes:
        """Re-serialise a DSSE envelope with its payload and/or first signature passed through the functions."""
        doc = json.loads(raw)
        if payload is not None:
            doc["payload"] = b64encode(payload(b64decode(doc["payload"])))
        if sig is not None:
            doc["signatures"][0]["sig"] = b64encode(sig(b64decode(doc["signatures"][0]["sig"])))
        return canonical_json(doc)

    @staticmethod
    def flip_byte(data: bytes, at: int) -> bytes:
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


class EvidenceEnv:
    """One workspace with a log: the log itself (with its keys), how to reopen it, and the attacker."""

    statement = staticmethod(statement_for)
    passphrase = PASSPHRASE

    def __init__(self, backend: str, home: Path, schema: str | None = None) -> None:
        self.backend = backend
        self.home = home
        self.schema = schema
        self.url = pg_schema_url(self.schema) if self.schema else None
        self.ws = Workspace.resolve(home, self.url)
        self._opened: list[EvidenceLog] = []
        self.log, self.keys = self.ws.init(PASSPHRASE)
        self._opened.append(self.log)
        self.attacker = Attacker(self)

    def open_log(self, keys: LogKeys | None = None, *, passphrase: bytes | None = PASSPHRASE) -> EvidenceLog:
        """Another connection to the same log (with the workspace keys, or ``keys``); closed at teardown."""
        log = self.ws.open_log(passphrase if keys is None else None, writable=keys is not None)
        if keys is not None:
            log.keys = keys
        self._opened.append(log)
        return log

    def trusted(self) -> TrustedKeys:
        return self.ws.trusted()

    def fill(self, n: int, *, every: int = 4, tag: str = "t") -> None:
        """Append ``n`` test entries one by one, checkpointing after every ``every``-th (and the last)."""
        first = self.log.size()
        for k in range(n):
            self.log.append(statement_for(first + k, tag), checkpoint=(k + 1) % every == 0 or k == n - 1)

    def verify(
        self, known: Sequence[KnownCheckpoint] = (), trusted: TrustedKeys | None = None
    ) -> VerifyReport:
        log = self.open_log(passphrase=None)  # a fresh reader, as an auditor would open it
        return verify_log(store_view(log), self.trusted() if trusted is None else trusted, known)

    def close(self) -> None:
        for log in self._opened:
            log.store.close()
        self._opened.clear()


@pytest.fixture
def make_evidence(tmp_path) -> Iterator[Callable[[str], EvidenceEnv]]:
    """A factory: ``make_evidence("sqlite" | "postgresql")`` → a fresh workspace with a log; cleaned up after."""
    envs: list[EvidenceEnv] = []
    schemas: list[str] = []

    def make(backend: str) -> EvidenceEnv:
        schema = new_schema() if backend == "postgresql" else None
        if schema:
            schemas.append(schema)
        envs.append(EvidenceEnv(backend, tmp_path / f"home-{len(envs)}", schema))
        return envs[-1]

    try:
        yield make
    finally:
        for env in envs:
            env.close()
        opened = {env.schema for env in envs}
        for schema in schemas:
            try:
                drop_pg_schema(schema)
            except psycopg.OperationalError:
                if schema in opened:  # the server went away mid-test; otherwise setup already failed
                    raise


@pytest.fixture(params=BACKENDS)
def evidence(request, make_evidence) -> EvidenceEnv:
    return make_evidence(request.param)


@pytest.fixture
def pg_evidence(make_evidence) -> EvidenceEnv:
    return make_evidence("postgresql")


@pytest.fixture
def pg_store_url() -> Iterator[Callable[[], str]]:
    """A factory of PostgreSQL store URLs, each with a fresh schema; all are dropped afterwards."""
    created: list[str] = []

    def make() -> str:
        created.append(new_schema())
        return pg_schema_url(created[-1])

    yield make
    for schema in created:
        drop_pg_schema(schema)
