"""Requests through the guard with a rollout's flag: each cohort gets its model, the log says which and why."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient

from qtrust.rollout.cohorts import in_canary
from qtrust.rollout.flags import FlagRouter, FlagState, RolloutProvider
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.http import create_app
from qtrust.serve.prediction_log import PredictionLog


def test_each_cohort_gets_its_model_and_the_log_says_so(setup, tmp_path):
    artefact, rows, X = setup
    state = [FlagState("r1", 25.0)]
    router = FlagRouter(RolloutProvider(lambda: state[0]), label=lambda: state[0].label)
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    log = PredictionLog(home=tmp_path)
    users = [f"user-{i}" for i in range(40)]
    with TestClient(create_app(guard, log=log, router=router)) as client:
        seen = {}
        for user in users:
            reply = client.post("/v1/predict", json={"rows": rows[:1], "context": {"targeting_key": user}})
            assert reply.status_code == 200
            seen[user] = reply.json()["predictions"][0]
        state[0] = FlagState("r1", 25.0, rolled_back=True)  # a rollback: the next request is classical
        after = client.post("/v1/predict", json={"rows": rows[:1], "context": {"targeting_key": users[0]}})
        bad = client.post("/v1/predict", json={"rows": rows[:1], "context": {"consent": "yes"}})
        assert (bad.status_code, bad.json()["where"]) == (422, "context.consent")
        metrics = client.get("/metrics").text
    guard.close()
    log.close()
    router.close()
    for user, answer in seen.items():
        expected = "quantum" if in_canary(user, "r1", 25.0) else "classical"
        assert answer["answered_by"] == expected
    assert {a["answered_by"] for a in seen.values()} == {"quantum", "classical"}
    classical = artefact.fallback.predict_proba(X[:1])[0, 1]  # rows went through JSON at 10 decimals: 1e-9
    assert all(
        abs(a["probability"] - classical) < 1e-9 for a in seen.values() if a["answered_by"] == "classical"
    )
    assert after.json()["predictions"][0]["answered_by"] == "classical"
    assert "rolled back" in after.json()["predictions"][0]["reason"]
    assert 'qtrust_answers_total{answered_by="classical"}' in metrics
    with sqlite3.connect(tmp_path / "predictions.db") as db:
        logged = db.execute("SELECT answered_by, rollout, classical_probability FROM predictions").fetchall()
    assert {r[1] for r in logged} == {"r1@25%", "r1@rolled-back"}
    assert all(abs(r[2] - classical) < 1e-9 for r in logged)  # the classical answer is kept for every row
    assert not any("user-" in str(r) for r in logged)  # the targeting key is not logged
