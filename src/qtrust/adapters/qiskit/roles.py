"""Which circuit parameter is an input (a feature column) and which a weight, checked once for every gate.

Every circuit parameter needs exactly one role, so a forgotten or doubly listed parameter is refused here
rather than surfacing as a wrong angle.
"""

from __future__ import annotations

from typing import Any

from qtrust.errors import InputError


def _parameter_list(params: Any, what: str) -> list:
    from qiskit.circuit import Parameter

    if params is None:
        return []
    items = list(params)
    for p in items:
        if not isinstance(p, Parameter):
            raise InputError(
                f"{what} must be qiskit Parameters, got {type(p).__name__} ({p!r})",
                where=what,
                fix="pass the circuit's Parameter objects (e.g. feature_map.parameters)",
            )
    names = [p.name for p in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"{what} lists {repeated[0]!r} more than once", where=what, fix="list each once")
    return items


def _roles(circuit: Any, inputs: list, weights: list) -> dict[Any, tuple[str, int]]:
    both = sorted({p.name for p in inputs} & {p.name for p in weights})
    if both:
        raise InputError(
            f"parameter {both[0]!r} is listed as an input and as a weight",
            where="input_params/weight_params",
            fix="give each parameter one role",
        )
    roles = {p: ("input", i) for i, p in enumerate(inputs)}
    roles.update({p: ("weight", k) for k, p in enumerate(weights)})
    orphans = [p.name for p in circuit.parameters if p not in roles]
    if orphans:
        shown = ", ".join(orphans[:5]) + (f" and {len(orphans) - 5} more" if len(orphans) > 5 else "")
        raise InputError(
            f"circuit parameter(s) {shown} are neither inputs nor weights",
            where=f"circuit '{circuit.name}'",
            fix="list every circuit parameter in input_params or weight_params, or bind it first "
            "(circuit.assign_parameters)",
        )
    return roles
