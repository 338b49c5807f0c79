"""Batched simulation of circuit segments: statevectors and product (Bloch) states, plus shared helpers.

These are the Schrödinger-picture halves of the engine. A segment is a list of (index, operation) pairs;
``index`` is the operation's position in its circuit, which keys the fused noise superoperators and the
angle shifts used by the parameter-shift rule.

State layouts: statevectors (B, 2^n); product states (B, n, 4) holding each qubit's Pauli vector
(1, ⟨X⟩, ⟨Y⟩, ⟨Z⟩); general mixed states as Pauli vectors (B, 4^n) (see :mod:`qtrust.quantum.pauli`).
Statevectors stay real while every gate is real (angle encodings with RY), which halves the arithmetic of
everything downstream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from qtrust.quantum.circuit import Operation
from qtrust.quantum.gates import GATES
from qtrust.quantum.noise import NoiseCache
from qtrust.quantum.pauli_basis import PAULI_FROM_VEC, VEC_FROM_PAULI, density_matrices, pauli_vectors_of_pure
from qtrust.quantum.tensor_ops import apply, apply_matrix

Segment = Sequence[tuple[int, Operation]]
Shifts = Mapping[int, float]


def gate_matrix(index: int, op: Operation, X: np.ndarray | None, weights: np.ndarray | None, shifts: Shifts):
    """The gate's unitary: (d, d), or (B, d, d) when its angle depends on the input rows."""
    spec = GATES[op.gate]
    if not spec.parametric:
        assert spec.fixed is not None
        return spec.fixed.real.copy() if spec.real else spec.fixed
    assert op.angle is not None
    theta = op.angle.evaluate(X, weights)
    return spec.matrix(theta + shifts.get(index, 0.0))


def unitary_superop(u: np.ndarray) -> np.ndarray:
    """U ⊗ Ū, the superoperator of ρ → UρU† on row-major vec(ρ); batched when ``u`` is (B, d, d)."""
    if u.ndim == 2:
        return np.kron(u, u.conj())
    b, d, _ = u.shape
    return np.einsum("bij,bkl->bikjl", u, u.conj()).reshape(b, d * d, d * d)


def fused_superop(index, op, X, weights, noise: NoiseCache | None, shifts: Shifts) -> np.ndarray:
    """The superoperator of the gate followed by the noise channels that act after it."""
    s = unitary_superop(gate_matrix(index, op, X, weights, shifts))
    channel = noise.superop_after(op) if noise is not None else None
    return s if channel is None else channel @ s


def zero_statevectors(batch: int, n_qubits: int, real: bool) -> np.ndarray:
    psi = np.zeros((batch, 2**n_qubits), dtype=float if real else complex)
    psi[:, 0] = 1.0
    return psi


def _diagonal_generator(index: int, op: Operation, n_qubits: int) -> np.ndarray:
    """The diagonal of the gate's generator, or of −i·log of a fixed diagonal gate, over the register."""
    spec = GATES[op.gate]
    local = np.real(np.diag(spec.generator)) if spec.parametric else -np.angle(np.diag(spec.fixed))
    bits = (np.arange(2**n_qubits)[:, None] >> (n_qubits - 1 - np.array(op.wires))) & 1
    local_index = bits @ (1 << np.arange(len(op.wires))[::-1])
    return local[local_index]


def _apply_diagonal_run(t, run, n_qubits, X, weights, shifts) -> np.ndarray:
    """Apply consecutive diagonal gates as one phase: ψ ← exp(−i Σ_g θ_g g_g) ψ (one product, one exp)."""
    batch = t.shape[0]
    generators = np.stack([_diagonal_generator(i, op, n_qubits) for i, op in run])  # (G, 2^n)
    angles = np.ones((batch, len(run)))
    for column, (index, op) in enumerate(run):
        if op.angle is not None:
            angles[:, column] = op.angle.evaluate(X, weights) + shifts.get(index, 0.0)
    phase = angles @ generators
    return (t.reshape(batch, -1) * np.exp(-1j * phase)).reshape(t.shape)


def run_statevectors(
    psi: np.ndarray, segment: Segment, n_qubits: int, X, weights, shifts: Shifts | None = None
) -> np.ndarray:
    """Apply a noiseless segment to a batch of statevectors (B, 2^n).

    Runs of diagonal gates (RZ, RZZ, CZ, phases — the data-dependent half of IQP feature maps) collapse into
    one phase per row; other gates act one by one on the batch.
    """
    shifts = shifts or {}
    batch = psi.shape[0]
    t = psi.reshape((batch,) + (2,) * n_qubits)
    run: list[tuple[int, Operation]] = []
    for index, op in [*segment, (-1, None)]:
        if op is not None and GATES[op.gate].diagonal:
            run.append((index, op))
            continue
        if len(run) > 1:
            t = _apply_diagonal_run(t, run, n_qubits, X, weights, shifts)
        elif run:
            t = _apply_gate(t, *run[0], X, weights, shifts)
        run = []
        if op is not None:
            t = _apply_gate(t, index, op, X, weights, shifts)
    return t.reshape(batch, 2**n_qubits)


def _apply_gate(t, index, op, X, weights, shifts) -> np.ndarray:
    u = gate_matrix(index, op, X, weights, shifts)
    if np.iscomplexobj(u) and not np.iscomplexobj(t):
        t = t.astype(complex)
    return apply(t, u, op.wires)


