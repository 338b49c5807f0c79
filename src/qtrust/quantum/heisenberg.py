"""The Heisenberg path: propagate the measurement backwards once, then score every input with one product.

For an encode-first circuit f(x) = Tr(O · E(ρ(x))) = Tr(E†(O) · ρ(x)) = Tr(M ρ(x)) with M = E†(O). M is a
2^n × 2^n operator computed once per (weights, noise model) by applying the adjoint of every fused
gate-and-noise superoperator of the trainable section, last to first. Scoring N inputs is then one batched
quadratic form (pure encodings), one matrix-vector product (mixed encodings), or a contraction of M's Pauli
coefficients with each qubit's Pauli vector (product encodings with noise), all exact to rounding.
"""

from __future__ import annotations

import numpy as np

from qtrust.quantum.noise import NoiseCache
from qtrust.quantum.pauli_basis import pauli_coefficients
from qtrust.quantum.states import (
    EncodedStates,
    Segment,
    Shifts,
    apply_channels,
    conjugate,
    gate_matrix,
)

_CHUNK_ELEMENTS = 2**24  # bounds the scratch memory of one contraction step (~128 MB of float64)


def heisenberg_operator(
    segment: Segment,
    n_qubits: int,
    effect: np.ndarray,
    weights: np.ndarray | None,
    noise: NoiseCache | None,
    shifts: Shifts | None = None,
) -> np.ndarray:
    """M = E†(diag(effect)) for a data-independent segment E (trainable gates and their noise)."""
    shifts = shifts or {}
    d = 2**n_qubits
    t = np.diag(effect.astype(complex)).reshape((1,) + (2,) * (2 * n_qubits))
    for index, op in reversed(segment):
        if noise is not None:
            t = apply_channels(t, noise.per_wire(op), n_qubits, adjoint=True)
        t = conjugate(t, gate_matrix(index, op, None, weights, shifts), op.wires, n_qubits, adjoint=True)
    m = t.reshape(d, d)
    return (m + m.conj().T) / 2


def _product_vectors(vectors: np.ndarray) -> np.ndarray:
    """The Kronecker product of per-qubit Pauli vectors (B, k, 4) → (B, 4^k)."""
    out = vectors[:, 0, :]
    for q in range(1, vectors.shape[1]):
        out = (out[:, :, None] * vectors[:, q, None, :]).reshape(len(vectors), -1)
    return out


def _product_expectation(coefficients: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Σ_a C[a] Π_q v[q, a_q] for a batch of per-qubit Pauli vectors (B, n, 4).

    Meet in the middle: with L and R the product vectors of the first and last halves of the qubits, the sum
    is Σ_ij L_i C_ij R_j — one matrix product of size B × 4^h × 4^(n−h) and a row-wise dot, with scratch
    memory B × 4^(n/2) instead of B × 4^(n−1).
    """
    batch, n, _ = vectors.shape
    half = n // 2
    out = np.empty(batch)
    table = coefficients.reshape(4**half, 4 ** (n - half))
    chunk = max(1, _CHUNK_ELEMENTS // 4 ** max(n - half, 1))
    for start in range(0, batch, chunk):
        v = vectors[start : start + chunk]
        right = _product_vectors(v[:, half:, :])
        if half == 0:
            out[start : start + chunk] = right @ table[0]
            continue
        left = _product_vectors(v[:, :half, :])
        out[start : start + chunk] = np.einsum("bi,bi->b", left @ table, right)
    return out


def expectation(operator: np.ndarray, states: EncodedStates) -> np.ndarray:
    """Tr(M ρ) for every encoded state in the batch, in the cheapest exact form for its representation."""
    if states.kind == "pure":
        psi = states.data
        if not np.iscomplexobj(psi):
            return np.einsum("bi,bi->b", psi, psi @ operator.real)
        return np.real(np.einsum("bi,bi->b", psi.conj(), psi @ operator.T))
    coefficients = pauli_coefficients(operator, states.n_qubits)
    if states.kind == "mixed":
        return states.data @ coefficients  # Pauli vectors: Tr(M ρ) = Σ_a (Tr(σ_a M)/2^n) c_a
    return _product_expectation(coefficients, states.data)
