"""Every test gets its own evidence home and a known key passphrase, so no test writes into the repo."""

from __future__ import annotations

import pytest

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
