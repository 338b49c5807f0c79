"""scikit-learn's own estimator checks on qtrust's three quantum classifiers.

The instances are small but real (two or three qubits, one layer, two optimiser steps, one IQP repetition),
so the module stays fast: the one check that fits ten features (ten qubits) dominates its run time. Every
check that cannot pass is listed below with its reason, and ``xfail_strict`` fails the run when a listed
check starts passing, so the list can only shrink. Besides the common checks: scikit-learn's DataFrame
column-name check (not among them), and what scikit-learn cannot see — qtrust's own scoring methods under
noise leave a fitted estimator unchanged too, and a circuit built from given weights clones unfitted.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    parametrize_with_checks,
)

from qtrust.models import CircuitClassifier, QuantumKernelClassifier, VariationalClassifier
from qtrust.quantum import NoiseModel, variational_circuit

if tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 6):
    pytest.skip("expected_failed_checks needs scikit-learn >= 1.6", allow_module_level=True)

#: A circuit's inputs are its encoding's features: a translated circuit cannot take another number of columns.
CIRCUIT_WIDTH = 3

NO_BIAS = (
    "P(class 1) = Tr(E U rho(x) U^dagger) has no bias term: on this check's signal-free angles (blobs of std "
    "20 rad) it averages 1/2 whatever the weights, so class weights cannot make 87% of decisions class 0"
)
OTHER_WIDTH = (
    f"a CircuitClassifier takes exactly its circuit's {CIRCUIT_WIDTH} features (one per encoded input); "
    "this check fits data of another width"
)

EXPECTED_FAILURES: dict[type, dict[str, str]] = {
    VariationalClassifier: {"check_class_weight_classifiers": NO_BIAS},
    QuantumKernelClassifier: {
        "check_class_weight_classifiers": "predict thresholds Platt-calibrated probabilities, and the calibration "
        "undoes the class weights (the weighted SVC itself predicts class 0 for every test row)",
        "check_fit2d_1feature": "Platt scaling cross-validates on 5 stratified folds, which needs 5 rows of "
        "each class; this check fits 10 rows",
    },
    CircuitClassifier: dict.fromkeys(
        (
            "check_class_weight_classifiers",
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_non_transformer_estimators_n_iter",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ),
        OTHER_WIDTH,
    ),
}


def expected_failures(estimator: Any) -> dict[str, str]:
    """The checks this estimator cannot pass, each with its reason (scikit-learn's ``expected_failed_checks``)."""
    return EXPECTED_FAILURES[type(estimator)]


@parametrize_with_checks(
    [
        VariationalClassifier(n_layers=1, max_iter=2, random_state=0),
        QuantumKernelClassifier(encoding_reps=1, random_state=0),
        CircuitClassifier(variational_circuit(CIRCUIT_WIDTH, 1), max_iter=2, random_state=0),
    ],
    expected_failed_checks=expected_failures,
    xfail_strict=True,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator",
    [
        VariationalClassifier(n_layers=1, max_iter=2, random_state=0),
        QuantumKernelClassifier(encoding_reps=1, random_state=0),
        CircuitClassifier(variational_circuit(8, 1), max_iter=2, random_state=0),  # the check's 8 columns
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_dataframe_columns_are_recorded_and_checked_as_in_scikit_learn(estimator):
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


@pytest.fixture(scope="module")
def angles():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, (40, 3))
    return X, (np.cos(X[:, 0]) + 0.3 * rng.normal(size=40) > 0).astype(int)


@pytest.mark.parametrize(
    "estimator",
    [
        VariationalClassifier(n_layers=1, max_iter=5, random_state=0),
        QuantumKernelClassifier(random_state=0),
        CircuitClassifier(variational_circuit(3, 1), max_iter=5, random_state=0),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_scoring_under_any_noise_leaves_the_fitted_estimator_unchanged(estimator, angles):
    X, y = angles
    model = clone(estimator).fit(X, y)
    before = pickle.dumps(model.__dict__)
    noise = NoiseModel.single("depolarizing", 0.05)
    clean, noisy = model.simulate(X, None), model.simulate(X, noise)
    model.probabilities(X, noise)
    model.sample_probabilities(X, 50, 2, np.random.default_rng(0), noise)
    model.predict_proba(X)
    model.describe()
    assert pickle.dumps(model.__dict__) == before
    np.testing.assert_array_equal(clean.probabilities, model.probabilities(X))
    assert noisy.path in ("heisenberg", "density_matrix")


def test_a_circuit_with_given_weights_predicts_and_clones_unfitted():
    circuit = variational_circuit(3, 1)
    weights = np.random.default_rng(1).uniform(-np.pi, np.pi, circuit.n_weights)
    given = CircuitClassifier.from_weights(circuit, weights, classes=("no", "yes"), max_iter=7)
    X = np.random.default_rng(2).uniform(0, np.pi, (5, 3))
    assert set(given.predict(X)) <= {"no", "yes"}
    assert given.describe()["trained_by"] == "given"
    fresh = clone(given)
    assert fresh.get_params() == given.get_params()
    assert fresh.max_iter == 7
    with pytest.raises(NotFittedError):
        fresh.predict(X)
