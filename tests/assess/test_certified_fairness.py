"""Certified fairness: the facts of Guan, Fang & Ying (CAV 2022) and an independent PennyLane reference."""

from __future__ import annotations

import itertools

import numpy as np
import pennylane as qml
import pytest

from qtrust.assess.certified_fairness import (
    certify,
    fairness_verdict,
    lipschitz_constant,
    reachable_bias_pair,
)
from qtrust.errors import InputError
from qtrust.models import VariationalClassifier
from qtrust.quantum.ansatz import variational_circuit
from qtrust.quantum.circuit import Measurement
from qtrust.quantum.engine import measurement_operator, simulate
from qtrust.quantum.noise import CHANNEL_KINDS, NOISE_LAYERS, NoiseModel, ReadoutError

LEVELS = (0.0, 1e-3, 1e-2, 5e-2, 0.2)


def random_model(n_qubits: int, seed: int, layers: int = 2):
    circuit = variational_circuit(n_qubits, layers)
    weights = np.random.default_rng(seed).uniform(-np.pi, np.pi, circuit.n_weights)
    return circuit, weights


@pytest.mark.parametrize(("n_qubits", "seed"), [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_every_noiseless_model_has_lipschitz_constant_one(n_qubits, seed):
    circuit, weights = random_model(n_qubits, seed)
    assert lipschitz_constant(measurement_operator(circuit, weights)).lipschitz == pytest.approx(
        1.0, abs=1e-10
    )


@pytest.mark.parametrize("channel", sorted(CHANNEL_KINDS))
def test_noise_never_increases_the_lipschitz_constant(channel):
    circuit, weights = random_model(3, 7)
    values = [
        lipschitz_constant(
            measurement_operator(circuit, weights, NoiseModel.single(channel, p) if p else None)
        ).lipschitz
        for p in LEVELS
    ]
    assert values[0] == pytest.approx(1.0)
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(values)), values
    if channel not in ("phase_damping", "phase_flip"):  # dephasing may leave a Z-diagonal effect untouched
        assert values[-1] < 0.99


def pauli_kraus(n: int, p: float) -> list[np.ndarray]:
    """Global depolarizing Δ(ρ) = (1 − p)ρ + p·I/d as Kraus operators: √(1 − p + p/d²)·I and √(p/d²)·P."""
    d = 2**n
    paulis = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]
    ops = []
    for combo in itertools.product(range(4), repeat=n):
        m = np.array([[1.0]])
        for k in combo:
            m = np.kron(m, paulis[k])
        weight = 1 - p + p / d**2 if not any(combo) else p / d**2
        ops.append(np.sqrt(weight) * m)
    return ops


@pytest.mark.parametrize("p", [0.05, 0.3, 0.9])
def test_global_depolarizing_scales_the_constant_by_one_minus_p(p):
    """Applied through its Kraus operators (Σ K† M K), not through the closed form."""
    circuit, weights = random_model(2, 11)
    for noise in (None, NoiseModel.single("amplitude_damping", 0.05)):
        m = measurement_operator(circuit, weights, noise)
        kraus = pauli_kraus(2, p)
        assert sum(k.conj().T @ k for k in kraus) == pytest.approx(np.eye(4))
        m_global = sum(k.conj().T @ m @ k for k in kraus)
        before, after = lipschitz_constant(m).lipschitz, lipschitz_constant(m_global).lipschitz
        assert after == pytest.approx((1 - p) * before, abs=1e-12)


def pennylane_class_one(circuit, weights, state: np.ndarray, noise: NoiseModel | None) -> float:
    """P(class 1) when the trainable section runs on an arbitrary input state, simulated by PennyLane."""
    gates = {"RY": qml.RY, "RZ": qml.RZ, "RX": qml.RX, "CNOT": qml.CNOT, "CZ": qml.CZ}
    channels = {"depolarizing": qml.DepolarizingChannel, "amplitude_damping": qml.AmplitudeDamping}
    dev = qml.device("default.mixed", wires=circuit.n_qubits)

    @qml.qnode(dev)
    def run():
        qml.StatePrep(state, wires=range(circuit.n_qubits))
        for op in circuit.operations[len(circuit.encoding) :]:
            if op.angle is None:
                gates[op.gate](wires=list(op.wires))
            else:
                gates[op.gate](float(op.angle.evaluate(None, weights)), wires=list(op.wires))
            if noise is not None:
                for channel in noise.channels:
                    for w in op.wires:
                        if channel.applies_to(op, w):
                            channels[channel.kind](channel.level, wires=w)
        return qml.probs(wires=range(circuit.n_qubits))

    return float(np.asarray(run()) @ circuit.measurement.effect(circuit.n_qubits))


