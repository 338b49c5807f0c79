"""Analytic (adjoint) and parameter-shift gradients against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from random_circuits import random_noise

from qtrust.errors import InputError
from qtrust.quantum import NoiseModel, TrainingObjective, variational_circuit
from qtrust.quantum.circuit import Angle, Circuit, Operation


def _finite_difference(objective, w, h=1e-6):
    return np.array([(objective(w + e)[0] - objective(w - e)[0]) / (2 * h) for e in np.eye(len(w)) * h])


@pytest.mark.parametrize(
    ("encoding", "reupload", "noise_seed"),
    [("angle", False, None), ("angle", False, 1), ("iqp", False, 2), ("angle", True, 3), ("iqp", True, None)],
)
def test_gradients_match_finite_differences(encoding, reupload, noise_seed):
    rng = np.random.default_rng(11)
    circuit = variational_circuit(3, 2, encoding=encoding, reupload=reupload)
    X = rng.uniform(0, np.pi, (25, 3))
    y = rng.integers(0, 2, 25).astype(float)
    weights = rng.uniform(0.5, 2.0, 25)
    noise = random_noise(np.random.default_rng(noise_seed), 3) if noise_seed is not None else NoiseModel()
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    gradients = {}
    for method in ("analytic", "parameter-shift"):
        objective = TrainingObjective(circuit, X, y, weights, noise, method, l2=0.01)
        gradients[objective.gradient] = objective(w)[1]
    reference = _finite_difference(objective, w)
    for method, grad in gradients.items():
        assert np.max(np.abs(grad - reference)) < 1e-7, method
    assert ("analytic" in gradients) == (not reupload)


def test_parameter_shift_refuses_gates_without_a_two_term_rule():
    circuit = Circuit(
        2,
        (
            Operation("RY", (0,), Angle.of_feature(0), section="encoding"),
            Operation("CRX", (0, 1), Angle.of_weight(0)),
        ),
        n_features=1,
        n_weights=1,
    )
    X, y = np.array([[0.3], [1.2]]), np.array([0.0, 1.0])
    with pytest.raises(InputError, match="two-term parameter-shift"):
        TrainingObjective(circuit, X, y, np.ones(2), gradient="parameter-shift")(np.array([0.4]))
    # the analytic method handles any generator
    objective = TrainingObjective(circuit, X, y, np.ones(2), gradient="analytic")
    grad = objective(np.array([0.4]))[1]
    assert np.allclose(grad, _finite_difference(objective, np.array([0.4])), atol=1e-7)
