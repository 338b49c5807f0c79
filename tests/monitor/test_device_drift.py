"""Device drift: the served model re-scored under a new noise model or device calibration, against facts that
do not come from the detector — K* = 1 noiseless, noise never raises K*, outputs are K*-Lipschitz in trace
distance — and against the model's probabilities and accuracy computed directly."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from qtrust.audit.data_prep import prepare
from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
from qtrust.monitor import DETECTORS
from qtrust.monitor.device_drift import (
    SUBJECTS,
    calibration_noise,
    device_drift,
    device_drift_detector,
)
from qtrust.quantum.ansatz import variational_circuit
from qtrust.quantum.circuit import Measurement
from qtrust.quantum.noise import NoiseModel
from tiny_audit import TINY

DEPOLARIZING = NoiseModel.single("depolarizing", 0.03)


@pytest.fixture(scope="module")
def served():
    """A 2-qubit parity-readout circuit classifier trained on the tiny audit's synthetic data, and the audit's
    test rows (angles) and labels as the reference."""
    data = prepare(config_from_dict(TINY))
    circuit = variational_circuit(2, 2, measurement=Measurement((0, 1), "parity"))
    model = CircuitClassifier(circuit, max_iter=60, random_state=0).fit(data.X_train, data.y_train)
    return model, np.asarray(data.X_test, dtype=float), np.asarray(data.y_test, dtype=int)


def by_subject(results):
    assert [r.subject for r in results] == list(SUBJECTS)
    return {r.subject: r for r in results}


def trace_distances(angles: np.ndarray) -> np.ndarray:
    """Pairwise trace distance of the angle-encoded pure states ⊗_q RY(x_q)|0⟩: √(1 − |⟨ψᵢ|ψⱼ⟩|²) with
    |⟨ψᵢ|ψⱼ⟩| = Π_q |cos((x_iq − x_jq)/2)|."""
    overlap = np.prod(np.abs(np.cos((angles[:, None, :] - angles[None, :, :]) / 2.0)), axis=2)
    return np.sqrt(np.clip(1.0 - overlap**2, 0.0, None))


@pytest.mark.parametrize(
    ("audited", "new"),
    [
        (None, None),
        (DEPOLARIZING, DEPOLARIZING),
        (NoiseModel.single("amplitude_damping", 0.05), NoiseModel.single("amplitude_damping", 0.05)),
    ],
)
def test_the_audited_noise_again_drifts_nothing(served, audited, new):
    model, X, y = served
    results = by_subject(device_drift(model, X, y, audited_noise=audited, new_noise=new, new_label="same"))
    assert not any(r.drifted for r in results.values())
    assert all(r.statistic == 0.0 for r in results.values())
    assert results["probability"].detail["max_abs_difference"] == 0.0
    assert results["probability"].detail["decision_flips"] == 0
    assert all(r.p_value is None and r.seed is None for r in results.values())
    assert all(r.detector == "device_drift" for r in results.values())


def test_depolarizing_against_a_noiseless_audit(served):
    model, X, y = served
    epsilon, delta = 0.1, 0.08
    results = by_subject(
        device_drift(
            model,
            X,
            y,
            audited_noise=None,
            new_noise=DEPOLARIZING,
            new_label="depolarizing=0.03",
            epsilon=epsilon,
            delta=delta,
        )
    )
    # the certificate: K* = 1 noiseless with a projective parity readout; noise never increases it
    certificate = results["certificate"]
    k_audited = certificate.detail["audited_lipschitz"]
    k_new = certificate.detail["new_lipschitz"]
    assert k_audited == pytest.approx(1.0, abs=1e-10)
    assert 0.0 <= k_new < 1.0
    assert certificate.statistic == pytest.approx(k_new - k_audited, abs=1e-15)
    assert certificate.drifted is (abs(k_new - k_audited) > 0.05)
    assert certificate.detail["weakened"] is False
    assert certificate.detail["audited_fair"] is (delta >= k_audited * epsilon)  # 0.08 < 0.1: not fair
    assert certificate.detail["new_fair"] is (delta >= k_new * epsilon)
    assert certificate.detail["verdict_changed"] is (
        certificate.detail["audited_fair"] != certificate.detail["new_fair"]
    )
    assert (certificate.detail["audited_noise"], certificate.detail["new_noise"]) == (
        "noiseless",
        "depolarizing=0.03",
    )
    # K*_new is a Lipschitz constant of the noisy outputs in trace distance (Guan et al., Theorem 1): no two
    # reference rows' probabilities differ by more than K*_new times their encoded states' distance
    p_none = model.probabilities(X, None)
    p_new = model.probabilities(X, DEPOLARIZING)
    gaps = np.abs(p_new[:, None] - p_new[None, :])
    assert np.all(gaps <= k_new * trace_distances(X) + 1e-12)
    assert np.all(np.abs(p_none[:, None] - p_none[None, :]) <= trace_distances(X) + 1e-12)

    # the probabilities, computed directly
    difference = p_new - p_none
    probability = results["probability"]
    assert probability.statistic == pytest.approx(np.abs(difference).mean(), abs=1e-12)
    assert probability.detail["max_abs_difference"] == pytest.approx(np.abs(difference).max(), abs=1e-12)
    assert probability.detail["mean_difference"] == pytest.approx(difference.mean(), abs=1e-12)
    flips = int(np.sum((p_new >= 0.5) != (p_none >= 0.5)))
    assert probability.detail["decision_flips"] == flips
    assert probability.detail["flip_share"] == pytest.approx(flips / len(X))
    assert probability.drifted is bool(np.abs(difference).mean() > 0.05)
    assert probability.reference_n == probability.current_n == len(X)

    # the accuracy, computed by scikit-learn
    audited = accuracy_score(y, (p_none >= 0.5).astype(int))
    new = accuracy_score(y, (p_new >= 0.5).astype(int))
    accuracy = results["accuracy"]
    assert accuracy.detail["audited_accuracy"] == pytest.approx(audited)
    assert accuracy.detail["new_accuracy"] == pytest.approx(new)
    assert accuracy.statistic == pytest.approx(new - audited)
    assert accuracy.drifted is (audited - new > 0.02 + 1e-12)
    json.dumps([r.to_dict() for r in results.values()])  # JSON-safe


def test_large_noise_drifts_and_tiny_noise_does_not(served):
    model, X, y = served
    large = by_subject(
        device_drift(
            model,
            X,
            y,
            audited_noise=None,
            new_noise=NoiseModel.single("depolarizing", 0.2),
            new_label="depolarizing=0.2",
        )
    )
    assert large["accuracy"].drifted or large["probability"].drifted
    assert large["certificate"].drifted
    assert large["certificate"].statistic < -0.05  # noise lowers K*

    tiny = device_drift(
        model, X, y, audited_noise=None, new_noise=NoiseModel.single("depolarizing", 1e-5), new_label="tiny"
    )
    assert not any(r.drifted for r in tiny)
    assert all(abs(r.statistic) < 1e-3 for r in tiny)


def test_a_less_noisy_backend_weakens_the_certificate_and_an_accuracy_rise_is_no_alarm(served):
    model, X, y = served
    audited = NoiseModel.single("depolarizing", 0.2)
    results = by_subject(
        device_drift(model, X, y, audited_noise=audited, new_noise=None, new_label="noiseless simulator")
    )
    certificate = results["certificate"]
    assert certificate.statistic > 0.05
    assert certificate.drifted
    assert certificate.detail["weakened"] is True
    change = accuracy_score(y, model.probabilities(X) >= 0.5) - accuracy_score(
        y, model.probabilities(X, audited) >= 0.5
    )
    assert results["accuracy"].statistic == pytest.approx(change)
    assert results["accuracy"].drifted is (change < -0.02 - 1e-12)


def test_the_tolerances_decide(served):
    model, X, y = served
    strong = NoiseModel.single("depolarizing", 0.2)
    loose = device_drift(
        model,
        X,
        y,
        audited_noise=None,
        new_noise=strong,
        new_label="strong",
        tolerance_accuracy=1.0,
        tolerance_probability=1.0,
        tolerance_k=1.0,
    )
    assert not any(r.drifted for r in loose)
    assert [r.threshold for r in loose] == [1.0, 1.0, 1.0]
    strict = device_drift(
        model,
        X,
        y,
        audited_noise=None,
        new_noise=NoiseModel.single("depolarizing", 1e-5),
        new_label="tiny",
        tolerance_probability=0.0,
        tolerance_k=0.0,
    )
    assert [r.drifted for r in strict] == [False, True, True]


def test_a_device_calibration_end_to_end(served):
    pytest.importorskip("qiskit_ibm_runtime")
    model, X, y = served
    noise = calibration_noise(model, "fake_manila", "best")
    assert isinstance(noise, NoiseModel)
    assert noise.label.startswith("device:fake_manila/best")
    results = by_subject(
        device_drift(model, X, y, audited_noise=None, new_noise=noise, new_label=noise.label)
    )
    certificate = results["certificate"]
    assert certificate.detail["new_noise"] == noise.label
    assert certificate.detail["new_lipschitz"] <= certificate.detail["audited_lipschitz"] + 1e-12
    difference = model.probabilities(X, noise) - model.probabilities(X, None)
    assert results["probability"].statistic == pytest.approx(np.abs(difference).mean(), abs=1e-12)
    # recalibrated against itself: nothing moves
    again = device_drift(model, X, y, audited_noise=noise, new_noise=noise, new_label=noise.label)
    assert not any(r.drifted for r in again)
    json.dumps([r.to_dict() for r in results.values()])


def test_the_registered_detector_gives_one_subject_of_the_same_results(served):
    model, X, y = served
    assert DETECTORS["device_drift"] is device_drift_detector
    full = by_subject(device_drift(model, X, y, audited_noise=None, new_noise=DEPOLARIZING, new_label="d"))
    for subject in SUBJECTS:
        one = DETECTORS["device_drift"](
            None,
            DEPOLARIZING,
            model=model,
            reference_angles=X,
            reference_labels=y,
            subject=subject,
            new_label="d",
        )
        assert one == full[subject]
    default_label = device_drift_detector(
        None, DEPOLARIZING, model=model, reference_angles=X, reference_labels=y, subject="certificate"
    )
    assert default_label.detail["new_noise"] == DEPOLARIZING.label
    with pytest.raises(InputError, match="use one of: accuracy, probability, certificate"):
        device_drift_detector(
            None, DEPOLARIZING, model=model, reference_angles=X, reference_labels=y, subject="fairness"
        )


def _call(model, X, y, **options):
    return device_drift(
        model, X, y, **{"audited_noise": None, "new_noise": DEPOLARIZING, "new_label": "d", **options}
    )


def test_inputs_that_are_refused(served):
    model, X, y = served
    logistic = LogisticRegression().fit(X, y)
    unfitted = CircuitClassifier(model.circuit_)
    reupload = variational_circuit(2, 2, reupload=True)  # data again before the second layer
    reuploading = CircuitClassifier.from_weights(reupload, np.zeros(reupload.n_weights))
    cases = [
        (lambda: _call(logistic, X, y), "not a fitted circuit classifier"),
        (lambda: _call(unfitted, X, y), "not a fitted circuit classifier"),
        (lambda: _call(reuploading, X, y), "re-uploads data"),
        (lambda: _call(model, X[:, :1], y), "1 column"),
        (lambda: _call(model, X, y[:-1]), f"expected {len(X)} labels of 0 or 1"),
        (lambda: _call(model, X, y + 1), "labels of 0 or 1"),
        (lambda: _call(model, X, np.where(y == 1, 1, -1)), "labels of 0 or 1"),
        (lambda: _call(model, X[:0], y[:0]), "empty"),
        (lambda: _call(model, X, y, new_noise="depolarizing"), "not a qtrust NoiseModel"),
        (lambda: _call(model, X, y, audited_noise=0.03), "not a qtrust NoiseModel"),
        (lambda: _call(model, X, y, threshold=1.5), "not a probability"),
        (lambda: _call(model, X, y, tolerance_k=-0.1), "tolerance_k"),
        (lambda: _call(model, X, y, epsilon=0.0), "epsilon"),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message) as caught:
            call()
        assert caught.value.where, message
        assert caught.value.fix, message
