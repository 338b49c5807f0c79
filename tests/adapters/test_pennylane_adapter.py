"""qtrust.adapters.from_pennylane, checked against PennyLane itself: every translated (or fallen-back) model
must reproduce the QNode on the QNode's own device to 1e-10, with and without qtrust noise."""

from __future__ import annotations

import json

import numpy as np
import pennylane as qml
import pytest
from sklearn.base import clone

from qtrust.adapters import from_pennylane
from qtrust.adapters.pennylane import GATE_NAMES, QNodeClassifier, qnode_output
from qtrust.errors import InputError
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.quantum.engine import simulate
from qtrust.quantum.noise import NoiseChannel, NoiseModel, ReadoutError

TOLERANCE = 1e-10
N_ROWS = 4


def _qnode(wires, device="default.qubit"):
    """Decorator: the function as a QNode on a fresh ``device`` with ``wires`` wires."""
    return qml.qnode(qml.device(device, wires=wires))


def _angles(rng, shape):
    """Random weights in [-π, π)."""
    return rng.uniform(-np.pi, np.pi, shape)


def _rows(rng, n_features, n_rows=N_ROWS, low=0.0, high=np.pi):
    return rng.uniform(low, high, (n_rows, n_features))


def _reference(qnode, X, weights):
    args = weights if isinstance(weights, tuple) else (weights,)
    return np.array([np.asarray(qnode(x, *args), dtype=float) for x in X])


def _class_one_from_expval(values, low=-1.0, high=1.0):
    return (values - low) / (high - low)


def _assert_close(got, expected):
    gap = float(np.max(np.abs(np.asarray(got) - np.asarray(expected))))
    assert gap <= TOLERANCE, gap


def _translated(circuit, weights, **options):
    """``from_pennylane``'s model, which must be a translated circuit (not the fallback)."""
    model = from_pennylane(circuit, weights, **options)
    assert isinstance(model, CircuitClassifier)
    return model


def _fallback(circuit, weights, reason):
    """``from_pennylane``'s model, which must be the QNode fallback, saying ``reason`` for not translating."""
    model = from_pennylane(circuit, weights)
    assert isinstance(model, QNodeClassifier)
    assert reason in model.simulation_reason_
    return model


def _assert_reproduces_expval(model, circuit, X, weights):
    """P(class 1) and the raw output equal the QNode's ⟨O⟩ (eigenvalues ±1) on rows X; returns ⟨O⟩."""
    raw = _reference(circuit, X, weights)
    _assert_close(model.probabilities(X), _class_one_from_expval(raw))
    _assert_close(qnode_output(model, X), raw)
    return raw


def _assert_reproduces_probs(model, circuit, X, weights, positive):
    """P(class 1) is the QNode's probability of the ``positive`` outcomes; the raw output is its probs."""
    expected = _reference(circuit, X, weights)
    _assert_close(model.probabilities(X), expected[:, positive].sum(axis=1))
    _assert_close(qnode_output(model, X), expected)


# ----------------------------------------------------------------------------------------------------------
# Translation: templates, explicit gates, amplitude embedding, channels
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", ["X", "Y", "Z"])
def test_angle_embedding_with_strongly_entangling_layers(rotation):
    rng = np.random.default_rng(1)

    @_qnode(3)
    def circuit(inputs, weights):
        if rotation == "Z":  # a Z rotation on |0> does nothing: start from |+>
            for w in range(3):
                qml.Hadamard(w)
        qml.AngleEmbedding(inputs, wires=range(3), rotation=rotation)
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        return qml.expval(qml.PauliZ(0))

    weights = _angles(rng, qml.StronglyEntanglingLayers.shape(2, 3))
    model = _translated(circuit, weights)
    X = _rows(rng, 3)
    raw = _assert_reproduces_expval(model, circuit, X, weights)
    _assert_close(model.predict_proba(X)[:, 1], _class_one_from_expval(raw))
    assert model.circuit.is_encode_first
    assert model.circuit.n_features == 3
    assert model.circuit.n_weights == weights.size
    source = model.source
    assert source["framework"] == "pennylane"
    assert source["device"] == "default.qubit"
    assert source["pennylane_version"] == qml.__version__
    assert source["weight_shapes"] == [[2, 3, 3]]
    notes = " | ".join(source["translation"])
    assert "translated" in notes
    assert "Rot → RZ·RY·RZ" in notes
    assert "StronglyEntanglingLayers" in notes
    assert model.describe()["execution"] == "qtrust engine (translated circuit)"


