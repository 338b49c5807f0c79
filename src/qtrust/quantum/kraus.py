"""The noise channel kinds qtrust knows and their Kraus operators: the leaf that circuits and noise models share.

A circuit may carry fixed channels of its own and a noise model adds deployment noise; both need the same
list of kinds and the same bounds on a strength, and neither may import the other for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qtrust.errors import InputError
from qtrust.numbers import as_real

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)


def _depolarizing(p: float) -> list[np.ndarray]:
    return [np.sqrt(1 - p) * _I, np.sqrt(p / 3) * _X, np.sqrt(p / 3) * _Y, np.sqrt(p / 3) * _Z]


def _amplitude_damping(g: float) -> list[np.ndarray]:
    return [
        np.array([[1, 0], [0, np.sqrt(1 - g)]], dtype=complex),
        np.array([[0, np.sqrt(g)], [0, 0]], dtype=complex),
    ]


def _phase_damping(g: float) -> list[np.ndarray]:
    return [
        np.array([[1, 0], [0, np.sqrt(1 - g)]], dtype=complex),
        np.array([[0, 0], [0, np.sqrt(g)]], dtype=complex),
    ]


def _bit_flip(p: float) -> list[np.ndarray]:
    return [np.sqrt(1 - p) * _I, np.sqrt(p) * _X]


def _phase_flip(p: float) -> list[np.ndarray]:
    return [np.sqrt(1 - p) * _I, np.sqrt(p) * _Z]


@dataclass(frozen=True)
class ChannelKind:
    name: str
    kraus: Callable[[float], list[np.ndarray]]
    max_level: float
    description: str


CHANNEL_KINDS: dict[str, ChannelKind] = {
    k.name: k
    for k in [
        ChannelKind("depolarizing", _depolarizing, 1.0, "each Pauli error X, Y, Z with probability p/3"),
        ChannelKind(
            "amplitude_damping", _amplitude_damping, 1.0, "energy relaxation |1>→|0> with probability γ"
        ),
        ChannelKind("phase_damping", _phase_damping, 1.0, "loss of phase coherence with strength γ"),
        ChannelKind("bit_flip", _bit_flip, 1.0, "X error with probability p"),
        ChannelKind("phase_flip", _phase_flip, 1.0, "Z error with probability p"),
    ]
}
READOUT = "readout"
NOISE_KINDS: tuple[str, ...] = (*CHANNEL_KINDS, READOUT)
PLACEMENT = "each channel after every matching gate, on each of the gate's wires, encoding gates included"

#: What each strength means, written into every result so numbers can be compared across tools.
CONVENTIONS: dict[str, str] = {
    "depolarizing": "p: rho -> (1-p) rho + p/3 (X rho X + Y rho Y + Z rho Z); PennyLane DepolarizingChannel(p), "
    "Qiskit depolarizing_error(4p/3, 1)",
    "amplitude_damping": "gamma: decay |1> -> |0> with probability gamma; PennyLane AmplitudeDamping(gamma)",
    "phase_damping": "gamma: coherences scaled by sqrt(1-gamma); PennyLane PhaseDamping(gamma)",
    "bit_flip": "p: X error with probability p; PennyLane BitFlip(p)",
    "phase_flip": "p: Z error with probability p; PennyLane PhaseFlip(p)",
    "readout": "p: each measured bit reported flipped with probability p (both directions)",
    "placement": PLACEMENT,
}


def unknown_kind(kind: str, where: str) -> InputError:
    return InputError(
        f"unknown noise channel {kind!r}", where=where, fix=f"use one of: {', '.join(NOISE_KINDS)}"
    )


def check_channel(kind: str, level: float, where: str) -> None:
    """Refuse an unknown channel kind or a strength outside [0, 1] (used by circuits that carry channels)."""
    if kind not in CHANNEL_KINDS:
        raise InputError(
            f"unknown noise channel {kind!r}", where=where, fix=f"use one of: {', '.join(CHANNEL_KINDS)}"
        )
    check_level(kind, level, where)


def check_level(kind: str, level: float, where: str, maximum: float = 1.0) -> float:
    level = as_real(level, where)
    if not 0.0 <= level <= maximum:
        raise InputError(
            f"{kind} strength {level} is outside [0, {maximum:g}]",
            where=where,
            fix="use a probability in [0, 1]",
        )
    return level
