"""The prediction log: one row per answered input, for forensics and monitoring, written off the request path.

Each row: request id, time, model version (the artefact's sha256), which path answered and why,
probability, decision, shots and their seeds, backend, latency, the digest of what was sent to the backend,
and later the label. Requests only put rows on a queue; one writer thread commits them in batches (a
transaction per batch, so the log keeps up with the service), and :meth:`PredictionLog.close` drains the
queue before returning, so a clean shutdown (SIGTERM) loses nothing. SQLite by default.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    request_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    time TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    answered_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    probability REAL NOT NULL,
    decision INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    seeds TEXT NOT NULL,
    backend TEXT NOT NULL,
    latency_ms REAL NOT NULL,
    egress_sha256 TEXT,
    label INTEGER,
    PRIMARY KEY (request_id, row)
);
"""


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


_STOP = object()


class PredictionLog:
    """Batched, drained-on-close writes of prediction rows to SQLite."""

    def __init__(self, path: Path, *, batch: int = 500, wait: float = 0.05) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self.path) as db:
            db.executescript(SCHEMA)
        self._queue: queue.Queue = queue.Queue()
        self._batch, self._wait = batch, wait
        self._writer = threading.Thread(target=self._write_loop, name="qtrust-prediction-log", daemon=True)
        self._writer.start()
        self.written = 0

    def add(self, rows: Sequence[PredictionRow]) -> None:
        """Queue rows; returns at once."""
        for row in rows:
            self._queue.put(row)

    def _write_loop(self) -> None:
        db = sqlite3.connect(self.path)
        try:
            stopping = False
            while not stopping:
                item = self._queue.get()
                pending = []
                while True:
                    if item is _STOP:
                        stopping = True
                    else:
                        pending.append(item)
                    if len(pending) >= self._batch:
                        break
                    try:
                        item = self._queue.get(timeout=0 if stopping else self._wait)
                    except queue.Empty:
                        break
                if pending:
                    with db:
                        db.executemany(
                            "INSERT INTO predictions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)",
                            [
                                (*(asdict(r) | {"seeds": json.dumps(list(r.seeds))}).values(),)
                                for r in pending
                            ],
                        )
                    self.written += len(pending)
        finally:
            db.close()

    def close(self) -> None:
        """Write everything queued, then stop the writer."""
        self._queue.put(_STOP)
        self._writer.join()

    def label(self, request_id: str, row: int, label: int) -> bool:
        """Attach the true outcome of an earlier prediction (feedback); False if no such row."""
        with sqlite3.connect(self.path) as db:
            cursor = db.execute(
                "UPDATE predictions SET label = ? WHERE request_id = ? AND row = ?",
                (int(label), request_id, row),
            )
            return cursor.rowcount == 1
