"""The Qiskit adapter against Qiskit itself: StatevectorEstimator, Statevector probabilities, Aer with noise,
and fitted qiskit-machine-learning classifiers. Every comparison is exact (≤ 1e-10)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("qiskit")
pytest.importorskip("qiskit_aer")
pytest.importorskip("qiskit_machine_learning")

from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Gate, Parameter, ParameterVector
from qiskit.circuit.library import UnitaryGate, real_amplitudes, zz_feature_map
from qiskit.primitives import StatevectorEstimator
from qiskit.quantum_info import DensityMatrix, SparsePauliOp, Statevector, random_unitary
from qiskit_aer import AerSimulator

from qtrust.adapters import from_qiskit, from_qiskit_ml
from qtrust.adapters.qiskit import QISKIT_BASIS, lower_circuit, qiskit_output, to_aer_noise_model
from qtrust.errors import InputError
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.quantum.engine import simulate
from qtrust.quantum.noise import NoiseChannel, NoiseModel, ReadoutError

TOL = 1e-10


def _model(n: int, fm_reps: int = 2, ansatz_reps: int = 2):
    feature_map = zz_feature_map(n, reps=fm_reps)
    ansatz = real_amplitudes(n, reps=ansatz_reps)
    return feature_map.compose(ansatz), feature_map, ansatz


def _data(n_features: int, n_weights: int, rows: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, np.pi, (rows, n_features)), rng.uniform(-np.pi, np.pi, n_weights)


def _values(circuit, X, w, inputs=None, weights=None):
    """Parameter values per row in ``circuit.parameters`` order (Qiskit binds positionally in name order)."""
    inputs = list(inputs) if inputs is not None else [p for p in circuit.parameters if p.name.startswith("x")]
    weights = list(weights) if weights is not None else [p for p in circuit.parameters if p not in inputs]
    rows = []
    for x in X:
        given = dict(zip([*inputs, *weights], np.concatenate([x, w]), strict=True))
        rows.append([given[p] for p in circuit.parameters])
    return np.array(rows)


def _estimator(circuit, observable, X, w):
    return StatevectorEstimator().run([(circuit, observable, _values(circuit, X, w))]).result()[0].data.evs


def _outcome_probabilities(circuit, X, w, inputs=None, weights=None):
    """Qiskit's exact outcome probabilities per row, index = Qiskit integer (qubit 0 least significant)."""
    values = _values(circuit, X, w, inputs, weights)
    return np.array([Statevector(circuit.assign_parameters(v)).probabilities() for v in values])


# ---------------------------------------------------------------------------------------------------------
# Noiseless agreement with Qiskit's reference primitives
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["functions", "blueprint classes"])
def test_zz_feature_map_and_real_amplitudes_match_statevector_estimator(style):
    if style == "functions":
        circuit, fm, ansatz = _model(4)
    else:
        from qiskit.circuit.library import RealAmplitudes, ZZFeatureMap

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            fm, ansatz = ZZFeatureMap(4, reps=2), RealAmplitudes(4, reps=2)
            circuit = QuantumCircuit(4)
            circuit.compose(fm, inplace=True)
            circuit.compose(ansatz, inplace=True)
    X, w = _data(4, ansatz.num_parameters)
    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, SparsePauliOp("ZZZZ"))
    reference = _estimator(circuit, SparsePauliOp("ZZZZ"), X, w)
    assert np.max(np.abs(qiskit_output(clf, X) - reference)) <= TOL
    # spectrum {-1, +1}: P(class 1) = (1 + <O>)/2
    assert np.max(np.abs(clf.predict_proba(X)[:, 1] - (1 + reference) / 2)) <= TOL
    assert clf.source["framework"] == "qiskit"
    assert clf.source["input_params"] == [p.name for p in fm.parameters]
    assert clf.source["weight_params"] == [p.name for p in ansatz.parameters]


