"""``qtrust monitor``: traffic and device drift from the command line, exit 1 on an alarm."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()


def test_traffic_and_device_drift_set_the_exit_status(packaged, setup, tmp_path):
    root, env, _ = packaged
    _, rows, _ = setup
    artefact = str(root / "m.qtrust")
    pd.DataFrame(rows).to_csv(tmp_path / "calm.csv", index=False)
    pd.DataFrame([{**r, "x1": r["x1"] * 1.3} for r in rows]).to_csv(tmp_path / "shifted.csv", index=False)
    calm = runner.invoke(
        app, ["monitor", artefact, "--traffic", str(tmp_path / "calm.csv"), "--json"], env=env
    )
    assert calm.exit_code == 0, calm.output
    assert not any(r["drifted"] for r in json.loads(calm.stdout)["results"])
    shifted = runner.invoke(
        app, ["monitor", artefact, "--traffic", str(tmp_path / "shifted.csv"), "--json"], env=env
    )
    assert shifted.exit_code == 1
    alarms = {(r["detector"], r["subject"]) for r in json.loads(shifted.stdout)["results"] if r["drifted"]}
    assert ("ks", "x1") in alarms
    strong = runner.invoke(app, ["monitor", artefact, "--noise", "depolarizing:0.2", "--json"], env=env)
    assert strong.exit_code == 1
    certificate = next(r for r in json.loads(strong.stdout)["results"] if r["subject"] == "certificate")
    assert certificate["drifted"]
    faint = runner.invoke(app, ["monitor", artefact, "--noise", "depolarizing:0.000001"], env=env)
    assert faint.exit_code == 0, faint.output
    device = runner.invoke(
        app, ["monitor", artefact, "--noise", "device:fake_manila/best", "--json"], env=env
    )
    assert device.exit_code in (0, 1), device.output
    assert {r["subject"] for r in json.loads(device.stdout)["results"]} == {
        "accuracy",
        "probability",
        "certificate",
    }
    neither = runner.invoke(app, ["monitor", artefact], env=env)
    assert neither.exit_code == 2
    assert "give exactly one of them" in neither.output