def test_basic_entangler_layers_with_tensor_product_expval():
    rng = np.random.default_rng(2)

    @_qnode(4)
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(4))
        qml.BasicEntanglerLayers(weights, wires=range(4), rotation=qml.RY)
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(3))

    weights = _angles(rng, qml.BasicEntanglerLayers.shape(3, 4))
    model = _translated(circuit, weights)
    X = _rows(rng, 4)
    _assert_reproduces_expval(model, circuit, X, weights)
    assert model.circuit.measurement.qubits == (0, 3)
    assert model.circuit.is_encode_first


def test_iqp_embedding_with_repeats_gives_feature_products():
    rng = np.random.default_rng(3)

    @_qnode(3)
    def circuit(x, weights):
        qml.IQPEmbedding(x, wires=range(3), n_repeats=2)
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        return qml.expval(qml.PauliZ(1))

    weights = _angles(rng, (1, 3, 3))
    model = _translated(circuit, weights)
    X = _rows(rng, 3)
    _assert_reproduces_expval(model, circuit, X, weights)
    circuit_ = model.circuit
    assert circuit_.is_encode_first
    assert circuit_.gate_counts()["RZZ"] == 6  # 3 pairs × 2 repeats
    products = [op.angle.feature_products for op in circuit_.encoding if op.gate == "RZZ"]
    assert all(len(p) == 1 and p[0][2:] == (1.0, 0.0) for p in products)
    assert any("MultiRZ" in note for note in model.source["translation"])


def test_amplitude_embedding_with_padding_and_normalisation():
    rng = np.random.default_rng(4)

    @_qnode(3)
    def circuit(x, weights):
        qml.AmplitudeEmbedding(x, wires=range(3), pad_with=0.3, normalize=True)
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        return qml.expval(qml.PauliZ(2))

    weights = _angles(rng, (2, 3, 3))
    with pytest.raises(InputError, match="n_features"):
        from_pennylane(circuit, weights)  # padding: any number of features fits, so it must be given
    model = _translated(circuit, weights, n_features=5)
    prep = model.circuit.state_preparation
    assert prep is not None
    assert prep.n_features == 5
    assert prep.pad_with == pytest.approx(0.3)
    assert model.circuit.is_encode_first
    assert not model.circuit.encoding
    X = _rows(rng, 5, low=-1.0, high=1.0)
    _assert_reproduces_expval(model, circuit, X, weights)


def test_amplitude_embedding_without_padding_infers_two_to_the_wires_features():
    rng = np.random.default_rng(5)

    @_qnode(2)
    def circuit(x, weights):
        qml.AmplitudeEmbedding(x, wires=range(2), normalize=True)
        qml.BasicEntanglerLayers(weights, wires=range(2))
        return qml.probs(wires=[1])

    weights = _angles(rng, (2, 2))
    model = _translated(circuit, weights)
    assert model.circuit.n_features == 4
    X = _rows(rng, 4, low=-1.0, high=1.0)
    _assert_reproduces_probs(model, circuit, X, weights, [1])


