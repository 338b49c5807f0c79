"""Row weights: an integer multinomial weight vector must equal the explicitly resampled data."""

from __future__ import annotations

import numpy as np
import pytest

import qtrust.metrics as qm
from qtrust.seeding import derive_rng

N_ROWS = 240


@pytest.fixture
def data():
    rng = np.random.default_rng(11)
    groups = rng.permutation(np.repeat(np.array(["p", "q", "r"]), (50, 80, 110)))
    y = rng.integers(0, 2, N_ROWS)
    proba = np.round(rng.random((5, N_ROWS)), 2)
    counts = np.concatenate(list(qm.bootstrap_counts(N_ROWS, 8, derive_rng(3, "test", "weights"))))
    return y, groups, proba, counts


def resampled(counts_row, *arrays):
    index = np.repeat(np.arange(N_ROWS), counts_row.astype(int))
    return [a[..., index] for a in arrays]


def test_bootstrap_counts_are_multinomial_resamples():
    counts = np.concatenate(list(qm.bootstrap_counts(50, 400, derive_rng(0, "test"))))
    assert counts.shape == (400, 50)
    np.testing.assert_array_equal(counts.sum(axis=1), 50)
    # Each row's count is Binomial(50, 1/50): mean 1, variance 49/50.
    assert counts.mean() == pytest.approx(1.0)
    assert counts.var() == pytest.approx(0.98, rel=0.05)
    again = np.concatenate(list(qm.bootstrap_counts(50, 400, derive_rng(0, "test"))))
    np.testing.assert_array_equal(counts, again)


def test_crossed_group_confusion_equals_repeated_rows(data):
    y, groups, proba, counts = data
    y_pred = (proba >= 0.5).astype(int)
    crossed = qm.group_confusion(y, y_pred, sensitive_features=groups, sample_weight=counts)
    assert crossed.tp.shape == (counts.shape[0], proba.shape[0], 3)
    for b, row in enumerate(counts):
        y_b, g_b, pred_b = resampled(row, y, groups, y_pred)
        explicit = qm.group_confusion(y_b, pred_b, sensitive_features=g_b)
        for name in ("tp", "fp", "tn", "fn"):
            np.testing.assert_array_equal(getattr(crossed, name)[b], getattr(explicit, name))


@pytest.mark.parametrize(
    "name",
    [
        "demographic_parity_difference",
        "disparate_impact_ratio",
        "equalized_odds_difference",
        "equal_opportunity_difference",
    ],
)
def test_paired_fairness_weights_equal_repeated_rows(data, name):
    y, groups, proba, counts = data
    y_pred = (proba >= 0.5).astype(int)
    fn = getattr(qm, name)
    weights = counts[: proba.shape[0]]
    paired = fn(y, y_pred, sensitive_features=groups, sample_weight=weights, paired=True)
    for d, row in enumerate(weights):
        y_b, g_b, pred_b = resampled(row, y, groups, y_pred[d])
        assert paired[d] == pytest.approx(fn(y_b, pred_b, sensitive_features=g_b)[0], abs=1e-12)


@pytest.mark.parametrize("name", ["accuracy", "tpr", "fpr", "selection_rate", "roc_auc", "brier"])
def test_classification_weights_equal_repeated_rows(data, name):
    y, _, proba, counts = data
    fn = getattr(qm, name)
    stack = proba if name in ("roc_auc", "brier") else (proba >= 0.5).astype(int)
    crossed = fn(y, stack, sample_weight=counts)
    assert crossed.shape == (counts.shape[0], proba.shape[0])
    for b, row in enumerate(counts):
        y_b, stack_b = resampled(row, y, stack)
        np.testing.assert_allclose(crossed[b], fn(y_b, stack_b), rtol=0, atol=1e-12)


def test_shared_weight_vector_applies_to_every_draw(data):
    y, _groups, proba, counts = data
    y_pred = (proba >= 0.5).astype(int)
    shared = qm.accuracy(y, y_pred, sample_weight=counts[0])
    assert shared.shape == (proba.shape[0],)
    np.testing.assert_allclose(
        shared, qm.accuracy(y, y_pred, sample_weight=counts[:1])[0], rtol=0, atol=1e-15
    )