def test_qubitwise_commuting_observable_with_x_and_y_terms_matches_statevector_estimator():
    circuit, fm, ansatz = _model(4)
    X, w = _data(4, ansatz.num_parameters, seed=1)
    observable = SparsePauliOp(["XIYZ", "XZYI", "IIYZ", "IIII"], [0.7, -0.4, 0.2, 0.1])
    reference = _estimator(circuit, observable, X, w)
    high = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, observable)
    low = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, observable, positive="low")
    signed = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, observable, threshold=0.0)
    for clf in (high, low, signed):
        assert np.max(np.abs(qiskit_output(clf, X) - reference)) <= TOL
    assert np.max(np.abs(low.predict_proba(X)[:, 1] - (1 - high.predict_proba(X)[:, 1]))) <= TOL
    lo, hi = high.source["output"]["spectrum"]
    signs = np.array(np.meshgrid(*[[1, -1]] * 4)).reshape(4, -1)  # a Pauli eigenvalue per measured qubit
    a, d, b, c = signs  # qubit 3: X, qubit 2: Z, qubit 1: Y, qubit 0: Z
    values = 0.7 * a * b * c - 0.4 * a * d * b + 0.2 * b * c + 0.1
    assert (lo, hi) == (pytest.approx(values.min()), pytest.approx(values.max()))
    assert np.max(np.abs(high.predict_proba(X)[:, 1] - (reference - lo) / (hi - lo))) <= TOL
    assert np.array_equal(signed.predict(X), (reference >= 0).astype(int))
    assert high.source["output"]["basis_change"] == {"1": "RX(pi/2)", "3": "H"}
    # a Pauli label and a Pauli work as well
    label = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, "YIXZ")
    assert np.max(np.abs(qiskit_output(label, X) - _estimator(circuit, SparsePauliOp("YIXZ"), X, w))) <= TOL


def _vqc_parity(b):
    return b % 2


@pytest.mark.parametrize(
    "interpret",
    [
        None,  # VQC's default: x % 2, the bit of qubit 0
        lambda b: bin(b).count("1") % 2,  # parity of all bits
        lambda b: (b >> 2) & 1,  # qubit 2 only: catches bit-order mistakes
        lambda b: int(b == 3),  # qubits 0 and 1 set, 2 and 3 clear: asymmetric in the bit order
        lambda b: int(b in (1, 6, 8, 13)),
    ],
    ids=["vqc-default", "parity", "qubit2", "b==3", "set"],
)
def test_sampler_interpret_matches_statevector_probabilities(interpret):
    circuit, fm, ansatz = _model(4)
    X, w = _data(4, ansatz.num_parameters, seed=2)
    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, interpret=interpret, output_shape=2)
    rule = interpret or _vqc_parity
    probs = _outcome_probabilities(circuit, X, w)
    reference = probs[:, [k for k in range(16) if rule(k) == 1]].sum(axis=1)
    assert np.max(np.abs(clf.predict_proba(X)[:, 1] - reference)) <= TOL
    out = qiskit_output(clf, X)
    assert np.max(np.abs(out - np.column_stack([1 - reference, reference]))) <= TOL


def _sampler_qnn(circuit, feature_map, ansatz, interpret):
    """A binary SamplerQNN: the feature map's parameters are the inputs, the ansatz's the weights."""
    from qiskit_machine_learning.neural_networks import SamplerQNN

    return SamplerQNN(
        circuit=circuit,
        input_params=feature_map.parameters,
        weight_params=ansatz.parameters,
        interpret=interpret,
        output_shape=2,
    )


def test_sampler_form_agrees_with_qiskit_ml_sampler_qnn_and_final_measurements():
    circuit, fm, ansatz = _model(3)
    X, w = _data(3, ansatz.num_parameters, seed=3)

    def interpret(b):
        return (b >> 1) & 1

    qnn = _sampler_qnn(circuit, fm, ansatz, interpret)
    reference = qnn.forward(X, w)
    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, interpret=interpret, output_shape=2)
    assert np.max(np.abs(qiskit_output(clf, X) - reference)) <= TOL
    measured = circuit.copy()
    measured.measure_all()
    with_measure = from_qiskit(
        measured, fm.parameters, ansatz.parameters, w, interpret=interpret, output_shape=2
    )
    assert np.max(np.abs(qiskit_output(with_measure, X) - reference)) <= TOL


