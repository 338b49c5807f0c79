"""The side-channel red team against a real server on loopback: what responses leak besides the answer,
and what each mitigation removes."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from qtrust.assess.privacy.channel_auc import channel_auc
from qtrust.cli.app import app
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard, GuardSettings
from qtrust.serve.http import create_app
from qtrust.workflow.side_channels import (
    MITIGATIONS,
    near_threshold,
    probes_from_audit,
    red_team_side_channels,
)


def test_channel_auc_equals_scikit_learn_and_its_interval_covers_it():
    rng = np.random.default_rng(0)
    positive = rng.random(300) < 0.4
    scores = rng.normal(size=300) + 0.6 * positive
    scores[:40] = np.round(scores[:40])  # ties count half, as in scikit-learn
    got = channel_auc(scores, positive, n_boot=400, seed=1)
    assert got.auc == pytest.approx(roc_auc_score(positive, scores), abs=1e-12)
    assert got.ci_low < got.auc < got.ci_high
    assert got.leaks
    noise = channel_auc(rng.normal(size=300), positive, n_boot=400, seed=1)
    assert noise.ci_low < 0.5 < noise.ci_high  # a useless observable: 0.5 stays plausible
    constant = channel_auc(np.ones(300), positive, n_boot=50)
    assert (constant.auc, constant.ci_low, constant.ci_high) == (0.5, 0.5, 0.5)


def test_not_disclosing_leaves_only_the_answer_in_the_response(setup):
    artefact, rows, _ = setup
    guard = Guard(artefact, EngineBackend(artefact.quantum), settings=GuardSettings(shots=100))
    with TestClient(create_app(guard, disclose=False)) as client:
        body = client.post("/v1/predict", json={"rows": rows[:2], "seed": 1}).json()
    guard.close()
    assert set(body) == {"request_id", "threshold", "predictions"}
    assert [set(p) for p in body["predictions"]] == [{"row", "probability", "decision"}] * 2


def test_the_red_team_finds_the_shot_channel_and_the_mitigations_hide_or_pad_it(setup, packaged):
    artefact, _, _ = setup
    root, _, _ = packaged
    probes = probes_from_audit(artefact, root / "out", per_side=30, seed=2)
    assert probes.positive["membership"].sum() == 30
    chosen = [MITIGATIONS[0], MITIGATIONS[-1]]  # none, and all three
    report = red_team_side_channels(artefact, probes, mitigations=chosen, shots=50, seed=2, n_boot=300)
    none, mitigated = report.results
    # the shot-aware rule re-measures near the threshold: the reported shots say how close a row is
    near = near_threshold(artefact, probes.rows)
    assert none.channels["shots"]["near_threshold"].leaks
    assert none.channels["shots"]["near_threshold"].auc > 0.6
    assert 0 < near.sum() < len(near)
    # all three mitigations: shots and the answering model are no longer observable, every answer is padded
    assert mitigated.channels["shots"]["near_threshold"] is None
    assert mitigated.channels["fallback"]["membership"] is None
    assert mitigated.pad_to_s > none.latency_p95_ms / 1000  # 1.25× the slowest unmitigated answer
    assert mitigated.latency_p50_ms >= 1000 * mitigated.pad_to_s
    spread = mitigated.latency_p95_ms - mitigated.latency_p50_ms
    assert spread < none.latency_p95_ms - none.latency_p50_ms + 5  # padding flattens the latency
    assert report.to_dict()["results"][1]["channels"]["shots"]["membership"] is None


def test_qtrust_redteam_runs_every_mitigation_and_refuses_bad_input(packaged):
    root, env, _ = packaged
    runner = CliRunner()
    args = ["redteam", str(root / "m.qtrust"), "--outputs", str(root / "out"), "--per-side", "10"]
    done = runner.invoke(app, [*args, "--json"], env=env)
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert [r["mitigation"] for r in report["results"]] == [m.name for m in MITIGATIONS]
    assert report["requests_per_mitigation"] == 20
    assert report["per_interval_confidence"] == pytest.approx(1 - 0.05 / 12)
    refused = runner.invoke(
        app, [*args[:3], str(root), "--per-side", "10"], env=env
    )  # not the audit's folder
    assert refused.exit_code == 2
    assert runner.invoke(app, [*args[:4], "--shots", "0"], env=env).exit_code == 2


def test_padding_holds_back_refusals_as_long_as_answers(setup):
    artefact, rows, _ = setup
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    with TestClient(create_app(guard, pad_to_s=0.15)) as client:
        timings = {}
        for name, body in (("answer", {"rows": rows[:1]}), ("refusal", {"rows": [{"nonsense": 1}]})):
            start = time.perf_counter()
            reply = client.post("/v1/predict", json=body)
            timings[name] = (reply.status_code, time.perf_counter() - start)
    guard.close()
    assert timings["answer"][0] == 200
    assert timings["refusal"][0] == 422
    assert all(seconds >= 0.15 for _, seconds in timings.values())
