"""A served model's circuit run on a PennyLane device: exact probabilities, or seeded shots.

The second independent framework behind :class:`~qtrust.serve.backends.QuantumBackend`: qtrust supplies the
circuit as data (gates, angles evaluated per row, the measurement rule); PennyLane evolves and samples it.
PennyLane orders wires as qtrust does (wire 0 is the most significant bit), so ``qml.probs`` and
``qml.counts`` over the measured wires read directly in the order the measurement rule expects.

All rows run as one broadcast QNode call (every angle is a vector over the rows). Exact probabilities come
from an analytic device; counts from the same device built with ``seed=seed`` and the QNode's shots, then
each bitstring seen ``c`` times adds ``Binomial(c, value(b))`` favourable outcomes, as on every backend.
Amplitude-encoded state preparation runs as ``qml.AmplitudeEmbedding``; fixed noise channels are refused.
PennyLane is imported only when a backend is built, so this module imports without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
from qtrust.quantum.circuit import Circuit
from qtrust.serve.egress import Outbound
from qtrust.serve.qiskit_backend import (
    angle_table,
    encoded_angles,
    favourable_counts,
    fitted_circuit,
    outcome_values,
    refuse_unexpressible,
)

_WHERE = "PennyLaneBackend"

#: qtrust gate → PennyLane operation class name; the same matrices and angle conventions (control first).
QTRUST_TO_PENNYLANE: dict[str, str] = {
    "I": "Identity",
    "X": "PauliX",
    "Y": "PauliY",
    "Z": "PauliZ",
    "H": "Hadamard",
    "S": "S",
    "T": "T",
    "SX": "SX",
    "RX": "RX",
    "RY": "RY",
    "RZ": "RZ",
    "P": "PhaseShift",
    "CNOT": "CNOT",
    "CZ": "CZ",
    "SWAP": "SWAP",
    "RXX": "IsingXX",
    "RYY": "IsingYY",
    "RZZ": "IsingZZ",
    "CRX": "CRX",
    "CRY": "CRY",
    "CRZ": "CRZ",
    "CP": "ControlledPhaseShift",
}


def _pennylane() -> Any:
    try:
        import pennylane
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise InputError(
            "PennyLane is not installed",
            where="qtrust.serve.pennylane_backend",
            fix="install the optional dependencies: pip install 'qtrust[pennylane]'",
        ) from exc
    return pennylane


def _gate_classes(qml: Any, circuit: Circuit) -> dict[str, Any]:
    """qtrust gate → PennyLane operation class, for the gates the circuit uses."""
    missing = sorted({op.gate for op in circuit.operations} - set(QTRUST_TO_PENNYLANE))
    if missing:
        raise InputError(
            f"gate(s) {', '.join(missing)} have no PennyLane equivalent here",
            where=f"{_WHERE}: circuit '{circuit.name}'",
            fix="serve this model with EngineBackend",
        )
    return {op.gate: getattr(qml, QTRUST_TO_PENNYLANE[op.gate]) for op in circuit.operations}


def _check_amplitudes(circuit: Circuit, X: np.ndarray) -> None:
    """An all-zero amplitude vector has no state: refuse it as qtrust's engine does."""
    prep = circuit.state_preparation
    if prep is None or prep.pad_with != 0:
        return
    zero = np.flatnonzero(~np.any(X[:, : prep.n_features] != 0, axis=1))
    if zero.size:
        raise InputError(
            f"row {int(zero[0])} is all zeros and cannot be amplitude-encoded",
            where="angles",
            fix="drop all-zero rows or pad with a non-zero value",
        )


