"""The Qiskit and PennyLane backends give the served model's numbers from their own simulators.

Exact probabilities must equal qtrust's engine to 1e-12 (on the served model and on small models whose
parity and table rules read several qubits, so a wrong qubit order would show); shot counts must be
Binomial(shots, exact) on noiseless simulators, reproducible from the seed, and only loosely close on a
noisy fake device; what a backend cannot run is refused with an InputError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from qiskit.primitives import BackendSamplerV2, StatevectorSampler
from qiskit_aer import AerSimulator
from qiskit_aer.primitives import SamplerV2 as AerSamplerV2
from qiskit_ibm_runtime.fake_provider import FakeManilaV2
from scipy.stats import binomtest

from qtrust.adapters.qiskit.lowering import QTRUST_TO_QISKIT
from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
from qtrust.quantum.ansatz import variational_circuit
from qtrust.quantum.circuit import AmplitudeEncoding, Angle, Circuit, Measurement, Operation
from qtrust.quantum.gates import GATES
from qtrust.serve.egress import EgressPolicy, Outbound, outbound
from qtrust.serve.pennylane_backend import QTRUST_TO_PENNYLANE, PennyLaneBackend
from qtrust.serve.qiskit_backend import QiskitBackend

SHOTS = 2000
Factory = Callable[[CircuitClassifier], Any]

EXACT: dict[str, Factory] = {
    "qiskit-statevector": lambda model: QiskitBackend(model, StatevectorSampler()),
    "pennylane": PennyLaneBackend,
}
NOISELESS: dict[str, Factory] = {
    "aer": lambda model: QiskitBackend(model, AerSimulator()),
    "statevector-sampler": lambda model: QiskitBackend(model, StatevectorSampler()),
    "aer-sampler": lambda model: QiskitBackend(model, AerSamplerV2()),
    "backend-sampler": lambda model: QiskitBackend(model, BackendSamplerV2(backend=AerSimulator())),
    "pennylane": PennyLaneBackend,
}


def _sent(X: np.ndarray) -> Outbound:
    return outbound(EgressPolicy.angles_only(X.shape[1]), {"angles": X})


def _every_gate_circuit(measurement: Measurement) -> Circuit:
    """Each qtrust gate once, on wires in both orders, angles from inputs and weights."""
    ops: list[Operation] = []
    wires = {1: [(0,), (2,), (1,)], 2: [(2, 0), (0, 1), (1, 2)]}
    n_weights = 0
    for i, (name, spec) in enumerate(GATES.items()):
        on = wires[spec.n_qubits][i % 3]
        if not spec.parametric:
            ops.append(Operation(name, on))
        elif i % 2:
            ops.append(Operation(name, on, Angle(0.3, features=((i % 3, 1.1),)), section="encoding"))
        else:
            ops.append(Operation(name, on, Angle(-0.2, weights=((n_weights, 1.0),))))
            n_weights += 1
        ops.append(Operation("H", (i % 3,)))  # keeps diagonal gates from acting on basis states only
    return Circuit(3, tuple(ops), measurement, n_features=3, n_weights=n_weights, name="every_gate")


def _model(circuit: Circuit, seed: int = 5) -> CircuitClassifier:
    weights = np.random.default_rng(seed).normal(size=circuit.n_weights)
    return CircuitClassifier.from_weights(circuit, weights)


PARITY = Measurement((2, 0), "parity")
TABLE = Measurement((2, 0, 1), "table", (0.0, 0.9, 0.2, 1.0, 0.55, 0.1, 0.7, 0.35))
SMALL_MODELS: dict[str, Callable[[], CircuitClassifier]] = {
    "iqp-parity": lambda: _model(variational_circuit(3, 2, encoding="iqp", measurement=PARITY)),
    "angle-table": lambda: _model(variational_circuit(3, 2, topology="full", measurement=TABLE)),
    "every-gate-table": lambda: _model(_every_gate_circuit(TABLE)),
    "every-gate-parity": lambda: _model(_every_gate_circuit(Measurement((1, 2), "parity"))),
}


@pytest.fixture(scope="module")
def served(setup) -> tuple[CircuitClassifier, np.ndarray]:
    """The packaged artefact's trained circuit and its first 20 encoded test rows."""
    artefact, _, X_test = setup
    return artefact.quantum, np.asarray(X_test[:20], dtype=float)


