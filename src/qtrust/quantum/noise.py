"""Noise channels and the noise model that says where they act.

Channels follow PennyLane's parameter conventions, named here once so adapters can convert:

* ``depolarizing`` p: ρ → (1−p)ρ + p/3 (XρX + YρY + ZρZ)  (PennyLane ``DepolarizingChannel(p)``; equals
  Qiskit ``depolarizing_error(λ, 1)`` with λ = 4p/3);
* ``amplitude_damping`` γ, ``phase_damping`` γ (PennyLane ``AmplitudeDamping`` / ``PhaseDamping``);
* ``bit_flip`` p, ``phase_flip`` p;
* ``readout`` p: the measured bit is flipped with probability p (classical; asymmetric rates via
  :class:`ReadoutError`). It is folded into the measurement effect, so it costs nothing to simulate.

A :class:`NoiseModel` applies each channel after every gate it matches, on each wire of that gate — the
placement of PennyLane's ``qml.noise.insert(..., position="all")`` applied to the circuit decomposed into
qtrust's gate set (a ``Rot`` is three gates). For simulation, a gate and the
channels after it are fused into one superoperator on the gate's wires. Channels a circuit carries itself
(:attr:`Operation.channels`, e.g. translated from a QNode) act first; the model's channels follow. The
identity gate ``I`` is no physical gate, so the model never adds noise after it.

Device noise profiles (:mod:`qtrust.quantum.devices`) need per-qubit and per-coupling strengths: a channel
can be limited to wires (``qubits``) or to operations on exactly one set of wires (``operation_wires``), and
readout errors can be given per qubit (``readout_by_qubit``). Qubits also decay while they wait for other
qubits' gates: a model's ``idle`` (:class:`~qtrust.quantum.idle.IdleNoise`) makes the engine schedule the
circuit and insert that relaxation as operations of the circuit itself (:mod:`qtrust.quantum.idle`), so the
channels here never see it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.circuit import Circuit, Operation
from qtrust.quantum.idle import IdleNoise
from qtrust.quantum.kraus import (
    CHANNEL_KINDS,
    CONVENTIONS,
    PLACEMENT,
    READOUT,
    check_level,
    unknown_kind,
)

#: Where a noise *layer* acts (``NoiseChannel.layer``): once on every wire, right after the encoding section
#: (counted in the trainable part, so certificates see it) or right before the measurement. The published
#: certified-fairness models (Guan, Fang & Ying, CAV 2022) carry one such layer; qtrust's default places noise
#: after every gate, which gives the same weights a very different K*.
NOISE_LAYERS = ("after_encoding", "before_measurement")


def with_noise_layers(circuit: Circuit, noise: NoiseModel) -> Circuit:
    """``circuit`` with an identity carrying each layered channel on every wire, at the channel's position.

    The identity gate is no physical gate, so per-gate noise never lands on it; the inserted operations
    belong to the trainable section (an encoding-only circuit, as a kernel's, keeps them in its encoding).
    """
    layered = [c for c in noise.channels if c.layer is not None and c.level > 0]
    if not layered:
        return circuit
    ops = list(circuit.operations)
    section = "trainable" if circuit.trainable else "encoding"
    end_of_encoding = max((i + 1 for i, op in enumerate(ops) if op.section == "encoding"), default=0)
    for position, at in (("before_measurement", len(ops)), ("after_encoding", end_of_encoding)):
        layer = [
            Operation("I", (wire,), None, section, ((c.kind, c.level),))  # type: ignore[arg-type]
            for c in layered
            if c.layer == position
            for wire in (c.qubits if c.qubits is not None else range(circuit.n_qubits))
        ]
        ops[at:at] = layer
    return replace(circuit, operations=tuple(ops))


@dataclass(frozen=True)
class NoiseChannel:
    """A channel applied after every matching gate, on each of the gate's wires.

    ``gates`` restricts it to some gate names (``None``: all gates); ``qubits`` to some wires; ``sections``
    to the encoding and/or trainable section; ``operation_wires`` to operations acting on exactly that set
    of wires (a two-qubit gate's error belongs to its coupling, not to each qubit alone).
    """

    kind: str
    level: float
    gates: tuple[str, ...] | None = None
    qubits: tuple[int, ...] | None = None
    sections: tuple[str, ...] = ("encoding", "trainable")
    operation_wires: tuple[int, ...] | None = None
    layer: str | None = None  # one layer on every wire at this position instead of after every gate

    def __post_init__(self) -> None:
        if self.kind not in CHANNEL_KINDS:
            raise unknown_kind(self.kind, "noise.channels")
        if self.layer is not None and self.layer not in NOISE_LAYERS:
            raise InputError(
                f"unknown noise layer position {self.layer!r}",
                where="noise.placement",
                fix=f"use every_gate or one of: {', '.join(NOISE_LAYERS)}",
            )
        # a plain float whatever the caller passed (np.float32 included): the level is serialised and hashed
        object.__setattr__(self, "level", check_level(self.kind, self.level, "noise.channels"))

    def kraus(self) -> list[np.ndarray]:
        return CHANNEL_KINDS[self.kind].kraus(self.level)

    def applies_to(self, op: Operation, wire: int) -> bool:
        return (
            self.layer is None  # a layer acts once, as operations the engine inserts (``with_noise_layers``)
            and self.level > 0
            and op.gate != "I"
            and op.section in self.sections
            and (self.gates is None or op.gate in self.gates)
            and (self.qubits is None or wire in self.qubits)
            and (self.operation_wires is None or set(op.wires) == set(self.operation_wires))
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "level": self.level,
            "gates": list(self.gates) if self.gates is not None else None,
            "qubits": list(self.qubits) if self.qubits is not None else None,
            "sections": list(self.sections),
            **({"operation_wires": list(self.operation_wires)} if self.operation_wires is not None else {}),
            **({"layer": self.layer} if self.layer is not None else {}),
        }


@dataclass(frozen=True)
class ReadoutError:
    """Classical measurement error: P(read 1 | true 0) = ``p01``, P(read 0 | true 1) = ``p10``."""

    p01: float
    p10: float
    qubits: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "p01", check_level(READOUT, self.p01, "noise.readout", 0.5))
        object.__setattr__(self, "p10", check_level(READOUT, self.p10, "noise.readout", 0.5))

    def to_dict(self) -> dict[str, Any]:
        return {"p01": self.p01, "p10": self.p10, "qubits": list(self.qubits) if self.qubits else None}


@dataclass(frozen=True)
class NoiseModel:
    """Where and how strongly noise acts; the empty model is noiseless.

    ``readout_by_qubit`` holds ``(qubit, p01, p10)`` rates that override ``readout`` on those qubits;
    ``source`` says where the numbers come from (a device calibration snapshot: name, date, layout);
    ``idle``: relaxation of qubits while they wait (applied by the engine, see :mod:`qtrust.quantum.idle`).
    """

    channels: tuple[NoiseChannel, ...] = ()
    readout: ReadoutError | None = None
    label: str = ""
    readout_by_qubit: tuple[tuple[int, float, float], ...] = ()
    source: tuple[tuple[str, str], ...] = ()
    idle: IdleNoise | None = None

    def __post_init__(self) -> None:
        for _, p01, p10 in self.readout_by_qubit:
            check_level(READOUT, p01, "noise.readout_by_qubit", 0.5)
            check_level(READOUT, p10, "noise.readout_by_qubit", 0.5)

    @classmethod
    def single(cls, kind: str, level: float, **where: Any) -> NoiseModel:
        """One channel type at one level, on every gate (the unit of a noise sweep)."""
        label = f"{kind}={level:g}"
        if kind == READOUT:
            level = check_level(kind, level, "noise", 0.5)
            return cls(readout=ReadoutError(level, level, where.get("qubits")), label=label)
        if kind not in CHANNEL_KINDS:
            raise unknown_kind(kind, "noise")
        if where.get("layer"):
            label += f"@{where['layer']}"
        return cls(channels=(NoiseChannel(kind, level, **where),), label=label)

    @property
    def is_noiseless(self) -> bool:
        return not self.has_channels and not self.has_readout_error

    @property
    def has_channels(self) -> bool:
        """True when states become mixed: gate channels, or idle relaxation (which the engine inserts)."""
        return self.idle is not None or any(c.level > 0 for c in self.channels)

    @property
    def has_readout_error(self) -> bool:
        uniform = self.readout is not None and (self.readout.p01 > 0 or self.readout.p10 > 0)
        return uniform or any(p01 > 0 or p10 > 0 for _, p01, p10 in self.readout_by_qubit)

    def readout_for(self, measured: Iterable[int]) -> tuple[tuple[float, float], ...] | None:
        """Per measured qubit (p01, p10), as the measurement effect wants it."""
        if not self.has_readout_error:
            return None
        per_qubit = {q: (p01, p10) for q, p01, p10 in self.readout_by_qubit}
        r = self.readout

        def rates(q: int) -> tuple[float, float]:
            if q in per_qubit:
                return per_qubit[q]
            if r is not None and (r.qubits is None or q in r.qubits):
                return (r.p01, r.p10)
            return (0.0, 0.0)

        return tuple(rates(q) for q in measured)

    def channels_after(self, op: Operation) -> list[tuple[int, list[np.ndarray]]]:
        """The (wire, Kraus operators) pairs that act right after ``op``, in application order.

        The operation's own channels come first, then the model's.
        """
        own = [
            (w, CHANNEL_KINDS[kind].kraus(level))
            for kind, level in op.channels
            if level > 0
            for w in op.wires
        ]
        return own + [(w, c.kraus()) for c in self.channels for w in op.wires if c.applies_to(op, w)]

    def to_dict(self) -> dict[str, Any]:
        out = {
            "label": self.label or ("noiseless" if self.is_noiseless else "custom"),
            "depolarizing_convention": CONVENTIONS["depolarizing"],
            "placement": PLACEMENT,
            "channels": [c.to_dict() for c in self.channels],
            "readout": self.readout.to_dict() if self.readout else None,
        }
        if self.readout_by_qubit:
            out["readout_by_qubit"] = [
                {"qubit": q, "p01": p01, "p10": p10} for q, p01, p10 in self.readout_by_qubit
            ]
        if self.source:
            out["source"] = dict(self.source)
        if self.idle is not None:
            out["idle"] = self.idle.to_dict()
        return out


NOISELESS = NoiseModel(label="noiseless")


def kraus_superop(kraus: list[np.ndarray]) -> np.ndarray:
    """The superoperator Σ K ⊗ K̄ acting on row-major vec(ρ)."""
    return sum(np.kron(k, k.conj()) for k in kraus)  # type: ignore[return-value]


def embed(matrix: np.ndarray, position: int, n_wires: int) -> np.ndarray:
    """A single-qubit matrix acting on wire ``position`` of an ``n_wires``-qubit block."""
    out = np.ones((1, 1), dtype=complex)
    for w in range(n_wires):
        out = np.kron(out, matrix if w == position else np.eye(2))
    return out


@lru_cache(maxsize=256)
def _channel_superop(kind: str, level: float) -> np.ndarray:
    superop = kraus_superop(CHANNEL_KINDS[kind].kraus(level))
    superop.setflags(write=False)
    return superop


@lru_cache(maxsize=8192)
def _per_wire(model: NoiseModel, op: Operation) -> tuple[tuple[int, np.ndarray], ...]:
    per_wire: dict[int, np.ndarray] = {}

    def add(wire: int, kind: str, level: float) -> None:
        s = _channel_superop(kind, level)
        per_wire[wire] = s if wire not in per_wire else s @ per_wire[wire]

    for kind, level in op.channels:
        if level > 0:
            for wire in op.wires:
                add(wire, kind, level)
    for channel in model.channels:
        for wire in op.wires:
            if channel.applies_to(op, wire):
                add(wire, channel.kind, channel.level)
    return tuple(per_wire.items())


@lru_cache(maxsize=8192)
def _joint(model: NoiseModel, op: Operation) -> np.ndarray | None:
    total: np.ndarray | None = None
    for wire, kraus in model.channels_after(op):
        pos = op.wires.index(wire)
        s = kraus_superop([embed(k, pos, len(op.wires)) for k in kraus])
        total = s if total is None else s @ total
    return total


@dataclass(frozen=True)
class NoiseCache:
    """The channel superoperators after each operation of a circuit under one noise model.

    Memoised per (noise model, operation), so scoring a model under the same noise again, or another
    circuit with the same gates, costs no Kraus arithmetic.
    """

    model: NoiseModel

    def per_wire(self, op: Operation) -> tuple[tuple[int, np.ndarray], ...]:
        """The channels after ``op`` as one 4 × 4 superoperator per affected wire, in application order.

        Channels on different wires commute, so a gate's noise can be applied one wire at a time.
        """
        return _per_wire(self.model, op) if self.model.has_channels or op.channels else ()

    def superop_after(self, op: Operation) -> np.ndarray | None:
        """All channels after ``op`` as one superoperator on the gate's wires (None: noiseless)."""
        return _joint(self.model, op) if self.model.has_channels or op.channels else None
