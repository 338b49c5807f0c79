"""The three simulation paths against PennyLane (default.qubit / default.mixed) on random circuits and noise."""

from __future__ import annotations

import numpy as np
import pytest
from pennylane_reference import pennylane_probabilities, readout_effect
from random_circuits import random_circuit, random_noise

from qtrust.errors import CapacityError, InputError
from qtrust.quantum import NoiseModel, simulate, variational_circuit
from qtrust.quantum.engine import choose_path

TOLERANCE = 1e-10


def _reference(circuit, X, w, noise):
    effect = readout_effect(circuit, noise)
    return np.array([pennylane_probabilities(circuit, x, w, noise) @ effect for x in X])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("noisy", [False, True])
def test_encode_first_paths_match_pennylane(seed, noisy):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    circuit = random_circuit(rng, n)
    assert circuit.is_encode_first
    X = rng.uniform(0, np.pi, (3, n))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    noise = random_noise(rng, n) if noisy else None
    expected = _reference(circuit, X, w, noise)
    paths = ["heisenberg", "density_matrix"] + ([] if noisy and noise.has_channels else ["statevector"])
    for path in paths:
        got = simulate(circuit, X, w, noise, path=path).probabilities
        assert np.max(np.abs(got - expected)) <= TOLERANCE, path
    noiseless = noise is None or not noise.has_channels
    assert simulate(circuit, X, w, noise).path == ("statevector" if noiseless else "heisenberg")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("noisy", [False, True])
def test_reuploading_paths_match_pennylane(seed, noisy):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 5))
    circuit = random_circuit(rng, n, reupload=True)
    assert not circuit.is_encode_first
    X = rng.uniform(0, np.pi, (3, n))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    noise = random_noise(rng, n) if noisy else None
    expected = _reference(circuit, X, w, noise)
    auto = simulate(circuit, X, w, noise)
    assert auto.path == ("density_matrix" if noisy and noise.has_channels else "statevector")
    assert np.max(np.abs(auto.probabilities - expected)) <= TOLERANCE
    assert (
        np.max(np.abs(simulate(circuit, X, w, noise, path="density_matrix").probabilities - expected))
        <= TOLERANCE
    )


@pytest.mark.parametrize(
    ("encoding", "noise_kind"), [("angle", "depolarizing"), ("iqp", "amplitude_damping")]
)
def test_classifier_circuits_match_pennylane_on_every_encoded_state_form(encoding, noise_kind):
    """Product (Bloch), pure and mixed encoded states feed the Heisenberg operator."""
    rng = np.random.default_rng(7)
    circuit = variational_circuit(4, 2, encoding=encoding)
    X = rng.uniform(0, np.pi, (4, 4))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    for noise in (None, NoiseModel.single(noise_kind, 0.05)):
        result = simulate(circuit, X, w, noise)
        assert np.max(np.abs(result.probabilities - _reference(circuit, X, w, noise))) <= TOLERANCE
    expected_states = {"angle": "product", "iqp": "mixed"}[encoding]
    assert expected_states in simulate(circuit, X, w, NoiseModel.single(noise_kind, 0.05)).reason


def test_readout_error_only_changes_the_effect():
    rng = np.random.default_rng(3)
    circuit = variational_circuit(3, 1)
    X, w = rng.uniform(0, np.pi, (5, 3)), rng.uniform(-1, 1, circuit.n_weights)
    p = simulate(circuit, X, w).probabilities
    noisy = simulate(circuit, X, w, NoiseModel.single("readout", 0.1)).probabilities
    # mean readout: every measured bit flips with probability 0.1 -> p' = 0.9 p + 0.1 (1 - p)
    assert np.allclose(noisy, 0.8 * p + 0.1, atol=1e-12)
    forced = simulate(circuit, X, w, NoiseModel.single("readout", 0.1), path="heisenberg").probabilities
    assert np.allclose(forced, noisy, atol=1e-12)


def test_auto_path_weighs_batch_size_for_noiseless_circuits():
    circuit = variational_circuit(4, 1)
    assert choose_path(circuit, NoiseModel(), "auto", n_rows=31)[0] == "statevector"
    assert choose_path(circuit, NoiseModel(), "auto", n_rows=32)[0] == "heisenberg"
    assert choose_path(circuit, NoiseModel.single("depolarizing", 1e-3), "auto", n_rows=1)[0] == "heisenberg"
    assert choose_path(variational_circuit(4, 2, reupload=True), NoiseModel.single("bit_flip", 0.1))[0] == (
        "density_matrix"
    )


def test_path_limits_and_forced_paths_give_actionable_errors():
    big = variational_circuit(12, 1)
    with pytest.raises(CapacityError, match="exceed the heisenberg path's limit of 11"):
        choose_path(big, NoiseModel.single("depolarizing", 0.01))
    reupload = variational_circuit(2, 2, reupload=True)
    with pytest.raises(InputError, match="encode-first"):
        choose_path(reupload, NoiseModel(), "heisenberg")
    with pytest.raises(InputError, match="cannot represent noise"):
        choose_path(reupload, NoiseModel.single("bit_flip", 0.1), "statevector")
    with pytest.raises(InputError, match="unknown noise channel 'depolarising'"):
        NoiseModel.single("depolarising", 0.1)
    with pytest.raises(InputError, match="outside"):
        NoiseModel.single("bit_flip", 1.5)


def test_inputs_are_validated():
    circuit = variational_circuit(3, 1)
    w = np.zeros(circuit.n_weights)
    with pytest.raises(InputError, match="NaN"):
        simulate(circuit, np.array([[0.1, np.nan, 0.2]]), w)
    with pytest.raises(InputError, match="weights given"):
        simulate(circuit, np.zeros((1, 3)), w[:-1])


def test_circuits_survive_a_json_round_trip():
    """The audit record stores circuits as JSON; re-running one must give the same probabilities."""
    import json

    from qtrust.quantum.circuit import Circuit

    rng = np.random.default_rng(5)
    circuit = random_circuit(rng, 3, reupload=True)
    restored = Circuit.from_dict(json.loads(json.dumps(circuit.to_dict())))
    assert restored == circuit
    X, w = rng.uniform(0, np.pi, (4, 3)), rng.uniform(-1, 1, circuit.n_weights)
    assert np.array_equal(simulate(restored, X, w).probabilities, simulate(circuit, X, w).probabilities)
