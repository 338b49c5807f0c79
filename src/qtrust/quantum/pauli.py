"""Batched density matrices in the Pauli basis: real arithmetic, noise as sparse real maps.

A density matrix on n qubits is stored as its Pauli vector c_a = Tr(σ_a ρ) over the 4^n Pauli strings
(ρ = 2^-n Σ_a c_a σ_a), shape (B, 4, …, 4) with one axis per qubit. Compared with complex density matrices
this halves memory and keeps everything real; every gate or channel acts as its Pauli transfer matrix (PTM)
R[a, b] = Tr(σ_a Λ(σ_b)) / 2^k on its k axes, and the PTMs that noisy circuits are made of are sparse:
Pauli channels are diagonal (applied as one broadcast product); every other map is one small dense matrix
product per row, after consecutive gates on the same one or two qubits are fused into one PTM (see
:func:`apply_transfer` and :func:`run_pauli` for the measurements behind both choices); probabilities and
kernels become dot products of Pauli vectors.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

import numpy as np

from qtrust.quantum.gates import PAULIS
from qtrust.quantum.noise import NoiseCache
from qtrust.quantum.states import Segment, Shifts, fused_superop

_ZERO = 1e-15


@cache
def _basis(k: int) -> tuple[np.ndarray, np.ndarray]:
    """(Q, V): Q @ vec(X) = (Tr(σ_a X))_a and V[:, b] = vec(σ_b), for k-qubit Pauli strings (row-major vec)."""
    strings = []
    for labels in itertools.product("IXYZ", repeat=k):
        m = np.ones((1, 1), dtype=complex)
        for label in labels:
            m = np.kron(m, PAULIS[label])
        strings.append(m)
    V = np.stack([s.reshape(-1) for s in strings], axis=1)
    Q = np.stack([s.T.reshape(-1) for s in strings], axis=0)
    return Q, V


def pauli_transfer(superop: np.ndarray, k: int) -> np.ndarray:
    """The real PTM of a k-qubit superoperator (or a batch of them), with round-off zeros made exact."""
    Q, V = _basis(k)
    r = np.real(Q @ superop @ V) / 2**k
    r[np.abs(r) < _ZERO] = 0.0
    return r


def zero_state(batch: int, n_qubits: int) -> np.ndarray:
    """Pauli vectors of |0…0⟩: 1 on every string made of I and Z only."""
    single = np.array([1.0, 0.0, 0.0, 1.0])
    c = single
    for _ in range(n_qubits - 1):
        c = np.multiply.outer(c, single)
    return np.broadcast_to(c.reshape(-1), (batch, 4**n_qubits)).copy()


def _grouped(t: np.ndarray, axes: Sequence[int]) -> tuple[np.ndarray, list[int]]:
    """A view of ``t`` with the untouched qubit axes merged into long runs, and where ``axes`` now sit.

    Block arithmetic on a (B, 4, 4, …, 4) tensor would iterate over many length-4 inner loops; merging the
    untouched runs gives a few long, contiguous inner loops instead.
    """
    n = t.ndim - 1
    shape, previous, position = [t.shape[0]], 0, {}
    for a in sorted(axes):
        shape += [4 ** (a - previous), 4]
        position[a] = len(shape) - 1
        previous = a + 1
    shape.append(4 ** (n - previous))
    return t.reshape(shape), [position[a] for a in axes]


def apply_transfer(t: np.ndarray, r: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Apply a PTM ((d, d) shared or (B, d, d) per row; d = 4^k) to ``axes`` of a (B, 4, …, 4) tensor.

    A diagonal shared PTM (a Pauli channel) is one broadcast product. Anything else is one matrix product
    per row after moving the acted-on axes to the front: measured 1.6–2.2× faster on 4–8 qubits than
    applying the sparse PTM as scaled block additions on strided views, because the blocks of a gate on a
    late wire are short strided runs while BLAS sees one contiguous (d × rest) matrix.
    """
    k = len(axes)
    batched = r.ndim == 3
    if not batched and not np.any((r != 0) & ~np.eye(4**k, dtype=bool)):
        view, positions = _grouped(t, axes)
        shape = [1] * view.ndim
        for p in positions:
            shape[p] = 4
        factors = np.diagonal(r).reshape((4,) * k).transpose(np.argsort(positions))
        return (view * factors.reshape(shape)).reshape(t.shape)
    source = [1 + a for a in axes]
    front = list(range(1, 1 + k))
    moved = np.moveaxis(t, source, front)
    flat = np.ascontiguousarray(moved).reshape(t.shape[0], 4**k, -1)
    out = np.matmul(r, flat).reshape(moved.shape)
    return np.ascontiguousarray(np.moveaxis(out, front, source))


def _fusion_groups(segment: Segment) -> list[tuple[tuple[int, ...], list]]:
    """Consecutive operations whose wires together span at most two qubits, as (wires, operations)."""
    groups: list[tuple[tuple[int, ...], list]] = []
    for index, op in segment:
        if groups and len(set(groups[-1][0]) | set(op.wires)) <= 2:
            wires, ops = groups[-1]
            groups[-1] = (tuple(sorted(set(wires) | set(op.wires))), [*ops, (index, op)])
        else:
            groups.append((tuple(sorted(op.wires)), [(index, op)]))
    return groups


def _embedded_transfer(r: np.ndarray, op_wires: tuple[int, ...], wires: tuple[int, ...]) -> np.ndarray:
    """A PTM on ``op_wires`` as a PTM on the group's ``wires`` (a subset, in sorted order)."""
    if op_wires == wires:
        return r
    batch = r.shape[:-2]
    if len(op_wires) == 2:  # the same two wires in the other order: swap both Pauli labels
        return r.reshape(*batch, 4, 4, 4, 4).swapaxes(-4, -3).swapaxes(-2, -1).reshape(*batch, 16, 16)
    identity = np.eye(4)
    if wires.index(op_wires[0]) == 0:
        return np.einsum("...ab,cd->...acbd", r, identity).reshape(*batch, 16, 16)
    return np.einsum("ab,...cd->...acbd", identity, r).reshape(*batch, 16, 16)


def run_pauli(
    c: np.ndarray,
    segment: Segment,
    n_qubits: int,
    X,
    weights,
    noise: NoiseCache | None,
    shifts: Shifts | None = None,
) -> np.ndarray:
    """Apply a (noisy) segment to a batch of Pauli vectors (B, 4^n).

    Consecutive gates (with their noise) that together touch at most two qubits are fused into one PTM
    first: a ZZ feature map's CX·P·CX becomes one pass over the state instead of three. Composing 16 × 16
    maps per row costs nothing next to a pass over 4^n numbers per row.
    """
    shifts = shifts or {}
    batch = c.shape[0]
    t = c.reshape((batch,) + (4,) * n_qubits)
    for wires, ops in _fusion_groups(segment):
        r = None
        for index, op in ops:
            step = pauli_transfer(fused_superop(index, op, X, weights, noise, shifts), len(op.wires))
            step = _embedded_transfer(step, op.wires, wires)
            r = step if r is None else step @ r
        assert r is not None
        r = np.where(np.abs(r) < _ZERO, 0.0, r)
        t = apply_transfer(t, r, wires)
    return t.reshape(batch, 4**n_qubits)
