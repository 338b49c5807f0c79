"""`qtrust gate` as CI runs it: exit codes, JUnit, the decision in the evidence log, and bad input."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
import yaml
from junitparser import JUnitXml
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()
LENIENT = {
    "name": "lenient",
    "checks": [{"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "max": 1.0, "mode": "point"}],
}


def qtrust(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def entries() -> int:
    with sqlite3.connect(Path(os.environ["QTRUST_HOME"]) / "evidence.db") as db:
        return db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


@pytest.fixture
def audited(tmp_path, small_audit_config):
    config = small_audit_config
    assert qtrust("keys", "init").exit_code == 0
    done = qtrust("audit", config, "--out", tmp_path / "out", "--no-progress")
    assert done.exit_code == 0, done.output
    return tmp_path / "out" / "results.json", config


def test_gate_exit_code_junit_and_recorded_decision_agree(audited, tmp_path):
    results, _ = audited
    junit = tmp_path / "reports" / "gate.xml"
    done = qtrust("gate", results, "--junit", junit, "--json")
    decision = json.loads(done.stdout)
    assert done.exit_code == (0 if decision["decision"] == "pass" else 1)
    assert decision["audit_entry"] == 1
    assert junit.read_text().count("<testcase") == len(decision["checks"]) == 4
    recorded = json.loads(qtrust("log", "show", decision["entry"]).stdout)
    assert recorded["predicateType"] == "https://qtrust.dev/evidence/gate-decision/v1"
    assert recorded["predicate"]["decision"] == decision["decision"]
    assert recorded["predicate"]["audit"]["seq"] == 1
    assert qtrust("verify").exit_code == 0


def test_a_lenient_policy_passes_with_exit_0(audited, tmp_path):
    results, _ = audited
    policy = tmp_path / "lenient.yaml"
    policy.write_text(yaml.safe_dump(LENIENT))
    done = qtrust("gate", results, "--policy", policy)
    assert done.exit_code == 0, done.output
    assert "PASS" in done.output


def test_a_gate_looser_than_the_registered_plan_fails_and_says_so(tmp_path, small_audit_config):
    config = small_audit_config
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "release",
                "thresholds": [{"metric": "reproducibility/*/accuracy/sd", "max": 0.5, "mode": "point"}],
            }
        )
    )
    assert qtrust("keys", "init").exit_code == 0
    assert qtrust("plan", "register", plan).exit_code == 0
    assert (
        qtrust("audit", config, "--out", tmp_path / "out", "--no-progress", "--plan", "release").exit_code
        == 0
    )
    policy = tmp_path / "lenient.yaml"
    policy.write_text(yaml.safe_dump(LENIENT))  # sd ≤ 1.0 where the plan registered ≤ 0.5
    done = qtrust("gate", tmp_path / "out" / "results.json", "--policy", policy)
    assert done.exit_code == 1
    assert "seed-sd-vs-plan" in done.output
    assert "looser than" in done.output


def test_bad_input_exits_2_and_records_nothing(audited, tmp_path):
    results, config = audited
    before = entries()
    assert qtrust("gate", tmp_path / "nowhere.json").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {"name": "p", "checks": [{"id": "x", "metric": "fairness/*/overall/acuracy", "max": 0.1}]}
        )
    )
    refused = qtrust("gate", results, "--policy", bad)
    assert refused.exit_code == 2
    assert "acuracy" in refused.output
    wrong = qtrust("gate", results, env={"QTRUST_KEY_PASSPHRASE": "not-it"})
    assert wrong.exit_code == 2
    # Results the log never saw cannot be gated on the record; --no-record still judges them.
    assert (
        qtrust("audit", config, "--out", tmp_path / "unrecorded", "--no-progress", "--no-record").exit_code
        == 0
    )
    unrecorded = tmp_path / "unrecorded" / "results.json"
    missing = qtrust("gate", unrecorded)
    assert missing.exit_code == 2
    assert "no verified audit entry in the evidence log names this results.json" in missing.output
    assert entries() == before


def test_hand_edited_results_cannot_pass_even_without_recording(audited, tmp_path):
    """Whenever a log exists the gate asks it whether the results are a recorded audit's, recording or not."""
    results, _ = audited
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text(yaml.safe_dump(LENIENT))
    assert qtrust("gate", results, "--policy", lenient, "--no-record").exit_code == 0  # genuine: passes
    doc = json.loads(results.read_text())
    doc["duration_seconds"] += 1.0  # any edit changes the digest
    edited = tmp_path / "edited" / "results.json"
    edited.parent.mkdir()
    edited.write_text(json.dumps(doc))
    junit = tmp_path / "gate.xml"
    before = entries()
    judged = qtrust("gate", edited, "--policy", lenient, "--no-record", "--junit", junit)
    assert judged.exit_code == 1
    assert "results UNVERIFIED" in judged.output
    assert "results-provenance" in judged.output
    suite = JUnitXml.fromfile(str(junit))
    props = {p.name: p.value for s in suite for p in s.properties()}
    assert props["provenance"] == "unverified"
    cases = {c.name: c for s in suite for c in s}
    assert not cases["results-provenance"].is_passed
    assert entries() == before


def test_without_a_log_results_are_judged_but_marked_unverified(tmp_path, small_audit_config):
    out = tmp_path / "out"
    assert qtrust("audit", small_audit_config, "--out", out, "--no-progress", "--no-record").exit_code == 0
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text(yaml.safe_dump(LENIENT))
    judged = qtrust("gate", out / "results.json", "--policy", lenient, "--no-record", "--json")
    assert judged.exit_code == 0
    decision = json.loads(judged.stdout)
    assert decision["provenance"]["status"] == "unverified"
    assert "no evidence log" in decision["provenance"]["detail"]
    assert "UNVERIFIED" in " ".join(decision["notes"])
