"""`qtrust audit --model FILE.py:NAME` and reproducing such an audit."""

from __future__ import annotations

import json
import textwrap

from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()

MODEL_FILE = """
import qtrust
from sklearn.linear_model import LogisticRegression
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.quantum import variational_circuit

data = qtrust.prepare_data({config!r})
circuit = CircuitClassifier(variational_circuit(3, 1), max_iter=10, random_state=2).fit(
    data.X_train, data.y_train
)
fallback = LogisticRegression(C={c}).fit(data.X_train, data.y_train)
both = [qtrust.Supplied("translated", circuit), qtrust.Supplied("fallback", fallback, role="baseline")]
"""


def _write_model(tmp_path, small_audit_config, c: float = 0.5):
    path = tmp_path / "team_model.py"
    path.write_text(textwrap.dedent(MODEL_FILE.format(config=str(small_audit_config), c=c)))
    return path


def _audit(args, tmp_path):
    out = tmp_path / "out"
    return runner.invoke(app, ["audit", *args, "--out", str(out), "--no-progress"]), out


def test_a_translated_circuit_is_audited_and_reproduced_from_the_record_alone(tmp_path, small_audit_config):
    model = _write_model(tmp_path, small_audit_config)
    result, out = _audit([str(small_audit_config), "--model", f"{model}:circuit"], tmp_path)
    assert result.exit_code == 0, result.output
    recorded = json.loads((out / "results.json").read_text())
    names = {m["name"]: m for m in recorded["models"]}
    assert set(names) == {"circuit", "logistic"}  # the configured vqc stays out without --include-configured
    assert names["circuit"]["origin"] == "supplied"
    assert names["circuit"]["params"]["loaded_from"]["name"] == "circuit"
    assert len(names["circuit"]["params"]["loaded_from"]["sha256"]) == 64
    model.unlink()  # the record holds the circuit and its weights: no file needed
    again = runner.invoke(app, ["reproduce", "1", "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["ok"]
    assert report["counts"]["mismatch"] == 0
    assert report["distributions_differing"] == []


def test_code_models_need_the_same_file_to_reproduce(tmp_path, small_audit_config):
    model = _write_model(tmp_path, small_audit_config)
    result, _ = _audit(
        [str(small_audit_config), "--model", f"{model}:both", "--include-configured"], tmp_path
    )
    assert result.exit_code == 0, result.output
    missing = runner.invoke(app, ["reproduce", "1"])
    assert missing.exit_code == 2
    assert f"--model {model}:both" in " ".join(missing.output.split())
    same = runner.invoke(app, ["reproduce", "1", "--json", "--model", f"{model}:both"])
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["counts"]["mismatch"] == 0
    _write_model(tmp_path, small_audit_config, c=2.0)  # another fallback: not the audited file
    changed = runner.invoke(app, ["reproduce", "1", "--model", f"{model}:both"])
    assert changed.exit_code == 2
    assert "not the one entry 1 audited" in " ".join(changed.output.split())


def test_bad_model_and_device_options_exit_2(tmp_path, small_audit_config):
    model = _write_model(tmp_path, small_audit_config)
    for args, message in (
        (["--model", "team_model.py"], "is not FILE.py:NAME"),
        (["--model", f"{model}:nope"], "defines no 'nope'"),
        (["--model", f"{tmp_path / 'absent.py'}:m"], "does not exist"),
        (["--device", "fake_manila:1,x"], "not best, worst or a list of qubits"),
    ):
        result, _ = _audit([str(small_audit_config), "--no-record", *args], tmp_path)
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), result.output


def test_devices_are_listed_by_the_qtrust_command():
    listed = runner.invoke(app, ["devices", "--json"])
    assert listed.exit_code == 0, listed.output
    devices = {d["name"]: d for d in json.loads(listed.stdout)["devices"]}
    assert devices["fake_manila"]["n_qubits"] == 5
    assert devices["fake_manila"]["calibration_date"]
    unknown = runner.invoke(app, ["devices", "fake_manilla"])
    assert unknown.exit_code == 2
    assert "did you mean fake_manila" in unknown.output