def test_explicit_rotations_with_cnots_and_a_basis_change_for_pauli_x():
    rng = np.random.default_rng(6)

    @_qnode(3)
    def circuit(x, weights):
        for i in range(3):
            qml.RY(x[i], wires=i)
            qml.RZ(2.0 * x[i] + 0.25, wires=i)
        qml.RX(x[0] * x[1], wires=2)  # a feature product, like a ZZ feature map
        for layer in range(2):
            for i in range(3):
                qml.RY(weights[layer, i], wires=i)
            qml.CNOT(wires=[0, 1])
            qml.CNOT(wires=[1, 2])
        qml.RZ(0.7 * weights[0, 0] - weights[1, 2], wires=0)
        return qml.expval(qml.PauliX(0))

    weights = _angles(rng, (2, 3))
    model = _translated(circuit, weights)
    X = _rows(rng, 3)
    _assert_reproduces_expval(model, circuit, X, weights)
    ops = model.circuit.operations
    assert ops[-1].gate == "H"
    assert ops[-1].section == "trainable"
    rz = next(op for op in model.circuit.encoding if op.gate == "RZ")
    assert rz.angle.const == 0.25
    assert rz.angle.features == ((0, 2.0),)
    assert model.circuit.is_encode_first


def test_noise_channels_inside_the_qnode_on_default_mixed():
    rng = np.random.default_rng(7)

    @_qnode(3, "default.mixed")
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(3))
        qml.DepolarizingChannel(0.05, wires=0)
        qml.AmplitudeDamping(0.1, wires=1)
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        qml.PhaseDamping(0.2, wires=2)
        qml.BitFlip(0.03, wires=0)
        qml.PhaseFlip(0.07, wires=1)
        return qml.expval(qml.PauliZ(0) @ qml.PauliX(1))

    weights = _angles(rng, (2, 3, 3))
    model = _translated(circuit, weights)
    circuit_ = model.circuit
    assert circuit_.has_channels
    assert circuit_.is_encode_first
    kinds = {kind for op in circuit_.operations for kind, _ in op.channels}
    assert kinds == {"depolarizing", "amplitude_damping", "phase_damping", "bit_flip", "phase_flip"}
    assert all(op.gate == "I" for op in circuit_.operations if op.channels)
    X = _rows(rng, 3)
    _assert_reproduces_expval(model, circuit, X, weights)
    assert model.simulate(X).path == "heisenberg"


# ----------------------------------------------------------------------------------------------------------
# Outputs: expectation values and probabilities
# ----------------------------------------------------------------------------------------------------------


def _small_qnode(measure, device="default.qubit"):
    @_qnode(2, device)
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        qml.StronglyEntanglingLayers(weights, wires=range(2))
        return measure()

    return circuit


def test_hamiltonian_expval_and_raw_output_reconstruction():
    rng = np.random.default_rng(8)
    circuit = _small_qnode(lambda: qml.expval(0.5 * qml.PauliZ(0) + 0.5 * qml.PauliZ(1)))
    weights = _angles(rng, (2, 2, 3))
    model = _translated(circuit, weights)
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, weights)
    output = model.source["output"]
    assert output["kind"] == "expval"
    assert output["range"] == [-1.0, 1.0]
    assert output["positive"] == "high"


def test_non_commuting_hamiltonian_low_positive_and_custom_range():
    rng = np.random.default_rng(9)
    circuit = _small_qnode(lambda: qml.expval(qml.PauliX(0) + 0.5 * qml.PauliZ(0) @ qml.PauliY(1)))
    weights = _angles(rng, (1, 2, 3))
    X = _rows(rng, 2)
    raw = _reference(circuit, X, weights)
    low_model = _translated(circuit, weights, positive="low")
    lam = np.array(low_model.source["output"]["eigenvalues"])
    _assert_close(low_model.probabilities(X), (lam.max() - raw) / (lam.max() - lam.min()))
    _assert_close(qnode_output(low_model, X), raw)
    ranged = from_pennylane(circuit, weights, output=(-2.0, 2.0))
    _assert_close(ranged.probabilities(X), (raw + 2.0) / 4.0)
    _assert_close(qnode_output(ranged, X), raw)


