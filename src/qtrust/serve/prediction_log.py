"""The prediction log: one row per answered input, for forensics and monitoring, written off the request path.

Each row: request id, time, model version (the artefact's sha256), which path answered and why,
probability, decision, shots, the request's seed and the seeds of every draw, backend, latency, the digest
of what was sent to the backend, the caller's group (kept on the server: it never reaches the backend), and
later the label with the time it arrived. Requests only put rows on a queue; one writer thread commits them
in batches (a transaction per batch, so the log keeps up with the service), and :meth:`PredictionLog.close`
drains the queue before returning, so a clean shutdown (SIGTERM) loses nothing.

Where it lives follows the evidence store's ``--store`` convention: SQLite ``predictions.db`` in the home by
default, ``postgresql://…[?schema=name]`` for a database the monitoring jobs of several replicas share
(table ``predictions`` in that schema, beside the evidence tables), ``sqlite:///path`` for another file.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from qtrust.credentials import redact, scrub
from qtrust.errors import InputError
from qtrust.store_url import POSTGRES_SCHEMES, split_url


@dataclass(frozen=True)
class PredictionRow:
    request_id: str
    row: int
    time: str
    model_sha256: str
    answered_by: str
    reason: str
    probability: float
    decision: int
    shots: int
    seeds: tuple[int, ...]
    backend: str
    latency_ms: float
    egress_sha256: str | None = None
    seed: int = 0
    group: str | None = None
    classical_probability: float | None = (
        None  # the classical model on the same row: agreement, shadow metrics
    )
    rollout: str | None = None  # the rollout step that routed the request (e.g. "r1@5%")


COLUMNS = (*(f.name for f in fields(PredictionRow)), "label", "labelled_at")
_QUOTED = ", ".join(f'"{c}"' for c in COLUMNS[:-2])  # "group" and "row" are SQL keywords
_TYPES = {
    "row": "INTEGER NOT NULL",
    "probability": "{real} NOT NULL",
    "decision": "INTEGER NOT NULL",
    "shots": "INTEGER NOT NULL",
    "latency_ms": "{real} NOT NULL",
    "seed": "BIGINT NOT NULL",
    "egress_sha256": "TEXT",
    "group": "TEXT",
    "classical_probability": "{real}",
    "rollout": "TEXT",
    "label": "INTEGER",
    "labelled_at": "TEXT",
}


def _ddl(real: str) -> str:
    columns = ",\n    ".join(f'"{c}" {_TYPES.get(c, "TEXT NOT NULL").format(real=real)}' for c in COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS predictions (\n    {columns},\n    PRIMARY KEY (request_id, row)\n)"


LabelOutcome = Literal["labelled", "unchanged", "conflict", "unknown"]


class _Backend:
    """One SQL dialect: how to connect and which placeholder it uses."""

    placeholder = "?"
    location = ""

    def connect(self) -> Any:
        raise NotImplementedError


class _SQLite(_Backend):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def connect(self) -> Any:
        db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute(_ddl("REAL"))
        db.commit()
        return db


class _Postgres(_Backend):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.url = url
        self.conninfo, self.schema = split_url(url)
        self.location = f"{redact(self.conninfo)} (schema {self.schema})"

    def connect(self) -> Any:
        import psycopg

        try:
            db = psycopg.connect(self.conninfo, connect_timeout=5, autocommit=False)
        except psycopg.Error as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise InputError(
                f"cannot connect to PostgreSQL at {redact(self.conninfo)}: {scrub(reason, self.url)}",
                where="--store / QTRUST_STORE",
                fix="check the host, port, database and credentials, and that the server is running",
            ) from None
        with db.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            cur.execute(f'SET search_path TO "{self.schema}"')
            cur.execute(_ddl("DOUBLE PRECISION"))
        db.commit()
        return db


def _backend(location: str | None, home: Path) -> _Backend:
    if not location:
        return _SQLite(Path(home) / "predictions.db")
    if location.startswith(POSTGRES_SCHEMES):
        return _Postgres(location)
    if location.startswith("sqlite:///"):
        return _SQLite(Path(location.removeprefix("sqlite:///")).with_name("predictions.db"))
    raise InputError(
        f"unknown store {redact(location)!r}",
        where="--store / QTRUST_STORE",
        fix="use postgresql://user@host:port/db (optionally ?schema=name) or sqlite:///path/to/evidence.db",
    )


def _check_columns(db: Any, location: str) -> None:
    cursor = db.cursor()
    cursor.execute("SELECT * FROM predictions WHERE 1 = 0")
    found = tuple(d[0] for d in cursor.description)
    cursor.close()
    if found != COLUMNS:
        raise InputError(
            f"the prediction log at {location} has columns {list(found)}, not the {len(COLUMNS)} this qtrust "
            "writes",
            where="--store / --home",
            fix="move the old predictions table or file aside (it is kept for forensics), then start again",
        )


_STOP = object()
_FLUSH = object()  # commit what is pending now (someone waits for it), without waiting for a fuller batch


def _values(row: PredictionRow) -> tuple[Any, ...]:
    """The row as stored: seeds as a JSON list."""
    return tuple(
        json.dumps(list(row.seeds)) if f.name == "seeds" else getattr(row, f.name) for f in fields(row)
    )


class PredictionLog:
    """Batched, drained-on-close writes of prediction rows; labels attached later (feedback)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        store: str | None = None,
        home: Path | None = None,
        batch: int = 500,
        wait: float = 0.05,
    ) -> None:
        """``path``: a SQLite file; else ``store`` (a ``--store`` URL) with ``home`` for the default file."""
        self._db = _SQLite(path) if path is not None else _backend(store, Path(home or "."))
        self.location = self._db.location
        connection = self._db.connect()  # fails here, at start-up, not in the writer thread
        _check_columns(connection, self.location)
        self._queue: queue.Queue = queue.Queue()
        self._batch, self._wait = batch, wait
        self._label_lock = threading.Lock()
        self._label_db: Any = None
        self.written = 0
        self._insert = (
            f"INSERT INTO predictions ({_QUOTED}) "
            f"VALUES ({', '.join([self._db.placeholder] * (len(COLUMNS) - 2))})"
        )
        self._writer = threading.Thread(
            target=self._write_loop, args=(connection,), name="qtrust-prediction-log", daemon=True
        )
        self._writer.start()

    def add(self, rows: Sequence[PredictionRow]) -> None:
        """Queue rows; returns at once."""
        for row in rows:
            self._queue.put(row)

    def _write_loop(self, db: Any) -> None:
        try:
            stopping = False
            while not stopping:
                item = self._queue.get()
                pending, taken = [], 1
                while True:
                    if item is _STOP:
                        stopping = True
                    elif item is not _FLUSH:
                        pending.append(item)
                    if len(pending) >= self._batch or item is _FLUSH:
                        break
                    try:
                        item = self._queue.get(timeout=0 if stopping else self._wait)
                        taken += 1
                    except queue.Empty:
                        break
                if pending:
                    cursor = db.cursor()
                    cursor.executemany(
                        self._insert,
                        [_values(r) for r in pending],
                    )
                    cursor.close()
                    db.commit()
                    self.written += len(pending)
                for _ in range(taken):
                    self._queue.task_done()
        finally:
            db.close()

    def flush(self) -> None:
        """Wait until every row queued so far is committed (feedback may name a request just answered)."""
        self._queue.put(_FLUSH)
        self._queue.join()

    def close(self) -> None:
        """Write everything queued, then stop the writer."""
        self._queue.put(_STOP)
        self._writer.join()
        with self._label_lock:
            if self._label_db is not None:
                self._label_db.close()
                self._label_db = None

    def read(self, *, rollout_id: str, since: str) -> list[dict[str, Any]]:
        """Rows a rollout routed at or after ``since`` (an ISO time), as dicts of the log's columns, in time
        order; what the rollout controller judges a step on."""
        p = self._db.placeholder
        since = datetime.fromisoformat(since).astimezone(UTC).isoformat(timespec="milliseconds")
        with self._label_lock:
            if self._label_db is None:
                self._label_db = self._db.connect()
            cursor = self._label_db.cursor()
            try:
                cursor.execute(
                    f"SELECT * FROM predictions WHERE rollout LIKE {p} AND time >= {p} ORDER BY time, request_id",
                    (f"{rollout_id}@%", since),
                )
                found = cursor.fetchall()
            finally:
                cursor.close()
                self._label_db.commit()
        return [dict(zip(COLUMNS, row, strict=True)) for row in found]

    def label(self, request_id: str, row: int, label: int) -> LabelOutcome:
        """Attach the true outcome of an earlier prediction (feedback).

        A label is set once: the same label again is ``unchanged``; a different one is a ``conflict`` and
        changes nothing (the first answer stays, as forensics needs); ``unknown`` when no such row exists.
        """
        p = self._db.placeholder
        with self._label_lock:
            if self._label_db is None:
                self._label_db = self._db.connect()
            db = self._label_db
            cursor = db.cursor()
            try:
                cursor.execute(
                    f'SELECT label FROM predictions WHERE request_id = {p} AND "row" = {p}',
                    (request_id, row),
                )
                found = cursor.fetchone()
                if found is None:
                    return "unknown"
                if found[0] is not None:
                    return "unchanged" if int(found[0]) == int(label) else "conflict"
                cursor.execute(
                    f"UPDATE predictions SET label = {p}, labelled_at = {p} "
                    f'WHERE request_id = {p} AND "row" = {p} AND label IS NULL',
                    (int(label), datetime.now(UTC).isoformat(timespec="milliseconds"), request_id, row),
                )
                return "labelled"
            finally:
                cursor.close()
                db.commit()
