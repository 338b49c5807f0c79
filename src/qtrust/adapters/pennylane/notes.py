"""The translation notes that say what became of each PennyLane operation (decomposed, dropped, a channel).

They go into the model's ``source``, so an audit record says how the QNode was read.
"""

from __future__ import annotations

from qtrust.adapters.pennylane.tape import _Item


def _rule_chain(name: str, rules: dict[str, str]) -> list[str]:
    """The decomposition rules used below ``name``: ["StronglyEntanglingLayers → Rot, CNOT", "Rot → RZ·RY·RZ"]."""
    chain, todo, seen = [], [name], set()
    while todo:
        current = todo.pop(0)
        if current in seen or current not in rules:
            continue
        seen.add(current)
        chain.append(f"{current} → {rules[current]}")
        todo += [part for part in rules[current].replace("·", ", ").split(", ")]
    return chain


def _decomposition_notes(items: list[_Item], rules: dict[str, str]) -> list[str]:
    notes = []
    for origin in dict.fromkeys(item.origin for item in items):
        parts = [item for item in items if item.origin == origin]
        if origin.startswith("basis change"):
            gates = "·".join(p.name for p in parts if p.kind == "gate") or "nothing"
            notes.append(f"{origin}: {gates} appended as trainable gates")
        elif parts[0].kind == "prep":
            hyper = parts[0].op.hyperparameters
            notes.append(
                f"{origin} → amplitude-encoded initial state (pad_with={hyper.get('pad_with')}, "
                f"normalize={hyper.get('normalize')})"
            )
        elif origin in rules:
            final = (
                ", ".join(dict.fromkeys(p.name for p in parts if p.kind in ("gate", "channel"))) or "nothing"
            )
            notes.append(f"{origin} decomposed into {final} ({'; '.join(_rule_chain(origin, rules))})")
    for item in items:
        if item.kind == "channel":
            notes.append(
                f"{item.op.name}({item.params[0]:g}) on qubit {item.wires[0]} → fixed channel on an I gate"
            )
    if any(item.op.name == "MultiRZ" for item in items):
        notes.append("MultiRZ on two wires → RZZ (IsingZZ), on one wire → RZ")
    dropped = sorted({item.name for item in items if item.kind == "drop"})
    if dropped:
        notes.append(f"dropped (no effect on measured probabilities): {', '.join(dropped)}")
    return notes
