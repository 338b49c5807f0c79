"""The noise of one logical wire and of one logical pair on their physical qubits, gate group by gate group.

These are the numbers behind every channel of a device noise model, kept so ``qtrust devices`` can show
where each strength came from (calibrated error, duration, relaxation, routing).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from qtrust.quantum.devices.channels import (
    ONE_QUBIT_RECIPES,
    TWO_QUBIT_RECIPES,
    GateNoise,
    one_qubit_noise,
    two_qubit_noise,
)
from qtrust.quantum.devices.layout import _pair_cost, _pair_natives, _route, _t1t2, qubit_cost
from qtrust.quantum.devices.snapshot import _Snapshot


@dataclass(frozen=True)
class WireProfile:
    """A logical wire's physical qubit, its calibration, and its single-qubit gate noise."""

    wire: int
    qubit: int
    t1_us: float
    t2_us: float
    t2_clipped: bool
    p01: float
    p10: float
    sx_error: float
    sx_ns: float
    x_error: float
    x_ns: float
    cost: float
    gates: tuple[GateNoise, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "wire": self.wire,
            "qubit": self.qubit,
            "t1_us": self.t1_us,
            "t2_us": self.t2_us,
            "t2_clipped": self.t2_clipped,
            "p01": self.p01,
            "p10": self.p10,
            "sx_error": self.sx_error,
            "sx_ns": self.sx_ns,
            "x_error": self.x_error,
            "x_ns": self.x_ns,
            "cost": self.cost,
            "gates": [g.to_dict() for g in self.gates],
        }


@dataclass(frozen=True)
class PairProfile:
    """A logical pair's physical qubits, the route between them, and its two-qubit gate noise."""

    wires: tuple[int, int]
    qubits: tuple[int, int]
    path: tuple[int, ...]
    native_gate: str
    coupling_error: float  # one native gate's error, or the routed CNOT's composed error
    gates: tuple[GateNoise, ...]

    @property
    def swaps(self) -> int:
        return len(self.path) - 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "wires": list(self.wires),
            "qubits": list(self.qubits),
            "path": list(self.path),
            "swaps": self.swaps,
            "native_gate": self.native_gate,
            "coupling_error": self.coupling_error,
            "gates": [g.to_dict() for g in self.gates],
        }


def _wire_profile(snap: _Snapshot, wire: int, q: int) -> tuple[WireProfile, list[str]]:
    """The wire's calibration and single-qubit gate noise, and the gates whose depolarizing was clipped."""
    cal = snap.qubits[q]
    assert cal.sx is not None
    assert cal.x is not None
    assert cal.p01 is not None
    assert cal.p10 is not None
    t1, t2 = _t1t2(snap, q)
    gates, notes = [], []
    for names, role, count in ONE_QUBIT_RECIPES:
        error, length = cal.sx if role == "sx" else cal.x
        strengths, target, model, clipped = one_qubit_noise([error] * count, count * length, t1, t2)
        if clipped:
            notes.append(f"{'/'.join(names)} on qubit {q}")
        gates.append(
            GateNoise(names, f"{count} {role}", count * length, target, model, clipped, ((wire, strengths),))
        )
    profile = WireProfile(
        wire,
        q,
        t1 / 1e3,
        cal.t2_used_ns / 1e3,
        t2 > 2 * t1,
        cal.p01,
        cal.p10,
        cal.sx[0],
        cal.sx[1],
        cal.x[0],
        cal.x[1],
        qubit_cost(snap, q),
        tuple(gates),
    )
    return profile, notes


def _pair_profile(
    snap: _Snapshot, wires: tuple[int, int], qubits: tuple[int, int]
) -> tuple[PairProfile, list[str]]:
    path = _route(snap, *qubits)
    assert path is not None
    relax_a, relax_b = _t1t2(snap, qubits[0]), _t1t2(snap, qubits[1])
    gates, notes = [], []
    for names, count in TWO_QUBIT_RECIPES:
        natives = _pair_natives(snap, path, count)
        duration = sum(c.duration_ns for c in natives)
        strengths, target, model, clipped = two_qubit_noise(
            [c.error for c in natives], duration, relax_a, relax_b
        )
        if clipped:
            notes.append(f"{'/'.join(names)} on qubits {qubits[0]}-{qubits[1]}")
        kinds = sorted({c.gate for c in natives})
        native = f"{len(natives)} {'/'.join(kinds)}" + (
            f" ({3 * (len(path) - 2)} for {len(path) - 2} SWAP via {'-'.join(map(str, path))})"
            if len(path) > 2
            else ""
        )
        gates.append(
            GateNoise(
                names, native, duration, target, model, clipped, tuple(zip(wires, strengths, strict=True))
            )
        )
    kinds = "/".join(sorted({snap.coupling(u, v).gate for u, v in itertools.pairwise(path)}))
    return PairProfile(wires, qubits, path, kinds, _pair_cost(snap, *qubits), tuple(gates)), notes
