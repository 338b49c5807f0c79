"""The PennyLane operations qtrust takes one-to-one: gates, noise channels, and what it may drop.

Everything else is expanded with PennyLane's own decompositions until it reaches these tables (see
:mod:`qtrust.adapters.pennylane.tape`), so they decide what "translatable" means.
"""

from __future__ import annotations

#: PennyLane gate → qtrust gate (same conventions: RX(θ) = exp(−iθX/2), PhaseShift = diag(1, e^{iθ}), ...).
GATE_NAMES: dict[str, str] = {
    "PauliX": "X",
    "PauliY": "Y",
    "PauliZ": "Z",
    "Hadamard": "H",
    "S": "S",
    "T": "T",
    "SX": "SX",
    "RX": "RX",
    "RY": "RY",
    "RZ": "RZ",
    "PhaseShift": "P",
    "CNOT": "CNOT",
    "CZ": "CZ",
    "SWAP": "SWAP",
    "IsingXX": "RXX",
    "IsingYY": "RYY",
    "IsingZZ": "RZZ",
    "CRX": "CRX",
    "CRY": "CRY",
    "CRZ": "CRZ",
    "ControlledPhaseShift": "CP",
}

#: MultiRZ on one wire is RZ, on two wires IsingZZ (RZZ); on more it is decomposed.
MULTI_RZ = {1: "RZ", 2: "RZZ"}

#: PennyLane channel → qtrust channel kind (same parameter conventions, see qtrust.quantum.noise).
CHANNEL_KINDS: dict[str, str] = {
    "DepolarizingChannel": "depolarizing",
    "AmplitudeDamping": "amplitude_damping",
    "PhaseDamping": "phase_damping",
    "BitFlip": "bit_flip",
    "PhaseFlip": "phase_flip",
}

#: Operations with no effect on measured probabilities.
DROPPED = frozenset({"GlobalPhase", "Identity", "Barrier", "Snapshot"})
#: Operations that measure mid-circuit: refused, since qtrust translates unitary circuits with channels.
_MID_CIRCUIT = frozenset({"MidMeasure", "MidMeasureMP", "PauliMeasure", "Conditional"})
