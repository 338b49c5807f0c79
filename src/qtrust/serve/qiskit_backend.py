"""A served model's circuit run on Qiskit: exact by Statevector, sampled on any BackendV2 or V2 sampler.

The guard must be able to send the encoded angles to a machine that is not qtrust's simulator — Aer, a fake
device with its noise, IBM hardware behind a sampler — and get back what :class:`~qtrust.serve.backends.
QuantumBackend` promises. So the numbers here come from Qiskit alone: qtrust only supplies the circuit as
data (gates, angles evaluated per row, the measurement rule); Qiskit evolves and samples it.

Two things decide whether the answer means the same as qtrust's:

* **Qubit order.** qtrust wire ``w`` is Qiskit qubit ``w``, but qtrust's basis-state integers put wire 0 in
  the *most* significant bit and Qiskit's put qubit 0 in the *least*. Exact probabilities are therefore read
  with ``qargs`` in reverse order, and each measured bitstring (classical bit ``i`` holds measured qubit
  ``i``, printed rightmost) is reversed before the measurement rule reads it.
* **One shot, one Bernoulli trial.** A measurement rule maps the measured bits ``b`` to P(class 1 | b)
  (parity and 0/1 tables: 0 or 1; ``mean`` and fractional tables: in between). A bitstring seen ``c`` times
  adds ``Binomial(c, value(b))`` favourable outcomes drawn with ``numpy.random.default_rng(seed)``, so the
  count is Binomial(shots, P(class 1)) exactly as on qtrust's engine.

What the circuit holds and Qiskit here cannot run is refused: fixed noise channels (a Statevector has no
mixed states) and amplitude-encoded state preparation (a state per row cannot be a parameter of the one
transpiled circuit). Qiskit is imported only when a backend is built, so this module imports without it.

The helpers :func:`encoded_angles`, :func:`angle_table`, :func:`outcome_values`, :func:`favourable_counts`
and :func:`refuse_unexpressible` are shared with :mod:`qtrust.serve.pennylane_backend`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from qtrust.adapters.qiskit.framework import _qiskit
from qtrust.adapters.qiskit.lowering import QTRUST_TO_QISKIT
from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
from qtrust.quantum.circuit import Circuit, Measurement
from qtrust.serve.egress import Outbound

# --- shared with pennylane_backend -----------------------------------------------------------------------


def fitted_circuit(model: CircuitClassifier, where: str) -> tuple[Circuit, np.ndarray]:
    """The model's circuit and trained weights, or an InputError if it is not a fitted circuit model."""
    if not isinstance(model, CircuitClassifier):
        raise InputError(
            f"expected a fitted CircuitClassifier, got {type(model).__name__}",
            where=where,
            fix="pass the artefact's quantum model (artefact.quantum)",
        )
    check_is_fitted(model, "weights_")
    return model.circuit_, np.asarray(model.weights_, dtype=float)


def refuse_unexpressible(circuit: Circuit, framework: str, *, amplitude_encoding: bool) -> None:
    """Refuse what the framework backend cannot run: fixed noise channels, and (optionally) amplitude encoding."""
    where = f"{framework} backend: circuit '{circuit.name}'"
    if circuit.has_channels:
        noisy = sorted({op.gate for op in circuit.operations if any(level > 0 for _, level in op.channels)})
        raise InputError(
            f"the circuit carries fixed noise channels (on {', '.join(noisy)} gates), which this backend "
            "does not run",
            where=where,
            fix="serve this model with EngineBackend (qtrust's simulator applies the channels)",
        )
    if circuit.state_preparation is not None and not amplitude_encoding:
        raise InputError(
            "the circuit starts from an amplitude-encoded state, which this backend does not prepare",
            where=where,
            fix="serve this model with PennyLaneBackend or EngineBackend",
        )


def encoded_angles(sent: Outbound, circuit: Circuit, where: str) -> np.ndarray:
    """The ``angles`` matrix of the payload, (N, n_features), checked against the circuit."""
    if "angles" not in sent.payload:
        raise InputError(
            "the payload has no 'angles' field", where=where, fix="send the encoded angles as 'angles'"
        )
    X = np.asarray(sent.payload["angles"], dtype=float)
    if X.size == 0:  # an empty batch: no rows, whatever its width was written as
        return np.zeros((0, circuit.n_features))
    if X.ndim != 2 or X.shape[1] != circuit.n_features:
        raise InputError(
            f"angles of shape {X.shape} do not fit the circuit's {circuit.n_features} features",
            where=where,
            fix="send one row per request row and one column per encoded feature",
        )
    return X