def test_probs_on_one_wire_defaults_to_outcome_one():
    rng = np.random.default_rng(10)
    circuit = _small_qnode(lambda: qml.probs(wires=1))
    weights = _angles(rng, (2, 2, 3))
    model = from_pennylane(circuit, weights)
    X = _rows(rng, 2)
    _assert_reproduces_probs(model, circuit, X, weights, [1])


def test_probs_on_two_wires_with_positive_outcomes():
    rng = np.random.default_rng(11)
    circuit = _small_qnode(lambda: qml.probs(wires=[1, 0]))
    weights = _angles(rng, (2, 2, 3))
    model = from_pennylane(circuit, weights, positive=[1, 2])
    X = _rows(rng, 2)
    _assert_reproduces_probs(model, circuit, X, weights, [1, 2])
    assert model.circuit.measurement.qubits == (1, 0)
    assert model.source["output"]["positive"] == [1, 2]


def test_encode_first_translation_takes_the_heisenberg_path():
    rng = np.random.default_rng(12)
    circuit = _small_qnode(lambda: qml.expval(qml.PauliZ(0)))
    weights = _angles(rng, (2, 2, 3))
    model = from_pennylane(circuit, weights)
    X = _rows(rng, 2, n_rows=2 ** (2 + 1))  # enough rows to repay computing M
    _assert_reproduces_expval(model, circuit, X, weights)
    assert model.simulate(X).path == "heisenberg"
    assert simulate(model.circuit, X, model.weights_, path="heisenberg").path == "heisenberg"


def test_reordering_makes_interleaved_encoding_encode_first():
    rng = np.random.default_rng(13)

    @_qnode(2)
    def circuit(x, weights):
        qml.RY(x[0], wires=0)
        qml.RY(weights[0], wires=0)  # trainable on wire 0 before the input reaches wire 1
        qml.RY(x[1], wires=1)
        qml.CNOT(wires=[0, 1])
        qml.RY(weights[1], wires=1)
        return qml.expval(qml.PauliZ(1))

    weights = _angles(rng, 2)
    model = from_pennylane(circuit, weights)
    assert model.circuit.is_encode_first
    assert any("reordered" in note for note in model.source["translation"])
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, weights)


def test_data_reuploading_translates_but_is_not_encode_first():
    rng = np.random.default_rng(14)

    @_qnode(2)
    def circuit(x, w1, w2):
        qml.AngleEmbedding(x, wires=range(2))
        qml.BasicEntanglerLayers(w1, wires=range(2))
        qml.AngleEmbedding(x, wires=range(2), rotation="Y")
        qml.BasicEntanglerLayers(w2, wires=range(2))
        return qml.expval(qml.PauliZ(0))

    weights = (_angles(rng, (1, 2)), _angles(rng, (2, 2)))
    model = _translated(circuit, weights)
    assert not model.circuit.is_encode_first
    assert model.source["weight_shapes"] == [[1, 2], [2, 2]]
    assert model.circuit.n_weights == 6
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, weights)


# ----------------------------------------------------------------------------------------------------------
# Fallback: the QNode on its own device
# ----------------------------------------------------------------------------------------------------------


def _untranslatable(kind):
    @_qnode(2)
    def circuit(x, weights):
        if kind == "sin":
            qml.RY(qml.math.sin(x[0]), wires=0)
        else:
            qml.RY(weights[0] * x[0], wires=0)  # trainable input scaling
        qml.RY(x[1], wires=1)
        qml.CNOT(wires=[0, 1])
        qml.RX(weights[1], wires=1)
        return qml.expval(qml.PauliZ(1))

    return circuit


