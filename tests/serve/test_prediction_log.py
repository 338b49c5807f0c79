"""The prediction log: batched off the request path, nothing lost on close, labels attached later."""

from __future__ import annotations

import sqlite3
import threading

from qtrust.serve.prediction_log import PredictionLog, PredictionRow


def _row(request: str, row: int) -> PredictionRow:
    return PredictionRow(
        request, row, "2026-12-07T00:00:00", "ab" * 32, "quantum", "exact", 0.7, 1, 0, (), "engine", 1.5
    )


def test_rows_from_many_threads_are_all_written_by_close(tmp_path):
    log = PredictionLog(tmp_path / "predictions.db", batch=64, wait=0.01)

    def client(name: str) -> None:
        for i in range(250):
            log.add([_row(f"{name}-{i}", r) for r in range(4)])

    threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.close()
    with sqlite3.connect(tmp_path / "predictions.db") as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT request_id) FROM predictions").fetchone() == (
            4000,
            1000,
        )
    assert log.written == 4000


def test_feedback_labels_an_earlier_prediction(tmp_path):
    log = PredictionLog(tmp_path / "p.db")
    log.add([_row("r1", 0), _row("r1", 1)])
    log.close()
    assert log.label("r1", 1, 0)
    assert not log.label("r2", 0, 1)
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert db.execute("SELECT row, label FROM predictions ORDER BY row").fetchall() == [(0, None), (1, 0)]
