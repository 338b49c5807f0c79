"""The QNode's tape as qtrust sees it: every operation expanded down to qtrust's gate set, one item each.

PennyLane's own decompositions do the expanding, so a template means exactly what PennyLane says it means.
The item keys (kind, name, wires) are what the translation compares across probes to detect a gate sequence
that changes with the inputs, and what the fallback uses to place qtrust's noise at the same gates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qtrust.adapters.pennylane.framework import Channel, StatePrepBase, _text, _UntranslatableError, qml
from qtrust.adapters.pennylane.gate_set import _MID_CIRCUIT, CHANNEL_KINDS, DROPPED, GATE_NAMES, MULTI_RZ
from qtrust.adapters.pennylane.outputs import _diagonalizing_gates

if TYPE_CHECKING:
    from qtrust.adapters.pennylane.qnode import _QNodeSpec


@dataclass
class _Item:
    """One operation of the expanded tape: a gate, a channel, a state preparation, or nothing to keep."""

    kind: str  # "gate" | "channel" | "prep" | "drop" | "unsupported"
    name: str  # qtrust gate name, channel kind, or the PennyLane name
    wires: tuple[int, ...]
    params: tuple[float, ...]
    origin: str
    op: Any = None
    basis_change: bool = False

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.kind, self.name, self.wires, len(self.params), self.basis_change)


def _stops(op: Any) -> bool:
    name = op.name
    if name in GATE_NAMES or name in CHANNEL_KINDS or name in DROPPED:
        return True
    if name == "MultiRZ":
        return len(op.wires) in MULTI_RZ
    if isinstance(op, StatePrepBase):
        return not isinstance(op, qml.BasisState)  # a basis state is X gates: decomposed
    return isinstance(op, Channel) or type(op).__name__ in _MID_CIRCUIT


def _expand(
    op: Any, origin: str, out: list[tuple[Any, str]], rules: dict[str, str] | None, depth: int = 0
) -> None:
    """PennyLane's own decompositions, recursively, down to qtrust's gate set (or to what has none)."""
    if _stops(op) or depth > 32 or not op.has_decomposition:
        out.append((op, origin))
        return
    parts = op.decomposition()
    if rules is not None and op.name not in rules:
        names = [p.name for p in parts]
        rules[op.name] = "·".join(names) if len(names) <= 4 else ", ".join(dict.fromkeys(names))
    for part in parts:
        _expand(part, origin, out, rules, depth + 1)


def _params(op: Any) -> tuple[float, ...]:
    values = []
    for p in op.data:
        a = np.asarray(qml.math.unwrap(p))
        if a.size != 1 or (np.iscomplexobj(a) and abs(a.imag).max() > 0):
            raise _UntranslatableError(f"{op.name} on wires {list(op.wires)} has a non-scalar parameter")
        values.append(float(np.real(a).reshape(-1)[0]))
    return tuple(values)


def _items(spec: _QNodeSpec, tape: Any, rules: dict[str, str] | None = None) -> list[_Item]:
    expanded: list[tuple[Any, str]] = []
    for op in tape.operations:
        _expand(op, op.name, expanded, rules)
    mp = tape.measurements[0]
    basis: list[tuple[Any, str]] = []
    for gate in _diagonalizing_gates(mp):
        _expand(gate, f"basis change of {_text(mp.obs)}", basis, rules)
    index = {w: i for i, w in enumerate(spec.register)}
    items = []
    for position, (op, origin) in enumerate(expanded + basis):
        name = op.name
        try:
            wires = tuple(index[w] for w in op.wires)
        except KeyError:
            raise _UntranslatableError(
                f"{name} acts on wires {list(op.wires)} outside the device's wires"
            ) from None
        in_basis = position >= len(expanded)
        if name in DROPPED:
            items.append(_Item("drop", name, wires, (), origin, op))
        elif name in GATE_NAMES or (name == "MultiRZ" and len(wires) in MULTI_RZ):
            qname = GATE_NAMES.get(name) or MULTI_RZ[len(wires)]
            items.append(_Item("gate", qname, wires, _params(op), origin, op, in_basis))
        elif name in CHANNEL_KINDS:
            items.append(_Item("channel", CHANNEL_KINDS[name], wires, _params(op), origin, op, in_basis))
        elif isinstance(op, StatePrepBase) and not isinstance(op, qml.BasisState) and position == 0:
            items.append(_Item("prep", name, wires, (), origin, op))
        else:
            items.append(_Item("unsupported", name, wires, (), origin, op, in_basis))
    return items


def _check_supported(items: list[_Item]) -> None:
    for item in items:
        if item.kind == "unsupported":
            what = (
                "a state preparation after the first operation"
                if isinstance(item.op, StatePrepBase)
                else "a noise channel qtrust does not model"
                if isinstance(item.op, Channel)
                else "no decomposition into qtrust's gate set"
            )
            raise _UntranslatableError(
                f"{item.name} on wires {list(item.op.wires)} (from {item.origin}): {what} "
                f"(gates: {', '.join(sorted(GATE_NAMES))}, MultiRZ on ≤ 2 wires; channels: "
                f"{', '.join(CHANNEL_KINDS)}; AmplitudeEmbedding/StatePrep first)"
            )
