"""Circuit builders: angle and IQP feature maps, hardware-efficient trainable layers, data re-uploading.

These produce plain :class:`Circuit` data; the models in :mod:`qtrust.models` only choose options.
"""

from __future__ import annotations

import math
from typing import Literal

from qtrust.errors import InputError
from qtrust.quantum.circuit import Angle, Circuit, Measurement, Operation

Encoding = Literal["angle", "iqp"]
Topology = Literal["ring", "linear", "full", "none"]
ENCODINGS: tuple[str, ...] = ("angle", "iqp")
TOPOLOGIES: tuple[str, ...] = ("ring", "linear", "full", "none")


def pairs(n_qubits: int, topology: Topology) -> list[tuple[int, int]]:
    """Wire pairs of an entangling pattern."""
    if topology not in TOPOLOGIES:
        raise InputError(
            f"unknown entangling topology {topology!r}", fix=f"use one of: {', '.join(TOPOLOGIES)}"
        )
    if topology == "none" or n_qubits < 2:
        return []
    if topology == "linear":
        return [(i, i + 1) for i in range(n_qubits - 1)]
    if topology == "ring":
        return [(i, (i + 1) % n_qubits) for i in range(n_qubits)] if n_qubits > 2 else [(0, 1)]
    return [(i, j) for i in range(n_qubits) for j in range(i + 1, n_qubits)]


def angle_encoding(n_qubits: int, rotation: str = "RY", scale: float = 1.0) -> list[Operation]:
    """One rotation per qubit by its feature: a product state, real amplitudes for RY."""
    return [
        Operation(rotation, (q,), Angle.of_feature(q, scale), section="encoding") for q in range(n_qubits)
    ]


def iqp_encoding(n_qubits: int, reps: int = 2, topology: Topology = "full") -> list[Operation]:
    """Havlíček et al. (2019) ZZ feature map: (U_Φ(x) H^⊗n)^reps with φ_i = x_i, φ_ij = (π − x_i)(π − x_j).

    Written with RZ(2φ_i) and RZZ(2φ_ij), equal to Qiskit's ``ZZFeatureMap`` up to a global phase.
    """
    ops: list[Operation] = []
    for _ in range(reps):
        ops += [Operation("H", (q,), section="encoding") for q in range(n_qubits)]
        ops += [Operation("RZ", (q,), Angle.of_feature(q, 2.0), section="encoding") for q in range(n_qubits)]
        ops += [
            Operation("RZZ", (i, j), Angle(feature_products=((i, j, 2.0, math.pi),)), section="encoding")
            for i, j in pairs(n_qubits, topology)
        ]
    return ops


def encoding_operations(
    kind: Encoding, n_qubits: int, reps: int = 2, topology: Topology = "full"
) -> list[Operation]:
    if kind == "angle":
        return angle_encoding(n_qubits)
    if kind == "iqp":
        return iqp_encoding(n_qubits, reps, topology)
    raise InputError(f"unknown encoding {kind!r}", fix=f"use one of: {', '.join(ENCODINGS)}")


class _WeightCounter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> Angle:
        self.n += 1
        return Angle.of_weight(self.n - 1)


def hardware_efficient_layer(
    n_qubits: int, counter: _WeightCounter, rotations: tuple[str, ...], topology: Topology, entangler: str
) -> list[Operation]:
    """Trainable rotations on every qubit, then a fixed entangling pattern (Kandala et al. 2017)."""
    ops = [Operation(r, (q,), counter.next()) for q in range(n_qubits) for r in rotations]
    ops += [Operation(entangler, pair) for pair in pairs(n_qubits, topology)]
    return ops


def variational_circuit(
    n_qubits: int,
    n_layers: int = 2,
    *,
    encoding: Encoding = "angle",
    encoding_reps: int = 2,
    rotations: tuple[str, ...] = ("RY", "RZ"),
    topology: Topology = "ring",
    entangler: str = "CNOT",
    final_rotations: tuple[str, ...] = ("RY",),
    reupload: bool = False,
    measurement: Measurement | None = None,
    name: str = "variational",
) -> Circuit:
    """Encoding, ``n_layers`` hardware-efficient layers, a final rotation layer, and a measurement.

    With ``reupload=True`` the encoding is repeated before every layer (Pérez-Salinas et al. 2020); the
    circuit is then not encode-first and runs on the statevector or density-matrix path.
    """
    if n_qubits < 1 or n_layers < 0:
        raise InputError("need n_qubits ≥ 1 and n_layers ≥ 0", where=name)
    counter = _WeightCounter()
    enc = encoding_operations(encoding, n_qubits, encoding_reps, "full")
    ops: list[Operation] = [] if reupload else list(enc)
    for _ in range(n_layers):
        if reupload:
            ops += enc
        ops += hardware_efficient_layer(n_qubits, counter, rotations, topology, entangler)
    ops += [Operation(r, (q,), counter.next()) for q in range(n_qubits) for r in final_rotations]
    if reupload and n_layers == 0:
        ops = list(enc) + ops
    return Circuit(
        n_qubits=n_qubits,
        operations=tuple(ops),
        measurement=measurement or Measurement(tuple(range(n_qubits)), "mean"),
        n_features=n_qubits,
        n_weights=counter.n,
        name=name,
    )


def encoding_circuit(
    n_qubits: int, encoding: Encoding = "iqp", reps: int = 2, topology: Topology = "full"
) -> Circuit:
    """Just the feature map (for kernels): no trainable part, measurement unused."""
    return Circuit(
        n_qubits=n_qubits,
        operations=tuple(encoding_operations(encoding, n_qubits, reps, topology)),
        n_features=n_qubits,
        name=f"{encoding}_feature_map",
    )
