"""Random circuits and noise models for checking the engine against PennyLane."""

from __future__ import annotations

import numpy as np

from qtrust.quantum.circuit import Angle, Circuit, Measurement, Operation
from qtrust.quantum.gates import GATES
from qtrust.quantum.noise import CHANNEL_KINDS, NoiseChannel, NoiseModel, ReadoutError

PARAMETRIC = [name for name, g in GATES.items() if g.parametric]
FIXED = [name for name, g in GATES.items() if not g.parametric]


def _wires(rng, gate, n):
    return tuple(int(w) for w in rng.choice(n, size=GATES[gate].n_qubits, replace=False))


def random_circuit(
    rng: np.random.Generator, n_qubits: int, *, reupload: bool = False, n_ops: int = 14
) -> Circuit:
    """An encoding section of data-dependent gates, then trainable gates (interleaved when ``reupload``)."""
    ops: list[Operation] = []
    n_weights = 0

    def encoding_op():
        gate = str(rng.choice(PARAMETRIC))
        if GATES[gate].n_qubits == 2 and rng.random() < 0.5:
            i, j = (int(v) for v in rng.choice(n_qubits, 2, replace=False))
            angle = Angle(const=float(rng.normal()), feature_products=((i, j, float(rng.normal()), np.pi),))
        else:
            angle = Angle(features=((int(rng.integers(n_qubits)), float(rng.uniform(0.5, 2))),))
        return Operation(gate, _wires(rng, gate, n_qubits), angle, section="encoding")

    def trainable_op():
        nonlocal n_weights
        if rng.random() < 0.3:
            gate = str(rng.choice(FIXED))
            return Operation(gate, _wires(rng, gate, n_qubits))
        gate = str(rng.choice(PARAMETRIC))
        n_weights += 1
        angle = Angle(
            const=float(rng.normal()) * 0.1, weights=((n_weights - 1, float(rng.uniform(0.5, 1.5))),)
        )
        return Operation(gate, _wires(rng, gate, n_qubits), angle)

    if reupload:
        for _ in range(n_ops):
            ops.append(encoding_op() if rng.random() < 0.4 else trainable_op())
        ops.insert(0, encoding_op())
    else:
        ops += [Operation("H", (q,), section="encoding") for q in range(n_qubits) if rng.random() < 0.5]
        ops += [encoding_op() for _ in range(n_ops // 3)]
        ops += [trainable_op() for _ in range(n_ops - n_ops // 3)]
    measured = tuple(
        sorted(int(q) for q in rng.choice(n_qubits, int(rng.integers(1, n_qubits + 1)), replace=False))
    )
    measurement = Measurement(measured, str(rng.choice(["parity", "mean"])))  # type: ignore[arg-type]
    return Circuit(n_qubits, tuple(ops), measurement, n_features=n_qubits, n_weights=n_weights)


def random_noise(rng: np.random.Generator, n_qubits: int) -> NoiseModel:
    kinds = rng.choice(list(CHANNEL_KINDS), size=int(rng.integers(1, 4)), replace=False)
    channels = []
    for kind in kinds:
        gates = (
            None if rng.random() < 0.6 else tuple(str(g) for g in rng.choice(list(GATES), 6, replace=False))
        )
        qubits = None if rng.random() < 0.6 else tuple(int(q) for q in rng.choice(n_qubits, 2, replace=False))
        channels.append(NoiseChannel(str(kind), float(rng.uniform(0.01, 0.2)), gates=gates, qubits=qubits))
    readout = (
        ReadoutError(float(rng.uniform(0, 0.1)), float(rng.uniform(0, 0.1))) if rng.random() < 0.7 else None
    )
    return NoiseModel(tuple(channels), readout)
