"""The examples in examples/ run as a user would run them, and their audits say what they audited."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, out: Path, monkeypatch, **env: str):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    namespace = runpy.run_path(str(EXAMPLES / script), run_name="example")
    return namespace, namespace["main"](str(out))


def test_the_pennylane_example_trains_translates_and_audits(tmp_path, monkeypatch):
    namespace, run = _run("pennylane_vqc.py", tmp_path / "pl", monkeypatch, QTRUST_EXAMPLE_STEPS="15")
    result = json.loads((tmp_path / "pl" / "results.json").read_text())
    model = next(m for m in result["models"] if m["name"] == "pennylane_vqc")
    assert model["origin"] == "supplied"
    assert model["execution"] == "qtrust engine (translated circuit)"
    assert model["fits"][0]["description"]["source"]["framework"] == "pennylane"
    assert model["simulation"]["path"] == "heisenberg"
    # the audited probabilities are the QNode's own, on its own device
    data, qnode = namespace["data"], namespace["classifier"]
    weights = np.asarray(model["fits"][0]["description"]["weights"]).reshape(namespace["LAYERS"], -1, 3)
    expected = np.array([(1 + float(qnode(x, weights))) / 2 for x in data.X_test[:5]])
    np.testing.assert_allclose(run.predictions.stack("pennylane_vqc")[0][:5], expected, atol=1e-10)
    assert {c["model"] for c in result["certified_fairness"]} == {"pennylane_vqc"}
    assert (tmp_path / "pl" / "report.html").exists()


def test_the_qiskit_example_trains_translates_and_audits_under_device_calibrations(tmp_path, monkeypatch):
    namespace, (run, vqc) = _run("qiskit_vqc.py", tmp_path / "qk", monkeypatch, QTRUST_EXAMPLE_MAXITER="11")
    result = json.loads((tmp_path / "qk" / "results.json").read_text())
    model = next(m for m in result["models"] if m["name"] == "qiskit_vqc")
    assert model["fits"][0]["description"]["source"]["framework"] == "qiskit"
    devices = result["noise"][0]["devices"]
    assert [(d["device"], d["layout"]) for d in devices] == [
        ("fake_manila", "best"),
        ("fake_manila", "worst"),
        ("fake_torino", "best"),
    ]
    assert all(d["calibration_date"] for d in devices)
    assert "calibration snapshots" in (tmp_path / "qk" / "report.html").read_text()
    # qiskit-ml's own probabilities for the test rows, from its fitted VQC
    expected = vqc.predict_proba(namespace["data"].X_test)[:, 1]
    np.testing.assert_allclose(run.predictions.stack("qiskit_vqc")[0], expected, atol=1e-10)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
