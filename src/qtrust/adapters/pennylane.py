"""Bring a PennyLane QNode to the audit: translate it into qtrust's circuit representation, or run it as is.

:func:`from_pennylane` takes a QNode whose **first argument is the input features** and whose further
positional arguments are the trained weights, and returns a qtrust classifier:

* a :class:`~qtrust.models.circuit_classifier.CircuitClassifier` when the circuit translates. The QNode's tape is built at
  random probe inputs and weights and expanded with PennyLane's own decompositions down to qtrust's gate
  set (``StronglyEntanglingLayers`` → ``Rot`` → RZ·RY·RZ, ``IQPEmbedding`` → H, RZ, MultiRZ → RZZ, ...).
  Every gate angle must be exactly ``const + Σ c·x[i] + Σ c·x[i]·x[j] + Σ c·w[k]``: the coefficients are
  fitted by least squares on the probes and *verified* on fresh probes, so a nonlinear function of the
  input, a product of a weight and an input (trainable input scaling), or a gate sequence that changes with
  the input is never translated by mistake. ``AmplitudeEmbedding`` / ``StatePrep`` at the start becomes an
  amplitude-encoded initial state; the noise channels a QNode writes inside itself (depolarizing, amplitude
  and phase damping, bit and phase flip) become fixed channels of the circuit. Gates on wires that no
  trainable gate has touched yet are moved ahead of the trainable gates (they commute), so a QNode that
  loads its input first translates into an *encode-first* circuit and gets qtrust's Heisenberg path and
  certificates. The translation is checked against the QNode on its own device before it is returned.
* a :class:`QNodeClassifier` otherwise: the QNode's own tapes run on the QNode's own device, row by row —
  exact, but slow, and without a circuit, so certificates skip it. Its ``simulation_reason_`` says why
  translation failed.

The output is one measurement: ``qml.expval(observable)`` (class 1 ↔ a large expectation, rescaled over the
observable's eigenvalue range; ``positive="low"`` reverses it) or ``qml.probs(wires=...)`` (class 1 = the
basis states listed in ``positive``). :func:`qnode_output` gives back the QNode's raw output from either
classifier.

Noise placement: qtrust's noise models put their channels after every *gate* of the translated circuit, i.e.
after every gate of the QNode's tape once decomposed into qtrust's gate set (a ``Rot`` counts as three
gates), on each of the gate's wires, including the basis change an ``expval`` of a non-diagonal observable
needs. :class:`QNodeClassifier` inserts channels at exactly the same places, on ``default.mixed``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.models.base import ProbabilityClassifierMixin, check_angles
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.quantum.circuit import AmplitudeEncoding, Angle, Circuit, Measurement, Operation
from qtrust.quantum.engine import simulate
from qtrust.quantum.noise import NOISELESS, NoiseModel
from qtrust.quantum.shots import sample_probabilities

try:  # an optional dependency: this module is imported only when the adapter is used
    import pennylane as qml
    from pennylane.operation import Channel, StatePrepBase
except ImportError:  # pragma: no cover - exercised only without PennyLane
    qml = None  # type: ignore[assignment]

WHERE = "from_pennylane"

#: PennyLane gate → qtrust gate (same conventions: RX(θ) = exp(−iθX/2), PhaseShift = diag(1, e^{iθ}), ...).
GATE_NAMES: dict[str, str] = {
    "PauliX": "X",
    "PauliY": "Y",
    "PauliZ": "Z",
    "Hadamard": "H",
    "S": "S",
    "T": "T",
    "SX": "SX",
    "RX": "RX",
    "RY": "RY",
    "RZ": "RZ",
    "PhaseShift": "P",
    "CNOT": "CNOT",
    "CZ": "CZ",
    "SWAP": "SWAP",
    "IsingXX": "RXX",
    "IsingYY": "RYY",
    "IsingZZ": "RZZ",
    "CRX": "CRX",
    "CRY": "CRY",
    "CRZ": "CRZ",
    "ControlledPhaseShift": "CP",
}
#: MultiRZ on one wire is RZ, on two wires IsingZZ (RZZ); on more it is decomposed.
MULTI_RZ = {1: "RZ", 2: "RZZ"}
#: PennyLane channel → qtrust channel kind (same parameter conventions, see qtrust.quantum.noise).
CHANNEL_KINDS: dict[str, str] = {
    "DepolarizingChannel": "depolarizing",
    "AmplitudeDamping": "amplitude_damping",
    "PhaseDamping": "phase_damping",
    "BitFlip": "bit_flip",
    "PhaseFlip": "phase_flip",
}
#: Operations with no effect on measured probabilities.
DROPPED = frozenset({"GlobalPhase", "Identity", "Barrier", "Snapshot"})
#: Names under which a QNode's first argument is recognisably *not* its input features, and the reverse.
_WEIGHT_NAMES = frozenset(
    {"weights", "weight", "params", "parameters", "theta", "thetas", "w", "var", "vars", "trainable"}
)
_INPUT_NAMES = frozenset({"x", "inputs", "input", "features", "feature", "data", "sample", "xs"})
_MID_CIRCUIT = frozenset({"MidMeasure", "MidMeasureMP", "PauliMeasure", "Conditional"})
SUPPORTED_OUTPUTS = "a single qml.expval(observable) or qml.probs(wires=...)"

_TOLERANCE = 1e-11  # angle verification: |fit − actual| ≤ tol · (1 + |actual|)
_SELF_CHECK = 1e-9  # translated vs QNode probabilities before a translation is accepted
_PROBE_SEED = 20240611


# --------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------


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
    _require_pennylane()
    spec = _QNodeSpec.build(qnode, weights, n_features=n_features, output=output, positive=positive)
    label = name or spec.func_name
    fallback = QNodeClassifier._from_spec(spec, classes=classes, reason="", name=label)
    try:
        circuit, notes = _translate(spec, label)
    except _UntranslatableError as exc:
        fallback.simulation_reason_ = f"not translated: {exc}"
        fallback.translation_notes_ = [*spec.notes, f"not translated: {exc}"]
        return fallback
    if spec.n_features_inferred and circuit.state_preparation is None:
        used = _used_features(circuit)
        if used < spec.n_features:  # the QNode reads only x[0..used-1] of a wires-long row
            notes.append(f"n_features inferred as {used}: the QNode reads x[0..{used - 1}]")
            circuit = dc_replace(circuit, n_features=used)
            spec = dc_replace(spec, n_features=used)
            fallback = QNodeClassifier._from_spec(spec, classes=classes, reason="", name=label)
    model = CircuitClassifier(
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
            fallback.simulation_reason_ = reason
            fallback.translation_notes_ = [*notes, reason]
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
    X = check_angles(X, circuit.n_features, "qnode_output")
    k = len(circuit.measurement.qubits)
    columns = []
    for b in range(2**k):
        onehot = tuple(float(i == b) for i in range(2**k))
        outcome = dc_replace(circuit, measurement=Measurement(circuit.measurement.qubits, "table", onehot))
        columns.append(simulate(outcome, X, model.weights_, noise).probabilities)
    return np.column_stack(columns)


# --------------------------------------------------------------------------------------------------------
# The QNode, its arguments and its output
# --------------------------------------------------------------------------------------------------------


class _UntranslatableError(Exception):
    """The QNode runs, but its circuit has no exact translation (the message says why)."""


def _require_pennylane() -> None:
    if qml is None:
        raise InputError(
            "PennyLane is not installed", where=WHERE, fix="pip install 'qtrust[pennylane]'"
        )  # pragma: no cover


def _describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


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


def _text(obj: Any) -> str:
    """A PennyLane object's repr on one line (observables with matrices print over several)."""
    return " ".join(repr(obj).split())


