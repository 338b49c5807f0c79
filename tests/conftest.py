"""Every test gets its own evidence home and a known key passphrase, so no test writes into the repo."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from tiny_audit import TINY

TEST_PASSPHRASE = "test-passphrase"


@pytest.fixture(autouse=True)
def _isolated_evidence_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("QTRUST_HOME", str(tmp_path_factory.mktemp("qtrust-home")))
    monkeypatch.setenv("QTRUST_KEY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("QTRUST_PERSON_PASSPHRASE", "person-passphrase")
    monkeypatch.delenv("QTRUST_STORE", raising=False)


#: A supplied-model audit of a few seconds: synthetic data, 3 qubits, one channel, two device layouts.
BYO_AUDIT = {
    "seed": 11,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 260, "n_features": 4, "group_bias": 0.3}},
    "encoding": {"n_qubits": 3},
    "noise": {
        "channels": ["depolarizing"],
        "levels": [0.0, 0.01],
        "devices": [{"name": "fake_lima", "layout": "best"}, {"name": "fake_lima", "layout": "worst"}],
    },
    "shots": {"budgets": [200], "repeats": 3, "reference": 200},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 60, "n_permutations": 100},
    "privacy": {"n_references": 2, "noise": False, "shots": False},
    "robustness": {"n_draws": 2, "attack_steps": 2, "gaussian_sigmas": [0.1], "linf_epsilons": [0.1]},
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
}


@pytest.fixture(scope="session")
def byo_config():
    """The config of the bring-your-own-model audits (supplied models beside one classical baseline)."""
    from qtrust.config import config_from_dict

    return config_from_dict(BYO_AUDIT)


# --- a packaged model for the serve and rollout tests -------------------------------------------------------
_runner = CliRunner()


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """A recorded tiny audit and its model.qtrust (vqc with logistic as fallback)."""
    from qtrust.cli.app import app

    root = tmp_path_factory.mktemp("artefact")
    config = root / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    env = {"QTRUST_HOME": str(root / "home"), "QTRUST_KEY_PASSPHRASE": "pp"}
    done = _runner.invoke(app, ["audit", str(config), "--out", str(root / "out"), "--no-progress"], env=env)
    assert done.exit_code == 0, done.output
    made = _runner.invoke(
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
    from qtrust.audit.data_prep import load_dataset, prepare
    from qtrust.config import config_from_dict
    from qtrust.serve.artefact import load

    root, _, _ = packaged
    artefact = load(root / "m.qtrust")
    config = config_from_dict(TINY)
    prepared = prepare(config, load_dataset(config))
    columns = [item["name"] for item in artefact.manifest["features"]]
    frame = prepared.dataset.features.iloc[prepared.test_idx][columns]
    rows = json.loads(frame.to_json(orient="records"))
    return artefact, rows, prepared.X_test
