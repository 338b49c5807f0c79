"""Apply small matrices to chosen axes of a batched qubit tensor — the one kernel every path shares.

A batch of states has shape (B, 2, …, 2) with one axis per qubit (statevectors) or per row/column qubit
(density matrices and Heisenberg operators, 2n axes). A k-qubit matrix, shared by the batch or one per
batch element (data-dependent gates), acts on k of those axes.

The arithmetic is trivial; memory traffic is the cost. So each case takes the route with the fewest passes
over the tensor and no transposed copies:

* diagonal matrices (phase gates, dephasing) — one broadcast product;
* adjacent axes in ascending order — a matrix product on a reshaped *view* (no copy);
* (scaled) permutations on distant axes, such as a CNOT — one block copy each, on strided views;
* otherwise — move the axes last and multiply (measured fastest for superoperators on a batch of density
  matrices, whose row and column axes are never adjacent).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np


def is_diagonal(matrix: np.ndarray) -> bool:
    """Whether every matrix in ``matrix`` (shape (d, d) or (B, d, d)) is exactly diagonal."""
    d = matrix.shape[-1]
    return not np.any(matrix[..., ~np.eye(d, dtype=bool)])


def diagonal_of(matrix: np.ndarray) -> np.ndarray:
    return np.diagonal(matrix, axis1=-2, axis2=-1)


def apply_diagonal(tensor: np.ndarray, diag: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Multiply ``tensor`` by a diagonal matrix on ``axes`` (0-based qubit axes, the batch axis excluded).

    ``diag`` has shape (d,) or (B, d), indexed by the bits of ``axes`` in the given order.
    """
    k = len(axes)
    batch = diag.shape[0] if diag.ndim == 2 else 1
    factors = diag.reshape((batch,) + (2,) * k)
    order = np.argsort(axes)
    factors = factors.transpose([0, *(1 + int(o) for o in order)])
    shape = [batch] + [1] * (tensor.ndim - 1)
    for a in sorted(axes):
        shape[1 + a] = 2
    return tensor * factors.reshape(shape)


def _contiguous(axes: Sequence[int]) -> bool:
    return all(b == a + 1 for a, b in itertools.pairwise(axes))


def _apply_on_view(tensor: np.ndarray, matrix: np.ndarray, first: int, k: int) -> np.ndarray:
    batch, m = tensor.shape[0], tensor.ndim - 1
    d, left, right = 2**k, 2**first, 2 ** (m - first - k)
    view = np.ascontiguousarray(tensor).reshape(batch, left, d, right)
    if matrix.ndim == 3:
        out = np.matmul(matrix[:, None], view)
    elif right == 1:
        out = view.reshape(batch * left, d) @ matrix.T
    else:
        out = np.matmul(matrix, view)
    return out.reshape(tensor.shape)


def _block_index(ndim: int, axes: Sequence[int], bits: tuple[int, ...]) -> tuple:
    index: list = [slice(None)] * ndim
    for axis, bit in zip(axes, bits, strict=True):
        index[1 + axis] = bit
    return tuple(index)


def _apply_blocks(tensor: np.ndarray, matrix: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    k = len(axes)
    blocks = [_block_index(tensor.ndim, axes, bits) for bits in itertools.product((0, 1), repeat=k)]
    out = np.empty(tensor.shape, dtype=np.result_type(tensor, matrix))
    for i, target in enumerate(blocks):
        o = out[target]
        first = True
        for j, source in enumerate(blocks):
            c = matrix[i, j]
            if c == 0:
                continue
            if first:
                if c == 1:
                    np.copyto(o, tensor[source])
                else:
                    np.multiply(tensor[source], c, out=o)
                first = False
            else:
                o += c * tensor[source] if c != 1 else tensor[source]
        if first:
            o[...] = 0
    return out


def _apply_moved(tensor: np.ndarray, matrix: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    k = len(axes)
    src = [1 + a for a in axes]
    dst = list(range(tensor.ndim - k, tensor.ndim))
    moved = np.moveaxis(tensor, src, dst)
    shape = moved.shape
    flat = moved.reshape(shape[0], -1, 2**k)
    out = np.matmul(flat, np.swapaxes(matrix, -1, -2))
    return np.ascontiguousarray(np.moveaxis(out.reshape(shape), dst, src))


def apply_matrix(tensor: np.ndarray, matrix: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Apply ``matrix`` ((d, d) shared, or (B, d, d) one per batch element) to ``axes`` of ``tensor``.

    ``tensor`` has shape (B, 2, …, 2); ``axes`` are 0-based positions among the 2-dimensional axes, in the
    bit order of the matrix (the first axis is the most significant bit of the matrix index).
    """
    k = len(axes)
    if matrix.shape[-2:] != (2**k, 2**k):
        raise ValueError(f"matrix of shape {matrix.shape} does not act on {k} axes")
    if _contiguous(axes):
        return _apply_on_view(tensor, matrix, axes[0], k)
    if matrix.ndim == 2 and np.all(np.count_nonzero(matrix, axis=1) <= 1):
        return _apply_blocks(tensor, matrix, axes)  # a (scaled) permutation: one copy per block
    return _apply_moved(tensor, matrix, axes)


def apply(tensor: np.ndarray, matrix: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """:func:`apply_matrix`, taking the broadcast fast path when ``matrix`` is diagonal."""
    if is_diagonal(matrix):
        return apply_diagonal(tensor, diagonal_of(matrix), axes)
    return apply_matrix(tensor, matrix, axes)