@pytest.mark.parametrize("kind", ["sin", "scaling"])
def test_untranslatable_qnode_falls_back_and_says_why(kind):
    rng = np.random.default_rng(15)
    circuit = _untranslatable(kind)
    weights = _angles(rng, 2)
    model = _fallback(circuit, weights, "not translated")
    assert model.simulation_path_ == "qnode_device"
    assert "RY on qubit(s) [0]" in model.simulation_reason_
    assert not hasattr(model, "circuit_")
    assert not hasattr(model, "weights_")
    X = _rows(rng, 2)
    raw = _assert_reproduces_expval(model, circuit, X, weights)
    _assert_close(model.qnode_output(X), raw)
    assert list(model.predict(X)) == [int(v >= 0.0) for v in raw]
    described = model.describe()
    assert described["execution"] == "QNode device default.qubit"
    assert "not translated" in described["reason"]
    assert "slow" in described["note"]
    assert "slow" in QNodeClassifier.__doc__.lower()
    draws = model.sample_probabilities(X, 100, 3, np.random.default_rng(0))
    assert draws.shape == (3, len(X))
    assert np.all((draws >= 0) & (draws <= 1))
    again = model.sample_probabilities(X, 100, 3, np.random.default_rng(0))
    assert np.array_equal(draws, again)


def test_input_dependent_control_flow_falls_back():
    rng = np.random.default_rng(16)

    @_qnode(2)
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        if x[0] > 0:
            qml.CNOT(wires=[0, 1])
        qml.RY(weights[0], wires=1)
        return qml.expval(qml.PauliZ(1))

    weights = _angles(rng, 1)
    model = _fallback(circuit, weights, "changes with the inputs")
    X = _rows(rng, 2, low=-1.0, high=1.0)
    _assert_reproduces_expval(model, circuit, X, weights)


# ----------------------------------------------------------------------------------------------------------
# qtrust noise on translated and fallback models, against channels inserted in PennyLane
# ----------------------------------------------------------------------------------------------------------

PL_CHANNELS = {"depolarizing": qml.DepolarizingChannel, "amplitude_damping": qml.AmplitudeDamping}
GATE_SET = {*GATE_NAMES, "MultiRZ", "DepolarizingChannel", "AmplitudeDamping", "GlobalPhase"}


def _noisy_reference(qnode, X, weights, kind, level, measure):
    """The QNode's tape decomposed into qtrust's gate set, the channel after every gate on each wire."""
    dev = qml.device("default.mixed", wires=qnode.device.wires)
    out = []
    for x in X:
        tape = qml.workflow.construct_tape(qnode)(x, weights)
        mp = tape.measurements[0]
        ops = [*tape.operations, *(mp.obs.diagonalizing_gates() if mp.obs is not None else [])]
        [tape], _ = qml.transforms.decompose(qml.tape.QuantumScript(ops, [measure]), gate_set=GATE_SET)
        noisy = []
        for op in tape.operations:
            noisy.append(op)
            if op.name in GATE_SET and op.name not in (
                "GlobalPhase",
                "DepolarizingChannel",
                "AmplitudeDamping",
            ):
                noisy += [PL_CHANNELS[kind](level, wires=w) for w in op.wires]
        out.append(qml.execute([qml.tape.QuantumScript(noisy, tape.measurements)], dev)[0])
    return np.array(out, dtype=float)


def test_noise_sweep_on_translated_model_matches_pennylane():
    rng = np.random.default_rng(17)

    @_qnode(3)
    def circuit(x, weights):
        qml.IQPEmbedding(x, wires=range(3))
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        return qml.expval(qml.PauliZ(0) @ qml.PauliX(2))

    weights = _angles(rng, (1, 3, 3))
    model = _translated(circuit, weights)
    X = _rows(rng, 3)
    noise = NoiseModel.single("depolarizing", 0.01)
    reference = _noisy_reference(circuit, X, weights, "depolarizing", 0.01, qml.probs(wires=[0, 2]))
    expected = reference @ np.array(model.circuit.measurement.table)
    _assert_close(model.probabilities(X, noise), expected)
    assert model.simulate(X, noise).path == "heisenberg"
    # The fallback places the same channels at the same gates, on default.mixed.
    direct = QNodeClassifier(circuit, weights)
    _assert_close(direct.probabilities(X, noise), expected)
    _assert_close(direct.probabilities(X), model.probabilities(X))
    # Readout error, per qubit and uniform: folded classically on both paths.
    readout = NoiseModel(
        channels=(NoiseChannel("amplitude_damping", 0.02, gates=("CNOT",)),),
        readout=ReadoutError(0.03, 0.05),
        readout_by_qubit=((2, 0.01, 0.08),),
    )
    _assert_close(direct.probabilities(X, readout), model.probabilities(X, readout))
    _assert_close(direct.qnode_output(X, readout), qnode_output(model, X, readout))