def _small_rows(n: int = 20, seed: int = 11) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-np.pi, np.pi, size=(n, 3))


def test_every_qtrust_gate_has_a_framework_equivalent() -> None:
    assert set(GATES) <= set(QTRUST_TO_QISKIT)
    assert set(GATES) <= set(QTRUST_TO_PENNYLANE)


@pytest.mark.parametrize("backend", EXACT)
def test_exact_probabilities_of_the_served_model_equal_the_engine(served, backend: str) -> None:
    model, X = served
    got = EXACT[backend](model).probabilities(_sent(X))
    np.testing.assert_allclose(got, model.probabilities(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("model_name", SMALL_MODELS)
@pytest.mark.parametrize("backend", EXACT)
def test_exact_probabilities_with_multi_qubit_rules_equal_the_engine(backend: str, model_name: str) -> None:
    model, X = SMALL_MODELS[model_name](), _small_rows()
    got = EXACT[backend](model).probabilities(_sent(X))
    np.testing.assert_allclose(got, model.probabilities(X), rtol=0, atol=1e-12)


def test_pennylane_prepares_amplitude_encoded_states() -> None:
    trainable = variational_circuit(2, 1, measurement=Measurement((1, 0), "table", (0.1, 0.9, 0.3, 0.6)))
    for pad in (0.0, 0.5):
        circuit = Circuit(
            2,
            trainable.trainable,
            trainable.measurement,
            n_features=3,
            n_weights=trainable.n_weights,
            state_preparation=AmplitudeEncoding(3, pad),
        )
        model, X = _model(circuit), np.random.default_rng(2).normal(size=(8, 3))
        got = PennyLaneBackend(model).probabilities(_sent(X))
        np.testing.assert_allclose(got, model.probabilities(X), rtol=0, atol=1e-12)


def _assert_binomial(counts: np.ndarray, exact: np.ndarray, shots: int) -> None:
    for k, p in zip(counts, exact, strict=True):
        interval = binomtest(int(k), shots).proportion_ci(0.999)
        assert interval.low <= p <= interval.high, (k / shots, p)


@pytest.mark.parametrize("backend", NOISELESS)
def test_noiseless_counts_are_binomial_in_the_exact_probability(served, backend: str) -> None:
    for model, X in [served, (SMALL_MODELS["angle-table"](), _small_rows())]:
        X = X[:5]
        counts = NOISELESS[backend](model).counts(_sent(X), SHOTS, seed=7)
        assert counts.shape == (5,)
        _assert_binomial(counts, model.probabilities(X), SHOTS)


@pytest.mark.parametrize("backend", NOISELESS)
def test_counts_read_the_measured_bits_in_the_rule_s_order(backend: str) -> None:
    """Basis states and a one-outcome table: a reversed bitstring would give 0 where all shots count."""
    encode = tuple(Operation("RY", (q,), Angle.of_feature(q), section="encoding") for q in range(3))
    one_outcome = Measurement((2, 0, 1), "table", (0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))  # reads 0,0,1
    model = _model(Circuit(3, encode, one_outcome, n_features=3))
    X = np.pi * np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 1], [0, 0, 0]], dtype=float)
    counts = NOISELESS[backend](model).counts(_sent(X), 50, seed=2)
    np.testing.assert_array_equal(counts, [50, 0, 0, 0, 0])


