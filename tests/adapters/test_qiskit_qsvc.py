"""A fitted qiskit-machine-learning QSVC translated for qtrust, against QSVC itself and Aer density matrices.

Noiseless: decision_function, predict_proba and predict equal the QSVC's (≤ 1e-10). Under noise: the kernel
entries equal Tr(ρ(x) ρ(s)) from Aer's density matrices of the lowered feature map, and the probabilities
equal what scikit-learn's own SVC computes from those entries.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

pytest.importorskip("qiskit")
pytest.importorskip("qiskit_aer")
pytest.importorskip("qiskit_machine_learning")

from qiskit.circuit import ParameterVector
from qiskit.circuit.library import zz_feature_map
from qiskit_aer import AerSimulator
from qiskit_machine_learning.algorithms import QSVC
from qiskit_machine_learning.kernels import (
    FidelityQuantumKernel,
    FidelityStatevectorKernel,
    TrainableFidelityQuantumKernel,
)
from qiskit_machine_learning.primitives import QMLSampler
from qiskit_machine_learning.state_fidelities import ComputeUncompute

import qtrust
from qtrust.adapters import from_qiskit_ml
from qtrust.adapters.qiskit import TranslatedKernelSVC, lower_circuit, to_aer_noise_model
from qtrust.errors import InputError
from qtrust.quantum.noise import NoiseModel

TOL = 1e-10
NOISE = NoiseModel.single("depolarizing", 0.01)


def _fit(kernel, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-learn 1.9 deprecates SVC(probability=True)
        return QSVC(quantum_kernel=kernel, random_state=0, **kwargs).fit(X, y)


def _quiet(method, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return method(*args)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = rng.uniform(0.0, np.pi, (30, 3))
    y = (np.sin(X[:, 0]) + np.cos(X[:, 1] * X[:, 2]) > 0.6).astype(int)
    return X, y, rng.uniform(0.0, np.pi, (25, 3))


@pytest.fixture(scope="module")
def qsvc(data):
    X, y, _ = data
    return _fit(FidelityQuantumKernel(feature_map=zz_feature_map(3, reps=2)), X, y, probability=True)


@pytest.fixture(scope="module")
def model(qsvc):
    return from_qiskit_ml(qsvc)


def test_the_translation_reproduces_the_qsvc_decision_probabilities_and_labels(qsvc, model, data):
    _, _, X_new = data
    assert isinstance(model, TranslatedKernelSVC)
    np.testing.assert_allclose(
        model.decision_function(X_new), qsvc.decision_function(X_new), rtol=0, atol=TOL
    )
    expected = _quiet(qsvc.predict_proba, X_new)
    np.testing.assert_allclose(model.predict_proba(X_new), expected, rtol=0, atol=TOL)
    np.testing.assert_allclose(model.probabilities(X_new), expected[:, 1], rtol=0, atol=TOL)
    np.testing.assert_array_equal(model.predict(X_new), qsvc.predict(X_new))
    np.testing.assert_array_equal(model.classes_, qsvc.classes_)
    assert model.n_features_in_ == 3
    assert model.simulation_path_ == "statevector"


def test_the_translated_circuit_is_the_feature_map_alone_and_the_record_says_so(model):
    circuit = model.circuit_
    assert (circuit.n_qubits, circuit.n_features, circuit.n_weights) == (3, 3, 0)
    assert all(op.section == "encoding" for op in circuit.operations)
    assert len(circuit.operations) == len(lower_circuit(zz_feature_map(3, reps=2)).data)
    described = model.describe()
    assert described["kind"] == "quantum_kernel_svc"
    assert described["execution"] == "qtrust engine (translated feature map)"
    source = described["source"]
    assert source["framework"] == "qiskit"
    assert source["model"] == "QSVC"
    assert source["quantum_kernel"] == "FidelityQuantumKernel"
    assert source["feature_map"] == "ZZFeatureMap"
    assert source["kernel_values"]["exact"] is True
    assert source["qiskit_machine_learning_version"]
    assert any("Platt" in note for note in source["translation"])
    assert described["svm"]["n_support"] == len(model.support_inputs_)


def _aer_density_matrices(X, noise):
    lowered = lower_circuit(zz_feature_map(3, reps=2))
    circuits = []
    for x in X:
        bound = lowered.assign_parameters(dict(zip(lowered.parameters, x, strict=True)))
        bound.save_density_matrix()
        circuits.append(bound)
    aer = AerSimulator(method="density_matrix", noise_model=to_aer_noise_model(noise, 3))
    result = aer.run(circuits).result()
    return np.stack([np.asarray(result.data(i)["density_matrix"]) for i in range(len(X))])


def test_noisy_kernel_entries_are_tr_rho_rho_from_aer_and_sklearn_agrees_on_the_probabilities(
    qsvc, model, data
):
    X_train, _, X_new = data
    rho_x = _aer_density_matrices(X_new, NOISE)
    rho_s = _aer_density_matrices(model.support_inputs_, NOISE)
    expected = np.einsum("aij,bji->ab", rho_x, rho_s).real
    assert np.abs(np.einsum("aij,bji->ab", rho_x, rho_s).imag).max() < 1e-12
    k = model.kernel(X_new, NOISE)
    np.testing.assert_allclose(k, expected, rtol=0, atol=TOL)
    assert model.simulation_path_ == "density_matrix"
    assert np.abs(k - model.kernel(X_new)).max() > 1e-3  # the noise does change the entries

    # scikit-learn's own SVC on the independent (Aer) kernel: only the support-vector columns are used
    full = np.zeros((len(X_new), len(X_train)))
    full[:, qsvc.support_] = expected
    noisy = copy.copy(qsvc)
    noisy.kernel = lambda A, B: full
    np.testing.assert_allclose(
        model.decision_function(X_new, NOISE), noisy.decision_function(X_new), rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        model.probabilities(X_new, NOISE), _quiet(noisy.predict_proba, X_new)[:, 1], rtol=0, atol=TOL
    )


def test_readout_error_biases_each_entry_as_the_swap_test_outcome(model, data):
    _, _, X_new = data
    readout = NoiseModel.single("readout", 0.05)  # p01 = p10 = 0.05: r -> 0.9 r
    np.testing.assert_allclose(model.kernel(X_new, readout), 0.9 * model.kernel(X_new), rtol=0, atol=1e-12)


def test_shot_sampling_is_seeded_reproducible_and_centred_on_the_exact_kernel(model, data):
    _, _, X_new = data
    a = model.sample_probabilities(X_new, 200, 4, np.random.default_rng(7), NOISE)
    b = model.sample_probabilities(X_new, 200, 4, np.random.default_rng(7), NOISE)
    c = model.sample_probabilities(X_new, 200, 4, np.random.default_rng(8), NOISE)
    assert a.shape == (4, len(X_new))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0
    assert np.all((a > 0) & (a < 1))
    assert np.abs(a[0] - a[1]).max() > 0  # draws differ
    many = model.sample_probabilities(X_new, 10**7, 1, np.random.default_rng(1))[0]
    np.testing.assert_allclose(many, model.probabilities(X_new), atol=5e-3)


def test_a_qsvc_without_a_probability_model_is_refused_with_the_fix(data):
    X, y, _ = data
    for kwargs in ({}, {"probability": False}):
        fitted = _fit(FidelityStatevectorKernel(feature_map=zz_feature_map(3, reps=1)), X, y, **kwargs)
        with pytest.raises(InputError, match="probability=True") as info:
            from_qiskit_ml(fitted)
        assert "refit" in info.value.fix


def test_an_unfitted_qsvc_and_unsupported_kernels_are_refused(data):
    feature_map = zz_feature_map(3, reps=1)
    with pytest.raises(InputError, match="not fitted"):
        from_qiskit_ml(QSVC(quantum_kernel=FidelityQuantumKernel(feature_map=feature_map), probability=True))
    theta = ParameterVector("theta", 1)
    trainable = feature_map.copy()
    trainable.ry(theta[0], 0)
    refused = {
        "TrainableFidelityQuantumKernel": TrainableFidelityQuantumKernel(
            feature_map=trainable, training_parameters=theta
        ),
        "precomputed kernel": "precomputed",
        "local ComputeUncompute": FidelityQuantumKernel(
            feature_map=feature_map, fidelity=ComputeUncompute(QMLSampler(), local=True)
        ),
    }
    for what, kernel in refused.items():
        with pytest.raises(InputError, match=what) as info:
            from_qiskit_ml(QSVC(quantum_kernel=kernel, probability=True))
        assert "FidelityQuantumKernel" in info.value.fix or "local=False" in info.value.fix


def test_a_translated_qsvc_gets_the_quantum_audit_noise_sweep_and_shot_study(byo_config):
    config = byo_config
    prepared = qtrust.prepare_data(config)
    # the statevector kernel fits on the audit's full training split in a fraction of a second
    fitted = _fit(
        FidelityStatevectorKernel(feature_map=zz_feature_map(3, reps=2)),
        prepared.X_train,
        prepared.y_train,
        probability=True,
    )
    model = from_qiskit_ml(fitted)
    X_test = prepared.X_test
    np.testing.assert_allclose(model.decision_function(X_test), fitted.decision_function(X_test), atol=TOL)
    np.testing.assert_allclose(
        model.probabilities(X_test), _quiet(fitted.predict_proba, X_test)[:, 1], atol=TOL
    )

    run = qtrust.audit_models({"qsvc": model}, config)
    record = next(m for m in run.result.models if m.name == "qsvc")
    assert (record.origin, record.family) == ("supplied", "quantum")
    assert record.execution == "qtrust engine (translated feature map)"
    assert record.circuit["n_qubits"] == 3
    assert record.fits[0].description["source"]["quantum_kernel"] == "FidelityStatevectorKernel"
    assert {s.model for s in run.result.noise} == {"qsvc"}
    assert {s.model for s in run.result.shots} == {"qsvc"}
    assert run.result.certified_fairness == []  # a kernel SVM has no single measurement operator
    sweep = next(s for s in run.result.noise if s.model == "qsvc")
    assert [d.layout for d in sweep.devices] == ["best", "worst"]
    np.testing.assert_allclose(run.predictions.stack("qsvc")[0], model.probabilities(X_test), atol=1e-12)
