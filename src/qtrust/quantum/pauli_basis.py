"""The Pauli basis on n qubits: coefficients of an operator, the operator of coefficients, and the single-qubit
change of basis between vec(ρ) and (1, ⟨X⟩, ⟨Y⟩, ⟨Z⟩).

A leaf: state representations (:mod:`qtrust.quantum.states`) and the Pauli-vector simulator
(:mod:`qtrust.quantum.pauli`) both convert through it, so neither imports the other for it.
"""

from __future__ import annotations

import numpy as np

from qtrust.quantum.gates import PAULIS
from qtrust.quantum.tensor_ops import apply

# Q[a, 2r + c] = σ_a[c, r], so Q @ vec(ρ) = (Tr ρ, ⟨X⟩, ⟨Y⟩, ⟨Z⟩) for a row-major vec(ρ).
PAULI_FROM_VEC = np.array([PAULIS[a].T.reshape(4) for a in "IXYZ"])
# VEC_FROM_PAULI @ (1, ⟨X⟩, ⟨Y⟩, ⟨Z⟩) / 2 = vec(ρ).
VEC_FROM_PAULI = np.array([PAULIS[a].reshape(4) for a in "IXYZ"]).T
PAULI_STACK = np.stack([PAULIS[a] for a in "IXYZ"])  # (4, 2, 2)


def pauli_coefficients(operators: np.ndarray, n_qubits: int) -> np.ndarray:
    """C[a] = Tr(σ_a M) / 2^n for every Pauli string a, for one operator (D, D) or a batch (B, D, D).

    One 4 × 4 map per qubit on its (row, column) pair, so the cost is n passes over the operator — never
    the 4^n × 4^n basis change. Strings are indexed base 4, qubit 0 most significant.
    """
    single = operators.ndim == 2
    batch = operators.reshape((-1,) + (2,) * (2 * n_qubits))
    for q in range(n_qubits):
        batch = apply(batch, PAULI_FROM_VEC.astype(complex), [q, n_qubits + q])
    order = [0] + [1 + axis for q in range(n_qubits) for axis in (q, n_qubits + q)]
    out = np.real(batch.transpose(order).reshape(batch.shape[0], -1)) / 2**n_qubits
    return out[0] if single else out


def pauli_to_matrix(coefficients: np.ndarray, n_qubits: int) -> np.ndarray:
    """Σ_a c[a] σ_a as a 2^n × 2^n matrix (the inverse of :func:`pauli_coefficients`, up to 2^n)."""
    t = coefficients.astype(complex).reshape((4,) * n_qubits)
    for _ in range(n_qubits):
        t = np.tensordot(t, PAULI_STACK, axes=([0], [0]))  # processed axis → (row, col) at the end
    order = [2 * q for q in range(n_qubits)] + [2 * q + 1 for q in range(n_qubits)]
    return t.transpose(order).reshape(2**n_qubits, 2**n_qubits)


def density_matrices(c: np.ndarray, n_qubits: int) -> np.ndarray:
    """Dense density matrices from Pauli vectors (for tests and small registers)."""
    return np.stack([pauli_to_matrix(row / 2**n_qubits, n_qubits) for row in c])


def pauli_vectors_of_pure(psi: np.ndarray, n_qubits: int) -> np.ndarray:
    """Pauli vectors of pure states (B, 2^n): c_a = ⟨ψ|σ_a|ψ⟩ (used when mixing state representations)."""
    rho = np.einsum("bi,bj->bij", psi, psi.conj())
    return pauli_coefficients(rho, n_qubits) * 2**n_qubits
