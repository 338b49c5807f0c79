"""A qtrust noise model written as a Qiskit Aer noise model, with the same placement.

Aer is the independent check for noisy agreement: run :func:`~qtrust.adapters.qiskit.lower_circuit`'s
circuit under this model and compare gate for gate.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from qtrust.adapters.qiskit.lowering import QISKIT_BASIS, QISKIT_TO_QTRUST
from qtrust.errors import InputError
from qtrust.quantum.circuit import Angle, Operation
from qtrust.quantum.gates import GATES
from qtrust.quantum.noise import NoiseModel


def _aer_error(kind: str, level: float) -> Any:
    from qiskit_aer.noise import amplitude_damping_error, depolarizing_error, pauli_error, phase_damping_error

    if kind == "depolarizing":
        return depolarizing_error(4.0 * level / 3.0, 1)  # qtrust/PennyLane p ↔ Qiskit λ = 4p/3
    if kind == "amplitude_damping":
        return amplitude_damping_error(level)
    if kind == "phase_damping":
        return phase_damping_error(level)
    if kind == "bit_flip":
        return pauli_error([("X", level), ("I", 1.0 - level)])
    if kind == "phase_flip":
        return pauli_error([("Z", level), ("I", 1.0 - level)])
    raise InputError(f"noise channel {kind!r} has no Aer equivalent here", where="noise.channels")


def _gate_error(signature: tuple[tuple[tuple[str, float], ...], ...]) -> Any:
    """One Aer error for a gate: per gate position, its channels in order; positions side by side."""
    from qiskit_aer.noise import pauli_error

    parts = []
    for position in signature:
        err = pauli_error([("I", 1.0)])
        for kind, level in position:
            err = err.compose(_aer_error(kind, level))  # compose: err first, then the next channel
        parts.append(err)
    total = parts[0]
    for part in parts[1:]:
        total = part.tensor(total)  # a.tensor(b) puts b on the lower qubit: position 0 is the first qubit
    return total


def to_aer_noise_model(noise: NoiseModel, n_qubits: int, gates: Iterable[str] | None = None) -> Any:
    """An Aer ``NoiseModel`` placing the same channels as qtrust's ``noise`` on an ``n_qubits`` register.

    Every channel acts after every matching gate, on each of the gate's wires (honouring the channel's
    ``gates``, ``qubits`` and ``operation_wires`` restrictions), in the model's order; readout errors become
    Aer ``ReadoutError``\\ s with rows [P(read 0|0), P(read 1|0)] and [P(read 0|1), P(read 1|1)].
    ``gates`` limits the Qiskit gate names that carry noise (default: all of :data:`QISKIT_BASIS`; ``id``
    never does, as in qtrust). Section restrictions have no Aer equivalent and are refused.
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError as AerReadoutError

    if not isinstance(noise, NoiseModel):
        raise InputError(
            f"expected a qtrust NoiseModel, got {type(noise).__name__}",
            where="noise",
            fix="pass a NoiseModel",
        )
    if noise.idle is not None:
        raise InputError(
            "the noise model has idle relaxation, which needs a scheduled circuit; an Aer noise model places "
            "errors on gates only",
            where="noise.idle",
            fix="convert the model without idle noise (device_noise(..., idle=False)) and add idle relaxation "
            "on Aer's side with qiskit_aer.noise.RelaxationNoisePass on a scheduled circuit",
        )
    names = tuple(QISKIT_BASIS if gates is None else gates)
    unknown = [g for g in names if g not in QISKIT_BASIS]
    if unknown:
        raise InputError(
            f"gate {unknown[0]!r} is not one of qtrust's noisy gates",
            where="gates",
            fix=f"use Qiskit names from: {', '.join(QISKIT_BASIS)}",
        )
    for channel in noise.channels:
        if set(channel.sections) != {"encoding", "trainable"}:
            raise InputError(
                f"the {channel.kind} channel is limited to sections {list(channel.sections)}, which Aer cannot "
                "tell apart (it places noise by gate name and qubits)",
                where="noise.channels",
                fix="use channels that act in both sections to compare with Aer",
            )
    aer = AerNoiseModel(basis_gates=list(QISKIT_BASIS))
    for qiskit_name in names:
        gate = QISKIT_TO_QTRUST[qiskit_name]
        spec = GATES[gate]
        angle = Angle() if spec.parametric else None
        per_tuple: dict[tuple[int, ...], tuple[tuple[tuple[str, float], ...], ...]] = {}
        for wires in itertools.permutations(range(n_qubits), spec.n_qubits):
            op = Operation(gate, wires, angle)
            per_tuple[wires] = tuple(
                tuple((c.kind, c.level) for c in noise.channels if c.applies_to(op, wire)) for wire in wires
            )
        signatures = set(per_tuple.values())
        if not any(any(pos) for sig in signatures for pos in sig):
            continue

        if len(signatures) == 1:
            aer.add_all_qubit_quantum_error(_gate_error(next(iter(signatures))), qiskit_name)
        else:
            for wires, signature in per_tuple.items():
                if any(signature):
                    aer.add_quantum_error(_gate_error(signature), qiskit_name, list(wires))
    if noise.has_readout_error:
        rates = noise.readout_for(range(n_qubits)) or ()
        for q, (p01, p10) in enumerate(rates):
            if p01 > 0 or p10 > 0:
                aer.add_readout_error(AerReadoutError([[1.0 - p01, p01], [p10, 1.0 - p10]]), [q])
    return aer
