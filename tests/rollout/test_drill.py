"""Drills through a real server: the injected failure is detected, rolled back and recorded."""

from __future__ import annotations

import numpy as np
import yaml
from rollout_support import as_person

from qtrust.audit.data_prep import load_dataset
from qtrust.config import config_from_dict
from qtrust.governance.records import incidents
from qtrust.serve.artefact import load
from qtrust.workflow.drill import TrafficRow, run_drill
from tiny_audit import TINY


def _traffic(columns):
    dataset = load_dataset(config_from_dict(TINY))
    rows = dataset.features[columns].to_dict(orient="records")
    one_pass = [TrafficRow(r, int(y), str(g)) for r, y, g in zip(rows, dataset.y, dataset.group, strict=True)]
    return one_pass * 3


def _plan(tmp_path):
    plan = tmp_path / "drill-plan.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "drill",
                "steps": [50, 100],
                "min_requests": 1_000,  # never promoted during the drill: the step stays under judgement
                "min_labels": 20,
                "approval_from": None,
                "slos": {
                    "accuracy_drop": 0.9,
                    "equalized_odds_gap": 0.99,
                    "demographic_parity_gap": 0.99,
                    "min_agreement": 0.0,
                    "p99_latency_ms": 5_000,
                },
            }
        )
    )
    return plan


def test_an_outage_drill_rolls_back_opens_an_incident_and_is_recorded(deployed, tmp_path):
    session, _, artefact_path, _ = deployed
    artefact = load(artefact_path)
    columns = [f["name"] for f in artefact.manifest["features"]]
    report = run_drill(
        as_person(session, "alice"),
        "alice",
        artefact,
        "outage",
        _plan(tmp_path),
        _traffic(columns),
        healthy=100,
        interval_s=0.3,
    )
    assert report.rollback is not None, report
    assert report.rollback["requests"] < 200  # within a few intervals of the injection
    assert "error_rate breached" in report.rollback["reasons"][0]
    assert report.answered["before"]["fallback"] == 0
    assert report.answered["after"]["fallback"] > 0  # the quantum cohort answered by the fallback, not failed
    assert report.answered["before"]["quantum"] > 0
    assert report.incidents
    if report.fixed_threshold_rollback_after is None:  # a fixed-threshold canary needs > 3 failed intervals
        assert report.quantum_rows_after < 4 * 50
    else:
        assert report.fixed_threshold_rollback_after <= report.quantum_rows_after
    with session.reading() as (_, ledger):
        assert not ledger.rejected
        drill = ledger.entry(report.recorded).predicate
        opened = incidents(ledger)
    assert drill["scenario"] == "outage"
    assert drill["rollback"]["requests"] == report.rollback["requests"]
    assert opened[report.incidents[0]].opened_by == "system:rollout"


def test_the_fairness_fault_reaches_the_monitor_window(setup):
    from qtrust.serve.backends import EngineBackend
    from qtrust.serve.traffic_window import TrafficWindow
    from qtrust.workflow.drill import _DrillGuard

    artefact, rows, _ = setup
    group = artefact.manifest["group"]
    window = TrafficWindow(size=1_000)
    guard = _DrillGuard(artefact, EngineBackend(artefact.quantum), window=window)
    target = group["values"][0]
    sent = [{**r, group["name"]: target} for r in rows] * 10
    before = [a.decision for a in guard.predict(sent)]
    guard.unfair_group, guard.unfair_rng = target, np.random.default_rng(0)
    after = [a.decision for a in guard.predict(sent)]
    guard.close()
    favourable = sum(before)
    assert favourable > 0
    assert 0.3 * favourable < favourable - sum(after) < 0.7 * favourable  # about half turned down
    assert all(a <= b for a, b in zip(after, before, strict=True))  # only favourable ones, only down
    recorded = [d for _, d in window.snapshot().group_decisions]
    assert recorded == before + after  # the monitor sees what the client got
