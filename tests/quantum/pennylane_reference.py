"""Translate qtrust circuits into PennyLane QNodes: the independent reference for the engine tests."""

from __future__ import annotations

import numpy as np
import pennylane as qml

from qtrust.quantum.circuit import Circuit
from qtrust.quantum.noise import NoiseModel

GATE_MAP = {
    "I": qml.Identity,
    "X": qml.PauliX,
    "Y": qml.PauliY,
    "Z": qml.PauliZ,
    "H": qml.Hadamard,
    "S": qml.S,
    "T": qml.T,
    "SX": qml.SX,
    "RX": qml.RX,
    "RY": qml.RY,
    "RZ": qml.RZ,
    "P": qml.PhaseShift,
    "CNOT": qml.CNOT,
    "CZ": qml.CZ,
    "SWAP": qml.SWAP,
    "RXX": qml.IsingXX,
    "RYY": qml.IsingYY,
    "RZZ": qml.IsingZZ,
    "CRX": qml.CRX,
    "CRY": qml.CRY,
    "CRZ": qml.CRZ,
    "CP": qml.ControlledPhaseShift,
}
CHANNEL_MAP = {
    "depolarizing": qml.DepolarizingChannel,
    "amplitude_damping": qml.AmplitudeDamping,
    "phase_damping": qml.PhaseDamping,
    "bit_flip": qml.BitFlip,
    "phase_flip": qml.PhaseFlip,
}


def pennylane_probabilities(circuit: Circuit, x: np.ndarray, weights: np.ndarray, noise: NoiseModel | None):
    """Computational-basis probabilities of the circuit for one input row, from PennyLane."""
    model_noisy = noise is not None and noise.has_channels
    noisy = model_noisy or circuit.has_channels
    dev = qml.device("default.mixed" if noisy else "default.qubit", wires=circuit.n_qubits)

    @qml.qnode(dev)
    def qnode():
        prep = circuit.state_preparation
        if prep is not None:
            qml.AmplitudeEmbedding(
                x[: prep.n_features], wires=range(circuit.n_qubits), pad_with=prep.pad_with, normalize=True
            )
        for op in circuit.operations:
            gate = GATE_MAP[op.gate]
            if op.angle is None:
                gate(wires=list(op.wires))
            else:
                gate(
                    float(op.angle.evaluate(x[None, :], weights)[0])
                    if op.angle.depends_on_input
                    else float(op.angle.evaluate(None, weights)),
                    wires=list(op.wires),
                )
            for kind, level in op.channels:
                for w in op.wires:
                    CHANNEL_MAP[kind](level, wires=w)
            if model_noisy:
                for channel in noise.channels:
                    for w in op.wires:
                        if channel.applies_to(op, w):
                            CHANNEL_MAP[channel.kind](channel.level, wires=w)
        return qml.probs(wires=range(circuit.n_qubits))

    return np.asarray(qnode())


def readout_effect(circuit: Circuit, noise: NoiseModel | None) -> np.ndarray:
    """The class-1 effect built independently: an explicit confusion matrix per qubit, then the rule."""
    n = circuit.n_qubits
    measured = circuit.measurement.qubits
    confusion = []
    per_qubit = {q: (p01, p10) for q, p01, p10 in (noise.readout_by_qubit if noise is not None else ())}
    for q in range(n):
        if q in measured and q in per_qubit:
            p01, p10 = per_qubit[q]
            confusion.append(np.array([[1 - p01, p10], [p01, 1 - p10]]))  # [read, true]
        elif noise is not None and noise.readout is not None and q in measured:
            p01, p10 = noise.readout.p01, noise.readout.p10
            confusion.append(np.array([[1 - p01, p10], [p01, 1 - p10]]))  # [read, true]
        else:
            confusion.append(np.eye(2))
    full = confusion[0]
    for c in confusion[1:]:
        full = np.kron(full, c)  # full[read_z, true_z]
    bits = (np.arange(2**n)[:, None] >> (n - 1 - np.arange(n))) & 1
    read_bits = bits[:, list(measured)]
    rule = circuit.measurement.rule
    if rule == "table":
        value = np.asarray(circuit.measurement.table)[read_bits @ (1 << np.arange(len(measured)))[::-1]]
    elif rule == "parity":
        value = read_bits.sum(axis=1) % 2
    else:
        value = read_bits.mean(axis=1)
    return full.T @ value  # E[value | true z]
