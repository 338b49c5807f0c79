"""What translated circuits need from the engine, checked against PennyLane: channels a circuit carries itself,
amplitude-encoded initial states, outcome tables, per-qubit readout and per-coupling noise."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from pennylane_reference import pennylane_probabilities, readout_effect
from random_circuits import random_circuit, random_noise

from qtrust.errors import InputError
from qtrust.quantum import simulate
from qtrust.quantum.circuit import AmplitudeEncoding, Circuit, Measurement, Operation
from qtrust.quantum.engine import measurement_operator
from qtrust.quantum.kraus import CHANNEL_KINDS
from qtrust.quantum.noise import NoiseChannel, NoiseModel

TOLERANCE = 1e-10


def _reference(circuit, X, w, noise):
    effect = readout_effect(circuit, noise)
    return np.array([pennylane_probabilities(circuit, x, w, noise) @ effect for x in X])


def _with_extensions(rng, circuit: Circuit, *, amplitude: bool) -> Circuit:
    """Insert identity gates carrying channels into both sections, a random outcome table, and maybe an
    amplitude-encoded start."""
    ops = list(circuit.operations)
    kinds = list(CHANNEL_KINDS)
    n_enc = len(circuit.encoding)
    for _ in range(3):
        at = int(rng.integers(0, len(ops) + 1))
        section = "encoding" if at < n_enc else "trainable"
        channel = (str(rng.choice(kinds)), float(rng.uniform(0.02, 0.3)))
        ops.insert(
            at, Operation("I", (int(rng.integers(circuit.n_qubits)),), section=section, channels=(channel,))
        )
        n_enc += section == "encoding"
    measured = circuit.measurement.qubits
    table = tuple(float(v) for v in rng.uniform(0, 1, 2 ** len(measured)))
    prep = AmplitudeEncoding(circuit.n_features, pad_with=0.3) if amplitude else None
    return dataclasses.replace(
        circuit,
        operations=tuple(ops),
        measurement=Measurement(measured, "table", table),
        state_preparation=prep,
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("amplitude", [False, True])
def test_own_channels_tables_and_amplitude_states_match_pennylane(seed, amplitude):
    rng = np.random.default_rng(700 + seed)
    n = int(rng.integers(2, 5))
    circuit = _with_extensions(rng, random_circuit(rng, n), amplitude=amplitude)
    assert circuit.has_channels
    assert circuit.is_encode_first
    X = rng.uniform(0, np.pi, (3, n))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    noise = random_noise(rng, n) if seed % 2 else None
    expected = _reference(circuit, X, w, noise)
    for path in ("heisenberg", "density_matrix"):
        got = simulate(circuit, X, w, noise, path=path).probabilities
        assert np.max(np.abs(got - expected)) <= TOLERANCE, path
    assert simulate(circuit, X, w, noise).path == "heisenberg"
    with pytest.raises(InputError, match="carries its own"):
        simulate(circuit, X, w, noise, path="statevector")
    restored = Circuit.from_dict(circuit.to_dict())
    assert restored == circuit


def test_noiseless_amplitude_encoding_runs_on_pure_states_and_gives_one_operator():
    rng = np.random.default_rng(3)
    base = random_circuit(rng, 3)
    circuit = dataclasses.replace(base, state_preparation=AmplitudeEncoding(3))
    X = rng.uniform(-1, 1, (5, 3))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    expected = _reference(circuit, X, w, None)
    for path in ("statevector", "heisenberg", "density_matrix"):
        assert np.max(np.abs(simulate(circuit, X, w, path=path).probabilities - expected)) <= TOLERANCE
    # Tr(M ρ(x)) with ρ(x) = |x̂⟩⟨x̂| after the encoding gates: the certificate operator speaks for these inputs
    m = measurement_operator(circuit, w)
    assert m.shape == (8, 8)
    with pytest.raises(InputError, match="all zeros"):
        simulate(circuit, np.zeros((1, 3)), w)


def test_per_qubit_readout_and_per_coupling_noise_match_pennylane():
    rng = np.random.default_rng(11)
    circuit = random_circuit(rng, 3)
    circuit = dataclasses.replace(circuit, measurement=Measurement((0, 2), "parity"))
    two_qubit = next(op for op in circuit.operations if len(op.wires) == 2)
    noise = NoiseModel(
        channels=(
            NoiseChannel("depolarizing", 0.05, operation_wires=two_qubit.wires),
            NoiseChannel("amplitude_damping", 0.02, qubits=(1,)),
        ),
        readout_by_qubit=((0, 0.02, 0.05), (2, 0.1, 0.01)),
    )
    X = rng.uniform(0, np.pi, (3, 3))
    w = rng.uniform(-np.pi, np.pi, circuit.n_weights)
    expected = _reference(circuit, X, w, noise)
    assert np.max(np.abs(simulate(circuit, X, w, noise).probabilities - expected)) <= TOLERANCE
    # the coupling channel acts only on gates on exactly those wires
    other = Operation("CNOT", (two_qubit.wires[0], 3 - sum(two_qubit.wires)))
    assert not noise.channels[0].applies_to(other, other.wires[0])
    assert noise.channels[0].applies_to(two_qubit, two_qubit.wires[1])


def test_sweep_noise_never_lands_on_the_identity_that_carries_a_channel():
    carrier = Operation("I", (0,), channels=(("bit_flip", 0.1),))
    model = NoiseModel.single("depolarizing", 0.2)
    kinds = [len(k) for _, k in model.channels_after(carrier)]
    assert kinds == [2]  # the bit flip's two Kraus operators, no depolarizing after I


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rule": "table"}, "exactly when"),
        ({"rule": "parity", "table": (0.0, 1.0)}, "exactly when"),
        ({"rule": "table", "table": (0.0, 1.0, 1.0)}, "have 2 outcomes"),
        ({"rule": "table", "table": (0.0, 1.5)}, r"\[0, 1\]"),
    ],
)
def test_bad_tables_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        Measurement((0,), **kwargs)


def test_bad_own_channels_are_refused():
    with pytest.raises(InputError, match="unknown noise channel"):
        Operation("I", (0,), channels=(("thermal", 0.1),))
    with pytest.raises(InputError, match="outside"):
        Operation("I", (0,), channels=(("depolarizing", 1.5),))
