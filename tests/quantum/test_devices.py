"""Device noise profiles from qiskit-ibm-runtime's calibration snapshots, checked against independent references.

References: the fake backend's own ``properties()`` and ``target`` (the numbers), Qiskit Aer's
``thermal_relaxation_error`` and ``NoiseModel.from_backend`` (the channels), ``average_gate_fidelity`` (the
depolarizing match), Qiskit's transpiler (the pulse table), and a brute-force layout search.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

pytest.importorskip("qiskit_ibm_runtime")
pytest.importorskip("qiskit_aer")

import typer
from qiskit.quantum_info import Kraus, SuperOp, average_gate_fidelity
from qiskit_aer.noise import NoiseModel as AerNoiseModel
from qiskit_aer.noise import thermal_relaxation_error
from qiskit_ibm_runtime.fake_provider import FakeLimaV2, FakeManilaV2
from typer.testing import CliRunner

from qtrust.cli.devices_cmds import register
from qtrust.errors import InputError
from qtrust.quantum import Angle, Operation, simulate, variational_circuit
from qtrust.quantum import devices as dev
from qtrust.quantum.noise import CHANNEL_KINDS, NoiseCache

MANILA = FakeManilaV2()
ALL = [0, 1, 2, 3, 4]


def to_qiskit(superop: np.ndarray) -> SuperOp:
    """qtrust's Σ K⊗K̄ on row-major vec(ρ) as Qiskit's column-stacking superoperator."""
    d = round(np.sqrt(superop.shape[0]))
    return SuperOp(superop.reshape(d, d, d, d).transpose(1, 0, 3, 2).reshape(d * d, d * d))


def kraus(kind: str, level: float) -> Kraus:
    return Kraus(CHANNEL_KINDS[kind].kraus(level))


def cx_error(target, a: int, b: int) -> float:
    return min(target["cx"][pair].error for pair in ((a, b), (b, a)) if pair in target["cx"])


# --- (a) the numbers are the backend's own ---------------------------------------------------------------


def test_calibration_numbers_equal_the_backends_properties_and_target():
    profile = dev.device_profile("FakeManilaV2", 5, ALL)
    props, target = MANILA.properties(), MANILA.target
    readout = {q: (p01, p10) for q, p01, p10 in profile.noise.readout_by_qubit}
    for w in profile.wires:
        q = w.qubit
        t1, t2 = target.qubit_properties[q].t1, target.qubit_properties[q].t2
        assert w.t1_us * 1e-6 == pytest.approx(t1, rel=1e-12)
        assert w.t2_us * 1e-6 == pytest.approx(min(t2, 2 * t1), rel=1e-12)
        assert w.p01 == props.qubit_property(q, "prob_meas1_prep0")[0]
        assert w.p10 == props.qubit_property(q, "prob_meas0_prep1")[0]
        assert readout[w.wire] == (w.p01, w.p10)
        assert w.sx_error == pytest.approx(target["sx"][(q,)].error, rel=1e-12)
        assert w.sx_ns * 1e-9 == pytest.approx(target["sx"][(q,)].duration, rel=1e-12)
        assert w.x_error == pytest.approx(target["x"][(q,)].error, rel=1e-12)
    for p in profile.pairs:
        if not p.swaps:
            assert p.coupling_error == pytest.approx(cx_error(target, *p.qubits), rel=1e-12)
    info = dev.device_info("manila")
    assert info.n_qubits == 5
    assert info.calibration_date == datetime.fromisoformat(props.last_update_date.isoformat()).isoformat()
    assert info.median_t1_us * 1e-6 == pytest.approx(np.median([target.qubit_properties[q].t1 for q in ALL]))


def test_names_resolve_from_every_spelling():
    for spelling in ("fake_manila", "FakeManilaV2", "FakeManila", "manila", "ibmq_manila", " Fake-Manila "):
        assert dev.resolve_name(spelling) == "fake_manila"


# --- (b) relaxation = Aer's thermal_relaxation_error ------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "t1", "t2"),
    [(35.5, 150e3, 90e3), (660.0, 230e3, 300e3), (400.0, 50e3, 12e3), (1e3, 80e3, 200e3), (60.0, 1e5, 2e5)],
)
def test_amplitude_then_phase_damping_is_thermal_relaxation(t, t1, t2):
    amp, phase = dev.relaxation(t, t1, t2)
    ours = SuperOp(kraus("amplitude_damping", amp)).compose(kraus("phase_damping", phase))
    aer = SuperOp(thermal_relaxation_error(t1, min(t2, 2 * t1), t))
    np.testing.assert_allclose(ours.data, aer.data, atol=1e-12)


# --- (c) the depolarizing match ---------------------------------------------------------------------------


def test_sx_channel_has_the_calibrated_infidelity_and_equals_aers_device_model():
    profile = dev.device_profile("fake_manila", 5, ALL)
    cache = NoiseCache(profile.noise)
    aer = AerNoiseModel.from_backend(MANILA)
    matched = 0
    for w in profile.wires:
        (wire, superop), *rest = cache.per_wire(Operation("SX", (w.wire,)))
        assert wire == w.wire
        assert not rest
        channel = to_qiskit(superop)
        # Aer's sx error for the same qubit: the same relaxation + depolarizing, composed the same way
        np.testing.assert_allclose(
            channel.data, SuperOp(aer._local_quantum_errors["sx"][(w.qubit,)]).data, atol=1e-12
        )
        sx = next(g for g in w.gates if "SX" in g.gates)
        infidelity = 1 - average_gate_fidelity(channel)
        assert infidelity == pytest.approx(sx.model_error, abs=1e-12)
        if not sx.clipped:
            matched += 1
            assert infidelity == pytest.approx(MANILA.target["sx"][(w.qubit,)].error, abs=1e-9)
        else:  # relaxation alone exceeds the error: no depolarizing, the relaxation's infidelity
            assert sx.per_wire[0][1].depolarizing == 0
            assert infidelity > MANILA.target["sx"][(w.qubit,)].error
    assert matched >= 3


def test_two_pulse_gates_compose_the_pulse_errors():
    profile = dev.device_profile("fake_manila", 5, ALL)
    cache = NoiseCache(profile.noise)
    for w in profile.wires:
        rx = next(g for g in w.gates if "RX" in g.gates)
        if rx.clipped:
            continue
        (_, superop), *_ = cache.per_wire(Operation("RY", (w.wire,), Angle.of_weight(0)))
        e = w.sx_error
        assert 1 - average_gate_fidelity(to_qiskit(superop)) == pytest.approx(
            (1 - (1 - 2 * e) ** 2) / 2, abs=1e-9
        )
        assert rx.duration_ns == pytest.approx(2 * w.sx_ns)


def test_cnot_channel_has_the_couplings_two_qubit_infidelity():
    checked = 0
    for layout in ([2, 3, 4], [0, 1, 2], [1, 2, 3]):
        profile = dev.device_profile("fake_manila", 3, layout)
        cache = NoiseCache(profile.noise)
        for p in profile.pairs:
            if p.swaps:
                continue
            cnot = next(g for g in p.gates if "CNOT" in g.gates)
            joint = cache.superop_after(Operation("CNOT", p.wires))
            infidelity = 1 - average_gate_fidelity(to_qiskit(joint))
            assert infidelity == pytest.approx(cnot.model_error, abs=1e-12)
            if not cnot.clipped:
                checked += 1
                assert infidelity == pytest.approx(cx_error(MANILA.target, *p.qubits), abs=1e-9)
            # the same on the reversed gate; nothing from this pair's channels on another pair's gate
            reverse = cache.superop_after(Operation("CZ", p.wires[::-1]))
            assert 1 - average_gate_fidelity(to_qiskit(reverse)) == pytest.approx(infidelity, abs=1e-12)
    assert checked >= 2


def test_routed_pairs_charge_swaps_along_the_shortest_path():
    profile = dev.device_profile("fake_manila", 3, [0, 1, 2])
    routed = next(p for p in profile.pairs if p.wires == (0, 2))
    assert routed.path == (0, 1, 2)
    assert routed.swaps == 1
    cnot = next(g for g in routed.gates if "CNOT" in g.gates)
    e01, e12 = cx_error(MANILA.target, 0, 1), cx_error(MANILA.target, 1, 2)
    assert cnot.calibrated_error == pytest.approx(dev.compose_errors([e01] * 3 + [e12], 4), rel=1e-12)
    length = MANILA.target["cx"]
    t01 = min((length[pr].error, length[pr].duration) for pr in ((0, 1), (1, 0)))[1]
    t12 = min((length[pr].error, length[pr].duration) for pr in ((1, 2), (2, 1)))[1]
    assert cnot.duration_ns * 1e-9 == pytest.approx(3 * t01 + t12, rel=1e-12)
    assert "1 SWAP via 0-1-2" in dict(profile.noise.source)["routing"]


def test_virtual_gates_and_unselected_sections_carry_no_noise():
    model = dev.device_noise("fake_manila", 2, "best", sections=("trainable",))
    cache = NoiseCache(model)
    for gate in ("RZ", "P"):
        assert cache.per_wire(Operation(gate, (0,), Angle.of_weight(0))) == ()
    for gate in ("Z", "S", "T", "I"):
        assert cache.per_wire(Operation(gate, (1,))) == ()
    assert cache.per_wire(Operation("RY", (0,), Angle.of_feature(0), section="encoding")) == ()
    assert cache.per_wire(Operation("RY", (0,), Angle.of_weight(0)))


def test_pulse_table_matches_qiskits_transpiler():
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit import library as lib

    theta = 0.37
    qiskit_gate = {
        "X": lib.XGate(),
        "Y": lib.YGate(),
        "Z": lib.ZGate(),
        "H": lib.HGate(),
        "S": lib.SGate(),
        "T": lib.TGate(),
        "SX": lib.SXGate(),
        "RX": lib.RXGate(theta),
        "RY": lib.RYGate(theta),
        "RZ": lib.RZGate(theta),
        "P": lib.PhaseGate(theta),
        "CNOT": lib.CXGate(),
        "CZ": lib.CZGate(),
        "SWAP": lib.SwapGate(),
        "RXX": lib.RXXGate(theta),
        "RYY": lib.RYYGate(theta),
        "RZZ": lib.RZZGate(theta),
        "CRX": lib.CRXGate(theta),
        "CRY": lib.CRYGate(theta),
        "CRZ": lib.CRZGate(theta),
        "CP": lib.CPhaseGate(theta),
    }

    def counts(name: str, native: str) -> dict[str, int]:
        gate = qiskit_gate[name]
        circuit = QuantumCircuit(gate.num_qubits)
        circuit.append(gate, range(gate.num_qubits))
        return dict(
            transpile(circuit, basis_gates=["rz", "sx", "x", native], optimization_level=1).count_ops()
        )

    for gate in dev.VIRTUAL_GATES:
        if gate != "I":
            assert set(counts(gate, "cx")) <= {"rz"}
    for gates, role, n in dev.ONE_QUBIT_RECIPES:
        for gate in gates:
            c = counts(gate, "cx")
            assert (c.get("sx", 0), c.get("x", 0)) == ((n, 0) if role == "sx" else (0, n))
    for gates, n in dev.TWO_QUBIT_RECIPES:
        for gate in gates:
            for native in dev.NATIVE_TWO_QUBIT:
                assert counts(gate, native)[native] == n


# --- (d) layouts -------------------------------------------------------------------------------------------


def connected(coupling: set[tuple[int, int]], qubits) -> bool:
    qubits = set(qubits)
    seen, stack = {min(qubits)}, [min(qubits)]
    while stack:
        u = stack.pop()
        for v in qubits - seen:
            if (u, v) in coupling or (v, u) in coupling:
                seen.add(v)
                stack.append(v)
    return seen == qubits


def test_best_and_worst_layouts_are_connected_ordered_and_deterministic():
    from qiskit_ibm_runtime.fake_provider import FakeBrisbane

    coupling = {tuple(e) for e in FakeBrisbane().coupling_map.get_edges()}
    snap = dev._snapshot("fake_brisbane")
    best, worst = dev.device_profile("brisbane", 5, "best"), dev.device_profile("brisbane", 5, "worst")
    assert best.score <= worst.score
    assert best.score == pytest.approx(dev.layout_score(snap, best.layout))
    for profile in (best, worst):
        assert connected(coupling, profile.layout)
        assert len(set(profile.layout)) == 5
        # a chain: consecutive logical wires sit on coupled qubits, so nearest-neighbour circuits need no SWAP
        assert all((u, v) in coupling or (v, u) in coupling for u, v in itertools.pairwise(profile.layout))
        assert dict(profile.noise.source)["layout"] == ",".join(map(str, profile.layout))
    assert dev.choose_layout(snap, 5) == best.layout  # recomputed, uncached: the same
    assert dev.choose_layout(snap, 5, worst=True) == worst.layout
    assert best.noise.label == "device:fake_brisbane/best"
    assert worst.noise.label == "device:fake_brisbane/worst"


def test_best_layout_is_the_exhaustive_optimum_on_a_small_device():
    snap = dev._snapshot("fake_lima")
    coupling = {tuple(e) for e in FakeLimaV2().coupling_map.get_edges()}
    for n in (2, 3, 4):
        layouts = [p for p in itertools.permutations(range(5), n) if connected(coupling, p)]
        optimum = min(dev.layout_score(snap, p) for p in layouts)
        assert dev.layout_score(snap, dev.choose_layout(snap, n)) == pytest.approx(optimum, abs=1e-15)


def test_qubit_cost_is_the_documented_score():
    snap = dev._snapshot("fake_manila")
    target = MANILA.target
    pairs = {tuple(sorted(pair)) for pair in target["cx"]}
    best_direction = [
        min((target["cx"][d].error, target["cx"][d].duration) for d in (pr, pr[::-1])) for pr in pairs
    ]
    layer = np.median([duration for _, duration in best_direction]) * 1e9  # one layer: the median coupling
    for q in ALL:
        t1, t2 = target.qubit_properties[q].t1 * 1e9, target.qubit_properties[q].t2 * 1e9
        relax = 1 - average_gate_fidelity(thermal_relaxation_error(t1, min(t2, 2 * t1), layer))
        p01 = MANILA.properties().qubit_property(q, "prob_meas1_prep0")[0]
        p10 = MANILA.properties().qubit_property(q, "prob_meas0_prep1")[0]
        expected = (p01 + p10) / 2 + target["sx"][(q,)].error + relax
        assert dev.qubit_cost(snap, q) == pytest.approx(expected, rel=1e-9)


# --- (e) bad input -----------------------------------------------------------------------------------------


def test_unknown_device_names_suggestions_and_every_device():
    with pytest.raises(InputError) as caught:
        dev.device_noise("manilla", 3)
    message = str(caught.value)
    assert "unknown device 'manilla'" in message
    assert "did you mean fake_manila" in message
    assert "fake_brisbane" in message
    assert "fake_kyoto" not in message  # listed devices are the usable ones


@pytest.mark.parametrize(
    ("layout", "needle"),
    [
        ([0, 0, 1], "repeats qubit(s) [0]"),
        ([0, 1], "has 2 qubits, the circuit has 3"),
        ([0, 1, 2, 3], "has 4 qubits"),
        ([0, 1, 9], "not on fake_manila"),
        ("0,x,1", "neither 'best', 'worst' nor"),
        ("middle", "neither 'best', 'worst' nor"),
        ([0, 1, 2.5], "neither 'best', 'worst' nor"),
    ],
)
def test_bad_layouts_are_refused(layout, needle):
    with pytest.raises(InputError) as caught:
        dev.device_noise("fake_manila", 3, layout)
    assert needle in str(caught.value)


def test_too_many_qubits_and_broken_qubits_are_refused():
    with pytest.raises(InputError, match="6 qubits requested, fake_manila has 5"):
        dev.device_noise("fake_manila", 6)
    with pytest.raises(InputError, match="not operational"):
        dev.device_noise("fake_lagos", 3, [1, 2, 3])  # qubit 2: P(1|0) = 0.62 in the snapshot
    with pytest.raises(InputError, match="no usable two-qubit gate calibration"):
        dev.device_noise("fake_kyoto", 2)
    with pytest.raises(InputError, match="unknown circuit section"):
        dev.device_noise("fake_manila", 2, sections=("decoding",))


def test_missing_runtime_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    with pytest.raises(InputError, match=r"pip install 'qtrust\[qiskit\]'"):
        dev._fake_provider()


def test_importing_the_modules_needs_no_qiskit():
    code = (
        "import sys, qtrust, qtrust.quantum.devices, qtrust.cli.devices_cmds; "
        "assert not [m for m in sys.modules if m.startswith('qiskit')], 'qiskit imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the catalogue ------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Properties of fake_nighthawk:UserWarning")
def test_catalogue_lists_every_fake_backend_or_says_why_not():
    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    names = {b.name for b in FakeProviderForBackendV2().backends()}
    infos = dev.list_devices()
    skipped = dev.skipped_devices()
    assert {i.name for i in infos} | set(skipped) == names
    assert not {i.name for i in infos} & set(skipped)
    assert [i.name for i in infos] == sorted(i.name for i in infos)
    assert "fake_kyoto" in skipped  # its snapshot marks every ecr gate broken (error 1)
    assert len(infos) >= 60
    for info in infos:
        datetime.fromisoformat(info.calibration_date)
        assert 0 < info.median_readout_error < 0.5
        assert info.n_operational <= info.n_qubits
        assert (info.median_2q_error is None) == (info.n_qubits == 1)


def test_source_says_it_is_a_dated_snapshot():
    model = dev.device_noise("manila", 3)
    source = dict(model.source)
    for key in (
        "device",
        "backend_class",
        "calibration_date",
        "calibrated_between",
        "layout",
        "approximations",
        "idle",
    ):
        assert source[key]
    assert source["device"] == "fake_manila"
    assert source["backend_class"] == "FakeManilaV2"
    assert datetime.fromisoformat(source["calibration_date"]).date().isoformat() == "2024-05-27"
    assert "not the device today" in source["snapshot"]
    assert dev.runtime_version() in source["snapshot"]
    assert model.to_dict()["source"] == source
    assert dev.device_noise("FakeManilaV2", 3) is model  # cached: the same frozen model


# --- (f) simulation --------------------------------------------------------------------------------------


def test_device_noise_simulates_and_best_loses_less_than_worst():
    circuit = variational_circuit(3, 1)
    rng = np.random.default_rng(7)
    weights = rng.normal(size=circuit.n_weights)
    X = rng.uniform(0, np.pi, size=(200, 3))
    clean = simulate(circuit, X, weights).probabilities
    loss = {}
    for layout in ("best", "worst"):
        noisy = simulate(circuit, X, weights, dev.device_noise("fake_lima", 3, layout)).probabilities
        assert np.all(np.isfinite(noisy))
        assert np.max(np.abs(noisy - clean)) > 1e-3
        loss[layout] = np.mean((noisy > 0.5) != (clean > 0.5))  # accuracy lost against the noiseless labels
    assert loss["best"] <= loss["worst"]


# --- (g) the command -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli():
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["devices", *map(str, args)])


def test_cli_lists_devices(cli):
    done = cli()
    assert done.exit_code == 0, done.output
    assert "fake_manila" in done.output
    assert "skipped" in done.output
    assert "fake_kyoto" in done.output
    listed = json.loads(cli("--json").stdout)
    assert {d["name"] for d in listed["devices"]} == {i.name for i in dev.list_devices()}
    assert "not the devices today" in listed["snapshot"]


def test_cli_shows_a_layout(cli):
    done = cli("FakeManilaV2", "--qubits", 3, "--layout", "worst")
    assert done.exit_code == 0, done.output
    assert "fake_manila" in done.output
    assert "layout worst" in done.output
    assert "idle relaxation: included" in done.output
    shown = json.loads(cli("manila", "-n", 3, "--layout", "0,1,2", "--json").stdout)
    assert shown["layout"] == [0, 1, 2]
    assert shown["source"]["device"] == "fake_manila"
    assert len(shown["wires"]) == 3
    assert len(shown["pairs"]) == 3


def test_cli_bad_input_exits_2(cli):
    unknown = cli("manilla")
    assert unknown.exit_code == 2
    assert "did you mean fake_manila" in unknown.output
    assert cli("fake_manila", "-n", 3, "--layout", "0,0,1").exit_code == 2
    assert cli("fake_manila", "-n", 9).exit_code == 2
    assert cli("--qubits", 3).exit_code == 2
