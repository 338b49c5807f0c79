"""The guard over HTTP: a real uvicorn server on loopback, a free port, stopped at the end."""

from __future__ import annotations

import time

import httpx
import pytest

from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.http import create_app
from qtrust.workflow.loopback import free_port, served


class Down:
    name = "down"

    def probabilities(self, sent):
        raise ConnectionError("no route to backend")


@pytest.fixture(scope="module")
def rows_and_artefact(setup):
    artefact, rows, _ = setup
    return rows, artefact


@pytest.mark.parametrize("backend", ["healthy", "down"])
def test_every_request_is_answered_and_labelled(rows_and_artefact, backend):
    rows, artefact = rows_and_artefact
    guard = Guard(artefact, EngineBackend(artefact.quantum) if backend == "healthy" else Down())
    try:
        with (
            served(create_app(guard), "qtrust-http-test") as url,
            httpx.Client(base_url=url, timeout=10) as client,
        ):
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
        guard.close()


def test_qtrust_serve_records_its_deployment_serves_https_and_drains_on_sigterm(
    packaged, rows_and_artefact, tmp_path
):
    import json
    import os
    import signal
    import sqlite3
    import ssl
    import subprocess
    import sys
    from pathlib import Path

    from typer.testing import CliRunner

    from qtrust.cli.app import app
    from tls_certificates import make_certificate

    root, env, _ = packaged
    rows, artefact = rows_and_artefact
    runner = CliRunner()
    tokens = []
    for scope in ("predict", "feedback"):
        made = runner.invoke(app, ["tokens", "create", "--scope", scope], env=env)
        assert made.exit_code == 0, made.output
        tokens.append(made.output.strip().splitlines()[-1])
    cert, key = make_certificate(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    port = free_port()
    qtrust = str(Path(sys.executable).parent / "qtrust")
    command = [qtrust, "serve", str(root / "m.qtrust"), "--port", str(port), "--sha256", artefact.sha256]
    process = subprocess.Popen(
        [*command, "--tls-cert", str(cert), "--tls-key", str(key), "--shots", "200"],
        env=os.environ | env | {"OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"https://127.0.0.1:{port}"
    try:
        deadline, reply = time.monotonic() + 30, None
        while time.monotonic() < deadline and reply is None:
            try:
                reply = httpx.post(
                    f"{base}/v1/predict",
                    json={"rows": rows[:2], "seed": 4},
                    headers={"Authorization": f"Bearer {tokens[0]}"},
                    timeout=5,
                    verify=trust,
                )
            except httpx.TransportError:
                time.sleep(0.2)
        assert reply is not None
        assert reply.status_code == 200
        assert {p["answered_by"] for p in reply.json()["predictions"]} <= {"quantum", "fallback"}
        assert all(p["shots"] >= 200 for p in reply.json()["predictions"])
        labelled = httpx.post(
            f"{base}/v1/feedback",
            json={"labels": [{"request_id": reply.json()["request_id"], "row": 1, "label": 1}]},
            headers={"Authorization": f"Bearer {tokens[1]}"},
            timeout=5,
            verify=trust,
        )
        assert labelled.json()["labelled"] == 1
        with pytest.raises(httpx.TransportError):  # no plain HTTP on a TLS port
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    # a clean stop: uvicorn shuts down, then re-raises the SIGTERM it caught (so the exit status says why)
    assert process.returncode in (0, -signal.SIGTERM), output
    assert f"on https://127.0.0.1:{port}; deployment recorded as entry" in output
    assert not any(token in output for token in tokens)  # the server never logs a token,
    numbers = [str(v) for row in rows[:2] for v in row.values() if isinstance(v, float)]  # 10-digit values
    assert numbers
    assert not any(number in output for number in numbers)  # nor a feature value it was sent
    with sqlite3.connect(Path(env["QTRUST_HOME"]) / "predictions.db") as db:  # drained on SIGTERM: none lost
        logged = db.execute(
            "SELECT egress_sha256 IS NOT NULL, seed, label FROM predictions "
            'WHERE model_sha256 = ? ORDER BY "row"',
            (artefact.sha256,),
        ).fetchall()
    assert logged[-2:] == [(1, 4, None), (1, 4, 1)]
    seq = int(output.split("deployment recorded as entry ")[1].split()[0])
    shown = runner.invoke(app, ["log", "show", str(seq)], env=env)
    deployment = json.loads(shown.stdout)
    assert deployment["predicateType"] == "https://qtrust.dev/evidence/deployment/v1"
    predicate = deployment["predicate"]
    assert predicate["artefact"]["sha256"] == artefact.sha256
    assert predicate["audit"]["seq"] == artefact.manifest["audit"]["evidence_entry"]
    assert predicate["service"] | {"port": 0, "prediction_log": ""} == {
        "host": "127.0.0.1",
        "port": 0,
        "tls": True,
        "backend": "qtrust-engine",
        "noise": None,
        "shots": 200,
        "shot_budget": 8000,
        "confidence": 0.95,
        "latency_budget_s": 2.0,
        "max_rows": 1000,
        "rate_per_s": 50.0,
        "burst": 100,
        "pad_ms": None,
        "discloses_answering_model": True,
        "auth": "tokens",
        "prediction_log": "",
    }
    verified = runner.invoke(app, ["verify"], env=env)
    assert verified.exit_code == 0, verified.output
    wrong = subprocess.run(
        [*command[:-1], "0" * 64],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2
    assert "is not the pinned" in wrong.stdout + wrong.stderr