def _label(wire: Any) -> Any:
    return wire if isinstance(wire, int | str) else str(wire)


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


@dataclass(frozen=True)
class _QNodeSpec:
    """A QNode with its weights split into arguments, its register and its output mapping."""

    qnode: Any
    weight_args: tuple[np.ndarray, ...]
    weight_names: tuple[str, ...]
    n_features: int
    n_features_inferred: bool
    input_name: str
    register: tuple[Any, ...]
    output: _Output
    unit_norm_inputs: bool
    device_name: str
    func_name: str
    shots: Any
    notes: tuple[str, ...] = field(default=())

    @property
    def flat_weights(self) -> np.ndarray:
        if not self.weight_args:
            return np.zeros(0)
        return np.concatenate([w.reshape(-1) for w in self.weight_args])

    @property
    def n_weights(self) -> int:
        return int(sum(w.size for w in self.weight_args))

    def unflatten(self, flat: np.ndarray) -> tuple[np.ndarray, ...]:
        out, start = [], 0
        for w in self.weight_args:
            out.append(np.asarray(flat[start : start + w.size], dtype=float).reshape(w.shape))
            start += w.size
        return tuple(out)

    def random_inputs(self, rng: np.random.Generator, n: int) -> np.ndarray:
        X = rng.uniform(-1.0, 1.0, (n, self.n_features))
        return X / np.linalg.norm(X, axis=1, keepdims=True) if self.unit_norm_inputs else X

    def tape(self, x: np.ndarray, weight_args: Sequence[np.ndarray] | None = None) -> Any:
        args = self.weight_args if weight_args is None else weight_args
        return qml.workflow.construct_tape(self.qnode)(np.asarray(x, dtype=float), *args)

    def source(self, notes: Sequence[str], translated: bool) -> dict[str, Any]:
        return {
            "framework": "pennylane",
            "pennylane_version": qml.__version__,
            "qnode": self.func_name,
            "device": self.device_name,
            "shots": None if self.shots is None else str(self.shots),
            "inputs": {
                "argument": self.input_name,
                "n_features": self.n_features,
                "inferred": self.n_features_inferred,
            },
            "weight_arguments": list(self.weight_names),
            "weight_shapes": [list(w.shape) for w in self.weight_args],
            "wires": {str(i): _label(w) for i, w in enumerate(self.register)},
            "output": self.output.describe(),
            "translated": translated,
            "translation": list(notes),
        }

    @classmethod
    def build(
        cls, qnode: Any, weights: Any, *, n_features: int | None, output: Any, positive: Any
    ) -> _QNodeSpec:
        if not isinstance(qnode, qml.QNode):
            raise InputError(
                f"expected a PennyLane QNode, got {type(qnode).__name__}",
                where=f"{WHERE}(qnode)",
                fix="decorate the circuit function with @qml.qnode(device)",
            )
        func = qnode.func
        func_name = getattr(func, "__name__", "qnode")
        input_name, weight_names, n_max, n_required = _signature(func, func_name)
        weight_args = _weight_arguments(weights, n_max)
        if not n_required <= len(weight_args) <= n_max:
            expected = f"{n_required}" if n_required == n_max else f"{n_required} to {n_max}"
            raise InputError(
                f"{func_name} takes {expected} weight argument(s) after its inputs "
                f"({', '.join(weight_names) or 'none'}), but {len(weight_args)} weight array(s) were given",
                where=f"{WHERE}(weights)",
                fix="pass one array for one weight argument, or a tuple (w1, w2, ...) for several",
            )
        names = tuple(weight_names[: len(weight_args)]) if weight_names else ()
        names += tuple(f"arg{i + 2}" for i in range(len(names), len(weight_args)))
        device = qnode.device
        device_name = str(getattr(device, "name", type(device).__name__))
        device_wires = tuple(device.wires) if getattr(device, "wires", None) is not None else None
        shapes = [list(w.shape) for w in weight_args]
        rng = np.random.default_rng(_PROBE_SEED)
        if n_features is not None:
            if not isinstance(n_features, int | np.integer) or isinstance(n_features, bool) or n_features < 1:
                raise InputError(
                    f"n_features={n_features!r} is not a positive integer",
                    where=f"{WHERE}(n_features)",
                    fix="give the number of input features",
                )
            candidates, inferred = [int(n_features)], False
        elif device_wires is not None:
            n_wires = len(device_wires)
            candidates = list(dict.fromkeys([n_wires, 2**n_wires] if n_wires <= 16 else [n_wires]))
            inferred = True
        else:
            raise InputError(
                f"the device of {func_name} has no wires, so the number of input features is unknown",
                where=f"{WHERE}(n_features)",
                fix="pass n_features=, or create the device with wires=",
            )
        first_error: str | None = None
        for length in candidates:
            found = _first_tape(qnode, weight_args, length, rng)
            if isinstance(found, str):
                first_error = first_error or found
                continue
            tape, unit_norm = found
            break
        else:
            length_text = " or ".join(str(n) for n in candidates)
            hint = (
                f"; if it takes another number of features than its {candidates[0]} wires, pass n_features="
                if inferred
                else ""
            )
            raise InputError(
                f"{func_name} fails when called with inputs of length {length_text} as its first argument and "
                f"weights of shape(s) {shapes}: {first_error}",
                where=f"{WHERE}(weights)",
                fix="pass the weights in the shapes the QNode was trained with (e.g. "
                "qml.StronglyEntanglingLayers.shape(n_layers, n_wires)), the input features as the QNode's "
                f"first argument{hint}",
            )
        ops = tape.operations
        if (
            inferred
            and ops
            and isinstance(ops[0], StatePrepBase)
            and ops[0].hyperparameters.get("pad_with") is not None
        ):
            raise InputError(
                f"{func_name} pads its amplitude embedding, so any number of features up to "
                f"{2 ** len(ops[0].wires)} fits it",
                where=f"{WHERE}(n_features)",
                fix="pass n_features= (the number of input features the model was trained on)",
            )
        mp = _measurement_of(tape)
        register = _register(tape, mp, device_wires)
        out = _output_of(mp, register, output, positive)
        notes = []
        if unit_norm:
            notes.append("the QNode accepts unit-norm inputs only: probed with normalised inputs")
        shots = getattr(tape, "shots", None)
        if shots is not None and getattr(shots, "total_shots", None) is None:
            shots = None
        if shots is not None:
            notes.append(
                f"the QNode samples {shots}; qtrust scores exact probabilities and models shots itself"
            )
        return cls(
            qnode=qnode,
            weight_args=tuple(weight_args),
            weight_names=names,
            n_features=length,
            n_features_inferred=inferred,
            input_name=input_name,
            register=register,
            output=out,
            unit_norm_inputs=unit_norm,
            device_name=device_name,
            func_name=func_name,
            shots=shots,
            notes=tuple(notes),
        )


