"""A small circuit representation: named gates, angles that are data, and an explicit encoding section.

Angles are plain data, not callables, so a circuit serialises into the audit record and can be re-run or
translated: ``angle = const + Σ c·x[i] + Σ c·(s − x[i])(s − x[j]) + Σ c·w[k]``. That covers angle and IQP /
ZZ feature maps, trainable rotations, and trainable input scaling (data re-uploading).

Every operation belongs to a *section*: ``encoding`` (loads the input) or ``trainable`` (the model). A circuit
is *encode-first* when all encoding operations come first, depend on no weight, and no trainable operation
depends on the input. Only then does the engine's Heisenberg path apply (see DESIGN.md):
f(x) = Tr(E†(O) ρ(x)).

Two additions let circuits written in other frameworks be translated without losing what they mean:

* an operation may carry fixed noise channels (``channels``): the noise a PennyLane QNode writes inside its
  circuit is part of the model, not of the audit's noise sweep. Such channels usually sit on the identity
  gate ``I``, which the sweep's noise model never touches (it is no physical gate);
* a circuit may start from an amplitude-encoded state (:class:`AmplitudeEncoding`, PennyLane's
  ``AmplitudeEmbedding``): the normalised, padded feature vector is the initial state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.gates import GATES
from qtrust.quantum.kraus import check_channel

Section = Literal["encoding", "trainable"]


@dataclass(frozen=True)
class Angle:
    """A rotation angle as data: ``const + Σ c·x[i] + Σ c·(s − x[i])(s − x[j]) + Σ c·w[k]``."""

    const: float = 0.0
    features: tuple[tuple[int, float], ...] = ()
    feature_products: tuple[tuple[int, int, float, float], ...] = ()  # (i, j, coeff, shift)
    weights: tuple[tuple[int, float], ...] = ()

    @classmethod
    def of_feature(cls, i: int, coeff: float = 1.0) -> Angle:
        return cls(features=((i, coeff),))

    @classmethod
    def of_weight(cls, k: int, coeff: float = 1.0) -> Angle:
        return cls(weights=((k, coeff),))

    @property
    def depends_on_input(self) -> bool:
        return bool(self.features or self.feature_products)

    @property
    def depends_on_weights(self) -> bool:
        return bool(self.weights)

    def evaluate(self, X: np.ndarray | None, weights: np.ndarray | None) -> np.ndarray | float:
        """The angle for each row of ``X`` (shape (N,)), or a float when it does not depend on the input."""
        value: Any = self.const
        for k, c in self.weights:
            value = value + c * float(weights[k])  # type: ignore[index]
        if not self.depends_on_input:
            return float(value)
        assert X is not None
        out = np.full(X.shape[0], value, dtype=float)
        for i, c in self.features:
            out += c * X[:, i]
        for i, j, c, s in self.feature_products:
            out += c * (s - X[:, i]) * (s - X[:, j])
        return out

    def __str__(self) -> str:
        terms = (
            [f"{self.const:g}"]
            if self.const or not (self.features or self.feature_products or self.weights)
            else []
        )
        terms += [f"{c:g}·x[{i}]" for i, c in self.features]
        terms += [f"{c:g}·({s:g}−x[{i}])({s:g}−x[{j}])" for i, j, c, s in self.feature_products]
        terms += [f"{c:g}·w[{k}]" for k, c in self.weights]
        return " + ".join(terms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "const": self.const,
            "features": [list(t) for t in self.features],
            "feature_products": [list(t) for t in self.feature_products],
            "weights": [list(t) for t in self.weights],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Angle:
        return cls(
            const=float(data.get("const", 0.0)),
            features=tuple((int(i), float(c)) for i, c in data.get("features", [])),
            feature_products=tuple(
                (int(i), int(j), float(c), float(s)) for i, j, c, s in data.get("feature_products", [])
            ),
            weights=tuple((int(k), float(c)) for k, c in data.get("weights", [])),
        )


@dataclass(frozen=True)
class Operation:
    """One gate on one or two wires, with its angle (for parameterised gates) and its section.

    ``channels`` are fixed noise channels ``(kind, strength)`` that act on every wire of the gate right after
    it, before any channel of the deployment noise model: noise that is part of the model itself.
    """

    gate: str
    wires: tuple[int, ...]
    angle: Angle | None = None
    section: Section = "trainable"
    channels: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if self.channels:
            for kind, level in self.channels:
                check_channel(kind, level, f"circuit: {self.gate} on wires {self.wires}")
        spec = GATES.get(self.gate)
        if spec is None:
            raise InputError(
                f"unknown gate {self.gate!r}", where="circuit", fix=f"use one of: {', '.join(GATES)}"
            )
        if len(self.wires) != spec.n_qubits or len(set(self.wires)) != len(self.wires):
            raise InputError(
                f"gate {self.gate} acts on {spec.n_qubits} distinct wire(s), got wires {self.wires}",
                where="circuit",
                fix="give one wire per qubit of the gate",
            )
        if spec.parametric != (self.angle is not None):
            need = "needs an angle" if spec.parametric else "takes no angle"
            raise InputError(f"gate {self.gate} {need}", where="circuit", fix="match the gate to its angle")
        if self.section == "trainable" and self.angle is not None and self.angle.depends_on_input:
            raise InputError(
                f"trainable {self.gate} on wires {self.wires} depends on the input",
                where="circuit",
                fix="put input-dependent gates in the 'encoding' section",
            )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"gate": self.gate, "wires": list(self.wires), "section": self.section}
        if self.angle is not None:
            out["angle"] = self.angle.to_dict()
            out["angle_text"] = str(self.angle)
        if self.channels:
            out["channels"] = [[kind, level] for kind, level in self.channels]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Operation:
        angle = Angle.from_dict(data["angle"]) if data.get("angle") is not None else None
        return cls(
            data["gate"],
            tuple(int(w) for w in data["wires"]),
            angle,
            data.get("section", "trainable"),
            tuple((str(k), float(v)) for k, v in data.get("channels", [])),
        )


@dataclass(frozen=True)
class AmplitudeEncoding:
    """Load the features as the amplitudes of the initial state (PennyLane ``AmplitudeEmbedding``).

    The feature vector is padded with ``pad_with`` up to 2^n entries and normalised, so rows that were
    already unit vectors are loaded unchanged. A row of zeros has no state and is refused.
    """

    n_features: int
    pad_with: float = 0.0

    def states(self, X: np.ndarray, n_qubits: int) -> np.ndarray:
        """The normalised initial statevectors (B, 2^n), real."""
        d = 2**n_qubits
        if self.n_features > d:
            raise InputError(
                f"{self.n_features} features do not fit the {d} amplitudes of {n_qubits} qubits",
                where="circuit.state_preparation",
                fix=f"use at most {d} features or more qubits",
            )
        psi = np.full((X.shape[0], d), float(self.pad_with))
        psi[:, : self.n_features] = X[:, : self.n_features]
        norms = np.linalg.norm(psi, axis=1)
        if np.any(norms == 0):
            raise InputError(
                f"row {int(np.flatnonzero(norms == 0)[0])} is all zeros and cannot be amplitude-encoded",
                where="X",
                fix="drop all-zero rows or pad with a non-zero value",
            )
        return psi / norms[:, None]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "amplitude", "n_features": self.n_features, "pad_with": self.pad_with}


@dataclass(frozen=True)
class Measurement:
    """A two-outcome measurement: the probability of class 1 is ``Tr(E ρ)`` for a diagonal effect E.

    rules:
      * ``parity`` — class 1 iff the measured bits have odd parity (on one qubit: the bit is 1);
      * ``mean`` — class 1 with probability (number of 1s)/(number of measured qubits), i.e. the readout of
        a uniformly chosen measured qubit; its probability is (1 − mean⟨Z⟩)/2;
      * ``table`` — class 1 with probability ``table[b]`` when the measured bits read ``b`` (``qubits[0]`` the
        most significant bit). Any classical post-processing of one measurement is such a table: an
        expectation value rescaled to [0, 1], ``qml.probs`` summed over chosen outcomes, a Qiskit
        ``SamplerQNN`` interpret function.

    Each shot is one Bernoulli trial of the effect, so shot noise is Binomial(shots, p)/shots.
    """

    qubits: tuple[int, ...] = (0,)
    rule: Literal["parity", "mean", "table"] = "parity"
    table: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if (self.rule == "table") != (self.table is not None):
            raise InputError(
                "a measurement has a table exactly when its rule is 'table'",
                where="circuit.measurement",
                fix="give rule='table' with a table, or another rule without one",
            )
        if self.table is not None:
            values = np.asarray(self.table, dtype=float)
            if values.shape != (2 ** len(self.qubits),):
                raise InputError(
                    f"the table has {values.size} entries, but {len(self.qubits)} measured qubit(s) have "
                    f"{2 ** len(self.qubits)} outcomes",
                    where="circuit.measurement",
                    fix="give P(class 1) for every outcome of the measured qubits",
                )
            if not np.all((values >= -1e-12) & (values <= 1 + 1e-12)):
                raise InputError(
                    "class-1 probabilities in the table must lie in [0, 1]",
                    where="circuit.measurement",
                    fix="rescale the output to a probability",
                )

    def effect(self, n_qubits: int, readout: tuple[tuple[float, float], ...] | None = None) -> np.ndarray:
        """The diagonal of E over the 2^n basis states, with classical readout errors folded in.

        ``readout[q] = (p(read 1 | 0), p(read 0 | 1))`` for each measured qubit, in the order of ``qubits``.
        """
        bits = ((np.arange(2**n_qubits)[:, None] >> (n_qubits - 1 - np.array(self.qubits))) & 1).astype(float)
        flips = np.zeros((len(self.qubits), 2)) if readout is None else np.asarray(readout, dtype=float)
        if self.rule == "table":
            return self._table_effect(bits.astype(int), flips)
        p_one = np.where(bits == 1, 1.0 - flips[:, 1], flips[:, 0])  # P(read 1 | true bit), per qubit
        if self.rule == "mean":
            return p_one.mean(axis=1)
        return (1.0 - np.prod(1.0 - 2.0 * p_one, axis=1)) / 2.0

    def _table_effect(self, bits: np.ndarray, flips: np.ndarray) -> np.ndarray:
        """E[b] = Σ_r P(read r | true b) · table[r]: each measured qubit's readout flips its own bit."""
        k = len(self.qubits)
        g = np.asarray(self.table, dtype=float).reshape((2,) * k)
        for q in range(k):
            p01, p10 = flips[q]
            confusion = np.array([[1 - p01, p01], [p10, 1 - p10]])  # [true bit, read bit]
            g = np.moveaxis(np.tensordot(confusion, g, axes=([1], [q])), 0, q)
        index = bits @ (1 << np.arange(k)[::-1]) if k else np.zeros(bits.shape[0], dtype=int)
        return np.clip(g.reshape(-1)[index], 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"qubits": list(self.qubits), "rule": self.rule}
        if self.table is not None:
            out["table"] = list(self.table)
        return out