def test_translation_is_encode_first_takes_heisenberg_path_and_reads_zz_angles():
    circuit, fm, ansatz = _model(3)
    X, w = _data(3, ansatz.num_parameters, seed=4)
    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, SparsePauliOp("ZZZ"))
    c = clf.circuit
    assert c.is_encode_first
    assert c.n_features == 3
    assert c.n_weights == ansatz.num_parameters
    assert all(op.section == "encoding" for op in c.operations[: len(c.encoding)])
    products = [op.angle for op in c.encoding if op.angle is not None and op.angle.feature_products]
    assert products, "the ZZ feature map's pair angles are products of inputs"
    _, _, coeff, shift = products[0].feature_products[0]
    assert (coeff, shift) == (2.0, pytest.approx(np.pi))  # 2(π − x_i)(π − x_j), as qtrust's own ZZ map
    result = simulate(c, X, clf.weights_, NoiseModel.single("depolarizing", 0.01))
    assert result.path == "heisenberg"
    assert simulate(c, X, clf.weights_, path="heisenberg").path == "heisenberg"
    assert clf.simulate(X, NoiseModel.single("amplitude_damping", 0.02)).path == "heisenberg"


def test_input_gates_commuting_past_trainable_gates_are_moved_first():
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 3)
    qc = QuantumCircuit(3)
    qc.ry(x[0], 0)
    qc.ry(w[0], 2)  # trainable, on a wire no input gate touches
    qc.rx(w[1], 0)
    qc.ry(x[1], 1)  # an input gate after trainable gates, but on another wire
    qc.cx(1, 2)
    qc.rz(w[2], 1)
    X, weights = _data(2, 3, seed=12)
    clf = from_qiskit(qc, x, w, weights, "ZZZ")
    assert clf.circuit.is_encode_first
    assert "moved ahead of trainable gates" in " ".join(clf.source["translation"])
    assert np.max(np.abs(qiskit_output(clf, X) - _estimator(qc, SparsePauliOp("ZZZ"), X, weights))) <= TOL
    reupload = qc.copy()
    reupload.ry(x[0], 0)  # after rx(w[1]) on wire 0: data re-uploading
    clf = from_qiskit(reupload, x, w, weights, "ZZZ")
    assert not clf.circuit.is_encode_first
    reference = _estimator(reupload, SparsePauliOp("ZZZ"), X, weights)
    assert np.max(np.abs(qiskit_output(clf, X) - reference)) <= TOL


def test_unsupported_gates_are_decomposed_exactly_and_noted():
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 6)
    qc = QuantumCircuit(3, name="zoo")
    qc.h([0, 1, 2])
    qc.u(w[0], w[1], 0.3, 0)
    qc.sdg(1)
    qc.tdg(2)
    qc.cy(0, 1)
    qc.ry(x[0] + 0.5 * x[1], 2)
    qc.rzx(x[1], 1, 2)
    qc.barrier()
    qc.ecr(0, 2)
    qc.iswap(1, 2)
    qc.r(w[2], 0.4, 1)
    qc.append(UnitaryGate(random_unitary(4, seed=7)), [0, 2])
    qc.cu(w[3], 0.2, w[4], 0.1, 2, 0)
    qc.ch(0, 1)
    qc.ccx(0, 1, 2)
    qc.rzz(2 * (np.pi - x[0]) * (np.pi - x[1]), 0, 1)
    qc.sxdg(0)
    qc.crx(w[5], 1, 0)
    X, weights = _data(2, 6, seed=5)
    clf = from_qiskit(qc, x, w, weights, interpret=lambda b: int(b in (1, 2, 7)), output_shape=2)
    probs = _outcome_probabilities(qc, X, weights, x, w)
    assert np.max(np.abs(clf.predict_proba(X)[:, 1] - probs[:, [1, 2, 7]].sum(axis=1))) <= TOL
    notes = " ".join(clf.source["translation"])
    assert "'u' has no qtrust equivalent and was split into RZ·RY·RZ" in notes
    assert "'ecr' has no qtrust equivalent and was split into" in notes
    assert "'sdg' has no qtrust equivalent and is written as P" in notes
    assert "unitary ×1" in notes
    assert not clf.circuit.is_encode_first  # rzx(x) comes after trainable gates on its wires
    lowered = lower_circuit(qc)
    assert {inst.operation.name for inst in lowered.data} <= set(QISKIT_BASIS)
    assert len(lowered.data) == len(clf.circuit.operations)


# ---------------------------------------------------------------------------------------------------------
# Noise: qtrust against Aer with the converted noise model
# ---------------------------------------------------------------------------------------------------------


