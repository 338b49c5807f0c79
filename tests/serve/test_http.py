"""The guard over HTTP: a real uvicorn server on loopback, a free port, stopped at the end."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.http import create_app


class Down:
    name = "down"

    def probabilities(self, sent):
        raise ConnectionError("no route to backend")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(guard: Guard):
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(guard), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def rows_and_artefact(setup):
    artefact, rows, _ = setup
    return rows, artefact


@pytest.mark.parametrize("backend", ["healthy", "down"])
def test_every_request_is_answered_and_labelled(rows_and_artefact, backend):
    rows, artefact = rows_and_artefact
    guard = Guard(artefact, EngineBackend(artefact.quantum) if backend == "healthy" else Down())
    server, thread, url = _serve(guard)
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
            schema = client.get("/v1/schema").json()
            assert [f["name"] for f in schema["features"]] == list(rows[0])
            for _ in range(10):
                reply = client.post("/v1/predict", json={"rows": rows[:20], "seed": 3})
                assert reply.status_code == 200
                predictions = reply.json()["predictions"]
                assert len(predictions) == 20
                expected = "quantum" if backend == "healthy" else "fallback"
                assert {p["answered_by"] for p in predictions} == {expected}
            bad = client.post("/v1/predict", json={"rows": [{**rows[0], "unknown": 1}]})
            assert bad.status_code == 422
            assert bad.json()["where"] == "rows[0]"
            assert client.post("/v1/predict", content=b"not json").status_code == 422
            assert client.post("/v1/predict", json={"rows": rows[:1], "seed": -1}).json()["where"] == "seed"
            metrics = client.get("/metrics").text
            assert f'qtrust_answers_total{{answered_by="{expected}"}} 200.0' in metrics
            assert "qtrust_rejected_requests_total 3.0" in metrics
            series = [line for line in metrics.splitlines() if line and not line.startswith("#")]
            assert all(line.startswith("qtrust_") for line in series)  # only our own series,
            labelled = [line[line.index("{") + 1 : line.index("}")] for line in series if "{" in line]
            for (
                labels
            ) in labelled:  # labelled by answering path or histogram bucket, never a feature or token
                assert all(label.split("=")[0] in ("answered_by", "le") for label in labels.split(","))
            ready = client.get("/readyz").json()
            assert ready["ready"] is True
            assert ready["quantum_backend"] == ("closed" if backend == "healthy" else "unavailable")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        guard.close()


def test_qtrust_serve_runs_the_artefact_and_stops_on_sigterm(packaged, rows_and_artefact):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from typer.testing import CliRunner

    from qtrust.cli.app import app

    root, env, _ = packaged
    rows, artefact = rows_and_artefact
    made = CliRunner().invoke(app, ["tokens", "create", "--scope", "predict"], env=env)
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    port = _free_port()
    qtrust = str(Path(sys.executable).parent / "qtrust")
    process = subprocess.Popen(
        [qtrust, "serve", str(root / "m.qtrust"), "--port", str(port), "--sha256", artefact.sha256],
        env=os.environ | env | {"OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, reply = time.monotonic() + 30, None
        while time.monotonic() < deadline and reply is None:
            try:
                reply = httpx.post(
                    f"http://127.0.0.1:{port}/v1/predict",
                    json={"rows": rows[:2]},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
            except httpx.TransportError:
                time.sleep(0.2)
        assert reply is not None
        assert reply.status_code == 200
        assert [p["answered_by"] for p in reply.json()["predictions"]] == ["quantum", "quantum"]
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    # a clean stop: uvicorn shuts down, then re-raises the SIGTERM it caught (so the exit status says why)
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Serving vqc (fallback logistic" in output
    assert token not in output  # the server never logs a token
    import sqlite3

    with sqlite3.connect(Path(env["QTRUST_HOME"]) / "predictions.db") as db:  # drained on SIGTERM: none lost
        logged = db.execute("SELECT answered_by, egress_sha256 IS NOT NULL FROM predictions").fetchall()
    assert logged == [("quantum", 1), ("quantum", 1)]
    wrong = subprocess.run(
        [qtrust, "serve", str(root / "m.qtrust"), "--port", str(port), "--sha256", "0" * 64],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2
    assert "is not the pinned" in wrong.stdout + wrong.stderr