@dataclass(frozen=True)
class Circuit:
    """A parameterised circuit on ``n_qubits`` wires: operations in order, and a two-outcome measurement."""

    n_qubits: int
    operations: tuple[Operation, ...]
    measurement: Measurement = field(default_factory=Measurement)
    n_features: int = 0
    n_weights: int = 0
    name: str = "circuit"
    state_preparation: AmplitudeEncoding | None = None

    def __post_init__(self) -> None:
        if self.state_preparation is not None:
            self._check_index(self.state_preparation.n_features - 1, self.n_features, "feature")
        for op in self.operations:
            if max(op.wires) >= self.n_qubits or min(op.wires) < 0:
                raise InputError(
                    f"{op.gate} on wires {op.wires} is outside the {self.n_qubits}-qubit register",
                    where="circuit",
                    fix="use wires 0..n_qubits-1",
                )
            if op.angle is not None:
                for i, _ in op.angle.features:
                    self._check_index(i, self.n_features, "feature")
                for i, j, _, _ in op.angle.feature_products:
                    self._check_index(max(i, j), self.n_features, "feature")
                for k, _ in op.angle.weights:
                    self._check_index(k, self.n_weights, "weight")
        if any(q >= self.n_qubits for q in self.measurement.qubits):
            raise InputError(
                "measured qubit outside the register", where="circuit", fix="measure wires 0..n-1"
            )

    @staticmethod
    def _check_index(i: int, n: int, what: str) -> None:
        if not 0 <= i < n:
            raise InputError(f"{what} index {i} out of range (circuit has {n})", where="circuit")

    @property
    def encoding(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.section == "encoding")

    @property
    def trainable(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.section == "trainable")

    @property
    def is_encode_first(self) -> bool:
        """True when the input is loaded first and everything after it is input-independent."""
        n_enc = len(self.encoding)
        head_is_encoding = all(op.section == "encoding" for op in self.operations[:n_enc])
        encoding_is_weight_free = all(
            op.angle is None or not op.angle.depends_on_weights for op in self.encoding
        )
        return head_is_encoding and encoding_is_weight_free

    @property
    def has_entanglement(self) -> bool:
        return self.state_preparation is not None or any(
            GATES[op.gate].n_qubits > 1 for op in self.operations
        )

    @property
    def has_channels(self) -> bool:
        """True when the circuit itself carries noise channels (so it is never simulated as pure states)."""
        return any(level > 0 for op in self.operations for _, level in op.channels)

    def depth(self, section: Section | None = None) -> int:
        """Circuit depth: the longest chain of gates sharing wires (ASAP layering)."""
        level = [0] * self.n_qubits
        for op in self.operations:
            if section is not None and op.section != section:
                continue
            start = max(level[w] for w in op.wires) + 1
            for w in op.wires:
                level[w] = start
        return max(level, default=0)

    def gate_counts(self) -> dict[str, int]:
        return dict(Counter(op.gate for op in self.operations))

    def describe(self) -> dict[str, Any]:
        """A compact, human-readable description for reports and model cards."""
        return {
            "name": self.name,
            "n_qubits": self.n_qubits,
            "depth": self.depth(),
            "encoding_depth": self.depth("encoding"),
            "trainable_depth": self.depth("trainable"),
            "n_operations": len(self.operations),
            "two_qubit_gates": sum(1 for op in self.operations if len(op.wires) == 2),
            "gate_counts": self.gate_counts(),
            "n_features": self.n_features,
            "n_weights": self.n_weights,
            "encode_first": self.is_encode_first,
            "entangling": self.has_entanglement,
            "measurement": self.measurement.to_dict(),
            "state_preparation": self.state_preparation.to_dict() if self.state_preparation else None,
            "noise_channels": sum(len(op.channels) for op in self.operations),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.describe(),
            "operations": [op.to_dict() for op in self.operations],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Circuit:
        m = data.get("measurement", {})
        prep = data.get("state_preparation")
        table = m.get("table")
        return cls(
            n_qubits=int(data["n_qubits"]),
            operations=tuple(Operation.from_dict(op) for op in data["operations"]),
            measurement=Measurement(
                tuple(m.get("qubits", (0,))),
                m.get("rule", "parity"),
                tuple(float(v) for v in table) if table is not None else None,
            ),
            n_features=int(data.get("n_features", 0)),
            n_weights=int(data.get("n_weights", 0)),
            name=data.get("name", "circuit"),
            state_preparation=(
                AmplitudeEncoding(int(prep["n_features"]), float(prep.get("pad_with", 0.0))) if prep else None
            ),
        )
