"""Translate a QNode into qtrust's circuit representation, or say exactly why it has no translation.

The tape is traced at random probe inputs and weights; the gate sequence and observable must not change
between probes, the angles must fit :mod:`~qtrust.adapters.pennylane.fitting`'s form, and an amplitude
embedding must load the padded, normalised features. Anything else raises ``_UntranslatableError``, and
:func:`~qtrust.adapters.pennylane.from_pennylane` falls back to the QNode's own device.
"""

from __future__ import annotations

import warnings

import numpy as np

from qtrust.adapters.pennylane.fitting import _fit_angles
from qtrust.adapters.pennylane.framework import _PROBE_SEED, WHERE, _describe_error, _UntranslatableError
from qtrust.adapters.pennylane.layout import _operations
from qtrust.adapters.pennylane.notes import _decomposition_notes
from qtrust.adapters.pennylane.outputs import _measured_wires, _measurement_of
from qtrust.adapters.pennylane.qnode import _QNodeSpec
from qtrust.adapters.pennylane.tape import _check_supported, _Item, _items
from qtrust.errors import InputError
from qtrust.quantum.circuit import AmplitudeEncoding, Circuit, Measurement


def _translate(spec: _QNodeSpec, name: str) -> tuple[Circuit, list[str]]:
    rng = np.random.default_rng(_PROBE_SEED + 2)
    n_f, n_w = spec.n_features, spec.n_weights
    n_cols = 1 + n_f + n_f * (n_f + 1) // 2 + n_w
    n_fit, n_check = n_cols + 6, 6
    X = spec.random_inputs(rng, n_fit + n_check)
    W = rng.uniform(-np.pi, np.pi, (n_fit + n_check, n_w))
    W[-2:] = spec.flat_weights  # the last checks use the weights under audit
    rules: dict[str, str] = {}
    traces = _probe_traces(spec, X, W, rules)
    items = traces[0]
    prep = _state_preparation(spec, items, traces, X)
    angles, misfit = _fit_angles(items, traces, X, W, n_fit)
    ops, section_notes = _operations(items, angles)
    circuit = Circuit(
        n_qubits=len(spec.register),
        operations=tuple(ops),
        measurement=Measurement(
            tuple(spec.register.index(w) for w in spec.output.wires), "table", spec.output.table
        ),
        n_features=n_f,
        n_weights=n_w,
        name=name,
        state_preparation=prep,
    )
    if not any(op.angle is not None and op.angle.depends_on_input for op in ops) and prep is None:
        raise InputError(
            f"the output of {spec.func_name} does not depend on its first argument",
            where=f"{WHERE}(qnode)",
            fix="qtrust passes the input features as the QNode's first argument; put them first, "
            "then the weights",
        )
    notes = [
        *spec.notes,
        "translated: the QNode's tape, expanded with PennyLane's own decompositions into qtrust's gate set",
        *_decomposition_notes(items, rules),
        f"gate angles recovered from {n_fit} random probes of inputs and weights and verified at {n_check} "
        f"fresh ones (largest misfit {misfit:.1e})",
        *section_notes,
        f"measurement {spec.output.text} → outcome table over qubit(s) {list(circuit.measurement.qubits)}",
        "encode-first: yes (Heisenberg path and certificates apply)"
        if circuit.is_encode_first
        else "encode-first: no (the input is loaded after trainable gates); simulated exactly, without "
        "certificates",
    ]
    return circuit, notes


def _probe_traces(spec: _QNodeSpec, X: np.ndarray, W: np.ndarray, rules: dict[str, str]) -> list[list[_Item]]:
    """The tape's items at every probe ``(X[i], W[i])``; the first probe also records the decomposition
    ``rules``. Refuses a QNode whose gate sequence or observable changes between probes.
    """
    traces: list[list[_Item]] = []
    for i in range(len(X)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tape = spec.tape(X[i], spec.unflatten(W[i]))
        except InputError:
            raise
        except Exception as exc:
            raise _UntranslatableError(
                f"the QNode fails at a random probe input ({_describe_error(exc)})"
            ) from None
        _measurement_of(tape)
        traces.append(_items(spec, tape, rules if i == 0 else None))
        if i == 0:
            _check_supported(traces[0])
        elif [t.key for t in traces[i]] != [t.key for t in traces[0]]:
            raise _UntranslatableError(
                "the QNode's gate sequence changes with the inputs or weights (Python control flow on them), "
                "so no fixed circuit describes it"
            )
        mp = tape.measurements[0]
        if _measured_wires(mp, spec.register) != spec.output.wires or (
            spec.output.kind == "expval"
            and not np.allclose(np.real(mp.obs.eigvals()), spec.output.eigenvalues, atol=1e-12, rtol=0)
        ):
            raise _UntranslatableError("the QNode's observable changes with the inputs or weights")
    return traces


def _state_preparation(
    spec: _QNodeSpec, items: list[_Item], traces: list[list[_Item]], X: np.ndarray
) -> AmplitudeEncoding | None:
    if not items or items[0].kind != "prep":
        return None
    op = items[0].op
    n = len(spec.register)
    if len(op.wires) != n:
        raise _UntranslatableError(f"{op.name} prepares {len(op.wires)} of the circuit's {n} wires")
    pad = op.hyperparameters.get("pad_with")
    encoding = AmplitudeEncoding(spec.n_features, float(np.real(pad)) if pad is not None else 0.0)
    if spec.n_features > 2**n:
        raise _UntranslatableError(f"{spec.n_features} features exceed the {2**n} amplitudes of {op.name}")
    expected = encoding.states(X, n)
    for i, trace in enumerate(traces):
        state = np.asarray(trace[0].op.state_vector(wire_order=spec.register)).reshape(-1)
        if not np.allclose(state, expected[i], atol=1e-12, rtol=0):
            raise _UntranslatableError(
                f"{op.name} does not load the padded, normalised input features as amplitudes "
                "(e.g. it depends on the weights or transforms the inputs first)"
            )
    return encoding


def _used_features(circuit: Circuit) -> int:
    used = -1
    for op in circuit.operations:
        if op.angle is not None:
            used = max([used, *(i for i, _ in op.angle.features)])
            used = max([used, *(max(i, j) for i, j, _, _ in op.angle.feature_products)])
    return used + 1