def _noise() -> NoiseModel:
    return NoiseModel(
        channels=(
            NoiseChannel("depolarizing", 0.02),
            NoiseChannel("amplitude_damping", 0.05),
            NoiseChannel("phase_damping", 0.04, qubits=(1,)),
            NoiseChannel("bit_flip", 0.03, gates=("CNOT",), operation_wires=(0, 2)),
        ),
        readout=ReadoutError(0.03, 0.06),
        readout_by_qubit=((2, 0.1, 0.02),),
    )


def _aer_outcome_probabilities(lowered, basis_change, X, w, aer_noise, inputs=None, weights=None):
    """Exact outcome probabilities from Aer's density matrix, with Aer's readout errors folded in."""
    circuits = []
    for values in _values(lowered, X, w, inputs, weights):
        bound = lowered.assign_parameters(values)
        for q, gate in basis_change:
            getattr(bound, gate[0])(*gate[1:], q)
        bound.save_density_matrix()
        circuits.append(bound)
    result = AerSimulator(method="density_matrix", noise_model=aer_noise).run(circuits).result()
    n = lowered.num_qubits
    confusion = {q: np.eye(2) for q in range(n)}
    for error in aer_noise.to_dict()["errors"]:
        if error["type"] == "roerror":
            (q,) = error["gate_qubits"][0]
            confusion[q] = np.asarray(error["probabilities"])  # rows: true bit, columns: read bit
    out = []
    for i in range(len(X)):
        p = np.real(np.diag(np.asarray(DensityMatrix(result.data(i)["density_matrix"]).data)))
        tensor = p.reshape((2,) * n)  # axis k is qubit n-1-k (Qiskit: qubit 0 least significant)
        for q in range(n):
            axis = n - 1 - q
            tensor = np.moveaxis(np.tensordot(tensor, confusion[q], axes=([axis], [0])), -1, axis)
        out.append(tensor.reshape(-1))
    return np.array(out)


def test_noisy_estimator_model_matches_aer_density_matrix():
    circuit, fm, ansatz = _model(3, fm_reps=2, ansatz_reps=1)
    X, w = _data(3, ansatz.num_parameters, rows=4, seed=6)
    observable = SparsePauliOp(["XYZ", "XII", "IYZ"], [0.5, -0.3, 0.8])
    noise = _noise()
    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, observable)
    ours = qiskit_output(clf, X, noise)
    assert clf.simulate(X, noise).path == "heisenberg"
    aer_noise = to_aer_noise_model(noise, circuit.num_qubits)
    basis_change = [(1, ("rx", np.pi / 2)), (2, ("h",))]  # qubit 0: Z, qubit 1: Y, qubit 2: X
    probs = _aer_outcome_probabilities(lower_circuit(circuit), basis_change, X, w, aer_noise)
    k = np.arange(8)
    z = [1 - 2 * ((k >> q) & 1) for q in range(3)]
    eigen = 0.5 * z[2] * z[1] * z[0] - 0.3 * z[2] + 0.8 * z[1] * z[0]
    reference = probs @ eigen
    assert np.max(np.abs(ours - reference)) <= TOL
    noiseless = qiskit_output(clf, X)
    assert np.max(np.abs(noiseless - reference)) > 1e-3  # the noise is visible


def test_noisy_sampler_model_matches_aer_density_matrix():
    circuit, fm, ansatz = _model(3, fm_reps=2, ansatz_reps=1)
    X, w = _data(3, ansatz.num_parameters, rows=4, seed=7)
    noise = _noise()

    def interpret(b):
        return int(b in (1, 4, 6))

    clf = from_qiskit(circuit, fm.parameters, ansatz.parameters, w, interpret=interpret, output_shape=2)
    ours = clf.probabilities(X, noise)
    probs = _aer_outcome_probabilities(lower_circuit(circuit), [], X, w, to_aer_noise_model(noise, 3))
    assert np.max(np.abs(ours - probs[:, [1, 4, 6]].sum(axis=1))) <= TOL


