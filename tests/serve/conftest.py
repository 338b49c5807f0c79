"""A recorded tiny audit packaged as model.qtrust, shared by the artefact and guard tests."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from qtrust.audit.data_prep import load_dataset, prepare
from qtrust.cli.app import app
from qtrust.config import config_from_dict
from qtrust.serve.artefact import load
from tiny_audit import TINY

runner = CliRunner()


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """A recorded tiny audit and its model.qtrust (vqc with logistic as fallback)."""
    root = tmp_path_factory.mktemp("artefact")
    config = root / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    env = {"QTRUST_HOME": str(root / "home"), "QTRUST_KEY_PASSPHRASE": "pp"}
    done = runner.invoke(app, ["audit", str(config), "--out", str(root / "out"), "--no-progress"], env=env)
    assert done.exit_code == 0, done.output
    made = runner.invoke(
        app,
        [
            "package",
            str(root / "out"),
            "--model",
            "vqc",
            "--fallback",
            "logistic",
            "--out",
            str(root / "m.qtrust"),
        ],
        env=env,
    )
    assert made.exit_code == 0, made.output
    return root, env, made.output


@pytest.fixture(scope="session")
def setup(packaged):
    """The loaded artefact, the audit's test rows as they arrive over HTTP, and their encoded angles."""
    root, _, _ = packaged
    artefact = load(root / "m.qtrust")
    config = config_from_dict(TINY)
    prepared = prepare(config, load_dataset(config))
    columns = [item["name"] for item in artefact.manifest["features"]]
    frame = prepared.dataset.features.iloc[prepared.test_idx][columns]
    rows = json.loads(frame.to_json(orient="records"))
    return artefact, rows, prepared.X_test
