"""The QNode's one measurement, read as P(class 1): an outcome table over the measured wires.

A translated circuit and :class:`~qtrust.adapters.pennylane.QNodeClassifier` both weigh the outcome
probabilities of the measured wires with the same table, so they agree on what the QNode's output means:
``qml.expval(O)`` rescales O's eigenvalues onto [0, 1], ``qml.probs(wires=W)`` marks the outcomes that mean
class 1. The description kept in the model's ``source`` is what lets :func:`qnode_output` rebuild the raw
output later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtrust.adapters.pennylane.framework import WHERE, _label, _text, qml
from qtrust.adapters.pennylane.gate_set import _MID_CIRCUIT
from qtrust.errors import InputError

SUPPORTED_OUTPUTS = "a single qml.expval(observable) or qml.probs(wires=...)"


@dataclass(frozen=True)
class _Output:
    """How the QNode's one measurement maps to P(class 1): an outcome table over the measured wires."""

    kind: str  # "expval" | "probs"
    wires: tuple[Any, ...]  # PennyLane wire labels, table order (wires[0] the most significant bit)
    table: tuple[float, ...]
    text: str
    eigenvalues: tuple[float, ...] | None = None
    value_range: tuple[float, float] | None = None
    positive: Any = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "measurement": self.text,
            "wires": [_label(w) for w in self.wires],
            "table": list(self.table),
        }
        if self.kind == "expval":
            assert self.value_range is not None
            assert self.eigenvalues is not None
            low, high = self.value_range
            out.update(
                eigenvalues=list(self.eigenvalues),
                range=[low, high],
                positive=self.positive,
                class_1=(
                    f"P(class 1) = (⟨O⟩ − {low:g}) / {high - low:g}"
                    if self.positive == "high"
                    else f"P(class 1) = ({high:g} − ⟨O⟩) / {high - low:g}"
                ),
                raw=(
                    f"⟨O⟩ = {low:g} + P(class 1)·{high - low:g}"
                    if self.positive == "high"
                    else f"⟨O⟩ = {high:g} − P(class 1)·{high - low:g}"
                ),
            )
        else:
            out.update(
                positive=list(self.positive),
                class_1=f"P(class 1) = Σ probs[b] for b in {list(self.positive)}",
                raw="probs[b] = P(outcome b), from one outcome table per b",
            )
        return out


def _measurement_of(tape: Any) -> Any:
    """The tape's one measurement; refuse mid-circuit measurements and several or unsupported outputs."""
    for op in tape.operations:
        if type(op).__name__ in _MID_CIRCUIT or isinstance(op, qml.ops.MidMeasure):
            raise InputError(
                f"the QNode makes a mid-circuit measurement ({type(op).__name__} on wires "
                f"{list(op.wires)}); qtrust translates unitary circuits with noise channels",
                where=f"{WHERE}(qnode)",
                fix=f"remove qml.measure / qml.cond and end the circuit with {SUPPORTED_OUTPUTS}",
            )
    if len(tape.measurements) != 1:
        found = ", ".join(repr(m) for m in tape.measurements) or "none"
        raise InputError(
            f"the QNode returns {len(tape.measurements)} measurements ({found}); a classifier reads one",
            where=f"{WHERE}(qnode)",
            fix=f"return {SUPPORTED_OUTPUTS}",
        )
    mp = tape.measurements[0]
    kind = type(mp).__name__
    if kind not in ("ExpectationMP", "ProbabilityMP") or getattr(mp, "mv", None) is not None:
        raise InputError(
            f"the QNode returns {mp!r}, which qtrust cannot read as a class probability",
            where=f"{WHERE}(qnode)",
            fix=f"return {SUPPORTED_OUTPUTS}",
        )
    return mp


def _measured_wires(mp: Any, register: Sequence[Any]) -> tuple[Any, ...]:
    wires = tuple(mp.obs.wires) if mp.obs is not None else tuple(mp.wires)
    return wires or tuple(register)


def _diagonalizing_gates(mp: Any) -> list[Any]:
    return list(mp.obs.diagonalizing_gates()) if mp.obs is not None else []