def test_noisy_decomposed_gates_match_aer_gate_for_gate():
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 3)
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.rz(x[0], 0)
    qc.rzz(x[0] * x[1], 0, 1)
    qc.u(w[0], w[1], w[2], 1)
    qc.cy(0, 1)
    qc.ry(w[2], 0)
    X, weights = _data(2, 3, rows=3, seed=8)
    noise = NoiseModel(
        channels=(NoiseChannel("phase_flip", 0.05), NoiseChannel("depolarizing", 0.03, gates=("RZ", "CNOT")))
    )
    clf = from_qiskit(qc, x, w, weights, "ZX")
    ours = qiskit_output(clf, X, noise)
    aer_noise = to_aer_noise_model(noise, 2)
    probs = _aer_outcome_probabilities(lower_circuit(qc), [(0, ("h",))], X, weights, aer_noise, x, w)
    k = np.arange(4)
    reference = probs @ ((1 - 2 * (k & 1)) * (1 - 2 * ((k >> 1) & 1)))
    assert np.max(np.abs(ours - reference)) <= TOL


def test_aer_readout_error_follows_the_qtrust_convention_when_sampled():
    """P(read 1 | 0) = p01 and P(read 0 | 1) = p10 in Aer's shot simulation too (5σ)."""
    noise = NoiseModel(readout=ReadoutError(0.1, 0.3))
    aer_noise = to_aer_noise_model(noise, 2)
    qc = QuantumCircuit(2)
    qc.x(1)
    qc.measure_all()
    shots = 20_000
    counts = AerSimulator(noise_model=aer_noise, seed_simulator=11).run(qc, shots=shots).result().get_counts()
    read_q0_one = sum(v for key, v in counts.items() if key[-1] == "1") / shots
    read_q1_zero = sum(v for key, v in counts.items() if key[-2] == "0") / shots
    assert abs(read_q0_one - 0.1) < 5 * np.sqrt(0.1 * 0.9 / shots)
    assert abs(read_q1_zero - 0.3) < 5 * np.sqrt(0.3 * 0.7 / shots)


def test_aer_noise_model_refuses_section_limited_channels_and_unknown_gates():
    limited = NoiseModel(channels=(NoiseChannel("depolarizing", 0.1, sections=("trainable",)),))
    with pytest.raises(InputError, match="sections"):
        to_aer_noise_model(limited, 2)
    with pytest.raises(InputError, match="is not one of qtrust's noisy gates"):
        to_aer_noise_model(NoiseModel.single("depolarizing", 0.1), 2, gates=["u3"])


# ---------------------------------------------------------------------------------------------------------
# Fitted qiskit-machine-learning classifiers
# ---------------------------------------------------------------------------------------------------------


def _training_data(seed: int = 3, rows: int = 20):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, np.pi, (rows, 3))
    return X, X[:, 0] + X[:, 1] > np.pi


@pytest.fixture(scope="module")
def fitted_vqc():
    from qiskit_machine_learning.algorithms.classifiers import VQC
    from qiskit_machine_learning.optimizers import COBYLA

    X, positive = _training_data()
    y = np.where(positive, "yes", "no")
    ansatz = real_amplitudes(3, reps=1)
    model = VQC(
        feature_map=zz_feature_map(3, reps=1),
        ansatz=ansatz,
        optimizer=COBYLA(maxiter=15),
        initial_point=np.random.default_rng(0).uniform(-1, 1, ansatz.num_parameters),
    )
    model.fit(X, y)
    return model, X


def test_fitted_vqc_predictions_and_probabilities_match(fitted_vqc):
    model, X_train = fitted_vqc
    X = np.vstack([X_train, np.random.default_rng(9).uniform(0.0, np.pi, (10, 3))])
    clf = from_qiskit_ml(model)
    assert isinstance(clf, CircuitClassifier)
    assert list(clf.classes_) == ["no", "yes"]
    assert np.array_equal(clf.predict(X), model.predict(X))
    assert np.max(np.abs(clf.predict_proba(X) - model.predict_proba(X))) <= TOL
    assert np.allclose(clf.weights_, model.weights)
    assert clf.source["model"] == "VQC"
    assert clf.source["output"]["interpret"].startswith("x % 2")
    assert clf.source["primitive"]["exact"] is True
    assert clf.circuit.measurement.qubits == (0,)  # x % 2 reads qubit 0 only


