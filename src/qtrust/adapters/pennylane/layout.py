"""Order and section of the translated operations: gates that commute ahead of the trainable ones move first.

Shared by the translation and by :class:`~qtrust.adapters.pennylane.QNodeClassifier`, so both put
section-restricted noise at the same gates.
"""

from __future__ import annotations

from qtrust.adapters.pennylane.framework import _UntranslatableError
from qtrust.adapters.pennylane.tape import _Item
from qtrust.quantum.circuit import Angle, Operation


def _operations(
    items: list[_Item], angles: dict[tuple[int, int], Angle]
) -> tuple[list[Operation], list[str]]:
    """qtrust operations with sections; gates untouched by trainable gates are moved ahead of them.

    A gate on wires that no weight-dependent gate has acted on yet commutes with every weight-dependent gate
    before it (they share no wire), so it can move ahead of them. When every input-dependent gate can move
    so, the circuit becomes encode-first: the encoding section is everything up to the last input-dependent
    gate that moved ahead; input-free gates after it go where they stand, at the start of the trainable
    section.
    """
    kept = [(k, item) for k, item in enumerate(items) if item.kind in ("gate", "channel")]
    dx, dw = {}, {}
    for k, item in kept:
        if item.kind == "channel" and (angles[(k, 0)].depends_on_input or angles[(k, 0)].depends_on_weights):
            raise _UntranslatableError(
                f"the strength of {item.name} on qubit(s) {list(item.wires)} is not constant"
            )
        angle = angles.get((k, 0)) if item.kind == "gate" and item.params else None
        dx[k] = bool(angle and angle.depends_on_input)
        dw[k] = bool(angle and angle.depends_on_weights)
        if item.basis_change and dx[k]:
            raise _UntranslatableError("the observable's basis change depends on the inputs")
    order, section, moved = _layout([(k, item.wires, item.basis_change) for k, item in kept], dx, dw)
    notes: list[str] = []
    if moved:
        notes.append(
            f"{moved} operation(s) reordered: gates moved ahead of trainable gates on other wires "
            "(they commute), so the input is loaded first"
        )
    ops = []
    for k in order:
        item = items[k]
        if item.kind == "channel":
            level = angles[(k, 0)].const
            ops.append(Operation("I", item.wires, None, section[k], channels=((item.name, level),)))
        else:
            angle = angles[(k, 0)] if item.params else None
            ops.append(Operation(item.name, item.wires, angle, section[k]))
    return ops, notes


def _layout(
    kept: list[tuple[int, tuple[int, ...], bool]], dx: dict[int, bool], dw: dict[int, bool]
) -> tuple[list[int], dict[int, str], int]:
    """Order and section of each operation ``(index, wires, is_basis_change)``; how many were reordered.

    ``dx`` / ``dw``: whether an operation's angle depends on the input / on the weights. Shared by the
    translation and by :class:`QNodeClassifier`, so both put section-restricted noise at the same gates.
    """
    tainted: set[int] = set()
    downstream = {}
    for k, wires, basis_change in kept:
        hit = dw[k] or basis_change or any(w in tainted for w in wires)
        downstream[k] = hit
        if hit:
            tainted.update(wires)
    tape_order = [k for k, _, _ in kept]
    if any(dx[k] and downstream[k] for k in tape_order):  # re-uploading: keep the tape's order
        first_w = next((i for i, k in enumerate(tape_order) if downstream[k]), len(tape_order))
        section = {
            k: "encoding" if dx[k] or (not dw[k] and i < first_w) else "trainable"
            for i, k in enumerate(tape_order)
        }
        return tape_order, section, 0
    ahead = [k for k in tape_order if not downstream[k]]
    behind = [k for k in tape_order if downstream[k]]
    last_x = max((i for i, k in enumerate(ahead) if dx[k]), default=-1)
    order = ahead + behind
    section = {k: "encoding" if i <= last_x else "trainable" for i, k in enumerate(order)}
    return order, section, sum(1 for a, b in zip(order, tape_order, strict=True) if a != b)