def conjugate(t: np.ndarray, u: np.ndarray, wires: Sequence[int], n_qubits: int, adjoint: bool = False):
    """U t U† (or U† t U with ``adjoint``) on a batch of operators shaped (B, 2, …, 2) with 2n axes.

    Rows and columns are transformed one side at a time: each side is a contiguous group of axes, so the
    product runs on a view instead of a transposed copy (the fast route for a single Heisenberg operator).
    """
    rows, cols = list(wires), [n_qubits + w for w in wires]
    uh = np.swapaxes(u, -1, -2).conj()
    if adjoint:
        return apply(apply(t, uh, rows), np.swapaxes(u, -1, -2), cols)
    return apply(apply(t, u, rows), u.conj(), cols)


def apply_channels(t: np.ndarray, per_wire, n_qubits: int, adjoint: bool = False) -> np.ndarray:
    """Apply (or, with ``adjoint``, the Heisenberg adjoint of) per-wire channel superoperators."""
    for wire, superop in reversed(per_wire) if adjoint else per_wire:
        t = apply(t, superop.conj().T if adjoint else superop, [wire, n_qubits + wire])
    return t


def run_product(segment: Segment, n_qubits: int, X, weights, noise: NoiseCache | None, shifts=None):
    """Pauli vectors (B, n, 4) of a segment made only of single-qubit gates and single-qubit channels."""
    shifts = shifts or {}
    batch = X.shape[0] if X is not None else 1
    vec = np.zeros((batch, n_qubits, 4), dtype=complex)
    vec[:, :, 0] = 1.0  # |0><0| in row-major vec form
    for index, op in segment:
        (wire,) = op.wires
        s = fused_superop(index, op, X, weights, noise, shifts)
        v = vec[:, wire, :]
        vec[:, wire, :] = v @ s.T if s.ndim == 2 else np.einsum("bij,bj->bi", s, v)
    return np.real(vec @ PAULI_FROM_VEC.T)


@dataclass(frozen=True)
class EncodedStates:
    """The states a batch of inputs is encoded into, in the cheapest exact representation."""

    kind: Literal["pure", "product", "mixed"]
    data: np.ndarray
    n_qubits: int

    @property
    def n_rows(self) -> int:
        return self.data.shape[0]

    def pauli_vectors(self) -> np.ndarray:
        """Pauli vectors (B, 4^n), c_a = Tr(σ_a ρ), whatever the representation."""
        if self.kind == "mixed":
            return self.data
        if self.kind == "product":
            c = self.data[:, 0, :]
            for q in range(1, self.n_qubits):
                c = (c[:, :, None] * self.data[:, q, None, :]).reshape(self.n_rows, -1)
            return c
        return pauli_vectors_of_pure(self.data, self.n_qubits)

    def density_matrices(self) -> np.ndarray:
        """Full density matrices (B, 2^n, 2^n); for tests and small registers."""
        if self.kind == "mixed":
            return density_matrices(self.data, self.n_qubits)
        if self.kind == "pure":
            return np.einsum("bi,bj->bij", self.data, self.data.conj())
        rho = np.ones((self.n_rows, 1, 1), dtype=complex)
        for q in range(self.n_qubits):
            single = (self.data[:, q, :] @ VEC_FROM_PAULI.T / 2).reshape(-1, 2, 2)
            rho = np.einsum("bij,bkl->bikjl", rho, single).reshape(self.n_rows, rho.shape[1] * 2, -1)
        return rho

    def bloch_vectors(self) -> np.ndarray:
        """Per-qubit (⟨X⟩, ⟨Y⟩, ⟨Z⟩), shape (B, n, 3): the reduced single-qubit states."""
        if self.kind == "product":
            return self.data[:, :, 1:]
        n = self.n_qubits
        out = np.empty((self.n_rows, n, 3))
        if self.kind == "pure":
            t = self.data.reshape((self.n_rows,) + (2,) * n)
            for q in range(n):
                moved = np.moveaxis(t, 1 + q, 1).reshape(self.n_rows, 2, -1)
                reduced = np.einsum("bir,bjr->bij", moved, moved.conj())
                out[:, q, :] = _bloch_of(reduced)
            return out
        # mixed: a qubit's Bloch vector is its Pauli-vector entry with I on every other qubit
        t = self.data.reshape((self.n_rows,) + (4,) * n)
        for q in range(n):
            index = [slice(None)] + [0] * n
            index[1 + q] = slice(1, 4)
            out[:, q, :] = t[tuple(index)]
        return out


def _bloch_of(rho: np.ndarray) -> np.ndarray:
    return np.real(rho.reshape(-1, 4) @ PAULI_FROM_VEC[1:].T)


def apply_to_operator(
    operator: np.ndarray, matrix: np.ndarray, wires: Sequence[int], n_qubits: int, side: str
):
    """Multiply a single 2^n × 2^n operator by a gate-local matrix from the left (``side='left'``) or right."""
    t = operator.reshape((1,) + (2,) * (2 * n_qubits))
    if side == "left":
        t = apply_matrix(t, matrix, list(wires))
    else:
        t = apply_matrix(t, matrix.T, [n_qubits + w for w in wires])
    return t.reshape(2**n_qubits, 2**n_qubits)
