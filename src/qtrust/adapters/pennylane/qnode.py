"""Reading the QNode: its signature, its weights, the number of input features, its first tape and register.

Everything later (translation, fallback, self-check) works from the :class:`_QNodeSpec` built here, so the
QNode's arguments are checked once, with errors that name the QNode's own argument names and shapes.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.adapters.pennylane.framework import (
    _PROBE_SEED,
    WHERE,
    StatePrepBase,
    _describe_error,
    _label,
    qml,
)
from qtrust.adapters.pennylane.outputs import _measurement_of, _Output, _output_of
from qtrust.errors import InputError

#: Names under which a QNode's first argument is recognisably *not* its input features, and the reverse.
_WEIGHT_NAMES = frozenset(
    {"weights", "weight", "params", "parameters", "theta", "thetas", "w", "var", "vars", "trainable"}
)
_INPUT_NAMES = frozenset({"x", "inputs", "input", "features", "feature", "data", "sample", "xs"})


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
        """Check the QNode and its arguments once, then probe one tape for its register and output."""
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
        candidates, inferred = _feature_lengths(n_features, device_wires, func_name)
        tape, unit_norm, length = _probe_first_tape(qnode, weight_args, candidates, inferred, func_name)
        if inferred:
            _refuse_padded_embedding(tape, func_name)
        mp = _measurement_of(tape)
        register = _register(tape, mp, device_wires)
        out = _output_of(mp, register, output, positive)
        shots, notes = _sampling_notes(tape, unit_norm)
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


def _feature_lengths(
    n_features: Any, device_wires: tuple[Any, ...] | None, func_name: str
) -> tuple[list[int], bool]:
    """The input lengths to probe the QNode with, and whether they were inferred rather than given.

    Without ``n_features`` the device's wires decide: one feature per wire (angle embeddings) or 2^wires
    (an amplitude embedding without padding).
    """
    if n_features is not None:
        if not isinstance(n_features, int | np.integer) or isinstance(n_features, bool) or n_features < 1:
            raise InputError(
                f"n_features={n_features!r} is not a positive integer",
                where=f"{WHERE}(n_features)",
                fix="give the number of input features",
            )
        return [int(n_features)], False
    if device_wires is not None:
        n_wires = len(device_wires)
        return list(dict.fromkeys([n_wires, 2**n_wires] if n_wires <= 16 else [n_wires])), True
    raise InputError(
        f"the device of {func_name} has no wires, so the number of input features is unknown",
        where=f"{WHERE}(n_features)",
        fix="pass n_features=, or create the device with wires=",
    )


def _probe_first_tape(
    qnode: Any, weight_args: Sequence[np.ndarray], candidates: list[int], inferred: bool, func_name: str
) -> tuple[Any, bool, int]:
    """(tape, unit-norm inputs only, input length) at the first candidate length the QNode accepts.

    When it accepts none, the error names the lengths and weight shapes tried and the QNode's own error.
    """
    rng = np.random.default_rng(_PROBE_SEED)
    first_error: str | None = None
    for length in candidates:
        found = _first_tape(qnode, weight_args, length, rng)
        if isinstance(found, str):
            first_error = first_error or found
            continue
        tape, unit_norm = found
        return tape, unit_norm, length
    shapes = [list(w.shape) for w in weight_args]
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


def _refuse_padded_embedding(tape: Any, func_name: str) -> None:
    """An inferred feature count is a guess a padded amplitude embedding cannot confirm: any count fits it."""
    ops = tape.operations
    if ops and isinstance(ops[0], StatePrepBase) and ops[0].hyperparameters.get("pad_with") is not None:
        raise InputError(
            f"{func_name} pads its amplitude embedding, so any number of features up to "
            f"{2 ** len(ops[0].wires)} fits it",
            where=f"{WHERE}(n_features)",
            fix="pass n_features= (the number of input features the model was trained on)",
        )


def _sampling_notes(tape: Any, unit_norm: bool) -> tuple[Any, list[str]]:
    """The QNode's shots (None when it computes exactly) and the notes on how it was probed."""
    notes = []
    if unit_norm:
        notes.append("the QNode accepts unit-norm inputs only: probed with normalised inputs")
    shots = getattr(tape, "shots", None)
    if shots is not None and getattr(shots, "total_shots", None) is None:
        shots = None
    if shots is not None:
        notes.append(f"the QNode samples {shots}; qtrust scores exact probabilities and models shots itself")
    return shots, notes


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