class PennyLaneBackend:
    """The model's circuit on a PennyLane device (``default.qubit``, ``lightning.qubit``, …).

    ``last_run`` records what the latest ``counts`` call used.
    """

    def __init__(self, model: CircuitClassifier, device: str = "default.qubit", *, name: str | None = None):
        self.qml = _pennylane()
        self.model = model
        self.circuit, self.weights = fitted_circuit(model, _WHERE)
        refuse_unexpressible(self.circuit, "PennyLane", amplitude_encoding=True)
        self.gates = _gate_classes(self.qml, self.circuit)
        self.device_name = device
        self.name = name or f"pennylane:{device}"
        self.values = outcome_values(self.circuit.measurement)
        self.last_run: dict[str, Any] = {}

    @property
    def _broadcasts(self) -> bool:
        """Whether a QNode call carries the rows as a batch (else every row is the same circuit)."""
        c = self.circuit
        return c.state_preparation is not None or any(op.angle is not None for op in c.operations)

    def _body(self, X: np.ndarray, measure: Callable[..., Any]) -> Callable[[], Any]:
        """The quantum function of all rows: each angle a vector over the rows, then ``measure``."""
        qml, circuit = self.qml, self.circuit
        angles = angle_table(circuit, X, self.weights)
        wires = list(range(circuit.n_qubits))
        measured = list(circuit.measurement.qubits)

        def body() -> Any:
            prep = circuit.state_preparation
            if prep is not None:
                features = X[:, : prep.n_features]
                pad = prep.pad_with if prep.n_features < 2**circuit.n_qubits else None
                qml.AmplitudeEmbedding(features, wires=wires, pad_with=pad, normalize=True)
            k = 0
            for op in circuit.operations:
                if op.angle is None:
                    self.gates[op.gate](wires=list(op.wires))
                else:
                    self.gates[op.gate](angles[:, k], wires=list(op.wires))
                    k += 1
            return measure(wires=measured)

        return body

    def _qnode(self, body: Callable[[], Any], shots: int | None, seed: int | None) -> Any:
        """A QNode on a fresh device; shots set the way the installed PennyLane wants them."""
        qml, n = self.qml, self.circuit.n_qubits
        kwargs: dict[str, Any] = {"wires": n} if seed is None else {"wires": n, "seed": seed}
        if shots is None:
            return qml.QNode(body, qml.device(self.device_name, **kwargs), diff_method=None)
        if hasattr(qml, "set_shots"):  # PennyLane ≥ 0.42: shots belong to the QNode, not the device
            return qml.set_shots(
                qml.QNode(body, qml.device(self.device_name, **kwargs), diff_method=None), shots=shots
            )
        device = qml.device(self.device_name, shots=shots, **kwargs)  # pragma: no cover - older PennyLane
        return qml.QNode(body, device, diff_method=None)  # pragma: no cover

    def _rows(self, X: np.ndarray, measure: Callable[..., Any], shots: int | None, seed: int | None) -> list:
        """One result per row: a broadcast call, or (nothing depends on the row) one call per row."""
        qnode = self._qnode(self._body(X, measure), shots, seed)
        if not self._broadcasts:
            return [qnode() for _ in range(X.shape[0])]
        result = qnode()
        return list(result) if isinstance(result, list | tuple) or np.ndim(result) == 2 else [result]

    def _angles(self, sent: Outbound) -> np.ndarray:
        X = encoded_angles(sent, self.circuit, _WHERE)
        _check_amplitudes(self.circuit, X)
        return X

    def probabilities(self, sent: Outbound) -> np.ndarray:
        """Exact P(class 1) per row from ``qml.probs`` of the measured wires on an analytic device."""
        X = self._angles(sent)
        if not len(X):
            return np.zeros(0)
        probs = np.asarray(self._rows(X, self.qml.probs, None, None), dtype=float)
        return probs.reshape(X.shape[0], -1) @ self.values

    def counts(self, sent: Outbound, shots: int, seed: int) -> np.ndarray:
        """Favourable outcomes in ``shots`` measurements per row, device and Bernoulli draws seeded by ``seed``."""
        X = self._angles(sent)
        if not len(X):
            return np.zeros(0, dtype=int)
        per_row: list[Mapping[str, int]] = self._rows(X, self.qml.counts, shots, seed)
        self.last_run = {
            "backend": self.name,
            "rows": X.shape[0],
            "shots": shots,
            "device_seed": seed,
            "bernoulli_seed": seed,
            "pennylane": self.qml.__version__,
        }
        rows = [{str(bits): int(c) for bits, c in row.items()} for row in per_row]
        return favourable_counts(rows, self.values, np.random.default_rng(seed))
