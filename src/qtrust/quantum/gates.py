"""The gate set of qtrust's circuit representation.

Each gate is a named 1- or 2-qubit unitary. A parameterised gate is written as U(θ) = exp(-i θ G) with a
Hermitian generator G; that one form gives the matrix for a whole batch of angles (one per input row), the
analytic derivative dU/dθ = -i G U (the adjoint gradient uses G), and, when G has two distinct eigenvalues,
the parameter-shift rule.
Gates whose matrices are real for every angle are flagged so simulation can stay in real arithmetic.

Wire 0 is the most significant bit of a basis-state index (PennyLane's convention; Qiskit adapters reverse
the order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.array([[1, 0], [0, -1]], dtype=complex)
_P1 = np.array([[0, 0], [0, 1]], dtype=complex)  # |1><1|

PAULIS: dict[str, np.ndarray] = {"I": _I, "X": _X, "Y": _Y, "Z": _Z}


@dataclass(frozen=True)
class GateSpec:
    """A named gate: a fixed matrix, or a generator for U(θ) = exp(-i θ G)."""

    name: str
    n_qubits: int
    fixed: np.ndarray | None = field(default=None, repr=False)
    generator: np.ndarray | None = field(default=None, repr=False)
    real: bool = False
    diagonal: bool = False
    description: str = ""

    @property
    def parametric(self) -> bool:
        return self.generator is not None

    @cached_property
    def _eig(self) -> tuple[np.ndarray, np.ndarray]:
        assert self.generator is not None
        values, vectors = np.linalg.eigh(self.generator)
        return values, vectors

    def matrix(self, theta: float | np.ndarray | None = None) -> np.ndarray:
        """The unitary; for an array of angles, a stack of shape (len(theta), d, d)."""
        if self.generator is None:
            assert self.fixed is not None
            return self.fixed
        if theta is None:
            raise ValueError(f"gate {self.name} needs an angle")
        values, vectors = self._eig
        phases = np.exp(-1j * np.multiply.outer(np.asarray(theta, dtype=float), values))
        unitary = (vectors * phases[..., None, :]) @ vectors.conj().T
        return unitary.real.copy() if self.real else unitary

    @cached_property
    def shift_rule(self) -> tuple[float, float] | None:
        """(r, s) with df/dθ = r·[f(θ+s) − f(θ−s)], or None if G has more than two eigenvalues."""
        if self.generator is None:
            return None
        distinct = np.unique(np.round(self._eig[0], 12))
        if len(distinct) != 2:
            return None
        gap = float(distinct[1] - distinct[0])
        return gap / 2.0, np.pi / (2.0 * gap)


def _controlled(u: np.ndarray) -> np.ndarray:
    out = np.eye(4, dtype=complex)
    out[2:, 2:] = u
    return out


def _rot(name: str, pauli: np.ndarray, real: bool, diagonal: bool) -> GateSpec:
    return GateSpec(
        name, 1, generator=pauli / 2, real=real, diagonal=diagonal, description=f"exp(-iθ{name[1]}/2)"
    )


GATES: dict[str, GateSpec] = {
    g.name: g
    for g in [
        GateSpec("I", 1, fixed=_I, real=True, diagonal=True, description="identity (carries fixed noise)"),
        GateSpec("X", 1, fixed=_X, real=True, description="Pauli X"),
        GateSpec("Y", 1, fixed=_Y, description="Pauli Y"),
        GateSpec("Z", 1, fixed=_Z, real=True, diagonal=True, description="Pauli Z"),
        GateSpec(
            "H",
            1,
            fixed=np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2),
            real=True,
            description="Hadamard",
        ),
        GateSpec("S", 1, fixed=np.diag([1, 1j]), diagonal=True, description="phase π/2"),
        GateSpec("T", 1, fixed=np.diag([1, np.exp(1j * np.pi / 4)]), diagonal=True, description="phase π/4"),
        GateSpec("SX", 1, fixed=np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]]) / 2, description="√X"),
        _rot("RX", _X, real=False, diagonal=False),
        _rot("RY", _Y, real=True, diagonal=False),
        _rot("RZ", _Z, real=False, diagonal=True),
        GateSpec("P", 1, generator=-_P1, diagonal=True, description="phase shift diag(1, e^{iθ})"),
        GateSpec("CNOT", 2, fixed=_controlled(_X), real=True, description="controlled X"),
        GateSpec("CZ", 2, fixed=_controlled(_Z), real=True, diagonal=True, description="controlled Z"),
        GateSpec("SWAP", 2, fixed=np.eye(4, dtype=complex)[[0, 2, 1, 3]], real=True, description="swap"),
        GateSpec("RXX", 2, generator=np.kron(_X, _X) / 2, description="exp(-iθ XX/2)"),
        GateSpec("RYY", 2, generator=np.kron(_Y, _Y) / 2, description="exp(-iθ YY/2)"),
        GateSpec("RZZ", 2, generator=np.kron(_Z, _Z) / 2, diagonal=True, description="exp(-iθ ZZ/2)"),
        GateSpec("CRX", 2, generator=np.kron(_P1, _X) / 2, description="controlled RX"),
        GateSpec("CRY", 2, generator=np.kron(_P1, _Y) / 2, real=True, description="controlled RY"),
        GateSpec("CRZ", 2, generator=np.kron(_P1, _Z) / 2, diagonal=True, description="controlled RZ"),
        GateSpec("CP", 2, generator=-np.kron(_P1, _P1), diagonal=True, description="controlled phase"),
    ]
}
