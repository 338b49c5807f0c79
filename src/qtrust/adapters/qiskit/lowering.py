"""Lowering: any Qiskit circuit → a circuit of gates that map one-to-one onto qtrust's gate set.

Composite instructions are expanded through their Qiskit definitions, a few standard gates are split exactly,
and the rest is rewritten by Qiskit's transpiler at ``optimization_level=0`` (which never merges gates).
Every split is noted, since a noise model that acts "after every gate" then acts after each piece; and the
lowered circuit is public (:func:`lower_circuit`) so Aer can run exactly the gates qtrust runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.adapters.qiskit.framework import _qiskit
from qtrust.errors import InputError

#: Qiskit gate name → qtrust gate. Every entry has the same matrix and angle convention on both sides
#: (Qiskit's ``rz`` is exp(−iθZ/2) like qtrust's RZ; ``p`` is diag(1, e^{iθ}); two-qubit gates take the
#: control first).
QISKIT_TO_QTRUST: dict[str, str] = {
    "id": "I",
    "x": "X",
    "y": "Y",
    "z": "Z",
    "h": "H",
    "s": "S",
    "t": "T",
    "sx": "SX",
    "rx": "RX",
    "ry": "RY",
    "rz": "RZ",
    "p": "P",
    "cx": "CNOT",
    "cz": "CZ",
    "swap": "SWAP",
    "rxx": "RXX",
    "ryy": "RYY",
    "rzz": "RZZ",
    "crx": "CRX",
    "cry": "CRY",
    "crz": "CRZ",
    "cp": "CP",
}

QTRUST_TO_QISKIT: dict[str, str] = {v: k for k, v in QISKIT_TO_QTRUST.items()}

#: The Qiskit basis the lowering targets: every physical gate qtrust has (``id`` carries no noise in qtrust).
QISKIT_BASIS: tuple[str, ...] = tuple(name for name in QISKIT_TO_QTRUST if name != "id")

_SUPPORTED_TEXT = ", ".join(QISKIT_TO_QTRUST)

_CONTROL_FLOW = {"if_else", "while_loop", "for_loop", "switch_case", "box", "break_loop", "continue_loop"}


@dataclass
class _Lowered:
    """The lowered circuit, its terminal measurements (qubit → clbit) and what the lowering had to do."""

    circuit: Any
    measured: dict[int, int] = field(default_factory=dict)
    expanded: dict[str, int] = field(default_factory=dict)
    split: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        out = []
        if self.expanded:
            listed = ", ".join(f"{name} ×{n}" for name, n in self.expanded.items())
            out.append(f"composite instructions expanded through their Qiskit definitions: {listed}")
        for name, pieces in self.split.items():
            if "·" in pieces:
                out.append(
                    f"'{name}' has no qtrust equivalent and was split into {pieces}; noise placed after every "
                    "gate acts after each piece"
                )
            else:
                out.append(f"'{name}' has no qtrust equivalent and is written as {pieces}")
        if self.dropped:
            listed = ", ".join(f"{name} ×{n}" for name, n in self.dropped.items())
            out.append(f"dropped (no effect on the state): {listed}")
        return out


def _standard_gates() -> dict[str, Any]:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return get_standard_gate_name_mapping()


def _split_rule(name: str, params: Sequence[Any]) -> list[tuple[str, Any]] | None:
    """Exact splits of standard one-qubit gates into qtrust rotations (up to global phase), circuit order."""
    if name in ("u", "u3"):  # U(θ, φ, λ) = RZ(φ) RY(θ) RZ(λ)
        theta, phi, lam = params
        return [("rz", lam), ("ry", theta), ("rz", phi)]
    if name == "u2":  # U2(φ, λ) = U(π/2, φ, λ)
        phi, lam = params
        return [("rz", lam), ("ry", np.pi / 2), ("rz", phi)]
    if name == "r":  # R(θ, φ) = RZ(φ) RX(θ) RZ(−φ)
        theta, phi = params
        return [("rz", -phi), ("rx", theta), ("rz", phi)]
    return None


def _lower(circuit: Any) -> _Lowered:
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(
            f"expected a qiskit QuantumCircuit, got {type(circuit).__name__}",
            where="circuit",
            fix="pass the parameterised circuit (for a QNN: qnn.circuit)",
        )
    if circuit.layout is not None:
        raise InputError(
            f"circuit '{circuit.name}' was transpiled onto a device layout (physical qubits, ancillas)",
            where="circuit",
            fix="translate the logical circuit, before transpiling it for hardware",
        )
    out = _Lowered(QuantumCircuit(circuit.num_qubits, name=circuit.name))
    std = _standard_gates()
    _walk(circuit, list(range(circuit.num_qubits)), out, std, f"circuit '{circuit.name}'", top=True)
    return out


def _walk(qc: Any, qubit_map: list[int], out: _Lowered, std: dict[str, Any], where: str, top: bool) -> None:
    from qiskit.circuit import ControlFlowOp, Gate

    for index, inst in enumerate(qc.data):
        op = inst.operation
        name = op.name
        wires = tuple(qubit_map[qc.find_bit(q).index] for q in inst.qubits)
        here = f"{where}, instruction {index} '{name}' on qubits {wires}"
        if name == "barrier":
            continue
        if name in ("delay", "global_phase"):
            out.dropped[name] = out.dropped.get(name, 0) + 1
            continue
        after_measure = sorted(set(wires) & set(out.measured))
        if after_measure:
            raise InputError(
                f"qubit {after_measure[0]} is measured and then used again: mid-circuit measurement",
                where=here,
                fix="measure only at the end: qtrust translates unitary circuits with final measurements",
            )
        if name == "measure":
            if not top:
                raise InputError(
                    "measurement inside a composite instruction",
                    where=here,
                    fix="measure only at the end of the top-level circuit",
                )
            out.measured[wires[0]] = qc.find_bit(inst.clbits[0]).index
            continue
        if name == "reset":
            raise InputError(
                "reset is not unitary and has no qtrust equivalent",
                where=here,
                fix="remove the reset: circuits start in |0…0⟩",
            )
        if isinstance(op, ControlFlowOp) or name in _CONTROL_FLOW or getattr(op, "condition", None):
            raise InputError(
                f"classically controlled instruction '{name}'",
                where=here,
                fix="use a circuit without classical control flow (unitary gates, final measurements)",
            )
        reference = std.get(name)
        if name in QISKIT_TO_QTRUST and reference is not None and op.base_class is reference.base_class:
            gate = reference if not op.params else reference.base_class(*op.params)
            out.circuit.append(gate, list(wires))
            continue
        if reference is not None and op.base_class is reference.base_class:
            pieces = _split_rule(name, op.params)
            if pieces is not None:
                for piece, angle in pieces:
                    out.circuit.append(std[piece].base_class(angle), list(wires))
                out.split[name] = "·".join(QISKIT_TO_QTRUST[p].upper() for p, _ in reversed(pieces)) + (
                    " (matrix order, equal up to global phase)"
                )
                continue
            _via_transpiler(op, wires, out, std, here)
            continue
        if inst.clbits:
            raise InputError(
                f"instruction '{name}' writes classical bits",
                where=here,
                fix="measure only at the end of the top-level circuit",
            )
        try:
            definition = op.definition
        except Exception:  # some instructions build their definition lazily and may fail
            definition = None
        if definition is not None:
            out.expanded[name] = out.expanded.get(name, 0) + 1
            inner = [wires[definition.find_bit(q).index] for q in definition.qubits]
            _walk(definition, inner, out, std, f"{here} →", top=False)
            continue
        if isinstance(op, Gate):
            _via_transpiler(op, wires, out, std, here)
            continue
        raise InputError(
            f"unsupported instruction '{name}'",
            where=here,
            fix=f"use unitary gates (qtrust has: {_SUPPORTED_TEXT}; others are decomposed) and final "
            "measurements only",
        )


def _via_transpiler(op: Any, wires: tuple[int, ...], out: _Lowered, std: dict[str, Any], here: str) -> None:
    """Rewrite one gate with Qiskit's transpiler into qtrust's basis (optimization_level=0: no merging)."""
    from qiskit import QuantumCircuit, transpile

    small = QuantumCircuit(op.num_qubits)
    small.append(op, list(range(op.num_qubits)))
    try:
        lowered = transpile(small, basis_gates=list(QISKIT_BASIS), optimization_level=0)
    except Exception as exc:
        raise InputError(
            f"gate '{op.name}' cannot be decomposed into qtrust's gates ({exc})",
            where=here,
            fix=f"use gates qtrust has ({_SUPPORTED_TEXT}) or ones Qiskit can decompose into them",
        ) from exc
    if lowered.layout is not None and lowered.layout.final_layout is not None:
        raise InputError(f"decomposing '{op.name}' permuted qubits", where=here, fix="decompose it by hand")
    pieces = [inst.operation.name for inst in lowered.data]
    if not pieces:
        out.dropped[op.name] = out.dropped.get(op.name, 0) + 1
        return
    out.split[op.name] = "·".join(reversed([QISKIT_TO_QTRUST.get(p, p).upper() for p in pieces])) + (
        " (matrix order; Qiskit transpiler, optimization_level=0)"
    )
    _walk(lowered, list(wires), out, std, f"{here} (decomposed) →", top=False)


def lower_circuit(circuit: Any) -> Any:
    """The Qiskit circuit qtrust translates: only gates of :data:`QISKIT_TO_QTRUST`, one per qtrust operation.

    Barriers, delays and final measurements are dropped; composite and unsupported gates are expanded as
    described in the module docstring. Run it (with :func:`to_aer_noise_model`) to compare noisy results
    gate for gate.
    """
    _qiskit()
    return _lower(circuit).circuit