def test_noise_and_readout_on_fallback_model_match_pennylane():
    rng = np.random.default_rng(18)
    circuit = _untranslatable("sin")
    weights = _angles(rng, 2)
    model = _fallback(circuit, weights, "not translated")
    X = _rows(rng, 2)
    reference = _noisy_reference(circuit, X, weights, "amplitude_damping", 0.05, qml.probs(wires=[1]))
    # expval(Z): class 1 is a large ⟨Z⟩, i.e. outcome 0
    _assert_close(model.probabilities(X, NoiseModel.single("amplitude_damping", 0.05)), reference[:, 0])
    p01, p10 = 0.04, 0.09
    probs = _reference_probs(circuit, X, weights)
    read_zero = probs[:, 0] * (1 - p01) + probs[:, 1] * p10
    noise = NoiseModel(readout=ReadoutError(p01, p10))
    _assert_close(model.probabilities(X, noise), read_zero)
    _assert_close(model.qnode_output(X, noise), 2 * read_zero - 1)


def test_restricted_noise_lands_on_the_same_gates_in_fallback_and_translation():
    """Channels limited to a section, a gate or a qubit act at the same places on both execution paths."""
    rng = np.random.default_rng(21)

    @_qnode(2, "default.mixed")
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        qml.DepolarizingChannel(0.1, wires=0)
        qml.BasicEntanglerLayers(weights, wires=range(2))
        qml.AngleEmbedding(x, wires=range(2), rotation="Y")  # re-uploading: not encode-first
        qml.AmplitudeDamping(0.2, wires=1)
        return qml.expval(qml.PauliZ(1))

    weights = _angles(rng, (1, 2))
    model = _translated(circuit, weights)
    assert not model.circuit.is_encode_first
    direct = QNodeClassifier(circuit, weights)
    X = _rows(rng, 2)
    _assert_reproduces_expval(direct, circuit, X, weights)
    for channel in (
        NoiseChannel("bit_flip", 0.05, sections=("trainable",)),
        NoiseChannel("phase_damping", 0.1, sections=("encoding",), qubits=(1,)),
        NoiseChannel("depolarizing", 0.03, gates=("CNOT",), operation_wires=(0, 1)),
    ):
        noise = NoiseModel(channels=(channel,))
        _assert_close(direct.probabilities(X, noise), model.probabilities(X, noise))


def test_channels_added_by_a_pennylane_noise_transform_are_translated():
    rng = np.random.default_rng(22)

    @_qnode(2, "default.mixed")
    def base(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        qml.BasicEntanglerLayers(weights, wires=range(2))
        return qml.expval(qml.PauliZ(0))

    circuit = qml.noise.insert(base, qml.PhaseFlip, 0.05, position="all")
    weights = _angles(rng, (2, 2))
    model = _translated(circuit, weights)
    assert model.circuit.has_channels
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, weights)


