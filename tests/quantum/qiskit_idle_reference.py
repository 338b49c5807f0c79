"""An independent reference for idle relaxation: the same circuit in Qiskit, scheduled ASAP by Qiskit's
transpiler (``ASAPScheduleAnalysis`` + ``PadDelay``), relaxed on every delay by Aer's ``RelaxationNoisePass``
and simulated as an exact density matrix (no shots).

qtrust wire w is Qiskit qubit n − 1 − w, so both tools index basis states with wire 0 as the most
significant bit.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Delay
from qiskit.circuit import library as lib
from qiskit.quantum_info import DensityMatrix
from qiskit.transpiler import InstructionDurations, PassManager
from qiskit.transpiler.passes import ASAPScheduleAnalysis, PadDelay
from qiskit_aer import AerSimulator
from qiskit_aer.noise import RelaxationNoisePass

from qtrust.quantum import Circuit, Operation

_FIXED = {
    "I": lib.IGate,
    "X": lib.XGate,
    "Y": lib.YGate,
    "Z": lib.ZGate,
    "H": lib.HGate,
    "S": lib.SGate,
    "T": lib.TGate,
    "SX": lib.SXGate,
    "CNOT": lib.CXGate,
    "CZ": lib.CZGate,
    "SWAP": lib.SwapGate,
}
_ROTATIONS = {
    "RX": lib.RXGate,
    "RY": lib.RYGate,
    "RZ": lib.RZGate,
    "P": lib.PhaseGate,
    "RXX": lib.RXXGate,
    "RYY": lib.RYYGate,
    "RZZ": lib.RZZGate,
    "CRX": lib.CRXGate,
    "CRY": lib.CRYGate,
    "CRZ": lib.CRZGate,
    "CP": lib.CPhaseGate,
}


def qiskit_gate(op: Operation, x: np.ndarray, weights: np.ndarray):
    if op.gate in _FIXED:
        return _FIXED[op.gate]()
    assert op.angle is not None
    theta = np.asarray(op.angle.evaluate(x[None, :], weights), dtype=float).reshape(-1)[0]
    return _ROTATIONS[op.gate](float(theta))


def aer_probabilities(
    circuit: Circuit,
    X: np.ndarray,
    weights: np.ndarray,
    t1_ns,
    t2_ns,
    duration_ns,
    *,
    dt_ns: float = 1.0,
    barrier: bool = True,
) -> np.ndarray:
    """Class-1 probabilities of ``circuit`` with relaxation on the delays of Qiskit's ASAP schedule only.

    ``duration_ns(op)``: each operation's duration (a whole number of ``dt_ns``); ``barrier``: a barrier
    between the encoding and the trainable section (qtrust schedules an encode-first circuit's sections
    one after the other).
    """
    n = circuit.n_qubits
    effect = circuit.measurement.effect(n)
    n_enc = len(circuit.encoding)
    qubit = [n - 1 - w for w in range(n)]
    entries = {}
    for op in circuit.operations:
        name = qiskit_gate(op, np.zeros(circuit.n_features), np.zeros(circuit.n_weights)).name
        entries[(name, tuple(qubit[w] for w in op.wires))] = round(duration_ns(op) / dt_ns)
    durations = InstructionDurations(
        [(name, qubits, k) for (name, qubits), k in entries.items()], dt=dt_ns * 1e-9
    )
    schedule = PassManager([ASAPScheduleAnalysis(durations), PadDelay(durations=durations)])
    relax = RelaxationNoisePass(
        [t1_ns[w] * 1e-9 for w in reversed(range(n))],
        [min(t2_ns[w], 2 * t1_ns[w]) * 1e-9 for w in reversed(range(n))],
        dt=dt_ns * 1e-9,
        op_types=[Delay],
    )
    simulator = AerSimulator(method="density_matrix")
    out = []
    for x in X:
        body = QuantumCircuit(n)
        for k, op in enumerate(circuit.operations):
            if barrier and k == n_enc and circuit.is_encode_first:
                body.barrier()
            body.append(qiskit_gate(op, x, weights), [qubit[w] for w in op.wires])
        # Aer's density-matrix method lacks crx/cry/crz: decomposed after scheduling, so timing is unchanged
        noisy = relax(schedule.run(body)).decompose(gates_to_decompose=["crx", "cry", "crz"])
        full = QuantumCircuit(n)
        if circuit.state_preparation is not None:
            psi = circuit.state_preparation.states(x[None, :], n)[0]
            full.set_density_matrix(DensityMatrix(psi))
        full.compose(noisy, inplace=True)
        full.save_density_matrix()
        rho = simulator.run(full).result().data()["density_matrix"]
        out.append(float(np.real(np.diag(np.asarray(rho))) @ effect))
    return np.array(out)