def test_the_extreme_eigenvectors_reach_the_extreme_outputs_in_pennylane():
    circuit, weights = random_model(3, 5)
    noise = NoiseModel.single("depolarizing", 0.02)
    spectrum = lipschitz_constant(measurement_operator(circuit, weights, noise))
    assert pennylane_class_one(circuit, weights, spectrum.state_max, noise) == pytest.approx(
        spectrum.lambda_max, abs=1e-9
    )
    assert pennylane_class_one(circuit, weights, spectrum.state_min, noise) == pytest.approx(
        spectrum.lambda_min, abs=1e-9
    )
    # and no random state gets further apart than the certificate allows
    rng = np.random.default_rng(0)
    states = rng.normal(size=(40, 8)) + 1j * rng.normal(size=(40, 8))
    states /= np.linalg.norm(states, axis=1, keepdims=True)
    outputs = [pennylane_class_one(circuit, weights, s, noise) for s in states[:10]]
    assert max(outputs) - min(outputs) <= spectrum.lipschitz + 1e-12


@pytest.mark.parametrize(
    ("k", "epsilon", "delta", "fair"),
    [(1.0, 0.1, 0.1, True), (1.0, 0.1, 0.09, False), (0.5, 0.1, 0.05, True), (0.5, 0.2, 0.05, False)],
)
def test_the_verdict_is_delta_at_least_k_times_epsilon(k, epsilon, delta, fair):
    assert fairness_verdict(k, epsilon, delta) is fair


@pytest.mark.parametrize(("epsilon", "delta"), [(0.0, 0.1), (1.5, 0.1), (0.1, -0.2), (0.1, 2.0)])
def test_epsilon_and_delta_outside_the_unit_interval_are_refused(epsilon, delta):
    with pytest.raises(InputError, match=r"outside \(0, 1\]"):
        fairness_verdict(1.0, epsilon, delta)


def test_a_reuploading_circuit_has_no_certificate_and_says_why():
    circuit = variational_circuit(2, 2, reupload=True)
    with pytest.raises(InputError, match="re-uploads data"):
        measurement_operator(circuit, np.zeros(circuit.n_weights))


def test_the_reachable_bias_pair_lies_between_the_data_and_the_certificate():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, np.pi, size=(120, 3))
    y = (np.sin(X[:, 0]) + 0.3 * X[:, 1] > 1.2).astype(int)
    groups = np.where(X[:, 2] > np.pi / 2, "a", "b")
    model = VariationalClassifier(n_layers=1, max_iter=30, random_state=0).fit(X, y)
    noise = NoiseModel.single("depolarizing", 0.01)
    certificate, spectrum = certify(
        model, "vqc", noise=noise, noise_label="depolarizing=0.01", epsilon=0.1, delta=0.05
    )
    assert certificate.lipschitz == pytest.approx(spectrum.lipschitz)
    assert certificate.fair is (certificate.lipschitz * 0.1 <= 0.05)

    def f(angles):
        return simulate(model.circuit_, angles, model.weights_, noise).probabilities

    pair = reachable_bias_pair(f, X, groups, (0.0, np.pi), np.random.default_rng(1))
    p_data = f(X)
    assert {pair.group_high, pair.group_low} == {"a", "b"}
    assert pair.reachable_gap <= certificate.lipschitz + 1e-9  # the certificate bounds every reachable pair
    data_gap = max(
        p_data[groups == "a"].max() - p_data[groups == "b"].min(),
        p_data[groups == "b"].max() - p_data[groups == "a"].min(),
    )
    assert pair.reachable_gap >= data_gap - 1e-9  # the search only improves on the rows it starts from
    assert f(np.array([pair.angles_high]))[0] == pytest.approx(pair.p_high)
    assert all(0 <= a <= np.pi for a in pair.angles_high + pair.angles_low)


# --- what each certificate covers, stated exactly (issue 18) ----------------------------------------------


@pytest.mark.parametrize(("p01", "p10"), [(0.02, 0.0), (0.01, 0.03), (0.1, 0.2)])
@pytest.mark.parametrize("rule", ["parity", "mean"])
def test_readout_error_makes_the_noiseless_constant_one_minus_p01_minus_p10(p01, p10, rule):
    """Readout folds into the effect: E = p01·I + (1 − p01 − p10)·P, so K* = 1 − p01 − p10, not 1."""
    circuit = variational_circuit(3, 2, measurement=Measurement(qubits=(0,), rule=rule))
    weights = np.random.default_rng(4).uniform(-np.pi, np.pi, circuit.n_weights)
    noise = NoiseModel(readout=ReadoutError(p01, p10))
    k = lipschitz_constant(measurement_operator(circuit, weights, noise)).lipschitz
    assert k == pytest.approx(1 - p01 - p10, abs=1e-12)