def angle_table(circuit: Circuit, X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The numeric angle of every parameterised operation for every row: shape (N, number of such ops)."""
    columns = [
        np.broadcast_to(np.asarray(op.angle.evaluate(X, weights), dtype=float), (X.shape[0],))
        for op in circuit.operations
        if op.angle is not None
    ]
    return np.stack(columns, axis=1) if columns else np.zeros((X.shape[0], 0))


def outcome_values(measurement: Measurement) -> np.ndarray:
    """P(class 1 | measured bits) for each outcome index, ``measurement.qubits[0]`` the most significant bit."""
    m = len(measurement.qubits)
    outcomes = np.arange(2**m)
    if measurement.rule == "table":
        assert measurement.table is not None
        return np.asarray(measurement.table, dtype=float)
    bits = (outcomes[:, None] >> (m - 1 - np.arange(m))) & 1
    if measurement.rule == "mean":
        return bits.mean(axis=1)
    return (bits.sum(axis=1) % 2).astype(float)


def favourable_counts(
    per_row: Iterable[Mapping[str, int]], values: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Favourable outcomes per row: each bitstring (measured qubits in order) seen c times → Binomial(c, value).

    Bitstrings are taken in sorted order, so the draws depend only on the counts and the generator.
    """
    out = []
    for counts in per_row:
        total = 0
        for bits in sorted(counts):
            p = min(max(float(values[int(bits, 2)]), 0.0), 1.0)
            total += int(rng.binomial(int(counts[bits]), p))
        out.append(total)
    return np.asarray(out, dtype=int)


# --- Qiskit ---------------------------------------------------------------------------------------------

_WHERE = "QiskitBackend"


def _qiskit_gate_names(circuit: Circuit) -> dict[str, str]:
    """qtrust gate → Qiskit gate method, for the gates the circuit uses (all of qtrust's are mapped)."""
    missing = sorted({op.gate for op in circuit.operations} - set(QTRUST_TO_QISKIT))
    if missing:
        raise InputError(
            f"gate(s) {', '.join(missing)} have no Qiskit equivalent in QTRUST_TO_QISKIT",
            where=f"{_WHERE}: circuit '{circuit.name}'",
            fix="serve this model with EngineBackend, or add the gate to the Qiskit gate map",
        )
    return {gate: QTRUST_TO_QISKIT[gate] for gate in {op.gate for op in circuit.operations}}


def _template(circuit: Circuit) -> tuple[Any, Any]:
    """The circuit as one parameterised QuantumCircuit (no measurement) and its angle parameters, in order."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    names = _qiskit_gate_names(circuit)
    theta = ParameterVector("theta", sum(op.angle is not None for op in circuit.operations))
    qc = QuantumCircuit(circuit.n_qubits, name=circuit.name)
    k = 0
    for op in circuit.operations:
        apply = getattr(qc, names[op.gate])
        if op.angle is None:
            apply(*op.wires)
        else:
            apply(theta[k], *op.wires)
            k += 1
    return qc, theta


def _measured(template: Any, qubits: tuple[int, ...]) -> Any:
    """The template with measured qubit ``qubits[i]`` read into classical bit ``i`` of register ``c``."""
    from qiskit.circuit import ClassicalRegister

    qc = template.copy()
    register = ClassicalRegister(len(qubits), "c")
    qc.add_register(register)
    for i, q in enumerate(qubits):
        qc.measure(q, register[i])
    return qc


def _bind(qc: Any, row: np.ndarray) -> Any:
    """``qc`` with each remaining parameter ``theta[k]`` set to ``row[k]`` (transpiling may drop some)."""
    return qc.assign_parameters({p: float(row[p.index]) for p in qc.parameters})


def _device_of(target: Any) -> Any:
    """The BackendV2 a target runs on, for transpiling: itself, or a sampler's backend (None: any gate runs)."""
    from qiskit.providers import BackendV2

    if isinstance(target, BackendV2):
        return target
    for attribute in ("backend", "_backend"):  # BackendSamplerV2.backend; qiskit-aer's SamplerV2._backend
        device = getattr(target, attribute, None)
        if isinstance(device, BackendV2):
            return device
    return None


def _target_name(target: Any) -> str:
    from qiskit.providers import BackendV2

    if isinstance(target, BackendV2):
        return str(target.name)
    device = _device_of(target)
    return type(target).__name__ + (f"({device.name})" if device is not None else "")


def _seeded_sampler(sampler: Any, seed: int) -> tuple[Any, bool]:
    """A copy of ``sampler`` that draws with ``seed``, and whether seeding was possible."""
    from qiskit.primitives import BackendSamplerV2

    if isinstance(sampler, BackendSamplerV2):
        options = {**dataclasses.asdict(sampler.options), "seed_simulator": seed}
        return BackendSamplerV2(backend=sampler.backend, options=options), True
    if hasattr(sampler, "_seed"):  # StatevectorSampler and qiskit-aer's SamplerV2 keep their seed here
        seeded = copy.copy(sampler)
        seeded._seed = seed
        return seeded, True
    return sampler, False  # e.g. hardware behind qiskit-ibm-runtime's SamplerV2: no simulator seed exists


class QiskitBackend:
    """The model's circuit run on Qiskit: a BackendV2 (Aer, a fake device) or a V2 sampler primitive.

    ``probabilities`` is exact (``qiskit.quantum_info.Statevector``) whatever the target; ``counts`` runs
    the transpiled circuit on the target with ``shots`` and the seed as simulator seed. The circuit is
    transpiled once, with ``transpile_seed``, on first use: a layout and routing that change per draw would
    cost a transpile per draw (the shot-aware rule makes several per row) for no gain in fidelity.
    ``last_run`` records what the latest ``counts`` call used.
    """

    def __init__(
        self,
        model: CircuitClassifier,
        target: Any,
        *,
        optimization_level: int = 1,
        transpile_seed: int = 0,
        name: str | None = None,
    ) -> None:
        _qiskit()
        from qiskit.primitives import BaseSamplerV2
        from qiskit.providers import BackendV2

        self.model = model
        self.circuit, self.weights = fitted_circuit(model, _WHERE)
        refuse_unexpressible(self.circuit, "Qiskit", amplitude_encoding=False)
        if not isinstance(target, BackendV2 | BaseSamplerV2):
            raise InputError(
                f"expected a Qiskit BackendV2 or a V2 sampler primitive, got {type(target).__name__}",
                where=_WHERE,
                fix="pass e.g. qiskit_aer.AerSimulator(), a fake V2 device, or qiskit.primitives.StatevectorSampler()",
            )
        device = _device_of(target)
        if device is not None and device.num_qubits is not None and device.num_qubits < self.circuit.n_qubits:
            raise InputError(
                f"{device.name} has {device.num_qubits} qubits; the circuit needs {self.circuit.n_qubits}",
                where=_WHERE,
                fix="choose a backend with enough qubits",
            )
        self.target = target
        self.is_sampler = isinstance(target, BaseSamplerV2)
        self.optimization_level = optimization_level
        self.transpile_seed = transpile_seed
        self._compiled: Any = None
        self.name = name or f"qiskit:{_target_name(target)}"
        self.device = device
        self.template, self.theta = _template(self.circuit)
        self.measured = _measured(self.template, self.circuit.measurement.qubits)
        self.values = outcome_values(self.circuit.measurement)
        self.last_run: dict[str, Any] = {}

    def _angles(self, sent: Outbound) -> np.ndarray:
        return angle_table(self.circuit, encoded_angles(sent, self.circuit, _WHERE), self.weights)

    def probabilities(self, sent: Outbound) -> np.ndarray:
        """Exact P(class 1) per row from the Statevector of the bound circuit."""
        from qiskit.quantum_info import Statevector

        qargs = list(reversed(self.circuit.measurement.qubits))  # qargs[0] is Qiskit's least significant bit
        rows = self._angles(sent)
        if not len(rows):
            return np.zeros(0)
        probs = np.array([Statevector(_bind(self.template, row)).probabilities(qargs) for row in rows])
        return probs.reshape(len(rows), -1) @ self.values

    def counts(self, sent: Outbound, shots: int, seed: int) -> np.ndarray:
        """Favourable outcomes in ``shots`` runs of the circuit on the target, per row, drawn with ``seed``."""
        rows = self._angles(sent)
        if not len(rows):
            return np.zeros(0, dtype=int)
        compiled = self._compile()
        if self.is_sampler:
            bitstrings, seeded = self._sample(compiled, rows, shots, seed)
        else:
            bitstrings, seeded = self._run(compiled, rows, shots, seed), True
        self.last_run = {
            "backend": self.name,
            "rows": len(rows),
            "shots": shots,
            "seed_simulator": seed if seeded else None,
            "seed_transpiler": self.transpile_seed if self.device is not None else None,
            "optimization_level": self.optimization_level,
            "bernoulli_seed": seed,
        }
        reversed_bits = [{bits[::-1]: c for bits, c in row.items()} for row in bitstrings]
        return favourable_counts(reversed_bits, self.values, np.random.default_rng(seed))

    def _compile(self) -> Any:
        """The measured circuit transpiled for the target's device (its basis and coupling map), if it has one;
        transpiled once and kept."""
        from qiskit import transpile

        if self.device is None:
            return self.measured
        if self._compiled is None:
            self._compiled = transpile(
                self.measured,
                backend=self.device,
                optimization_level=self.optimization_level,
                seed_transpiler=self.transpile_seed,
            )
        return self._compiled

    def _run(self, compiled: Any, rows: np.ndarray, shots: int, seed: int) -> list[dict[str, int]]:
        """Counts per row from ``BackendV2.run`` (one bound circuit per row, one job)."""
        job = self.target.run([_bind(compiled, row) for row in rows], shots=shots, seed_simulator=seed)
        result = job.result()
        return [dict(result.get_counts(i)) for i in range(len(rows))]

    def _sample(
        self, compiled: Any, rows: np.ndarray, shots: int, seed: int
    ) -> tuple[list[dict[str, int]], bool]:
        """Counts per row from a V2 sampler (one pub per row), and whether the sampler could be seeded."""
        sampler, seeded = _seeded_sampler(self.target, seed)
        order = [p.index for p in compiled.parameters]
        pubs = [(compiled, row[order]) if order else (compiled,) for row in rows]
        result = sampler.run(pubs, shots=shots).result()
        return [dict(pub.data.c.get_counts()) for pub in result], seeded
