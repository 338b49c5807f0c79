"""The prediction log: batched off the request path, nothing lost on close, labels attached later — on
SQLite and on PostgreSQL (the same ``--store`` convention as the evidence log)."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from pg_support import drop_schema, new_schema, pg_connect, schema_url
from qtrust.errors import InputError
from qtrust.serve.prediction_log import COLUMNS, PredictionLog, PredictionRow


def _row(request: str, row: int, group: str | None = None) -> PredictionRow:
    return PredictionRow(
        request,
        row,
        "2026-12-07T00:00:00",
        "ab" * 32,
        "quantum",
        "exact",
        0.7,
        1,
        100,
        (11, 12),
        "engine",
        1.5,
        "cd" * 32,
        seed=7,
        group=group,
        classical_probability=0.25,
        rollout="r1@5%",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def opened(request, tmp_path):
    """(a factory of logs on one store, a function that runs SQL on that store)."""
    if request.param == "sqlite":
        path = tmp_path / "predictions.db"

        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield (lambda **kw: PredictionLog(store=None, home=tmp_path, **kw)), query
        return
    schema = new_schema()

    def query(sql: str) -> list[tuple]:
        with pg_connect() as db:
            db.execute(f'SET search_path TO "{schema}"')
            return db.execute(sql).fetchall()

    yield (lambda **kw: PredictionLog(store=schema_url(schema), **kw)), query
    drop_schema(schema)


def test_rows_from_many_threads_are_all_written_by_close(opened):
    open_log, query = opened
    log = open_log(batch=64, wait=0.01)

    def client(name: str) -> None:
        for i in range(100):
            log.add([_row(f"{name}-{i}", r) for r in range(4)])

    threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    assert query("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM predictions") == [(1600, 400)]
    assert log.written == 1600


def test_every_field_is_stored_and_a_label_is_set_once(opened):
    open_log, query = opened
    log = open_log()
    log.add([_row("r1", 0, group="female"), _row("r1", 1)])
    log.flush()  # feedback may follow its request at once: flush makes the rows visible
    assert log.label("r1", 1, 0) == "labelled"
    assert log.label("r1", 1, 0) == "unchanged"
    assert log.label("r1", 1, 1) == "conflict"  # the first label stays
    assert log.label("r2", 0, 1) == "unknown"
    log.close()
    stored = query('SELECT * FROM predictions ORDER BY "row"')
    first = dict(zip(COLUMNS, stored[0], strict=True))
    assert first | {"probability": 0.7} == {
        "request_id": "r1",
        "row": 0,
        "time": "2026-12-07T00:00:00",
        "model_sha256": "ab" * 32,
        "answered_by": "quantum",
        "reason": "exact",
        "probability": 0.7,
        "decision": 1,
        "shots": 100,
        "seeds": "[11, 12]",
        "backend": "engine",
        "latency_ms": 1.5,
        "egress_sha256": "cd" * 32,
        "seed": 7,
        "group": "female",
        "classical_probability": 0.25,
        "rollout": "r1@5%",
        "label": None,
        "labelled_at": None,
    }
    assert json.loads(first["seeds"]) == [11, 12]
    second = dict(zip(COLUMNS, stored[1], strict=True))
    assert (second["group"], second["label"]) == (None, 0)
    assert second["labelled_at"] is not None


def test_a_log_with_other_columns_is_refused_not_mixed(tmp_path):
    with sqlite3.connect(tmp_path / "predictions.db") as db:
        db.execute("CREATE TABLE predictions (request_id TEXT, row INTEGER)")
    with pytest.raises(InputError, match="move the old predictions") as caught:
        PredictionLog(home=tmp_path)
    assert "request_id" in caught.value.problem


def test_an_unreachable_database_is_named_without_its_password():
    with pytest.raises(InputError, match="cannot connect to PostgreSQL") as caught:
        PredictionLog(store="postgresql://postgres:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in str(caught.value)
