"""The two entry points: :func:`from_pennylane` (translate, or fall back) and :func:`qnode_output`.

A translation is accepted only once it reproduces the QNode on the QNode's own device; otherwise the caller
gets the fallback with the reason, never a silently different model.
"""

from __future__ import annotations

from dataclasses import replace as dc_replace
from typing import Any

import numpy as np

from qtrust.adapters.pennylane.fallback import QNodeClassifier
from qtrust.adapters.pennylane.framework import _PROBE_SEED, _describe_error, _UntranslatableError
from qtrust.adapters.pennylane.translate import _translate, _used_features
from qtrust.errors import InputError
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.quantum.circuit import Circuit, Measurement
from qtrust.quantum.engine import simulate
from qtrust.quantum.inputs import ANGLES_FIX, check_features
from qtrust.quantum.noise import NoiseModel

_SELF_CHECK = 1e-9  # translated vs QNode probabilities before a translation is accepted


def from_pennylane(
    qnode: Any,
    weights: Any,
    *,
    n_features: int | None = None,
    output: Any = None,
    positive: Any = None,
    classes: tuple[Any, Any] = (0, 1),
    name: str | None = None,
) -> CircuitClassifier | QNodeClassifier:
    """A qtrust classifier for a trained PennyLane QNode ``qnode(x, *weights)``.

    Parameters
    ----------
    qnode: a ``qml.QNode`` whose first argument is one row of input features.
    weights: the trained weights: one array (the QNode's second argument) or a tuple/list of arrays (its
        second, third, ... arguments). They are flattened in that order into qtrust's weight vector.
    n_features: the number of input features. Default: the number of the device's wires (or 2^wires when
        the QNode amplitude-embeds without padding); required when the device has no wires or the QNode
        pads an amplitude embedding.
    output: ``None`` (take the QNode's measurement as it is), ``"expval"`` / ``"probs"`` (assert the kind),
        or ``(low, high)``: for an ``expval``, the range rescaled to P(class 1) instead of the observable's
        eigenvalue range.
    positive: which output means class 1. For ``expval``: ``"high"`` (default) or ``"low"``. For
        ``probs(wires=W)``: the basis-state indices over W (W[0] the most significant bit) that mean class
        1; default ``[1]`` when W is one wire, required otherwise.
    classes: the two labels, ``classes[1]`` the one whose probability the QNode measures.
    name: the circuit's name (default: the QNode function's name).

    Returns a :class:`~qtrust.models.circuit_classifier.CircuitClassifier` when the circuit translates into
    qtrust's circuit representation, else a :class:`QNodeClassifier` that runs the QNode on its own device;
    both say which path runs and why (``source["translation"]`` / ``simulation_reason_``).
    """
    # The fallback reads and checks the QNode and its arguments; the translation starts from what it read.
    fallback = QNodeClassifier(
        qnode,
        weights,
        n_features=n_features,
        output=output,
        positive=positive,
        classes=classes,
        name=name,
        reason="",
    )
    spec, label = fallback._spec, fallback.name
    try:
        circuit, notes = _translate(spec, label)
    except _UntranslatableError as exc:
        fallback.explain(f"not translated: {exc}", spec.notes)
        return fallback
    if spec.n_features_inferred and circuit.state_preparation is None:
        used = _used_features(circuit)
        if used < spec.n_features:  # the QNode reads only x[0..used-1] of a wires-long row
            notes.append(f"n_features inferred as {used}: the QNode reads x[0..{used - 1}]")
            circuit = dc_replace(circuit, n_features=used)
            spec = dc_replace(spec, n_features=used)
            fallback = QNodeClassifier._from_spec(spec, classes=classes, reason="", name=label)
    model = CircuitClassifier.from_weights(
        circuit, spec.flat_weights, classes=classes, source=spec.source(notes, translated=True)
    )
    # The translation is accepted only once it reproduces the QNode on the QNode's own device.
    rng = np.random.default_rng(_PROBE_SEED + 1)
    X = spec.random_inputs(rng, 3)
    try:
        expected = fallback.probabilities(X)
    except Exception as exc:  # the device cannot run the check: keep the verified translation, say so
        model.source["translation"].append(f"not checked against the QNode's device ({_describe_error(exc)})")
    else:
        gap = float(np.max(np.abs(model.probabilities(X) - expected)))
        if not gap <= _SELF_CHECK:
            reason = (
                f"not translated: the translated circuit differs from the QNode by {gap:.2e} on probe inputs"
            )
            fallback.explain(reason, notes)
            return fallback
        model.source["translation"].append(
            f"checked against the QNode on device {spec.device_name} at {len(X)} random inputs: "
            f"max |Δ P(class 1)| = {gap:.1e}"
        )
    return model


def qnode_output(model: Any, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
    """The QNode's raw output for each row, rebuilt from a classifier :func:`from_pennylane` returned.

    ``expval``: the expectation value (shape (N,)), ``low + P(class 1)·(high − low)`` (reversed for
    ``positive="low"``); ``probs``: the outcome distribution over the measured wires (shape (N, 2^k)). Under
    ``noise`` it is the output the noisy device would report (readout errors included).
    """
    if isinstance(model, QNodeClassifier):
        return model.qnode_output(X, noise)
    source = getattr(model, "source", None) or {}
    spec = source.get("output")
    if source.get("framework") != "pennylane" or not isinstance(spec, dict):
        raise InputError(
            "this model was not made by qtrust.adapters.from_pennylane",
            where="qnode_output",
            fix="pass the classifier from_pennylane returned",
        )
    if spec["kind"] == "expval":
        low, high = spec["range"]
        p = model.probabilities(X, noise)
        return high - p * (high - low) if spec["positive"] == "low" else low + p * (high - low)
    circuit: Circuit = model.circuit_
    X = check_features(X, where="qnode_output", n_features=circuit.n_features, fix=ANGLES_FIX)
    k = len(circuit.measurement.qubits)
    columns = []
    for b in range(2**k):
        onehot = tuple(float(i == b) for i in range(2**k))
        outcome = dc_replace(circuit, measurement=Measurement(circuit.measurement.qubits, "table", onehot))
        columns.append(simulate(outcome, X, model.weights_, noise).probabilities)
    return np.column_stack(columns)
