"""Idle relaxation (qtrust.quantum.idle) checked against closed-form schedules and Qiskit Aer.

References: hand-computed ASAP schedules (exact wait times), the closed form of thermal relaxation
(γ = 1 − exp(−t/T1), coherences × exp(−t/T2)), and Qiskit's own scheduler with Aer's RelaxationNoisePass
on the delays, simulated as an exact density matrix (``qiskit_idle_reference``).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.quantum import (
    Angle,
    Circuit,
    Measurement,
    NoiseModel,
    Operation,
    TrainingObjective,
    simulate,
    variational_circuit,
)
from qtrust.quantum.circuit import AmplitudeEncoding
from qtrust.quantum.engine import encode, measurement_operator, scheduled
from qtrust.quantum.heisenberg import expectation
from qtrust.quantum.idle import IdleNoise, idle_schedule, with_idle_noise

T1 = (60e3, 90e3, 120e3, 45e3)
T2 = (50e3, 150e3, 70e3, 80e3)
IDLE = IdleNoise(T1, T2, arity_ns=(50.0, 300.0))


def enc(gate: str, wires: tuple[int, ...], feature: int | None = None) -> Operation:
    angle = Angle.of_feature(feature) if feature is not None else None
    return Operation(gate, wires, angle, section="encoding")


def tr(gate: str, wires: tuple[int, ...], weight: int | None = None) -> Operation:
    return Operation(gate, wires, Angle.of_weight(weight) if weight is not None else None)


def waits(circuit: Circuit, idle: IdleNoise = IDLE) -> list[tuple[int, int, str, float]]:
    """(position, wire, section, wait in ns) of every inserted relaxation, recovered from γ = 1 − e^(−t/T1).

    Also checks the phase damping: coherences decay as exp(−t/T2) in total (qtrust's convention: amplitude
    and phase damping each scale them by √(1 − γ)).
    """
    out = []
    for k, op in enumerate(circuit.operations):
        if op.gate != "I" or not op.channels:
            continue
        (kind_a, gamma), (kind_p, gamma_phi) = op.channels
        assert (kind_a, kind_p) == ("amplitude_damping", "phase_damping")
        (w,) = op.wires
        t = -idle.t1_ns[w] * math.log1p(-gamma)
        t2 = min(idle.t2_ns[w], 2 * idle.t1_ns[w])
        assert math.sqrt((1 - gamma) * (1 - gamma_phi)) == pytest.approx(math.exp(-t / t2), rel=1e-12)
        out.append((k, w, op.section, t))
    return out


def assert_waits(circuit: Circuit, expected: list[tuple[int, int, str, float]], idle: IdleNoise = IDLE):
    got = waits(circuit, idle)
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    np.testing.assert_allclose([g[3] for g in got], [e[3] for e in expected], rtol=1e-9)


# --- the schedule, by hand --------------------------------------------------------------------------------

# 1q gates 50 ns, 2q gates 300 ns, RZ virtual. Encoding: w0, w1 RY [0, 50], CNOT(0,1) [50, 350], w2 RZ at 0
# (touched, so no longer |0>): w2 waits 350 until the encoding ends. Trainable (from the encoding's end):
# RX w1 [0, 50]; CNOT(1,2) [50, 350] after w2 waits 50; RY w0 [0, 50]; CZ(0,2) [350, 650] after w0 waits
# 300; H w1 [350, 400]; the schedule ends at 650, so w1 waits 250. w3 stays in |0>: no waits.
HAND = Circuit(
    4,
    (
        enc("RY", (0,), 0),
        enc("RY", (1,), 1),
        enc("CNOT", (0, 1)),
        enc("RZ", (2,), 2),
        tr("RX", (1,), 0),
        tr("CNOT", (1, 2)),
        tr("RY", (0,), 1),
        tr("CZ", (0, 2)),
        tr("H", (1,)),
    ),
    Measurement((0, 1, 2), "parity"),
    n_features=3,
    n_weights=2,
)


def test_schedule_of_an_encode_first_circuit_by_hand():
    run = with_idle_noise(HAND, IDLE)
    assert run.is_encode_first
    assert [op.gate for op in run.operations] == [
        *("RY", "RY", "CNOT", "RZ", "I"),
        *("RX", "I", "CNOT", "RY", "I", "CZ", "H", "I"),
    ]
    assert_waits(
        run,
        [
            (4, 2, "encoding", 350.0),
            (6, 2, "trainable", 50.0),
            (9, 0, "trainable", 300.0),
            (12, 1, "trainable", 250.0),
        ],
    )
    # the index map follows every original operation
    _, positions = idle_schedule(HAND, IDLE)
    assert [run.operations[p] for p in positions] == list(HAND.operations)


def test_waits_in_the_ground_state_are_skipped_unless_the_state_is_prepared():
    # w3 first acts at the end: fresh (|0>) until then, so nothing before its CNOT; after it, w0 ... wait.
    circuit = replace(HAND, operations=(*HAND.operations, tr("CNOT", (2, 3))))
    # CNOT(2,3) [650, 950] -> w0 waits 300 (from 650), w1 waits 550 (from 400); w3 never waits.
    assert_waits(
        with_idle_noise(circuit, IDLE),
        [
            (4, 2, "encoding", 350.0),
            (6, 2, "trainable", 50.0),
            (9, 0, "trainable", 300.0),
            (13, 0, "trainable", 300.0),
            (14, 1, "trainable", 550.0),
        ],
    )
    # amplitude-encoded: every wire holds data from t = 0, so its leading waits count too
    prepared = Circuit(
        3,
        (tr("RY", (0,), 0), tr("CNOT", (0, 1)), tr("X", (2,))),
        n_features=8,
        n_weights=1,
        state_preparation=AmplitudeEncoding(8),
    )
    # RY w0 [0, 50]; w1 waits 50, CNOT [50, 350]; X w2 [0, 50] then waits 300 to the end
    assert_waits(
        with_idle_noise(prepared, IDLE),
        [(1, 1, "trainable", 50.0), (4, 2, "trainable", 300.0)],
    )


def test_reuploading_circuits_are_scheduled_as_one_sequence():
    circuit = Circuit(
        3,
        (
            enc("RY", (0,), 0),
            tr("CNOT", (0, 1)),
            enc("RY", (1,), 1),
            tr("RX", (2,), 0),
            enc("RY", (2,), 2),
            tr("CNOT", (1, 2)),
        ),
        n_features=3,
        n_weights=1,
    )
    assert not circuit.is_encode_first
    # RY w0 [0,50]; CNOT(0,1) [50,350] (w1 fresh); RY w1 [350,400]; RX w2 [0,50]; RY w2 [50,100];
    # CNOT(1,2) [400,700] after w2 waits 300 (section of the CNOT); end 700: w0 waits 350 (from 350),
    # in the section of the operation that ends the schedule.
    assert_waits(
        with_idle_noise(circuit, IDLE),
        [(5, 2, "trainable", 300.0), (7, 0, "trainable", 350.0)],
    )


def test_duration_table_defaults_virtual_gates_and_sections():
    idle = IdleNoise(
        (1e5, 1e5, 1e5),
        (1e5, 1e5, 1e5),
        durations=((("CNOT", "CZ"), (0, 1), 400.0), (("RY",), (2,), 80.0)),
        gate_ns=(("RY", 30.0), ("CNOT", 200.0)),
        arity_ns=(10.0, 100.0),
    )
    assert idle.duration_ns(tr("CNOT", (1, 0))) == 400.0  # sorted wires
    assert idle.duration_ns(tr("CZ", (0, 1))) == 400.0
    assert idle.duration_ns(tr("CNOT", (1, 2))) == 200.0  # per-gate default
    assert idle.duration_ns(tr("SWAP", (1, 2))) == 100.0  # arity default
    assert idle.duration_ns(tr("RY", (2,), 0)) == 80.0
    assert idle.duration_ns(tr("RY", (0,), 0)) == 30.0
    assert idle.duration_ns(tr("SX", (0,))) == 10.0
    for gate in ("Z", "S", "T", "I"):
        assert idle.duration_ns(tr(gate, (0,))) == 0.0
    assert idle.duration_ns(tr("RZ", (0,), 0)) == idle.duration_ns(tr("P", (0,), 0)) == 0.0
    trainable_only = replace(IDLE, sections=("trainable",))
    assert [w[2] for w in waits(with_idle_noise(HAND, trainable_only))] == ["trainable"] * 3
    # wires beyond the model take time but do not relax
    short = IdleNoise(T1[:2], T2[:2], arity_ns=(50.0, 300.0))
    assert [w[1] for w in waits(with_idle_noise(HAND, short), short)] == [0, 1]


def test_transform_is_cached_idempotent_and_bad_models_are_refused():
    run = with_idle_noise(HAND, IDLE)
    assert with_idle_noise(HAND, IDLE) is run
    assert with_idle_noise(run, IDLE) is run  # a scheduled circuit is not charged twice
    assert scheduled(HAND, NoiseModel()) == (HAND, None)
    no_waits = Circuit(1, (tr("RY", (0,), 0), tr("H", (0,))), n_weights=1)
    assert with_idle_noise(no_waits, IDLE) is no_waits
    hash(IDLE)
    with pytest.raises(InputError, match="T1 values"):
        IdleNoise((1.0,), ())
    with pytest.raises(InputError, match="positive"):
        IdleNoise((0.0,), (1.0,))
    with pytest.raises(InputError, match="unknown gate"):
        IdleNoise((1.0,), (1.0,), durations=((("CX",), (0, 1), 1.0),))
    with pytest.raises(InputError, match="finite"):
        IdleNoise((1.0,), (1.0,), arity_ns=(-1.0, 0.0))


# --- the noise model and the engine -----------------------------------------------------------------------


def test_noise_model_with_idle_noise_is_noisy_and_says_so():
    model = NoiseModel(idle=IDLE)
    assert not model.is_noiseless
    assert model.has_channels
    assert "idle" not in NoiseModel().to_dict()
    summary = model.to_dict()["idle"]
    assert summary["t1_us"] == [t / 1e3 for t in T1]
    other = replace(IDLE, durations=((("CNOT",), (0, 1), 10.0),))
    assert NoiseModel(idle=other).to_dict()["idle"]["table"] != summary["table"]
    hash(model)


def test_every_path_and_entry_point_runs_the_same_scheduled_circuit():
    circuit = variational_circuit(4, 2, encoding="iqp")
    rng = np.random.default_rng(5)
    X, w = rng.uniform(0, np.pi, (6, 4)), rng.normal(size=circuit.n_weights)
    noise = NoiseModel(idle=IDLE)
    heisenberg = simulate(circuit, X, w, noise)
    density = simulate(circuit, X, w, noise, path="density_matrix").probabilities
    assert heisenberg.path == "heisenberg"
    np.testing.assert_allclose(heisenberg.probabilities, density, atol=1e-12)
    m = measurement_operator(circuit, w, noise)
    np.testing.assert_allclose(expectation(m, encode(circuit, X, noise)), density, atol=1e-12)
    assert np.max(np.abs(density - simulate(circuit, X, w).probabilities)) > 1e-3
    with pytest.raises(InputError, match="statevector path cannot"):
        simulate(circuit, X, w, noise, path="statevector")


def test_angle_shifts_follow_their_operations_into_the_scheduled_circuit():
    circuit = variational_circuit(3, 2, reupload=True)
    assert not circuit.is_encode_first
    rng = np.random.default_rng(2)
    X, w = rng.uniform(0, np.pi, (4, 3)), rng.normal(size=circuit.n_weights)
    noise = NoiseModel(idle=IDLE)
    for index, op in enumerate(circuit.operations):
        if op.angle is not None and op.angle.weights and op.gate != "RZ":
            ((k, coeff),) = op.angle.weights
            moved = w.copy()
            moved[k] += 0.3 / coeff
            np.testing.assert_allclose(
                simulate(circuit, X, w, noise, shifts={index: 0.3}).probabilities,
                simulate(circuit, X, moved, noise).probabilities,
                atol=1e-13,
            )


def test_training_objective_is_consistent_with_its_own_gradients_under_idle_noise():
    """TrainingObjective (gradients.py) trains on the circuit as the noise runs it, waits included: its
    probabilities match ``simulate`` exactly, whether or not it is handed the scheduled circuit."""
    circuit = variational_circuit(3, 2)
    rng = np.random.default_rng(1)
    X, w = rng.uniform(0, np.pi, (30, 3)), rng.normal(size=circuit.n_weights)
    y = (X[:, 0] > 1.5).astype(float)
    noise = NoiseModel(idle=IDLE)
    run, _ = scheduled(circuit, noise)
    for gradient, given in (("analytic", circuit), ("parameter-shift", circuit), ("analytic", run)):
        objective = TrainingObjective(given, X, y, np.ones(30), noise, gradient)
        np.testing.assert_allclose(
            objective.probabilities(w), simulate(circuit, X, w, noise).probabilities, atol=1e-12
        )
        _, grad = objective(w)
        step = np.zeros_like(w)
        step[2] = 1e-6
        finite = (objective(w + step)[0] - objective(w - step)[0]) / 2e-6
        assert grad[2] == pytest.approx(finite, abs=1e-7)


# --- against Qiskit Aer -----------------------------------------------------------------------------------


def _aer():
    pytest.importorskip("qiskit_aer")
    from qiskit_idle_reference import aer_probabilities

    return aer_probabilities


ALL_GATES = Circuit(
    4,
    (
        enc("RY", (0,), 0),
        enc("H", (1,)),
        enc("RZ", (1,), 1),
        enc("RZZ", (1, 2), 2),
        enc("SX", (3,)),
        enc("RX", (3,), 2),
        enc("CNOT", (0, 3)),
        tr("CRX", (0, 1), 0),
        tr("Y", (2,)),
        tr("SWAP", (2, 3)),
        tr("RXX", (1, 2), 1),
        tr("S", (0,)),
        tr("CRY", (3, 0), 2),
        tr("RYY", (0, 1), 3),
        tr("X", (3,)),
        tr("CZ", (2, 3)),
        tr("CRZ", (1, 3), 4),
        tr("T", (2,)),
        tr("CP", (0, 2), 5),
        tr("P", (1,), 0),
        tr("Z", (3,)),
        tr("RY", (2,), 1),
    ),
    Measurement((0, 2, 3), "parity"),
    n_features=3,
    n_weights=6,
)


def test_idle_relaxation_equals_aers_relaxation_on_qiskits_asap_delays():
    aer_probabilities = _aer()
    rng = np.random.default_rng(11)
    checked = 0
    for circuit, encoding in (
        (variational_circuit(4, 2, encoding="iqp"), True),
        (variational_circuit(4, 2, encoding="iqp", reupload=True), False),
        (replace(variational_circuit(4, 3), measurement=Measurement((0, 1, 2, 3), "parity")), True),
        (HAND, True),
        (ALL_GATES, True),
    ):
        assert circuit.is_encode_first == encoding
        X = rng.uniform(0, np.pi, (3, circuit.n_features))
        w = rng.normal(size=circuit.n_weights)
        ours = simulate(circuit, X, w, NoiseModel(idle=IDLE))
        aer = aer_probabilities(circuit, X, w, T1, T2, IDLE.duration_ns)
        np.testing.assert_allclose(ours.probabilities, aer, rtol=0, atol=1e-10)
        assert np.max(np.abs(aer - simulate(circuit, X, w).probabilities)) > 1e-4  # idle noise matters
        checked += 1
    assert checked == 5


def test_idle_relaxation_of_a_prepared_state_equals_aer():
    aer_probabilities = _aer()
    circuit = Circuit(
        3,
        (tr("RY", (0,), 0), tr("CNOT", (0, 1)), tr("X", (2,)), tr("CNOT", (1, 2)), tr("RX", (0,), 1)),
        Measurement((0, 1, 2), "mean"),
        n_features=8,
        n_weights=2,
        state_preparation=AmplitudeEncoding(8),
    )
    rng = np.random.default_rng(4)
    X, w = rng.uniform(-1, 1, (3, 8)), rng.normal(size=2)
    ours = simulate(circuit, X, w, NoiseModel(idle=IDLE)).probabilities
    np.testing.assert_allclose(ours, aer_probabilities(circuit, X, w, T1, T2, IDLE.duration_ns), atol=1e-10)


# --- device profiles --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manila():
    pytest.importorskip("qiskit_ibm_runtime")
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    return FakeManilaV2()


def test_device_idle_noise_has_the_backends_durations_and_coherence_times(manila):
    from qtrust.quantum import devices as dev

    model = dev.device_noise("fake_manila", 3, [0, 1, 2])
    idle = model.idle
    assert idle is not None
    target = manila.target
    for w, q in enumerate((0, 1, 2)):
        t1, t2 = target.qubit_properties[q].t1 * 1e9, target.qubit_properties[q].t2 * 1e9
        assert idle.t1_ns[w] == pytest.approx(t1, rel=1e-12)
        assert idle.t2_ns[w] == pytest.approx(min(t2, 2 * t1), rel=1e-12)
        sx, x = target["sx"][(q,)].duration * 1e9, target["x"][(q,)].duration * 1e9
        assert idle.duration_ns(tr("SX", (w,))) == pytest.approx(sx, rel=1e-12)
        assert idle.duration_ns(tr("RY", (w,), 0)) == pytest.approx(2 * sx, rel=1e-12)
        assert idle.duration_ns(tr("X", (w,))) == pytest.approx(x, rel=1e-12)

    def cx_ns(a: int, b: int) -> float:  # the lower-error direction, as the profile charges
        return min((target["cx"][p].error, target["cx"][p].duration) for p in ((a, b), (b, a)))[1] * 1e9

    assert idle.duration_ns(tr("CNOT", (1, 0))) == pytest.approx(cx_ns(0, 1), rel=1e-12)
    assert idle.duration_ns(tr("RZZ", (1, 2), 0)) == pytest.approx(2 * cx_ns(1, 2), rel=1e-12)
    assert idle.duration_ns(tr("SWAP", (0, 1))) == pytest.approx(3 * cx_ns(0, 1), rel=1e-12)
    # wires 0 and 2 (qubits 0, 2) are routed through qubit 1: one SWAP, then the CNOT
    assert idle.duration_ns(tr("CNOT", (2, 0))) == pytest.approx(3 * cx_ns(0, 1) + cx_ns(1, 2), rel=1e-12)
    source = dict(model.source)
    assert source["idle"].startswith("included")
    assert "idle decoherence" not in source["approximations"].split("Not modelled")[1]
    assert model.to_dict()["idle"]["sections"] == ["encoding", "trainable"]
    off = dev.device_noise("fake_manila", 3, [0, 1, 2], idle=False)
    assert off.idle is None
    assert off.label == model.label + "/no-idle"
    assert "not modelled" in dict(off.source)["idle"]
    assert off.channels == model.channels
    assert dev.device_noise("manila", 3, [0, 1, 2], idle=True) is model
    assert dev.device_noise("manila", 2, sections=("trainable",)).idle.sections == ("trainable",)


def test_device_idle_noise_equals_aer_on_the_devices_own_clock(manila):
    aer_probabilities = _aer()
    from qtrust.quantum import devices as dev

    idle = dev.device_noise("fake_manila", 3, [0, 1, 2]).idle
    circuit = variational_circuit(3, 2, encoding="iqp")
    rng = np.random.default_rng(8)
    X, w = rng.uniform(0, np.pi, (3, 3)), rng.normal(size=circuit.n_weights)
    dt_ns = manila.dt * 1e9
    for op in circuit.operations:  # the device's durations are whole numbers of its sample time dt
        assert idle.duration_ns(op) / dt_ns == pytest.approx(round(idle.duration_ns(op) / dt_ns), abs=1e-6)
    ours = simulate(circuit, X, w, NoiseModel(idle=idle)).probabilities
    aer = aer_probabilities(circuit, X, w, idle.t1_ns, idle.t2_ns, idle.duration_ns, dt_ns=dt_ns)
    np.testing.assert_allclose(ours, aer, atol=1e-10)


@pytest.mark.parametrize("layout", ["best", "worst"])
def test_device_idle_noise_pulls_a_ring_cnot_circuit_further_toward_one_half(layout):
    pytest.importorskip("qiskit_ibm_runtime")
    from qtrust.quantum import devices as dev

    circuit = variational_circuit(4, 3, measurement=Measurement((0, 1, 2, 3), "parity"))
    rng = np.random.default_rng(3)
    X, w = rng.uniform(0, np.pi, (200, 4)), rng.normal(size=circuit.n_weights)
    clean = simulate(circuit, X, w).probabilities
    gates = simulate(circuit, X, w, dev.device_noise("fake_manila", 4, layout, idle=False)).probabilities
    both = simulate(circuit, X, w, dev.device_noise("fake_manila", 4, layout)).probabilities
    assert np.mean(np.abs(both - 0.5)) < np.mean(np.abs(gates - 0.5)) < np.mean(np.abs(clean - 0.5))
    assert np.mean(np.abs(both - clean)) > np.mean(np.abs(gates - clean)) + 1e-3


def test_noise_models_without_idle_noise_run_as_before(manila):
    from qtrust.quantum import devices as dev

    circuit = variational_circuit(3, 2)
    rng = np.random.default_rng(9)
    X, w = rng.uniform(0, np.pi, (20, 3)), rng.normal(size=circuit.n_weights)
    with_idle = dev.device_noise("fake_manila", 3)
    gates_only = replace(with_idle, idle=None)
    assert scheduled(circuit, gates_only, {3: 0.1}) == (circuit, {3: 0.1})
    assert np.array_equal(
        simulate(circuit, X, w, gates_only).probabilities,
        simulate(circuit, X, w, dev.device_noise("fake_manila", 3, idle=False)).probabilities,
    )
