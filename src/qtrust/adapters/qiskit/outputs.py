"""Outputs: an observable (``EstimatorQNN``) or an ``interpret`` function (``SamplerQNN``, ``VQC``) → table.

Qiskit's basis-state integers put qubit 0 in the least significant bit, qtrust's put wire 0 in the most
significant; the tables are built with that reversal, so an ``interpret`` function sees exactly the integer
Qiskit's sampler would give it. :func:`qiskit_output` turns P(class 1) back into Qiskit's own output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.circuit import Angle, Measurement, Operation
from qtrust.quantum.noise import NoiseModel

#: The basis change that turns a Pauli measurement into a Z measurement: U with U† Z U = P.
_BASIS_CHANGE: dict[str, tuple[str, float | None]] = {"X": ("H", None), "Y": ("RX", np.pi / 2)}

_VQC_PARITY = "x % 2 (VQC's default 'parity' interpret: the bit of qubit 0)"


def _sparse_pauli(observable: Any, n_qubits: int) -> Any:
    from qiskit.quantum_info import Operator, Pauli, SparsePauliOp

    try:
        if isinstance(observable, SparsePauliOp):
            op = observable
        elif isinstance(observable, str | Pauli):
            op = SparsePauliOp(observable)
        elif (
            hasattr(SparsePauliOp, "from_sparse_observable")
            and type(observable).__name__ == "SparseObservable"
        ):
            op = SparsePauliOp.from_sparse_observable(observable)
        else:
            op = SparsePauliOp.from_operator(Operator(observable))
    except Exception as exc:
        raise InputError(
            f"cannot read the observable ({type(observable).__name__}: {exc})",
            where="observable",
            fix="pass a SparsePauliOp, a Pauli or a Pauli label such as 'ZZI'",
        ) from exc
    if op.num_qubits != n_qubits:
        raise InputError(
            f"the observable acts on {op.num_qubits} qubits, the circuit has {n_qubits}",
            where="observable",
            fix="give one Pauli per qubit (Qiskit labels: the rightmost character is qubit 0)",
        )
    return op.simplify(atol=1e-14)


def _expectation_output(
    observable: Any, n_qubits: int, positive: str, threshold: float | None
) -> tuple[list[Operation], Measurement, dict[str, Any]]:
    op = _sparse_pauli(observable, n_qubits)
    coeffs = np.asarray(op.coeffs, dtype=complex)
    scale = max(1.0, float(np.max(np.abs(coeffs)))) if coeffs.size else 1.0
    if np.any(np.abs(coeffs.imag) > 1e-12 * scale):
        raise InputError(
            "the observable has complex coefficients, so it is not Hermitian and ⟨O⟩ is not a real output",
            where="observable",
            fix="use real coefficients",
        )
    labels = [p.to_label() for p in op.paulis]
    terms = [(label[::-1], float(c.real)) for label, c in zip(labels, coeffs, strict=True)]  # index = qubit
    basis: dict[int, str] = {}
    for label, _ in terms:
        for q, pauli in enumerate(label):
            if pauli == "I":
                continue
            if basis.setdefault(q, pauli) != pauli:
                raise InputError(
                    f"the observable measures qubit {q} in both the {basis[q]} and the {pauli} basis, so its "
                    "terms cannot be read from one measurement (it is not qubit-wise commuting)",
                    where="observable",
                    fix="use an observable whose terms agree on each qubit's Pauli (e.g. 'ZZ' + 'ZI'), or "
                    "split it into qubit-wise commuting groups and translate each as its own model",
                )
    qubits = tuple(sorted(basis))
    k = len(qubits)
    outcomes = np.arange(2**k)
    bits = (outcomes[:, None] >> (k - 1 - np.arange(k))) & 1  # qubits[0] is the most significant bit
    eigen = np.zeros(2**k)
    for label, c in terms:
        signs = np.ones(2**k)
        for m, q in enumerate(qubits):
            if label[q] != "I":
                signs *= 1 - 2 * bits[:, m]
        eigen += c * signs
    lo, hi = float(eigen.min()), float(eigen.max())
    if not hi - lo > 1e-12 * scale:
        raise InputError(
            "the observable has the same value on every state (identity terms only), so it cannot tell "
            "classes apart",
            where="observable",
            fix="use an observable with at least one non-identity Pauli term",
        )
    t = (lo + hi) / 2.0 if threshold is None else float(threshold)
    if not lo < t < hi:
        raise InputError(
            f"threshold {t:g} is outside the observable's range ({lo:g}, {hi:g})",
            where="threshold",
            fix="choose the value of ⟨O⟩ that separates the classes, strictly inside its range",
        )
    if positive not in ("high", "low"):
        raise InputError(f"unknown positive={positive!r}", where="positive", fix="use 'high' or 'low'")
    half = max(hi - t, t - lo)
    table = np.clip(0.5 + (eigen - t) / (2.0 * half), 0.0, 1.0)
    if positive == "low":
        table = 1.0 - table
    offset, factor = (t - half, 2.0 * half) if positive == "high" else (t + half, -2.0 * half)
    changes = []
    for q in qubits:
        if basis[q] in _BASIS_CHANGE:
            gate, angle = _BASIS_CHANGE[basis[q]]
            changes.append(Operation(gate, (q,), Angle(angle) if angle is not None else None, "trainable"))
    output = {
        "kind": "expectation",
        "observable": [[label, c] for label, (_, c) in zip(labels, terms, strict=True)],
        "measured_qubits": list(qubits),
        "basis_change": {str(q): ("H" if basis[q] == "X" else "RX(pi/2)") for q in qubits if basis[q] != "Z"},
        "spectrum": [lo, hi],
        "threshold": t,
        "half_range": half,
        "positive": positive,
        "offset": offset,
        "scale": factor,
        "rule": f"P(class 1) = 1/2 {'+' if positive == 'high' else '-'} (<O> - {t:g}) / {2 * half:g}; "
        "<O> = offset + scale * P(class 1)",
    }
    return changes, Measurement(qubits, "table", tuple(float(v) for v in table)), output


def _interpret_name(interpret: Callable | None) -> str:
    if interpret is None:
        return _VQC_PARITY
    name = getattr(interpret, "__qualname__", None) or getattr(interpret, "__name__", None)
    return name or type(interpret).__name__


def _sampler_output(
    interpret: Callable[[int], Any] | None,
    output_shape: Any,
    n_qubits: int,
    measured: dict[int, int],
) -> tuple[Measurement, dict[str, Any]]:
    shape = (output_shape,) if isinstance(output_shape, int | np.integer) else tuple(output_shape or ())
    if output_shape is None:
        raise InputError(
            "an interpret function needs its output_shape",
            where="output_shape",
            fix="pass output_shape=2 (a binary classifier), as SamplerQNN requires",
        )
    if shape != (2,):
        raise InputError(
            f"output_shape {output_shape!r} is not a binary classifier's",
            where="output_shape",
            fix="qtrust audits binary classifiers: use output_shape=2 with an interpret function returning 0 "
            "or 1",
        )
    label = _interpret_name(interpret)
    if interpret is None:

        def interpret(value: int) -> int:
            return value % 2

    n = n_qubits
    if measured:
        clbits = [measured.get(q) for q in range(n)]
        if any(c is not None and c >= n for c in clbits):
            raise InputError(
                "a qubit is measured into a classical bit beyond the register size",
                where="circuit measurements",
                fix="measure qubit q into clbit q (circuit.measure_all())",
            )
    else:
        clbits = list(range(n))
    table = np.zeros(2**n)
    class_one = []
    for b in range(2**n):
        qiskit_int = 0
        for w in range(n):
            bit = (b >> (n - 1 - w)) & 1  # qtrust: wire 0 is the most significant bit
            if bit and clbits[w] is not None:
                qiskit_int |= 1 << clbits[w]  # Qiskit: (qu)bit 0 is the least significant bit
        value = interpret(qiskit_int)
        if isinstance(value, tuple | list | np.ndarray) or value not in (0, 1):
            raise InputError(
                f"interpret({qiskit_int}) = {value!r}; a binary classifier's interpret returns 0 or 1",
                where="interpret",
                fix="map every measured integer to class 0 or class 1",
            )
        table[b] = float(value)
        if value == 1:
            class_one.append(qiskit_int)
    grid = table.reshape((2,) * n)
    relevant = [w for w in range(n) if not np.array_equal(np.take(grid, 0, axis=w), np.take(grid, 1, axis=w))]
    if not relevant:
        raise InputError(
            f"interpret maps every outcome to class {int(table[0])}, so the model is constant",
            where="interpret",
            fix="use an interpret function that returns both 0 and 1",
        )
    reduced = grid[tuple(slice(None) if w in relevant else 0 for w in range(n))].reshape(-1)
    output = {
        "kind": "sampler",
        "output_shape": 2,
        "interpret": label,
        "class_1_outcomes": sorted(set(class_one)),
        "measured_qubits": list(relevant),
        "rule": "P(class 1) = sum of the probabilities of the measured integers (qubit 0 the least significant "
        "bit) that interpret maps to 1; Qiskit's output = [1 - P, P]",
    }
    return Measurement(tuple(relevant), "table", tuple(float(v) for v in reduced)), output


def qiskit_output(classifier: Any, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
    """Qiskit's own output for a translated classifier: ⟨O⟩ per row (estimator), or [P(0), P(1)] (sampler).

    Computed by qtrust under ``noise`` (default: the classifier's deployment noise), so it is what the
    Qiskit model would output on a device with that noise, without readout mitigation.
    """
    source = getattr(classifier, "source", None) or {}
    output = source.get("output") if source.get("framework") == "qiskit" else None
    if not output:
        raise InputError(
            "this classifier was not translated from Qiskit",
            where="qiskit_output",
            fix="pass a classifier made by from_qiskit or from_qiskit_ml",
        )
    p = classifier.probabilities(X, classifier.noise if noise is None else noise)
    if output["kind"] == "expectation":
        return output["offset"] + output["scale"] * p
    return np.column_stack([1.0 - p, p])