def _output_of(mp: Any, register: Sequence[Any], output: Any, positive: Any) -> _Output:
    kind = "expval" if type(mp).__name__ == "ExpectationMP" else "probs"
    wanted = None if output is None or not isinstance(output, str) else output
    if wanted is not None and wanted not in ("expval", "probs"):
        raise InputError(
            f"unknown output {output!r}",
            where=f"{WHERE}(output)",
            fix="use None, 'expval', 'probs' or a (low, high) range for an expval",
        )
    if wanted is not None and wanted != kind:
        raise InputError(
            f"output={wanted!r} but the QNode returns {mp!r}",
            where=f"{WHERE}(output)",
            fix=f"drop output= or return {'qml.expval(...)' if wanted == 'expval' else 'qml.probs(...)'}",
        )
    wires = _measured_wires(mp, register)
    if kind == "expval":
        return _expval_output(mp, wires, output, positive)
    if output is not None and not isinstance(output, str):
        raise InputError(
            "a (low, high) output range applies to qml.expval only",
            where=f"{WHERE}(output)",
            fix="drop output= for qml.probs and say which outcomes mean class 1 with positive=",
        )
    n_out = 2 ** len(wires)
    if positive is None:
        if len(wires) != 1:
            raise InputError(
                f"qml.probs on {len(wires)} wires {list(wires)} has {n_out} outcomes and qtrust cannot tell "
                "which of them mean class 1",
                where=f"{WHERE}(positive)",
                fix=f"pass positive=[...]: the basis-state indices 0..{n_out - 1} over wires {list(wires)} "
                "(the first wire the most significant bit) that mean class 1",
            )
        positive = [1]
    if isinstance(positive, int | np.integer) and not isinstance(positive, bool):
        positive = [int(positive)]
    if isinstance(positive, str) or not all(
        isinstance(b, int | np.integer) and not isinstance(b, bool) for b in positive
    ):
        raise InputError(
            f"positive={positive!r} does not list basis states",
            where=f"{WHERE}(positive)",
            fix=f"for qml.probs give a list of outcome indices in 0..{n_out - 1}",
        )
    chosen = sorted({int(b) for b in positive})
    if not chosen or chosen[0] < 0 or chosen[-1] >= n_out or len(chosen) == n_out:
        raise InputError(
            f"positive={list(positive)!r} must name some, not all, of the {n_out} outcomes 0..{n_out - 1}",
            where=f"{WHERE}(positive)",
            fix=f"list the outcome indices over wires {list(wires)} that mean class 1",
        )
    table = tuple(float(b in chosen) for b in range(n_out))
    return _Output("probs", wires, table, _text(mp), positive=tuple(chosen))


def _expval_output(mp: Any, wires: tuple[Any, ...], output: Any, positive: Any) -> _Output:
    positive = "high" if positive is None else positive
    if positive not in ("high", "low"):
        raise InputError(
            f"positive={positive!r} does not apply to an expectation value",
            where=f"{WHERE}(positive)",
            fix="use 'high' (class 1 ↔ large ⟨O⟩, the default) or 'low'",
        )
    lam = np.real(np.asarray(mp.obs.eigvals(), dtype=complex)).astype(float)
    if lam.shape != (2 ** len(wires),):
        raise InputError(
            f"the observable {mp.obs!r} has {lam.size} eigenvalues for {len(wires)} wires",
            where=f"{WHERE}(qnode)",
            fix="measure an observable on qubit wires",
        )
    low, high = float(lam.min()), float(lam.max())
    if output is not None and not isinstance(output, str):
        try:
            low, high = (float(v) for v in output)
        except (TypeError, ValueError):
            raise InputError(
                f"output={output!r} is not a (low, high) range",
                where=f"{WHERE}(output)",
                fix="give two numbers, e.g. output=(-1, 1)",
            ) from None
        if low > lam.min() + 1e-12 or high < lam.max() - 1e-12:
            raise InputError(
                f"output range ({low:g}, {high:g}) does not contain the observable's eigenvalues "
                f"[{lam.min():g}, {lam.max():g}]",
                where=f"{WHERE}(output)",
                fix="widen the range or drop output=",
            )
    if high - low < 1e-12:
        raise InputError(
            f"the observable {mp.obs!r} has a single eigenvalue {low:g}, so the output is constant",
            where=f"{WHERE}(qnode)",
            fix="measure an observable with at least two eigenvalues",
        )
    scaled = (lam - low) / (high - low) if positive == "high" else (high - lam) / (high - low)
    table = tuple(float(v) for v in np.clip(scaled, 0.0, 1.0))
    return _Output(
        "expval",
        wires,
        table,
        _text(mp),
        eigenvalues=tuple(float(v) for v in lam),
        value_range=(low, high),
        positive=positive,
    )
