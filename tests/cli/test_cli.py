"""The `qtrust` command: happy paths, and every kind of bad input giving exit 2 and no output directory."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.config import AuditConfig, load_config
from qtrust.data import load_german_credit
from qtrust.results import json_schema

runner = CliRunner()
SMALL_OPTIONS = {
    "encoding": {"n_qubits": 3},
    "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 10}],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
    "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01]},
    "shots": {"budgets": [100], "repeats": 2, "reference": 100},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 50, "n_permutations": 100},
}


@pytest.fixture
def credit_csv(tmp_path):
    ds = load_german_credit()
    frame = ds.features.copy()
    frame["credit_risk"] = np.where(ds.y == 1, "good", "bad")
    path = tmp_path / "credit.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture
def small_config(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_OPTIONS))
    return path


def _audit(args, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", *map(str, args), "--out", str(out), "--no-progress"])
    return result, out


def test_audit_of_a_csv_with_four_groups(credit_csv, small_config, tmp_path):
    path, _ = credit_csv
    result, out = _audit(
        [
            small_config,
            "--data",
            path,
            "--label",
            "credit_risk",
            "--sensitive",
            "personal_status_sex",
            "--positive",
            "good",
        ],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    recorded = json.loads((out / "results.json").read_text())
    assert len(recorded["dataset"]["groups"]) == 4  # A91, A92, A93, A94 (no A95 in the data)
    assert len(recorded["fairness"][0]["by_group"]) == 4


def test_audit_with_a_config_file_succeeds(credit_csv, small_config, tmp_path):
    path, frame = credit_csv
    frame["sex"] = np.where(frame.personal_status_sex.str.contains("female"), "female", "male")
    frame.drop(columns="personal_status_sex").to_csv(path, index=False)
    result, out = _audit(
        [small_config, "--data", path, "--label", "credit_risk", "--sensitive", "sex", "--positive", "good"],
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".qtrust-manifest.json",  # what qtrust wrote here, so a re-run replaces only that
        "datasheet.md",
        "evidence.json",
        "model_card.md",
        "predictions.csv",
        "report.html",
        "results.json",
    ]
    recorded = json.loads((out / "results.json").read_text())
    assert recorded["dataset"]["sensitive"] == "sex"
    assert recorded["config"]["data"]["source"] == "csv"
    assert "Report:" in result.output
    # The run is in the evidence log (entry 0 starts the log), and its receipt sits beside the outputs.
    receipt = json.loads((out / "evidence.json").read_text())
    assert [e["seq"] for e in receipt["entries"]] == [1, 2]
    assert [e["kind"] for e in receipt["entries"]] == ["audit", "assessment"]
    assert "Evidence: entry 1 (audit provenance)" in result.output
    # Re-executed from the recorded config and seeds (the CSV is re-read from its recorded path): identical.
    again = runner.invoke(app, ["reproduce", "1", "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["ok"]
    assert report["counts"]["mismatch"] == 0
    assert report["counts"]["exact"] > 100
    assert report["distributions_differing"] == []
    # A changed data file is refused as a reproduction (exit 2), not reported as a mismatch.
    edited = frame.drop(columns="personal_status_sex")
    column = edited.select_dtypes("number").columns[0]
    edited.loc[0, column] += 1  # one value in one row
    edited.to_csv(path, index=False)
    changed = runner.invoke(app, ["reproduce", "1"])
    assert changed.exit_code == 2
    assert "data differs" in changed.output


@pytest.mark.parametrize(
    ("mutate", "args", "message"),
    [
        (None, ["--label", "credit_riks", "--sensitive", "sex"], "credit_risk"),
        (None, ["--label", "credit_risk", "--sensitive", "nope"], "nope"),
        ("three_labels", ["--label", "credit_risk", "--sensitive", "sex"], "positive"),
        ("tiny_group", ["--label", "credit_risk", "--sensitive", "sex", "--positive", "good"], "rows"),
        ("nan", ["--label", "credit_risk", "--sensitive", "sex", "--positive", "good"], "impute"),
        (None, ["--sensitive", "sex"], "--label"),
    ],
)
def test_bad_data_exits_2_without_output(credit_csv, small_config, tmp_path, mutate, args, message):
    path, frame = credit_csv
    frame["sex"] = np.where(frame.personal_status_sex.str.contains("female"), "female", "male")
    if mutate == "three_labels":
        frame.loc[frame.index[:50], "credit_risk"] = "unknown"
    elif mutate == "tiny_group":
        frame.loc[frame.index[:5], "sex"] = "other"
    elif mutate == "nan":
        frame.loc[frame.index[3], "age_years"] = np.nan
    frame.to_csv(path, index=False)
    result, out = _audit([small_config, "--data", path, *args], tmp_path)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Fix:" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"noise": {"channels": ["depolarising"]}}, "unknown noise channel"),
        ({"models": [{"kind": "variational", "n_layer": 2}]}, "did you mean 'n_layers'"),
        ({"modles": []}, "did you mean 'models'"),
        (
            {"encoding": {"n_qubits": 12}, "models": [{"kind": "variational"}], "baselines": []},
            "limit of 11",
        ),
        (
            {"encoding": {"n_qubits": 11}, "models": [{"kind": "quantum_kernel"}], "baselines": []},
            "density-matrix path",
        ),
    ],
)
def test_bad_config_exits_2_before_any_work(tmp_path, options, message):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump(options))
    result, out = _audit([config], tmp_path)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_init_writes_the_defaults_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "qtrust.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    assert load_config(path) == AuditConfig()
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 2
    assert "--force" in again.output


def test_schema_prints_the_results_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema()))


@pytest.mark.slow
def test_quick_default_audit_from_the_command_line(tmp_path):
    """`qtrust audit --quick` on the built-in German Credit data, as a user would run it."""
    out = tmp_path / "qtrust-out"
    done = subprocess.run(
        [sys.executable, "-m", "qtrust.cli", "audit", "--quick", "--out", str(out), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Evidence: entry 1 (audit provenance)" in done.stdout  # entry 0 is the log's start
    verified = subprocess.run(
        [sys.executable, "-m", "qtrust.cli", "verify", "--outputs", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verified" in verified.stdout
    assert "3 entries" in verified.stdout
    results = json.loads((out / "results.json").read_text())
    assert results["dataset"]["name"].lower().startswith("german")
    assert results["dataset"]["n_rows"] == 1000
    predictions = pd.read_csv(out / "predictions.csv")
    assert set(predictions.model) >= {"vqc", "qkernel", "logistic", "rbf_svm", "mlp", "no_entanglement"}