def test_fitted_neural_network_classifier_with_estimator_qnn_matches():
    from qiskit_machine_learning.algorithms.classifiers import NeuralNetworkClassifier
    from qiskit_machine_learning.neural_networks import EstimatorQNN
    from qiskit_machine_learning.optimizers import COBYLA

    X_train, positive = _training_data(seed=4)
    y = np.where(positive, 1, -1)
    circuit, fm, ansatz = _model(3, fm_reps=1, ansatz_reps=1)
    observable = SparsePauliOp(["ZZI", "IIX"], [0.6, 0.4])
    qnn = EstimatorQNN(
        circuit=circuit, observables=observable, input_params=fm.parameters, weight_params=ansatz.parameters
    )
    model = NeuralNetworkClassifier(
        qnn,
        optimizer=COBYLA(maxiter=15),
        initial_point=np.random.default_rng(1).uniform(-1, 1, ansatz.num_parameters),
    )
    model.fit(X_train, y)
    X = np.vstack([X_train, np.random.default_rng(10).uniform(0.0, np.pi, (10, 3))])
    clf = from_qiskit_ml(model)
    assert list(clf.classes_) == [-1, 1]
    assert np.array_equal(clf.predict(X), model.predict(X).reshape(-1))
    expectation = model.predict_proba(X).reshape(-1)  # qiskit-ml returns <O> here
    assert np.max(np.abs(qiskit_output(clf, X) - expectation)) <= TOL
    assert np.max(np.abs(clf.predict_proba(X)[:, 1] - (1 + expectation) / 2)) <= TOL
    assert clf.source["output"]["threshold"] == 0.0


def test_fitted_neural_network_classifier_with_sampler_qnn_matches():
    from qiskit_machine_learning.algorithms.classifiers import NeuralNetworkClassifier
    from qiskit_machine_learning.optimizers import COBYLA

    X_train, positive = _training_data(seed=5)
    y = positive.astype(int)
    circuit, fm, ansatz = _model(3, fm_reps=1, ansatz_reps=1)

    def interpret(b):
        return ((b >> 2) ^ b) & 1  # parity of qubits 0 and 2

    qnn = _sampler_qnn(circuit, fm, ansatz, interpret)
    model = NeuralNetworkClassifier(
        qnn,
        loss="cross_entropy",
        one_hot=True,
        optimizer=COBYLA(maxiter=10),
        initial_point=np.random.default_rng(2).uniform(-1, 1, ansatz.num_parameters),
    )
    model.fit(X_train, y)
    X = np.vstack([X_train, np.random.default_rng(11).uniform(0.0, np.pi, (10, 3))])
    clf = from_qiskit_ml(model)
    assert list(clf.classes_) == [0, 1]
    assert np.array_equal(clf.predict(X), model.predict(X))
    assert np.max(np.abs(clf.predict_proba(X) - model.predict_proba(X))) <= TOL
    assert clf.circuit.measurement.qubits == (0, 2)


def test_unfitted_or_unsupported_models_are_refused():
    from qiskit_machine_learning.algorithms.classifiers import VQC
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(InputError, match="not fitted"):
        from_qiskit_ml(VQC(feature_map=zz_feature_map(2, reps=1), ansatz=real_amplitudes(2, reps=1)))
    with pytest.raises(InputError, match="VQC or NeuralNetworkClassifier"):
        from_qiskit_ml(LogisticRegression())


# ---------------------------------------------------------------------------------------------------------
# Bad input: one clear InputError each
# ---------------------------------------------------------------------------------------------------------


def _small():
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 2)
    qc = QuantumCircuit(2)
    qc.ry(x[0], 0)
    qc.ry(x[1], 1)
    qc.cx(0, 1)
    qc.ry(w[0], 0)
    qc.ry(w[1], 1)
    return qc, x, w


def _with(extra):
    qc, x, w = _small()
    extra(qc, x, w)
    return qc, x, w


def _mid_measure(qc, x, w):
    qc.measure_all()
    qc.h(0)


def _if_test(qc, x, w):
    from qiskit.circuit import ClassicalRegister

    creg = ClassicalRegister(1)
    qc.add_register(creg)
    with qc.if_test((creg[0], 1)):
        qc.x(0)


