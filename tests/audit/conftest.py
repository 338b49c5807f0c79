from __future__ import annotations

import pytest

from qtrust.config import config_from_dict

SMALL = {
    "seed": 7,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 300, "n_features": 4, "group_bias": 0.3}},
    "encoding": {"n_qubits": 3},
    "models": [
        {"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 25},
        {"kind": "quantum_kernel", "name": "qkernel", "bandwidth": 0.5},
    ],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}, {"kind": "no_entanglement"}],
    "noise": {"channels": ["depolarizing", "readout"], "levels": [0.0, 0.01, 0.05]},
    "shots": {"budgets": [50, 500], "repeats": 4, "reference": 500},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 100, "n_permutations": 200},
}


@pytest.fixture(scope="session")
def small_config():
    return config_from_dict(SMALL)


@pytest.fixture(scope="session")
def small_run(small_config):
    from qtrust.audit import run_audit

    return run_audit(small_config)
