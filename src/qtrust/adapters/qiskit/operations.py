"""The lowered gates as qtrust operations, with their sections, in encode-first order where that is exact.

Encode-first circuits get qtrust's Heisenberg path and certificates, so input gates are moved ahead of the
trainable gates whenever they commute past them (they share no wire).
"""

from __future__ import annotations

from typing import Any

from qtrust.adapters.qiskit.angles import _angle
from qtrust.adapters.qiskit.lowering import QISKIT_TO_QTRUST
from qtrust.quantum.circuit import Operation
from qtrust.quantum.gates import GATES


def _operations(lowered: Any, roles: dict) -> tuple[list[Operation], bool]:
    """One qtrust operation per lowered gate; encode-first when the input gates can be moved first.

    Gates are sorted into the *encoding* section when they depend on the input or precede (on shared wires)
    a gate that does. If none of those depends on a weight, they are moved before everything else —
    legitimate because the rest never precedes them on a wire — and the circuit is encode-first.
    """
    raw = []
    for index, inst in enumerate(lowered.data):
        name = inst.operation.name
        gate = QISKIT_TO_QTRUST[name]
        wires = tuple(lowered.find_bit(q).index for q in inst.qubits)
        where = f"circuit '{lowered.name}', lowered gate {index} '{name}' on qubits {wires}"
        angle = _angle(inst.operation.params[0], roles, where) if GATES[gate].parametric else None
        raw.append((gate, wires, angle))
    needed: set[int] = set()
    before_input = [False] * len(raw)
    for index in range(len(raw) - 1, -1, -1):
        _, wires, angle = raw[index]
        if (angle is not None and angle.depends_on_input) or needed & set(wires):
            before_input[index] = True
            needed |= set(wires)
    reorder = not any(
        flag and angle is not None and angle.depends_on_weights
        for flag, (_, _, angle) in zip(before_input, raw, strict=True)
    )
    if reorder:
        order = [i for i in range(len(raw)) if before_input[i]] + [
            i for i in range(len(raw)) if not before_input[i]
        ]
        sections = ["encoding" if before_input[i] else "trainable" for i in range(len(raw))]
    else:
        order = list(range(len(raw)))
        sections = [
            "encoding" if angle is not None and angle.depends_on_input else "trainable" for _, _, angle in raw
        ]
    operations = [Operation(raw[i][0], raw[i][1], raw[i][2], sections[i]) for i in order]  # type: ignore[arg-type]
    return operations, order != sorted(order)
