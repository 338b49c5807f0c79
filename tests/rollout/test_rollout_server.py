"""``qtrust serve --rollout``: the controller promotes on live traffic, and a restarted server resumes the
rollout at the step the log says (the flag does not fall back to the first step)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml
from rollout_support import LOG_SECRET, as_person

from qtrust.rollout.cohorts import in_canary
from qtrust.workflow import rollout
from qtrust.workflow.loopback import free_port

LENIENT = {  # the tiny model is no credit model: these SLOs test the mechanics, not the model
    "accuracy_drop": 0.9,
    "equalized_odds_gap": 0.99,
    "demographic_parity_gap": 0.99,
    "min_agreement": 0.0,
    "p99_latency_ms": 5_000,
}


def _serve(artefact: Path, port: int, env: dict[str, str]) -> subprocess.Popen:
    qtrust = str(Path(sys.executable).parent / "qtrust")
    return subprocess.Popen(
        [
            qtrust,
            "serve",
            str(artefact),
            "--port",
            str(port),
            "--no-auth",
            "--rollout",
            "R-0001",
            "--rate",
            "1000",
            "--burst",
            "1000",
        ],
        env=os.environ | env | {"OMP_NUM_THREADS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            client.get("/healthz")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_the_controller_promotes_and_a_restart_resumes_the_step(deployed, setup, tmp_path):
    session, deployment, artefact, _ = deployed
    _, rows, _ = setup
    plan = tmp_path / "lenient.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "restart-test",
                "steps": [50, 100],
                "min_requests": 40,
                "min_labels": 30,
                "interval_s": 0.5,
                "approval_from": None,
                "slos": LENIENT,
            }
        )
    )
    rollout.start_rollout(as_person(session, "alice"), "alice", plan, deployment)
    env = {"QTRUST_HOME": str(session.workspace.home), "QTRUST_KEY_PASSPHRASE": LOG_SECRET.decode()}
    port = free_port()
    server = _serve(artefact, port, env)
    groups = ["privileged", "unprivileged"]
    users = [f"user-{i}" for i in range(160)]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            _wait_ready(client)
            answered = {}
            for i, user in enumerate(users):
                body = {
                    "rows": [{**rows[i % len(rows)], "group": groups[i % 2]}],
                    "context": {"targeting_key": user},
                }
                reply = client.post("/v1/predict", json=body).json()
                answered[user] = reply
            labels = [
                {"request_id": r["request_id"], "row": 0, "label": r["predictions"][0]["decision"]}
                for r in answered.values()
            ]
            assert client.post("/v1/feedback", json={"labels": labels}).json()["labelled"] == len(labels)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and rollout.rollout_state(session, "R-0001").percent < 100:
                time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        first_output = server.communicate(timeout=30)[0]
    for user, reply in answered.items():  # each user got their cohort's model
        expected = "quantum" if in_canary(user, "R-0001", 50) else "classical"
        assert reply["predictions"][0]["answered_by"] in (
            {expected, "fallback"} if expected == "quantum" else {expected}
        )
    state = rollout.rollout_state(session, "R-0001")
    assert (state.percent, state.status) == (100, "running"), first_output
    assert "rollout R-0001: promote" in first_output
    restarted = _serve(artefact, port, env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            _wait_ready(client)
            was_classical = next(u for u in users if not in_canary(u, "R-0001", 50))
            body = {"rows": rows[:1], "context": {"targeting_key": was_classical}}
            again = client.post("/v1/predict", json=body).json()["predictions"][0]
    finally:
        restarted.send_signal(signal.SIGTERM)
        second_output = restarted.communicate(timeout=30)[0]
    assert "Rollout R-0001 resumes running at 100%" in second_output
    assert again["answered_by"] in ("quantum", "fallback")  # 100%: everyone is on the quantum model now
    with session.reading() as (_, ledger):
        assert not ledger.rejected
