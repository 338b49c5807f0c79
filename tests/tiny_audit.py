"""The smallest audit the input tests run: it finishes well under a second."""

#: An audit of well under a second: synthetic data, 2 qubits, one VQC, one baseline, no red-team.
TINY = {
    "seed": 3,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 120, "n_features": 3}},
    "encoding": {"n_qubits": 2},
    "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 5}],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
    "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01]},
    "shots": {"budgets": [100], "repeats": 2, "reference": 100},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 50, "n_permutations": 100},
    "privacy": {"enabled": False},
    "robustness": {"enabled": False},
}
