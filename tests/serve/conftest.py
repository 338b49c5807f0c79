"""A recorded tiny audit packaged as model.qtrust, shared by the artefact and guard tests."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app
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