def test_an_outcome_table_measurement_has_constant_max_minus_min_of_its_table():
    table = (0.1, 0.8, 0.35, 0.6)
    circuit = variational_circuit(3, 2, measurement=Measurement(qubits=(0, 2), rule="table", table=table))
    weights = np.random.default_rng(5).uniform(-np.pi, np.pi, circuit.n_weights)
    k = lipschitz_constant(measurement_operator(circuit, weights)).lipschitz
    assert k == pytest.approx(max(table) - min(table), abs=1e-12)


@pytest.mark.parametrize("p", [0.01, 0.1])
def test_one_depolarizing_layer_before_measurement_scales_the_constant_by_one_minus_four_thirds_p(p):
    """Z → (1 − 4p/3)·Z on the measured qubit (PennyLane's convention): the paper's placement, closed form."""
    circuit, weights = random_model(3, 8)
    layer = NoiseModel.single("depolarizing", p, layer="before_measurement")
    assert lipschitz_constant(measurement_operator(circuit, weights, layer)).lipschitz == pytest.approx(
        1 - 4 * p / 3, abs=1e-12
    )
    every_gate = lipschitz_constant(
        measurement_operator(circuit, weights, NoiseModel.single("depolarizing", p))
    )
    assert every_gate.lipschitz < 1 - 4 * p / 3 - 0.01  # noise after every gate lowers K* much further


@pytest.mark.parametrize("position", NOISE_LAYERS)
def test_a_noise_layer_agrees_with_pennylane_channels_at_that_position(position):
    circuit, weights = random_model(3, 9)
    x = np.array([0.3, 1.1, 2.0])
    noise = NoiseModel.single("amplitude_damping", 0.07, layer=position)
    dev = qml.device("default.mixed", wires=3)

    @qml.qnode(dev)
    def run():
        gates = {"RY": qml.RY, "RZ": qml.RZ, "RX": qml.RX, "CNOT": qml.CNOT}
        for i, op in enumerate(circuit.operations):
            if position == "after_encoding" and i == len(circuit.encoding):
                for w in range(3):
                    qml.AmplitudeDamping(0.07, wires=w)
            angle = (
                None if op.angle is None else float(np.atleast_1d(op.angle.evaluate(x[None, :], weights))[0])
            )
            gates[op.gate](*(() if angle is None else (angle,)), wires=list(op.wires))
        if position == "before_measurement":
            for w in range(3):
                qml.AmplitudeDamping(0.07, wires=w)
        return qml.probs(wires=range(3))

    expected = float(np.asarray(run()) @ circuit.measurement.effect(3))
    ours = simulate(circuit, x[None, :], weights, noise).probabilities[0]
    assert ours == pytest.approx(expected, abs=1e-12)
    # the layer is part of what the certificate covers: M includes it
    m = measurement_operator(circuit, weights, noise)
    assert lipschitz_constant(m).lipschitz < 1 - 1e-3


def test_numpy_scalars_are_taken_wherever_a_number_is():
    model = VariationalClassifier(n_layers=1, max_iter=2, random_state=0).fit(
        np.random.default_rng(0).uniform(0, 3, (30, 2)), np.arange(30) % 2
    )
    certificate, _ = certify(
        model, "vqc", noise=NoiseModel.single("depolarizing", np.float32(0.01)), noise_label="d",
        epsilon=np.float32(0.01), delta=np.float64(0.005),
    )  # fmt: skip
    assert certificate.epsilon == pytest.approx(0.01)
    assert type(certificate.epsilon) is float
    assert fairness_verdict(np.float64(1.0), np.float32(0.1), np.float16(0.2)) is True
    assert NoiseModel.single("depolarizing", np.float32(0.25)).channels[0].level == 0.25
    with pytest.raises(InputError, match="not a finite number"):
        fairness_verdict(1.0, True, 0.1)  # a bool is no epsilon


def test_the_audit_places_its_swept_noise_as_configured_and_says_what_the_pair_was_searched_under():
    from qtrust.audit import run_audit
    from qtrust.config import config_from_dict
    from tiny_audit import TINY

    config = config_from_dict(dict(TINY, noise={**TINY["noise"], "placement": "before_measurement"}))
    assert config.quick().noise.placement == "before_measurement"
    result = run_audit(config).result
    cert = result.certified_fairness[0]
    assert cert.placement == "before_measurement"
    point = next(p for p in cert.points if p.channel == "depolarizing")
    assert point.lipschitz == pytest.approx(1 - 4 * 0.01 / 3, abs=1e-12)  # one layer, closed form
    assert {p.label for n in result.noise for p in n.points} == {"depolarizing=0.01@before_measurement"}
    assert cert.bias_pair.noise == "none"
    assert "noise placed before measurement" in next(
        f.detail for f in result.findings if f.id.startswith("certified-fairness")
    )
