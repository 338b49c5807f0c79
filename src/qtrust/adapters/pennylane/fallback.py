"""The QNode run as it is, on its own device, for circuits qtrust cannot translate.

Exact but slow (one tape per row) and without a circuit, so certificates skip it. Under qtrust noise it
inserts the channels where qtrust's engine would, so a translated model and its fallback agree.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from qtrust.adapters.pennylane.framework import Channel, StatePrepBase, _require_pennylane, qml
from qtrust.adapters.pennylane.gate_set import CHANNEL_KINDS
from qtrust.adapters.pennylane.layout import _layout
from qtrust.adapters.pennylane.outputs import _diagonalizing_gates, _measured_wires
from qtrust.adapters.pennylane.qnode import _QNodeSpec
from qtrust.adapters.pennylane.tape import _Item, _items
from qtrust.models.base import ProbabilityClassifierMixin
from qtrust.quantum.inputs import ANGLES_FIX, check_features
from qtrust.quantum.noise import NOISELESS, NoiseModel
from qtrust.quantum.shots import sample_probabilities


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
        self._reason = reason
        self.simulation_reason_ = reason
        self.translation_notes_ = [*spec.notes, reason]
        self._mixed: Any = None

    def explain(self, reason: str, notes: Any = ()) -> None:
        """Record why the QNode runs on its own device (kept in the source and in every run's reason)."""
        self._reason = reason
        self.simulation_reason_ = reason
        self.translation_notes_ = [*notes, reason]

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
        X = check_features(X, where="QNodeClassifier", n_features=self._spec.n_features, fix=ANGLES_FIX)
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
        """Exact P(class 1) per row under ``noise``, from the QNode's device (slow: one tape per row).

        Idle relaxation (a device profile's ``idle``) needs qtrust's schedule of a translated circuit; on the
        QNode's own device only the gate noise and readout apply, and the recorded reason says so.
        """
        if noise is not None and noise.idle is not None:
            self.simulation_reason_ = (
                self._reason + "; idle relaxation of the device profile not applied here"
            )
        else:
            self.simulation_reason_ = self._reason
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