BAD = {
    "wrong weight count": (
        lambda: (*_small(), np.zeros(3), "ZZ", {}),
        "3 weights given for 2 weight parameters",
    ),
    "parameter in neither list": (
        lambda: (*_with(lambda qc, x, w: qc.rz(Parameter("theta"), 0)), np.zeros(2), "ZZ", {}),
        "theta are neither inputs nor weights",
    ),
    "mid-circuit measurement": (
        lambda: (*_with(_mid_measure), np.zeros(2), None, {"output_shape": 2}),
        "mid-circuit measurement",
    ),
    "reset": (lambda: (*_with(lambda qc, x, w: qc.reset(1)), np.zeros(2), "ZZ", {}), "reset is not unitary"),
    "opaque gate": (
        lambda: (*_with(lambda qc, x, w: qc.append(Gate("mystery", 1, []), [0])), np.zeros(2), "ZZ", {}),
        "gate 'mystery' cannot be decomposed into qtrust's gates",
    ),
    "initialize": (
        lambda: (*_with(lambda qc, x, w: qc.initialize([0, 1], 1)), np.zeros(2), "ZZ", {}),
        "reset is not unitary",
    ),
    "classical control": (
        lambda: (*_with(_if_test), np.zeros(2), None, {"output_shape": 2}),
        "classically controlled instruction 'if_else'",
    ),
    "not qubit-wise commuting": (
        lambda: (*_small(), np.zeros(2), SparsePauliOp(["XZ", "ZX"]), {}),
        "not qubit-wise commuting",
    ),
    "complex coefficient": (
        lambda: (*_small(), np.zeros(2), SparsePauliOp(["ZZ", "ZI"], [1.0, 0.5j]), {}),
        "complex coefficients",
    ),
    "identity observable": (lambda: (*_small(), np.zeros(2), "II", {}), "same value on every state"),
    "wrong observable size": (lambda: (*_small(), np.zeros(2), "ZZZ", {}), "acts on 3 qubits"),
    "weight times input": (
        lambda: (*_with(lambda qc, x, w: qc.rz(x[0] * w[0], 1)), np.zeros(2), "ZZ", {}),
        "product of a weight and an input",
    ),
    "sine of an input": (
        lambda: (*_with(lambda qc, x, w: qc.rz(x[0].sin(), 1)), np.zeros(2), "ZZ", {}),
        "not a polynomial",
    ),
    "no output": (lambda: (*_small(), np.zeros(2), None, {}), "give exactly one output"),
    "both outputs": (lambda: (*_small(), np.zeros(2), "ZZ", {"output_shape": 2}), "both were given"),
    "multi-class output": (lambda: (*_small(), np.zeros(2), None, {"output_shape": 3}), "not a binary"),
    "interpret out of range": (
        lambda: (*_small(), np.zeros(2), None, {"output_shape": 2, "interpret": lambda b: b}),
        "returns 0 or 1",
    ),
    "constant interpret": (
        lambda: (*_small(), np.zeros(2), None, {"output_shape": 2, "interpret": lambda b: 1}),
        "model is constant",
    ),
    "threshold outside spectrum": (lambda: (*_small(), np.zeros(2), "ZZ", {"threshold": 2.0}), "outside"),
    "measurement with observable": (
        lambda: (*_with(lambda qc, x, w: qc.measure_all()), np.zeros(2), "ZZ", {}),
        "carries measurements",
    ),
    "positive for sampler": (
        lambda: (*_small(), np.zeros(2), None, {"output_shape": 2, "positive": "low"}),
        "apply to observables only",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_raises_a_clear_input_error(case):
    build, message = BAD[case]
    qc, x, w, weights, observable, options = build()
    with pytest.raises(InputError, match=message) as info:
        from_qiskit(qc, x, w, weights, observable, **options)
    assert info.value.fix, "every refusal says how to fix it"


def test_role_errors_name_the_parameter():
    qc, x, w = _small()
    with pytest.raises(InputError, match="listed as an input and as a weight"):
        from_qiskit(qc, x, [*w, x[0]], np.zeros(3), "ZZ")
    with pytest.raises(InputError, match="must be qiskit Parameters"):
        from_qiskit(qc, ["x0", "x1"], w, np.zeros(2), "ZZ")
    transpiled = transpile(qc, coupling_map=[[0, 1], [1, 2]], optimization_level=0, seed_transpiler=1)
    with pytest.raises(InputError, match="transpiled onto a device layout"):
        from_qiskit(transpiled, x, w, np.zeros(2), "ZZI")


def test_idle_relaxation_is_refused_by_the_aer_conversion():
    from qtrust.quantum.devices import device_noise

    with pytest.raises(InputError, match="idle relaxation"):
        to_aer_noise_model(device_noise("fake_lima", 2, "best"), 2)
    assert to_aer_noise_model(device_noise("fake_lima", 2, "best", idle=False), 2) is not None
