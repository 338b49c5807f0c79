"""Channel strengths from calibration numbers: thermal relaxation, and depolarizing matched to the error.

The formulas (see :mod:`qtrust.quantum.devices`) make each gate's channels reproduce the calibrated average
gate infidelity exactly, with relaxation from T1, T2 and the gate's duration; the recipe tables say how many
physical pulses or native two-qubit gates each qtrust gate costs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Qtrust gates that cost nothing on IBM hardware (virtual Z rotations) or are no gate at all.
VIRTUAL_GATES: tuple[str, ...] = ("RZ", "P", "Z", "S", "T", "I")

#: Single-qubit gates grouped by physical cost: (gates, pulse role, pulse count).
ONE_QUBIT_RECIPES: tuple[tuple[tuple[str, ...], str, int], ...] = (
    (("X", "Y"), "x", 1),
    (("SX", "H"), "sx", 1),
    (("RX", "RY"), "sx", 2),
)

#: Two-qubit gates grouped by the number of native two-qubit gates they take.
TWO_QUBIT_RECIPES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("CNOT", "CZ"), 1),
    (("RZZ", "RXX", "RYY", "CRX", "CRY", "CRZ", "CP"), 2),
    (("SWAP",), 3),
)


def relaxation(t_ns: float, t1_ns: float, t2_ns: float) -> tuple[float, float]:
    """(amplitude damping γ, phase damping γ) of a wait of ``t_ns`` with T1, T2 (T2 clipped to 2·T1)."""
    if t_ns <= 0:
        return 0.0, 0.0
    t2 = min(t2_ns, 2.0 * t1_ns)
    dephasing_rate = max(1.0 / t2 - 1.0 / (2.0 * t1_ns), 0.0)  # 1/Tφ
    return -math.expm1(-t_ns / t1_ns), -math.expm1(-2.0 * t_ns * dephasing_rate)


def _relaxation_trace(t_ns: float, t1_ns: float, t2_ns: float) -> float:
    """s = 2 exp(−t/T2) + exp(−t/T1): the unital part's Pauli-transfer trace of thermal relaxation."""
    t2 = min(t2_ns, 2.0 * t1_ns)
    return 2.0 * math.exp(-t_ns / t2) + math.exp(-t_ns / t1_ns)


def compose_errors(errors: Sequence[float], dim: int) -> float:
    """Average gate infidelities composed as depolarizing polarizations λ = 1 − d r/(d − 1)."""
    polarization = math.prod(1.0 - dim * r / (dim - 1) for r in errors)
    return (dim - 1) * (1.0 - polarization) / dim


def _p_of_f(f: float) -> float:
    return min(max(0.75 * (1.0 - f), 0.0), 1.0)


@dataclass(frozen=True)
class ChannelStrengths:
    """The channels after one qtrust gate on one wire (qtrust's PennyLane conventions)."""

    depolarizing: float
    amplitude_damping: float
    phase_damping: float

    def to_dict(self) -> dict[str, float]:
        return {
            "depolarizing": self.depolarizing,
            "amplitude_damping": self.amplitude_damping,
            "phase_damping": self.phase_damping,
        }


@dataclass(frozen=True)
class GateNoise:
    """What a group of qtrust gates costs on one wire or one pair, and the channels that model it.

    ``calibrated_error`` is the calibrated error composed over the native operations; ``model_error`` the
    average gate infidelity of the channels (equal unless relaxation alone exceeds it, ``clipped``).
    """

    gates: tuple[str, ...]
    native: str
    duration_ns: float
    calibrated_error: float
    model_error: float
    clipped: bool
    per_wire: tuple[tuple[int, ChannelStrengths], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "gates": list(self.gates),
            "native": self.native,
            "duration_ns": self.duration_ns,
            "calibrated_error": self.calibrated_error,
            "model_error": self.model_error,
            "clipped": self.clipped,
            "channels": {str(w): s.to_dict() for w, s in self.per_wire},
        }


def one_qubit_noise(
    errors: Sequence[float], duration_ns: float, t1_ns: float, t2_ns: float
) -> tuple[ChannelStrengths, float, float, bool]:
    """(strengths, calibrated error, model error, clipped) for pulses with ``errors`` lasting ``duration_ns``."""
    target = compose_errors(errors, 2)
    s = _relaxation_trace(duration_ns, t1_ns, t2_ns)
    f = (3.0 - 6.0 * target) / s
    clipped = f > 1.0
    f = min(f, 1.0)
    amp, phase = relaxation(duration_ns, t1_ns, t2_ns)
    model = (3.0 - f * s) / 6.0
    return ChannelStrengths(_p_of_f(f), amp, phase), target, model, clipped


def two_qubit_noise(
    errors: Sequence[float], duration_ns: float, relax_a: tuple[float, float], relax_b: tuple[float, float]
) -> tuple[tuple[ChannelStrengths, ChannelStrengths], float, float, bool]:
    """Equal per-wire depolarizing on both wires whose product channel has the composed 2q infidelity.

    ``relax_a`` / ``relax_b`` are the (T1, T2) of the two qubits in ns.
    """
    target = compose_errors(errors, 4)
    s_a = _relaxation_trace(duration_ns, *relax_a)
    s_b = _relaxation_trace(duration_ns, *relax_b)
    # (1 + f s_a)(1 + f s_b) = 16 F_pro with F_pro = 1 − 5 e / 4 (average gate fidelity (4 F_pro + 1)/5).
    a, b, c = s_a * s_b, s_a + s_b, 1.0 - 16.0 * (1.0 - 1.25 * target)
    f = (-b + math.sqrt(b * b - 4.0 * a * c)) / (2.0 * a)
    clipped = f > 1.0
    f = min(f, 1.0)
    model = 1.0 - (4.0 * (1.0 + f * s_a) * (1.0 + f * s_b) / 16.0 + 1.0) / 5.0
    p = _p_of_f(f)
    strengths = (
        ChannelStrengths(p, *relaxation(duration_ns, *relax_a)),
        ChannelStrengths(p, *relaxation(duration_ns, *relax_b)),
    )
    return strengths, target, model, clipped