def test_a_channel_qtrust_does_not_model_falls_back():
    rng = np.random.default_rng(23)

    @_qnode(2, "default.mixed")
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        qml.GeneralizedAmplitudeDamping(0.1, 0.2, wires=0)
        qml.CNOT(wires=[0, 1])
        qml.RY(weights[0], wires=1)
        return qml.expval(qml.PauliZ(1))

    weights = _angles(rng, 1)
    model = _fallback(circuit, weights, "GeneralizedAmplitudeDamping")
    X = _rows(rng, 2)
    raw = _assert_reproduces_expval(model, circuit, X, weights)
    _assert_close(model.qnode_output(X), raw)


def _reference_probs(qnode, X, weights):
    out = []
    for x in X:
        tape = qml.workflow.construct_tape(qnode)(x, weights)
        probe = qml.tape.QuantumScript(tape.operations, [qml.probs(wires=tape.measurements[0].wires)])
        out.append(qml.execute([probe], qnode.device)[0])
    return np.array(out, dtype=float)


# ----------------------------------------------------------------------------------------------------------
# Arguments: weights, n_features
# ----------------------------------------------------------------------------------------------------------


def test_explicit_rotations_on_fewer_features_than_wires_infer_n_features():
    rng = np.random.default_rng(19)

    @_qnode(3)
    def circuit(x, weights):
        qml.RY(x[0], wires=0)
        qml.RY(x[1], wires=2)
        qml.StronglyEntanglingLayers(weights, wires=range(3))
        return qml.expval(qml.PauliZ(0))

    weights = _angles(rng, (1, 3, 3))
    model = from_pennylane(circuit, weights)
    assert model.circuit.n_features == 2
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, weights)


def test_weights_given_as_a_list_for_one_argument():
    rng = np.random.default_rng(20)

    @_qnode(2)
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        qml.RY(weights[0], wires=0)
        qml.CNOT(wires=[0, 1])
        qml.RY(weights[1], wires=1)
        return qml.expval(qml.PauliZ(1))

    weights = [float(v) for v in _angles(rng, 2)]
    model = from_pennylane(circuit, weights)
    assert model.source["weight_shapes"] == [[2]]
    X = _rows(rng, 2)
    _assert_reproduces_expval(model, circuit, X, np.array(weights))


def test_records_serialise_and_the_translation_retrains_as_a_circuit_classifier():
    rng = np.random.default_rng(24)
    circuit = _small_qnode(lambda: qml.expval(qml.PauliZ(0)))
    model = from_pennylane(circuit, _angles(rng, (1, 2, 3)))
    record = json.loads(json.dumps(model.describe()))
    assert record["source"]["output"]["class_1"].startswith("P(class 1)")
    assert record["circuit"]["encode_first"] is True
    X = _rows(rng, 2, n_rows=12)
    fresh = clone(model).set_params(random_state=0, max_iter=20).fit(X, (X[:, 0] > 1.5).astype(int))
    assert fresh.trained_by_ == "qtrust"
    assert fresh.weights_.shape == model.weights_.shape
    fallback = from_pennylane(_untranslatable("sin"), _angles(rng, 2))
    assert json.loads(json.dumps(fallback.describe()))["source"]["translated"] is False


# ----------------------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------------------


def test_inputs_not_the_first_argument_are_refused():
    @_qnode(2)
    def circuit(weights, x):
        qml.AngleEmbedding(x, wires=range(2))
        qml.StronglyEntanglingLayers(weights, wires=range(2))
        return qml.expval(qml.PauliZ(0))

    with pytest.raises(InputError, match="first argument of circuit is 'weights'") as info:
        from_pennylane(circuit, np.zeros((1, 2, 3)))
    assert "def circuit(x, weights)" in str(info.value)


def test_wrong_weight_shape_names_the_shapes_and_the_qnode_error():
    circuit = _small_qnode(lambda: qml.expval(qml.PauliZ(0)))
    with pytest.raises(InputError, match=r"weights of shape\(s\) \[\[1, 2, 2\]\]") as info:
        from_pennylane(circuit, np.zeros((1, 2, 2)))
    assert "ValueError" in str(info.value)
    assert "Fix:" in str(info.value)
    with pytest.raises(InputError, match="takes 1 weight argument"):
        from_pennylane(circuit, (np.zeros((1, 2, 3)), np.zeros(2), np.zeros(3)))


