"""Shot sampling statistics and kernels against closed forms and PennyLane."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest

from qtrust.quantum import NoiseModel, encode, encoding_circuit, fidelity_kernel, projected_kernel
from qtrust.quantum.kernels import sample_fidelity_kernel
from qtrust.quantum.shots import sample_probabilities


def test_shot_estimates_are_binomial_and_seeded():
    p = np.array([0.0, 0.1, 0.5, 0.93, 1.0])
    draws = sample_probabilities(p, 400, 20000, np.random.default_rng(1))
    assert draws.shape == (20000, 5)
    assert np.allclose(draws.mean(axis=0), p, atol=0.003)
    assert np.allclose(draws.var(axis=0), p * (1 - p) / 400, rtol=0.05, atol=1e-9)
    again = sample_probabilities(p, 400, 20000, np.random.default_rng(1))
    assert np.array_equal(draws, again)


def test_angle_encoding_fidelity_kernel_is_the_closed_form_product():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, (6, 4))
    states = encode(encoding_circuit(4, "angle"), X)
    expected = np.prod(np.cos((X[:, None, :] - X[None, :, :]) / 2) ** 2, axis=2)
    assert np.allclose(fidelity_kernel(states, states), expected, atol=1e-12)


def _pennylane_iqp_state(x, n):
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev)
    def circuit():
        for _ in range(2):
            for q in range(n):
                qml.Hadamard(q)
            for q in range(n):
                qml.RZ(2 * x[q], q)
            for i in range(n):
                for j in range(i + 1, n):
                    qml.IsingZZ(2 * (np.pi - x[i]) * (np.pi - x[j]), wires=[i, j])
        return qml.state()

    return np.asarray(circuit())


def test_iqp_fidelity_and_projected_kernels_match_pennylane_states():
    rng = np.random.default_rng(1)
    n = 3
    X = rng.uniform(0, np.pi, (5, n))
    psi = np.stack([_pennylane_iqp_state(x, n) for x in X])
    states = encode(encoding_circuit(n, "iqp", 2, "full"), X)
    assert np.allclose(fidelity_kernel(states, states), np.abs(psi.conj() @ psi.T) ** 2, atol=1e-12)
    paulis = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    bloch = np.empty((5, n, 3))
    for q in range(n):
        for a, pauli in enumerate(paulis):
            op = np.kron(np.kron(np.eye(2**q), pauli), np.eye(2 ** (n - q - 1)))
            bloch[:, q, a] = np.real(np.einsum("bi,ij,bj->b", psi.conj(), op, psi))
    sq = ((bloch[:, None] - bloch[None, :]) ** 2).sum(axis=(2, 3))
    assert np.allclose(projected_kernel(states, states, 0.7), np.exp(-0.35 * sq), atol=1e-12)


@pytest.mark.parametrize(("encoding", "kind"), [("angle", "product"), ("iqp", "mixed")])
def test_noisy_fidelity_kernel_is_the_hilbert_schmidt_overlap(encoding, kind):
    rng = np.random.default_rng(2)
    X = rng.uniform(0, np.pi, (4, 3))
    states = encode(encoding_circuit(3, encoding), X, NoiseModel.single("amplitude_damping", 0.1))
    assert states.kind == kind
    rho = states.density_matrices()
    expected = np.real(np.einsum("aij,bji->ab", rho, rho))
    assert np.allclose(fidelity_kernel(states, states), expected, atol=1e-12)
    assert np.all(np.diag(expected) < 1 - 1e-3)  # noise makes the states mixed


def test_swap_test_estimates_are_unbiased():
    k = np.array([[1.0, 0.2], [0.2, 0.0]])
    draws = np.stack([sample_fidelity_kernel(k, 100, np.random.default_rng(s)) for s in range(4000)])
    assert np.allclose(draws.mean(axis=0), k, atol=0.01)


def test_kernels_between_different_state_representations():
    """Pure against mixed (Pauli-vector) states: the overlap of the density matrices, whatever the form."""
    rng = np.random.default_rng(4)
    X = rng.uniform(0, np.pi, (4, 3))
    circuit = encoding_circuit(3, "iqp")
    pure = encode(circuit, X)
    mixed = encode(circuit, X, NoiseModel.single("depolarizing", 0.05))
    assert (pure.kind, mixed.kind) == ("pure", "mixed")
    expected = np.real(np.einsum("aij,bji->ab", pure.density_matrices(), mixed.density_matrices()))
    assert np.allclose(fidelity_kernel(pure, mixed), expected, atol=1e-12)
    assert np.allclose(pure.pauli_vectors()[:, 0], 1.0)
