"""Translate a parameterised Qiskit circuit, its parameter roles, trained weights and output rule.

The result is a :class:`~qtrust.models.CircuitClassifier`, so every qtrust path and certificate applies; its
``source`` records how each step read the circuit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from qtrust.adapters.qiskit.framework import _qiskit
from qtrust.adapters.qiskit.lowering import _lower
from qtrust.adapters.qiskit.operations import _operations
from qtrust.adapters.qiskit.outputs import _expectation_output, _sampler_output
from qtrust.adapters.qiskit.roles import _parameter_list, _roles
from qtrust.errors import InputError
from qtrust.quantum.circuit import Circuit


def from_qiskit(
    circuit: Any,
    input_params: Any,
    weight_params: Any,
    weights: Any,
    observable: Any = None,
    *,
    interpret: Callable[[int], Any] | None = None,
    output_shape: Any = None,
    positive: str = "high",
    threshold: float | None = None,
    classes: tuple[Any, Any] = (0, 1),
    name: str | None = None,
) -> Any:
    """A :class:`~qtrust.models.CircuitClassifier` for a parameterised Qiskit circuit and its trained weights.

    Parameters
    ----------
    circuit: the parameterised ``QuantumCircuit`` (e.g. a feature map composed with an ansatz, as
        ``EstimatorQNN``, ``SamplerQNN`` and ``VQC`` use).
    input_params: the parameters that receive the features, in column order of ``X``.
    weight_params: the trainable parameters, in the order of ``weights`` (a QNN's ``weight_params``).
    weights: the trained values, a flat array with one entry per weight parameter.
    observable: for an estimator model, the observable whose expectation is the output (``SparsePauliOp``,
        ``Pauli`` or label; the rightmost label character is qubit 0). It must be qubit-wise commuting.
    interpret, output_shape: for a sampler model instead: ``output_shape`` must be 2 and ``interpret`` maps
        the measured integer (qubit 0 the least significant bit) to class 0 or 1. Without ``interpret``,
        VQC's default ``x % 2`` is used (the value of qubit 0).
    positive: estimator models only: ``"high"`` makes large ⟨O⟩ class 1, ``"low"`` small ⟨O⟩.
    threshold: estimator models only: the ⟨O⟩ at which P(class 1) = 1/2 (default: the middle of the
        observable's spectrum; qiskit-ml's ``NeuralNetworkClassifier`` predicts by the sign, threshold 0).
    classes: the labels of class 0 and class 1.
    name: the translated circuit's name (default: the Qiskit circuit's).
    """
    qiskit = _qiskit()
    from qtrust.models.circuit_classifier import CircuitClassifier

    lowered = _lower(circuit)
    inputs = _parameter_list(input_params, "input_params")
    trainables = _parameter_list(weight_params, "weight_params")
    roles = _roles(circuit, inputs, trainables)
    w = _trained_weights(weights, len(trainables))
    classes = _two_labels(classes)
    _check_one_output(observable, interpret, output_shape)
    n = circuit.num_qubits
    operations, moved = _operations(lowered.circuit, roles)
    notes = lowered.notes()
    if observable is not None:
        if lowered.measured:
            raise InputError(
                "an estimator-style circuit carries measurements",
                where=f"circuit '{circuit.name}'",
                fix="remove them (circuit.remove_final_measurements()); the observable says what is measured",
            )
        changes, measurement, output = _expectation_output(observable, n, positive, threshold)
        operations += changes
        if changes:
            notes.append(
                "measured qubits rotated into the Z basis before measurement "
                f"({', '.join(f'qubit {q}: {g}' for q, g in output['basis_change'].items())}); a noise model "
                "acts after these gates too, as on hardware"
            )
    else:
        if positive != "high" or threshold is not None:
            raise InputError(
                "positive and threshold apply to observables only",
                where="from_qiskit",
                fix="for a sampler model, class 1 is what interpret maps to 1",
            )
        if lowered.measured and len(lowered.measured) != n:
            notes.append(
                f"only qubits {sorted(lowered.measured)} are measured; the others do not enter interpret"
            )
        measurement, output = _sampler_output(interpret, output_shape, n, lowered.measured)
    if lowered.measured and observable is None:
        notes.append("final measurements read from the circuit (qubit → clbit kept)")
    translated = Circuit(
        n_qubits=n,
        operations=tuple(operations),
        measurement=measurement,
        n_features=len(inputs),
        n_weights=len(trainables),
        name=name or circuit.name,
    )
    unused = [p.name for p in [*inputs, *trainables] if p not in set(circuit.parameters)]
    if unused:
        notes.append(f"listed parameters that the circuit does not use: {', '.join(unused)}")
    notes.append(_encode_first_note(translated.is_encode_first, moved))
    source = {
        "framework": "qiskit",
        "qiskit_version": qiskit.__version__,
        "circuit": circuit.name,
        "n_qubits": n,
        "input_params": [p.name for p in inputs],
        "weight_params": [p.name for p in trainables],
        "output": output,
        "classes": list(classes),
        "qubit_order": "Qiskit qubit q = qtrust wire q; Qiskit integers have qubit 0 as the least significant bit",
        "translation": notes,
    }
    return CircuitClassifier.from_weights(translated, w, classes=tuple(classes), source=source)


def _trained_weights(weights: Any, n_weights: int) -> np.ndarray:
    """The trained values as a flat array, one finite value per weight parameter."""
    w = np.asarray(weights if weights is not None else [], dtype=float).reshape(-1)
    if w.size != n_weights:
        raise InputError(
            f"{w.size} weights given for {n_weights} weight parameters",
            where="weights",
            fix="pass one value per weight parameter, in the order of weight_params (qnn.weight_params)",
        )
    if not np.all(np.isfinite(w)):
        raise InputError(
            "weights contain NaN or infinite values", where="weights", fix="pass trained weights"
        )
    return w


def _two_labels(classes: Any) -> tuple[Any, Any]:
    """The labels of class 0 and class 1, which must differ."""
    classes = tuple(classes)
    if len(classes) != 2 or classes[0] == classes[1]:
        raise InputError(
            f"classes {list(classes)} are not two distinct labels",
            where="classes",
            fix="give the labels of class 0 and class 1, e.g. classes=('no', 'yes')",
        )
    return classes


def _check_one_output(observable: Any, interpret: Any, output_shape: Any) -> None:
    """Exactly one output rule: an observable, or an interpret function with its output shape."""
    sampler_form = interpret is not None or output_shape is not None
    if (observable is None) == (not sampler_form):
        raise InputError(
            "give exactly one output: an observable (EstimatorQNN-style) or output_shape=2 with an interpret "
            "function (SamplerQNN/VQC-style)" + (" — both were given" if observable is not None else ""),
            where="from_qiskit",
            fix="pass observable=... or output_shape=2, interpret=...",
        )


def _encode_first_note(is_encode_first: bool, moved: bool) -> str:
    """Whether the translation is encode-first (so certificates apply), and whether gates moved for it."""
    return (
        (
            "encode-first: input gates (and the gates before them on their wires) moved ahead of trainable "
            "gates on other wires, which they commute with"
            if moved
            else "encode-first: every input gate comes before the trainable gates"
        )
        if is_encode_first
        else "not encode-first: some input gate follows a trainable gate on its wires (statevector / "
        "density-matrix paths; no single measurement operator for certificates)"
    )
