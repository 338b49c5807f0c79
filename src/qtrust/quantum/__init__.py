"""The quantum engine: a small circuit IR, noise channels, three exact batched simulation paths, shots."""

from qtrust.quantum.ansatz import encoding_circuit, iqp_encoding, variational_circuit
from qtrust.quantum.circuit import Angle, Circuit, Measurement, Operation
from qtrust.quantum.engine import MAX_QUBITS, PATHS, SimulationResult, choose_path, encode, simulate
from qtrust.quantum.gates import GATES
from qtrust.quantum.gradients import TrainingObjective
from qtrust.quantum.kernels import fidelity_kernel, projected_kernel
from qtrust.quantum.kraus import CHANNEL_KINDS, NOISE_KINDS
from qtrust.quantum.noise import NOISELESS, NoiseChannel, NoiseModel, ReadoutError
from qtrust.quantum.shots import sample_probabilities
from qtrust.quantum.states import EncodedStates

__all__ = [
    "CHANNEL_KINDS",
    "GATES",
    "MAX_QUBITS",
    "NOISELESS",
    "NOISE_KINDS",
    "PATHS",
    "Angle",
    "Circuit",
    "EncodedStates",
    "Measurement",
    "NoiseChannel",
    "NoiseModel",
    "Operation",
    "ReadoutError",
    "SimulationResult",
    "TrainingObjective",
    "choose_path",
    "encode",
    "encoding_circuit",
    "fidelity_kernel",
    "iqp_encoding",
    "projected_kernel",
    "sample_probabilities",
    "simulate",
    "variational_circuit",
]
