"""The quantum estimators follow scikit-learn's conventions and score consistently with the engine."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from qtrust.models import QuantumKernelClassifier, VariationalClassifier
from qtrust.quantum import NoiseModel, ReadoutError, simulate


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, (120, 3))
    y = np.where(np.cos(X[:, 0]) + 0.5 * np.cos(X[:, 1]) + 0.2 * rng.normal(size=120) > 0, "yes", "no")
    return X, y


def test_variational_classifier_learns_and_follows_sklearn_conventions(toy):
    X, y = toy
    model = VariationalClassifier(n_layers=1, max_iter=60, random_state=3)
    assert clone(model).get_params() == model.get_params()
    model.fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    proba = model.predict_proba(X)
    assert proba.shape == (120, 2)
    assert np.allclose(proba.sum(axis=1), 1)
    assert (model.predict(X) == y).mean() > 0.8  # a learnable rule
    # predictions are the engine's exact probabilities of the fitted circuit
    direct = simulate(model.circuit_, X, model.weights_).probabilities
    assert np.allclose(proba[:, 1], direct, atol=1e-12)
    again = VariationalClassifier(n_layers=1, max_iter=60, random_state=3).fit(X, y)
    assert np.array_equal(again.weights_, model.weights_)


def test_gradient_methods_train_to_the_same_weights(toy):
    X, y = toy
    a = VariationalClassifier(n_layers=1, max_iter=15, random_state=1, gradient="analytic").fit(
        X[:40], y[:40]
    )
    b = VariationalClassifier(n_layers=1, max_iter=15, random_state=1, gradient="parameter-shift").fit(
        X[:40], y[:40]
    )
    assert np.allclose(a.weights_, b.weights_, atol=1e-6)


def test_noise_changes_scores_and_shots_scatter_around_them(toy):
    X, y = toy
    model = VariationalClassifier(n_layers=1, max_iter=40, random_state=0).fit(X, y)
    clean = model.probabilities(X)
    noisy = model.probabilities(X, NoiseModel.single("depolarizing", 0.05))
    assert np.max(np.abs(noisy - 0.5)) < np.max(np.abs(clean - 0.5))  # depolarizing contracts towards 1/2
    draws = model.sample_probabilities(X, 1000, 200, np.random.default_rng(0))
    assert np.allclose(draws.mean(axis=0), clean, atol=0.01)


def test_no_entanglement_control_has_no_two_qubit_gates(toy):
    X, y = toy
    control = VariationalClassifier(n_layers=2, topology="none", max_iter=5, random_state=0).fit(X, y)
    assert not control.circuit_.has_entanglement


def test_kernel_classifier_uses_support_vectors_only(toy):
    X, y = toy
    model = QuantumKernelClassifier(bandwidth=0.5, random_state=0).fit(X, y)
    states_test = model._states(X[:10], None)
    states_train = model._states(X, None)
    from qtrust.quantum import fidelity_kernel

    full = fidelity_kernel(states_test, states_train)
    expected = model.calibrated_.predict_proba(full)[:, 1]
    assert np.allclose(model.predict_proba(X[:10])[:, 1], expected, atol=1e-12)
    draws = model.sample_probabilities(X[:10], 200, 5, np.random.default_rng(0))
    assert draws.shape == (5, 10)
    noisy = model.probabilities(X[:10], NoiseModel.single("depolarizing", 0.02))
    assert not np.allclose(noisy, expected)
    assert model.simulate(X[:10], NoiseModel.single("depolarizing", 0.02)).path == "density_matrix"


def test_readout_error_biases_the_measured_kernel_affinely(toy):
    X, y = toy
    model = QuantumKernelClassifier(bandwidth=0.5, random_state=0).fit(X, y)
    clean, _, _ = model.support_kernel(X[:5])
    noise = NoiseModel(readout=ReadoutError(0.02, 0.05))
    biased, _, _ = model.support_kernel(X[:5], noise)
    # swap test: P(read 0) = (1 - p01) P0 + p10 (1 - P0), k = 2 P0 - 1
    p0 = (1 + clean) / 2
    assert np.allclose(biased, 2 * ((1 - 0.02) * p0 + 0.05 * (1 - p0)) - 1, atol=1e-12)


def test_noise_aware_training_optimises_the_noisy_objective(toy):
    """Trained under amplitude damping (non-unital: it moves the optimum), the weights fit the noisy circuit
    better than noiselessly trained ones."""
    from qtrust.models.base import balanced_weights, binary_targets
    from qtrust.quantum import TrainingObjective

    X, y = toy
    noise = NoiseModel.single("amplitude_damping", 0.15)
    clean = VariationalClassifier(n_layers=1, max_iter=80, random_state=2).fit(X, y)
    aware = VariationalClassifier(n_layers=1, max_iter=80, random_state=2, train_noise=noise).fit(X, y)
    _, y01 = binary_targets(y, "test")
    noisy_loss = TrainingObjective(clean.circuit_, X, y01, balanced_weights(y01, "balanced"), noise)
    assert noisy_loss(aware.weights_)[0] < noisy_loss(clean.weights_)[0] - 1e-3
    assert aware.describe()["training"]["train_noise"]["channels"][0]["kind"] == "amplitude_damping"


def test_the_kernel_state_memo_encodes_each_row_once_and_matches_a_fresh_encoding(monkeypatch):
    """Rows seen before (in any batch, any order) are looked up; the states equal a direct encoding."""
    from qtrust.models import kernel as kernel_module
    from qtrust.quantum.engine import encode

    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, size=(40, 3))
    model = QuantumKernelClassifier(random_state=0).fit(X, (X[:, 0] > 1.5).astype(int))
    circuit = model.circuit_
    noise = NoiseModel.single("depolarizing", 0.01)
    memo = kernel_module._StateCache(1 << 26)
    calls = []
    real = kernel_module.encode

    def counting(c, rows, n):
        calls.append(len(rows))
        return real(c, rows, n)

    monkeypatch.setattr(kernel_module, "encode", counting)
    first = memo.get(circuit, X[:8], noise)
    again = memo.get(circuit, np.vstack([X[5:12], X[2:4]]), noise)  # 3 old rows, 4 new, 2 old again
    assert calls == [8, 4]
    direct = encode(circuit, np.vstack([X[5:12], X[2:4]]), noise)
    assert again.kind == direct.kind == first.kind
    np.testing.assert_array_equal(again.data, direct.data)