def _signature(func: Any, func_name: str) -> tuple[str, list[str], int, int]:
    """(input argument name, weight argument names, max and min number of weight arguments)."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return "x", [], 1_000, 0
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    variadic = any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in params)
    if not positional:
        if variadic:
            return "args[0]", [], 1_000, 0
        raise InputError(
            f"{func_name} takes no positional argument, but qtrust passes the input features as the first one",
            where=f"{WHERE}(qnode)",
            fix=f"define it as def {func_name}(inputs, weights): ...",
        )
    first, rest = positional[0].name, [p.name for p in positional[1:]]
    if first.lower() in _WEIGHT_NAMES or (
        first.lower() not in _INPUT_NAMES and any(n.lower() in _INPUT_NAMES for n in rest)
    ):
        order = ", ".join([*(n for n in rest if n.lower() in _INPUT_NAMES)] or ["inputs"])
        others = ", ".join(n for n in [first, *rest] if n.lower() not in _INPUT_NAMES)
        raise InputError(
            f"the first argument of {func_name} is {first!r}, but qtrust passes the input features as a QNode's "
            "first argument and the weights after it",
            where=f"{WHERE}(qnode)",
            fix=f"define the QNode as def {func_name}({order}, {others}): the inputs first, then the weights "
            "in the order you pass them",
        )
    required = sum(1 for p in positional[1:] if p.default is inspect.Parameter.empty)
    return first, rest, (1_000 if variadic else len(rest)), required


def _weight_arguments(weights: Any, n_max: int) -> list[np.ndarray]:
    if weights is None:
        return []
    try:
        if isinstance(weights, tuple | list) and not (n_max == 1 and _is_rectangular(weights)):
            return [np.asarray(w, dtype=float) for w in weights]
        return [np.asarray(weights, dtype=float)]
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"the weights are not numeric arrays ({_describe_error(exc)})",
            where=f"{WHERE}(weights)",
            fix="pass one numeric array per weight argument of the QNode",
        ) from None


def _is_rectangular(values: Any) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _first_tape(qnode: Any, weight_args: Sequence[np.ndarray], length: int, rng: np.random.Generator):
    """The tape at one random input of ``length`` features, or the QNode's error text.

    A QNode that only accepts unit vectors (an amplitude embedding without ``normalize=True``) is probed
    with normalised inputs.
    """
    x = rng.uniform(-1.0, 1.0, length)
    error = ""
    for unit_norm in (False, True):
        probe = x / np.linalg.norm(x) if unit_norm else x
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return qml.workflow.construct_tape(qnode)(probe, *weight_args), unit_norm
        except InputError:
            raise
        except Exception as exc:  # any error the QNode raises is reported with its own text
            error = error or _describe_error(exc)
    return error


def _register(tape: Any, mp: Any, device_wires: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """qtrust's qubits, in order: the device's wires (so qubit i is the device's i-th wire) or the tape's.

    A circuit that starts by amplitude-embedding over all its wires takes that embedding's wire order.
    """
    used: dict[Any, None] = {}
    for op in tape.operations:
        used.update(dict.fromkeys(op.wires))
    used.update(dict.fromkeys(mp.obs.wires if mp.obs is not None else mp.wires))
    register = device_wires if device_wires is not None else tuple(used)
    ops = tape.operations
    if ops and isinstance(ops[0], StatePrepBase) and set(ops[0].wires) == set(register):
        register = tuple(ops[0].wires)
    return tuple(register)


# --------------------------------------------------------------------------------------------------------
# Translation
# --------------------------------------------------------------------------------------------------------


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


def _design(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Columns 1, x_i, x_i·x_j (i ≤ j), w_k for each probe."""
    n = X.shape[1]
    pairs = [X[:, i] * X[:, j] for i in range(n) for j in range(i, n)]
    return np.column_stack([np.ones(len(X)), X, *pairs, W]) if len(X) else np.zeros((0, 1))


def _snap(c: np.ndarray) -> np.ndarray:
    """Coefficients that are short decimals (0, 1, 0.25, 0.7, ...) up to least-squares rounding, made exact."""
    out = c.copy()
    for index, value in np.ndenumerate(c):
        short = float(f"{value:.10g}") if abs(value) >= 1e-12 else 0.0
        if abs(short - value) <= 1e-12 * max(1.0, abs(value)):
            out[index] = short
    return out


def _translate(spec: _QNodeSpec, name: str) -> tuple[Circuit, list[str]]:
    rng = np.random.default_rng(_PROBE_SEED + 2)
    n_f, n_w = spec.n_features, spec.n_weights
    n_cols = 1 + n_f + n_f * (n_f + 1) // 2 + n_w
    n_fit, n_check = n_cols + 6, 6
    X = spec.random_inputs(rng, n_fit + n_check)
    W = rng.uniform(-np.pi, np.pi, (n_fit + n_check, n_w))
    W[-2:] = spec.flat_weights  # the last checks use the weights under audit
    rules: dict[str, str] = {}
    traces = []
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
    items = traces[0]
    prep = _state_preparation(spec, items, traces, X)
    columns = [(k, j) for k, item in enumerate(items) for j in range(len(item.params))]
    Y = np.array([[trace[k].params[j] for k, j in columns] for trace in traces]).reshape(len(X), len(columns))
    D = _design(X, W)
    misfit = 0.0
    if columns:
        coef, *_ = np.linalg.lstsq(D[:n_fit], Y[:n_fit], rcond=None)
        tolerance = _TOLERANCE * (1.0 + np.abs(Y))
        snapped = _snap(coef)
        error = np.abs(D @ snapped - Y)
        raw_error = np.abs(D @ coef - Y)
        use_snapped = np.all(error <= tolerance, axis=0)
        coef = np.where(use_snapped, snapped, coef)
        error = np.where(use_snapped, error, raw_error)
        bad = np.flatnonzero(~np.all(error <= tolerance, axis=0))
        if bad.size:
            k, _ = columns[int(bad[0])]
            item = items[k]
            worst = float(error[:, bad[0]].max())
            what = "noise strength" if item.kind == "channel" else "angle"
            raise _UntranslatableError(
                f"the {what} of {item.name} on qubit(s) {list(item.wires)} (from {item.origin}) is not "
                f"const + linear in the inputs and weights + products of inputs (misfit {worst:.1e} at random "
                "probes): nonlinear functions of the inputs or of the weights, and products of weights with "
                "inputs (trainable input scaling), have no translation"
            )
        misfit = float(error.max())
    angles = {col: _angle_from(coef[:, c], n_f, n_w) for c, col in enumerate(columns)}
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


def _angle_from(c: np.ndarray, n_f: int, n_w: int) -> Angle:
    features = tuple((i, float(c[1 + i])) for i in range(n_f) if c[1 + i] != 0.0)
    products, at = [], 1 + n_f
    for i in range(n_f):
        for j in range(i, n_f):
            if c[at] != 0.0:
                products.append((i, j, float(c[at]), 0.0))
            at += 1
    weights = tuple((k, float(c[at + k])) for k in range(n_w) if c[at + k] != 0.0)
    return Angle(float(c[0]), features, tuple(products), weights)


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


def _used_features(circuit: Circuit) -> int:
    used = -1
    for op in circuit.operations:
        if op.angle is not None:
            used = max([used, *(i for i, _ in op.angle.features)])
            used = max([used, *(max(i, j) for i, j, _, _ in op.angle.feature_products)])
    return used + 1


# --------------------------------------------------------------------------------------------------------
# Fallback: the QNode on its own device
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GateView:
    """What a qtrust noise channel looks at to decide whether it acts after a gate."""

    gate: str
    wires: tuple[int, ...]
    section: str


_PL_CHANNELS = {kind: name for name, kind in CHANNEL_KINDS.items()}


class QNodeClassifier(ProbabilityClassifierMixin):
    """A QNode qtrust could not translate, run as it is on the QNode's own device. **This is slow.**

    Every row builds the QNode's tape and every call executes one tape per row (batched with
    ``qml.execute``) on the QNode's device — no Heisenberg path, no batching over inputs, and no circuit, so
    the certificates that need one skip this model. P(class 1) reads the QNode's one measurement through the
    same outcome table as a translated circuit (see :func:`from_pennylane`).

    Under a qtrust :class:`~qtrust.quantum.noise.NoiseModel` with channels, the tape is expanded into
    qtrust's gate set and each channel is inserted after every gate on each of its wires (never after
    identities, global phases or the QNode's own channels), as qtrust places noise, and run on
    ``default.mixed``. Readout errors are classical: the probabilities of the measured wires are folded
    through a per-qubit confusion matrix.
    """

    simulation_path_ = "qnode_device"

    def __init__(
        self,
        qnode: Any,
        weights: Any,
        *,
        n_features: int | None = None,
        output: Any = None,
        positive: Any = None,
        classes: tuple[Any, Any] = (0, 1),
        name: str | None = None,
        noise: NoiseModel | None = None,
        reason: str = "run on the QNode's device as requested",
    ) -> None:
        _require_pennylane()
        spec = _QNodeSpec.build(qnode, weights, n_features=n_features, output=output, positive=positive)
        self._setup(spec, classes, reason, name or spec.func_name, noise)

    @classmethod
    def _from_spec(
        cls, spec: _QNodeSpec, *, classes: tuple[Any, Any], reason: str, name: str
    ) -> QNodeClassifier:
        model = cls.__new__(cls)
        model._setup(spec, classes, reason, name, None)
        return model

    def _setup(
        self, spec: _QNodeSpec, classes: tuple[Any, Any], reason: str, name: str, noise: NoiseModel | None
    ) -> None:
        self._spec = spec
        self.qnode = spec.qnode
        self.name = name
        self.noise = noise
        self.classes = classes
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = spec.n_features
        self.weight_arguments_ = spec.weight_args
        self.simulation_reason_ = reason
        self.translation_notes_ = [*spec.notes, reason]
        self._mixed: Any = None

    @property
    def source(self) -> dict[str, Any]:
        return self._spec.source(self.translation_notes_, translated=False)

    # -- execution ---------------------------------------------------------------------------------------

    def _device(self, noisy: bool) -> Any:
        if not noisy or self._spec.device_name == "default.mixed":
            return self.qnode.device
        if self._mixed is None:
            self._mixed = qml.device("default.mixed", wires=list(self._spec.register))
        return self._mixed

    def _sections(self, items: list[_Item], x: np.ndarray) -> list[str] | None:
        """Each item's section, as the translation would assign it; None when the gate sequence changes."""
        spec = self._spec
        try:
            moved_x = _items(spec, spec.tape(x + 0.37))
            moved_w = _items(spec, spec.tape(x, spec.unflatten(spec.flat_weights + 0.37)))
        except Exception:  # the QNode refuses the shifted probe (e.g. unit-norm inputs only)
            return None
        keys = [i.key for i in items]
        if [i.key for i in moved_x] != keys or [i.key for i in moved_w] != keys:
            return None
        kept = [
            (k, i.wires, i.basis_change)
            for k, i in enumerate(items)
            if i.kind in ("gate", "channel", "unsupported")
        ]
        dx = {k: items[k].params != moved_x[k].params for k, _, _ in kept}
        dw = {k: items[k].params != moved_w[k].params for k, _, _ in kept}
        _, section, _ = _layout(kept, dx, dw)
        return [section.get(k, "encoding") for k in range(len(items))]

    def _row_tape(self, x: np.ndarray, noise: NoiseModel) -> Any:
        spec = self._spec
        tape = spec.tape(x)
        mp = tape.measurements[0]
        wires = _measured_wires(mp, spec.register)
        if not noise.has_channels:
            ops = [*tape.operations, *_diagonalizing_gates(mp)]
            return qml.tape.QuantumScript(ops, [qml.probs(wires=list(wires))], shots=None)
        items = _items(spec, tape)
        restricted = any(set(c.sections) != {"encoding", "trainable"} for c in noise.channels)
        sections = self._sections(items, x) if restricted else None
        ops = []
        for k, item in enumerate(items):
            ops.append(item.op)
            if item.kind not in ("gate", "unsupported") or isinstance(item.op, Channel | StatePrepBase):
                continue
            for channel in noise.channels:
                # Without known sections (the gate sequence changes with the input) a section filter is moot.
                section = sections[k] if sections is not None else channel.sections[0]
                view = _GateView(item.name, item.wires, section)
                for wire in item.wires:
                    if channel.applies_to(view, wire):  # type: ignore[arg-type]
                        pl_channel = getattr(qml, _PL_CHANNELS[channel.kind])
                        ops.append(pl_channel(channel.level, wires=spec.register[wire]))
        return qml.tape.QuantumScript(ops, [qml.probs(wires=list(wires))], shots=None)

    def _read_distribution(self, X: Any, noise: NoiseModel | None) -> np.ndarray:
        """P(read outcome) over the measured wires, per row (N, 2^k)."""
        noise = noise or NOISELESS
        X = check_angles(X, self._spec.n_features, "QNodeClassifier")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tapes = [self._row_tape(x, noise) for x in X]
            results = qml.execute(tapes, self._device(noise.has_channels), diff_method=None)
        probs = np.array([np.asarray(r, dtype=float).reshape(-1) for r in results]).reshape(len(X), -1)
        measured = [self._spec.register.index(w) for w in self._spec.output.wires]
        rates = noise.readout_for(measured)
        if rates is None:
            return probs
        k = len(measured)
        g = probs.reshape((len(X),) + (2,) * k)
        for q, (p01, p10) in enumerate(rates):
            confusion = np.array([[1 - p01, p10], [p01, 1 - p10]])  # [read bit, true bit]
            g = np.moveaxis(np.tensordot(confusion, g, axes=([1], [q + 1])), 0, q + 1)
        return g.reshape(len(X), -1)

    def probabilities(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """Exact P(class 1) per row under ``noise``, from the QNode's device (slow: one tape per row)."""
        read = self._read_distribution(X, noise)
        return np.clip(read @ np.asarray(self._spec.output.table), 0.0, 1.0)

    def sample_probabilities(
        self, X: Any, shots: int, n_draws: int, rng: np.random.Generator, noise: NoiseModel | None = None
    ) -> np.ndarray:
        return sample_probabilities(self.probabilities(X, noise), shots, n_draws, rng)

    def qnode_output(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """The QNode's raw output per row: the expectation value (N,), or the probabilities (N, 2^k)."""
        read = self._read_distribution(X, noise)
        out = self._spec.output
        if out.kind == "expval":
            return read @ np.asarray(out.eigenvalues)
        return read

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "qnode",
            "name": self.name,
            "source": self.source,
            "weights": self._spec.flat_weights.tolist(),
            "weight_shapes": [list(w.shape) for w in self._spec.weight_args],
            "trained_by": "given",
            "execution": f"QNode device {self._spec.device_name}",
            "simulation_path": self.simulation_path_,
            "reason": self.simulation_reason_,
            "note": "slow: the QNode runs on its own device, one tape per input row",
        }
