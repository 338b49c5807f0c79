"""Bring your own model: supplied models go through the same audit as configured ones, and say what they are."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

import qtrust
from qtrust.audit.supplied import Supplied
from qtrust.audit.training import training_seed
from qtrust.errors import InputError
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.policy.gate import run_gate
from qtrust.policy.policy import Policy
from qtrust.quantum import variational_circuit


@pytest.fixture(scope="module")
def config(byo_config):
    return byo_config


@pytest.fixture(scope="module")
def data(config):
    return qtrust.prepare_data(config)


@pytest.fixture(scope="module")
def circuit_model(data):
    model = CircuitClassifier(variational_circuit(3, 1), max_iter=25, random_state=4)
    return model.fit(data.X_train, data.y_train)


@pytest.fixture(scope="module")
def run(config, data, circuit_model):
    fallback = LogisticRegression(C=0.3).fit(data.X_train, data.y_train)
    box = fallback.predict_proba  # a black box: only a function of X
    return qtrust.audit_models(
        [
            Supplied("mine", circuit_model),
            Supplied("fallback", fallback),
            Supplied("box", lambda X: box(X)[:, 1], role="baseline"),
        ],
        config,
    )


def _model(run, name):
    return next(m for m in run.result.models if m.name == name)


def test_a_supplied_model_is_scored_on_the_audits_test_rows_as_given(run, data, circuit_model):
    expected = circuit_model.predict_proba(data.X_test)[:, 1]
    stack = run.predictions.stack("mine")
    assert stack.shape == (2, len(data.X_test))  # the one artefact, once per training seed
    np.testing.assert_allclose(stack, np.stack([expected, expected]), rtol=0, atol=1e-12)
    record = _model(run, "mine")
    assert record.origin == "supplied"
    assert record.family == "quantum"
    assert record.execution == "qtrust engine (translated circuit)"
    assert record.circuit is not None
    assert record.circuit["n_qubits"] == 3
    assert record.simulation["path"] in ("heisenberg", "statevector")


def test_configured_models_and_the_no_entanglement_control_stay_out_unless_asked(run):
    names = {m.name for m in run.result.models}
    assert names == {"mine", "fallback", "box", "logistic"}
    assert {m.name: m.origin for m in run.result.models}["logistic"] == "configured"


def test_a_fixed_artefact_reports_its_seed_spread_as_not_measured_and_the_gate_cannot_pass_it(run):
    for name in ("mine", "fallback"):
        assert _model(run, name).seed_spread_measured is False
        repro = next(r for r in run.result.reproducibility if r.model == name)
        assert repro.note
        assert "not measured" in repro.note
        assert all(m.sd is None for m in repro.metrics)
        assert not repro.variance
    finding = next(f for f in run.result.findings if f.id == "mine.reproducibility")
    assert finding.severity == "info"
    policy = Policy.model_validate(
        {
            "name": "seed",
            "checks": [
                {
                    "id": "seed-stability",
                    "metric": "reproducibility/*/accuracy/sd",
                    "max": 0.02,
                    "mode": "point",
                    "models": ["mine"],
                }
            ],
        }
    )
    decision = run_gate(run.result, policy)
    assert decision.checks[0].status == "inconclusive"
    assert "not measured" in decision.checks[0].reason


def test_the_quantum_supplied_model_gets_noise_shots_and_certificates_and_the_box_gets_the_loss_attack(run):
    result = run.result
    assert {s.model for s in result.noise} == {"mine"}
    assert {s.model for s in result.shots} == {"mine"}
    assert [c.model for c in result.certified_fairness] == ["mine"]
    assert "mine" in {c.model for c in result.robustness.certified}
    assert {e.model for e in result.robustness.empirical} == {"mine", "fallback", "box", "logistic"}
    privacy = {m.model: m for m in result.privacy.models}
    assert set(privacy["box"].settings[0].attacks) == {"loss"}
    assert "cannot be retrained" in privacy["box"].notes[0]
    assert set(privacy["fallback"].settings[0].attacks) == {"loss", "shadow", "lira"}
    assert _model(run, "box").execution == "the supplied function"


def test_device_calibrations_score_the_quantum_model_and_can_be_gated(run, circuit_model, data):
    from qtrust.quantum.devices import device_noise

    sweep = next(s for s in run.result.noise if s.model == "mine")
    assert [(d.device, d.layout) for d in sweep.devices] == [("fake_lima", "best"), ("fake_lima", "worst")]
    best = sweep.devices[0]
    assert best.calibration_date
    assert len(best.physical_qubits) == 3
    # the stored probabilities are the model's own under that calibration's noise model
    noise = device_noise("fake_lima", 3, "best")
    expected = circuit_model.probabilities(data.X_test, noise)
    np.testing.assert_allclose(run.predictions.stack("mine", noise.label)[0], expected, atol=1e-12)
    assert best.metrics["accuracy"].value == pytest.approx(
        np.mean((expected >= 0.5) == data.y_test.astype(bool)), abs=1e-12
    )
    assert any(f.id == "mine.device.fake_lima.best" for f in run.result.findings)
    # the certificate under the same calibration: K* of M = E†(effect) with the device's channels
    from qtrust.assess.certified_fairness import lipschitz_constant
    from qtrust.quantum.engine import measurement_operator

    certified = next(c for c in run.result.certified_fairness if c.model == "mine")
    device_point = next(p for p in certified.points if p.device == "fake_lima:best")
    expected_k = lipschitz_constant(
        measurement_operator(circuit_model.circuit_, circuit_model.weights_, noise)
    )
    assert device_point.lipschitz == pytest.approx(expected_k.lipschitz, abs=1e-12)
    assert device_point.lipschitz < certified.points[0].lipschitz  # noise only lowers K*
    policy = Policy.model_validate(
        {
            "name": "devices",
            "checks": [
                {
                    "id": "fair-on-devices",
                    "metric": "noise/*/device=*/equalized_odds_difference",
                    "max": 0.99,
                    "mode": "point",
                }
            ],
        }
    )
    decision = run_gate(run.result, policy)
    assert decision.checks[0].status == "pass"
    assert len(decision.checks[0].judgements) == 2


def test_the_report_and_model_card_say_the_model_was_supplied(run, tmp_path):
    qtrust.write_audit(run, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "Supplied models" in html
    assert "One fitted artefact stands for every training seed" in html
    assert "calibration snapshots" in html
    card = (tmp_path / "model_card.md").read_text()
    assert "supplied to the audit" in card
    assert "| fake_lima | best (" in card


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_retrain_fits_a_seeded_clone_per_training_seed(config, data):
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=200, random_state=0)
    run = qtrust.audit_models([Supplied("mlp_fallback", mlp, retrain=True)], config)
    assert _model(run, "mlp_fallback").seed_spread_measured is True
    stack = run.predictions.stack("mlp_fallback")
    for row, seed in enumerate(config.reproducibility.seeds):
        independent = clone(mlp).set_params(random_state=training_seed(config, seed))
        independent.fit(data.X_train, data.y_train)
        np.testing.assert_allclose(stack[row], independent.predict_proba(data.X_test)[:, 1], atol=1e-12)
    assert not np.allclose(stack[0], stack[1])  # the seeds really differ
    repro = next(r for r in run.result.reproducibility if r.model == "mlp_fallback")
    assert repro.note is None
    assert next(m for m in repro.metrics if m.metric == "auc").sd > 0


def test_fits_per_seed_are_used_as_given(config, data):
    fits = {
        seed: CircuitClassifier(variational_circuit(3, 1), max_iter=15, random_state=seed).fit(
            data.X_train, data.y_train
        )
        for seed in config.reproducibility.seeds
    }
    run = qtrust.audit_models({"per_seed": fits}, config)
    assert _model(run, "per_seed").seed_spread_measured is True
    descriptions = [f.description["weights"] for f in _model(run, "per_seed").fits]
    assert descriptions == [fits[s].weights_.tolist() for s in config.reproducibility.seeds]


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ({"logistic": LogisticRegression()}, "must be unique"),
        (
            {"wide": CircuitClassifier.from_weights(variational_circuit(5, 1), np.zeros(15))},
            "takes 5 input features",
        ),
        ({"text": "not a model"}, "neither predict_proba nor probabilities"),
        ({"partial": {0: LogisticRegression()}}, r"no fit for training seed\(s\) \[1\]"),
    ],
)
def test_bad_supplied_models_are_refused_before_training(config, models, message):
    with pytest.raises(InputError, match=message):
        qtrust.audit_models(models, config)


def test_an_audit_needs_a_candidate(config):
    fallback = LogisticRegression()
    with pytest.raises(InputError, match="no candidate model"):
        qtrust.audit_models([Supplied("ref", fallback, role="baseline")], config)


def test_retraining_a_black_box_is_refused():
    with pytest.raises(InputError, match="retrain=True needs fit"):
        Supplied("box", lambda X: np.full(len(X), 0.5), retrain=True)
