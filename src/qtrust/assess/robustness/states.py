"""Batches of input states (statevectors, density matrices or encoded product states) and their populations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.heisenberg import expectation
from qtrust.quantum.states import VEC_FROM_PAULI, EncodedStates

_CHUNK_ELEMENTS = 2**23  # complex entries of density matrices handled at once (~128 MB)


@dataclass(frozen=True)
class _States:
    """Input states as statevectors (N, d) or, lazily, density matrices (from an EncodedStates batch)."""

    kind: Literal["pure", "mixed"]
    dim: int
    vectors: np.ndarray | None = None
    matrices: np.ndarray | None = None
    encoded: EncodedStates | None = None

    @classmethod
    def of(cls, states: EncodedStates | np.ndarray) -> _States:
        if isinstance(states, EncodedStates):
            if states.kind == "pure":
                return cls("pure", 2**states.n_qubits, vectors=np.asarray(states.data))
            return cls("mixed", 2**states.n_qubits, encoded=states)
        data = np.asarray(states)
        if data.ndim == 2:
            norms = np.linalg.norm(data, axis=1)
            if not np.allclose(norms, 1.0, atol=1e-8):
                raise InputError("statevectors must have unit norm", where="states")
            return cls("pure", data.shape[1], vectors=data)
        if data.ndim == 3 and data.shape[1] == data.shape[2]:
            traces = np.real(np.trace(data, axis1=1, axis2=2))
            if not np.allclose(traces, 1.0, atol=1e-8) or not np.allclose(
                data, np.conj(np.swapaxes(data, 1, 2)), atol=1e-10
            ):
                raise InputError("density matrices must be Hermitian with unit trace", where="states")
            return cls("mixed", data.shape[1], matrices=data)
        raise InputError(
            f"states of shape {data.shape} are neither statevectors (N, d) nor density matrices (N, d, d)",
            where="states",
        )

    @property
    def n_rows(self) -> int:
        if self.vectors is not None:
            return self.vectors.shape[0]
        if self.matrices is not None:
            return self.matrices.shape[0]
        assert self.encoded is not None
        return self.encoded.n_rows

    def density(self, rows: np.ndarray) -> np.ndarray:
        if self.matrices is not None:
            return self.matrices[rows]
        assert self.encoded is not None
        e = self.encoded
        return EncodedStates(e.kind, e.data[rows], e.n_qubits).density_matrices()

    def row(self, i: int) -> np.ndarray:
        if self.vectors is not None:
            return self.vectors[i]
        return self.density(np.array([i]))[0]

    def probabilities(self, operator: np.ndarray) -> np.ndarray:
        if self.vectors is not None:
            psi = self.vectors
            return np.real(np.einsum("bi,bi->b", psi.conj(), psi @ operator.T))
        if self.encoded is not None:
            return expectation(operator, self.encoded)
        assert self.matrices is not None
        return np.real(np.einsum("ij,bji->b", operator, self.matrices))

    def _chunks(self):
        size = max(1, _CHUNK_ELEMENTS // self.dim**2)
        for start in range(0, self.n_rows, size):
            yield np.arange(start, min(start + size, self.n_rows))

    def populations(self, vectors: np.ndarray) -> np.ndarray:
        """w_k = ⟨k|ρ|k⟩ in the eigenbasis ``vectors`` (columns), for every row."""
        if self.vectors is not None:
            return np.abs(self.vectors @ vectors.conj()) ** 2
        if self.encoded is not None and self.encoded.kind == "product":
            return self._product_populations(vectors)
        parts = [
            np.real(np.einsum("ik,bij,jk->bk", vectors.conj(), self.density(rows), vectors, optimize=True))
            for rows in self._chunks()
        ]
        return np.maximum(np.concatenate(parts), 0.0)

    def _product_populations(self, vectors: np.ndarray) -> np.ndarray:
        """⟨k|ρ|k⟩ for ρ = ⊗_q ρ_q without forming ρ: apply each 2 × 2 factor to the eigenvectors' rows.

        n passes of O(d²) per row instead of an O(d³) basis change of a dense d × d matrix.
        """
        assert self.encoded is not None
        n, d = self.encoded.n_qubits, self.dim
        singles = (self.encoded.data @ VEC_FROM_PAULI.T / 2).reshape(self.n_rows, n, 2, 2)
        parts = []
        for rows in self._chunks():
            t = np.broadcast_to(vectors, (rows.size, d, d))
            for q in range(n):
                t = singles[rows, q][:, None] @ t.reshape(rows.size, 2**q, 2, -1)
                t = t.reshape(rows.size, d, d)
            parts.append(np.real(np.einsum("ik,bik->bk", vectors.conj(), t)))
        return np.maximum(np.concatenate(parts), 0.0)