@pytest.mark.parametrize("backend", [*NOISELESS, "fake-device"])
def test_counts_are_reproducible_from_the_seed(served, backend: str) -> None:
    model, X = served
    make = NOISELESS.get(backend, lambda m: QiskitBackend(m, FakeManilaV2()))
    chosen, sent = make(model), _sent(X[:5])
    first = chosen.counts(sent, SHOTS, seed=3)
    np.testing.assert_array_equal(chosen.counts(sent, SHOTS, seed=3), first)
    assert not np.array_equal(chosen.counts(sent, SHOTS, seed=4), first)
    assert chosen.last_run["shots"] == SHOTS
    assert chosen.last_run["bernoulli_seed"] == 4


def test_fake_device_counts_are_close_to_exact_and_to_aer_with_its_noise(served) -> None:
    model, X = served
    sent, exact = _sent(X[:5]), model.probabilities(X[:5])
    device = QiskitBackend(model, FakeManilaV2())
    on_device = device.counts(sent, SHOTS, seed=1) / SHOTS
    with_noise = (
        QiskitBackend(model, AerSimulator.from_backend(FakeManilaV2())).counts(sent, SHOTS, 1) / SHOTS
    )
    assert np.all(np.abs(on_device - exact) <= 0.15)
    assert np.all(np.abs(on_device - with_noise) <= 0.06)
    assert device.name == "qiskit:fake_manila"
    assert device.last_run == {
        "backend": "qiskit:fake_manila",
        "rows": 5,
        "shots": SHOTS,
        "seed_simulator": 1,
        "seed_transpiler": 0,  # transpiled once, with the backend's own transpile seed
        "optimization_level": 1,
        "bernoulli_seed": 1,
    }


def test_names_say_which_framework_and_device_ran() -> None:
    model = SMALL_MODELS["iqp-parity"]()
    assert QiskitBackend(model, AerSimulator()).name == "qiskit:aer_simulator"
    assert QiskitBackend(model, StatevectorSampler()).name == "qiskit:StatevectorSampler"
    assert PennyLaneBackend(model).name == "pennylane:default.qubit"
    assert PennyLaneBackend(model, "lightning.qubit").name == "pennylane:lightning.qubit"


def _noisy_model() -> CircuitClassifier:
    ops = (
        Operation("RY", (0,), Angle.of_feature(0), section="encoding"),
        Operation("I", (0,), channels=(("depolarizing", 0.1),)),
    )
    return _model(Circuit(1, ops, Measurement((0,)), n_features=1))


def _amplitude_model() -> CircuitClassifier:
    return _model(Circuit(2, (), Measurement((0,)), n_features=4, state_preparation=AmplitudeEncoding(4)))


@pytest.mark.parametrize(
    ("make", "model", "problem"),
    [
        (lambda m: QiskitBackend(m, AerSimulator()), _amplitude_model, "amplitude-encoded"),
        (lambda m: QiskitBackend(m, AerSimulator()), _noisy_model, "fixed noise channels"),
        (PennyLaneBackend, _noisy_model, "fixed noise channels"),
        (lambda m: QiskitBackend(m, "aer"), lambda: SMALL_MODELS["iqp-parity"](), "BackendV2"),
    ],
)
def test_what_a_backend_cannot_run_is_refused(make: Factory, model: Callable, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as raised:
        make(model())
    assert raised.value.where
    assert raised.value.fix


@pytest.mark.parametrize("backend", EXACT)
def test_angles_of_the_wrong_width_are_refused(backend: str) -> None:
    chosen = EXACT[backend](SMALL_MODELS["iqp-parity"]())
    with pytest.raises(InputError, match="do not fit"):
        chosen.probabilities(_sent(np.zeros((2, 4))))


@pytest.mark.parametrize("backend", NOISELESS)
def test_an_empty_batch_gives_empty_answers(backend: str) -> None:
    chosen, sent = NOISELESS[backend](SMALL_MODELS["iqp-parity"]()), _sent(np.zeros((0, 3)))
    assert chosen.probabilities(sent).shape == (0,)
    assert chosen.counts(sent, SHOTS, seed=1).shape == (0,)