def test_mid_circuit_measurement_is_refused():
    @_qnode(2)
    def circuit(x, weights):
        qml.AngleEmbedding(x, wires=range(2))
        m = qml.measure(0)
        qml.cond(m, qml.RY)(weights[0], wires=1)
        return qml.expval(qml.PauliZ(1))

    with pytest.raises(InputError, match="mid-circuit measurement") as info:
        from_pennylane(circuit, np.zeros(1))
    assert "qml.expval" in str(info.value)


def test_several_measurements_are_refused():
    circuit = _small_qnode(lambda: (qml.expval(qml.PauliZ(0)), qml.expval(qml.PauliZ(1))))
    with pytest.raises(InputError, match="returns 2 measurements") as info:
        from_pennylane(circuit, np.zeros((1, 2, 3)))
    assert "qml.probs" in str(info.value)


def test_probs_on_several_wires_needs_positive():
    circuit = _small_qnode(lambda: qml.probs(wires=[0, 1]))
    with pytest.raises(InputError, match="4 outcomes") as info:
        from_pennylane(circuit, np.zeros((1, 2, 3)))
    assert "positive=" in str(info.value)
    with pytest.raises(InputError, match="some, not all"):
        from_pennylane(circuit, np.zeros((1, 2, 3)), positive=[0, 1, 2, 3])
    with pytest.raises(InputError, match="does not list basis states"):
        from_pennylane(circuit, np.zeros((1, 2, 3)), positive="high")


@pytest.mark.parametrize(
    ("measure", "options", "message"),
    [
        (lambda: qml.var(qml.PauliZ(0)), {}, "cannot read as a class probability"),
        (lambda: qml.expval(qml.PauliZ(0)), {"positive": [1]}, "does not apply to an expectation"),
        (lambda: qml.expval(qml.PauliZ(0)), {"output": "probs"}, "output='probs'"),
        (lambda: qml.expval(qml.PauliZ(0)), {"output": (0.0, 1.0)}, "does not contain"),
        (lambda: qml.expval(qml.Identity(0)), {}, "single eigenvalue"),
    ],
)
def test_unsupported_outputs_are_refused(measure, options, message):
    with pytest.raises(InputError, match=message):
        from_pennylane(_small_qnode(measure), np.zeros((1, 2, 3)), **options)


def test_not_a_qnode_and_input_free_qnodes_are_refused():
    with pytest.raises(InputError, match="expected a PennyLane QNode"):
        from_pennylane(lambda x, w: 0.0, np.zeros(2))

    @_qnode(1)
    def circuit(x, weights):
        qml.RY(weights[0], wires=0)
        return qml.expval(qml.PauliZ(0))

    with pytest.raises(InputError, match="does not depend on its first argument"):
        from_pennylane(circuit, np.zeros(1))


def test_the_fallback_says_when_a_device_profiles_idle_relaxation_is_not_applied():
    from qtrust.quantum.devices import device_noise

    @_qnode(2)
    def circuit(x, weights):
        qml.RY(qml.math.sin(x[0]), wires=0)
        qml.RY(x[1], wires=1)
        qml.CNOT(wires=[0, 1])
        qml.RY(weights[0], wires=1)
        return qml.expval(qml.PauliZ(1))

    model = _fallback(circuit, np.array([0.3]), "not const + linear")
    X = _rows(np.random.default_rng(5), 2, n_rows=2)
    with_idle = model.probabilities(X, device_noise("fake_lima", 2, "best"))
    assert "idle relaxation of the device profile not applied" in model.simulation_reason_
    without_idle = model.probabilities(X, device_noise("fake_lima", 2, "best", idle=False))
    assert "idle" not in model.simulation_reason_
    _assert_close(with_idle, without_idle)
