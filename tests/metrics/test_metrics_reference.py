"""qtrust.metrics against independent references: fairlearn 0.15 and scikit-learn, draw by draw."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn import metrics as flm
from sklearn.metrics import accuracy_score, roc_auc_score

import qtrust.metrics as qm

TOL = 1e-12

# (labels, sizes): unequal group sizes; int labels given out of order to exercise sorted group codes.
GROUPINGS = {
    "2 groups": (np.array(["women", "men"]), (70, 230)),
    "4 groups": (np.array([3, 1, 7, 2]), (15, 40, 120, 325)),
}


def make_stack(grouping: str, n_draws: int = 12, seed: int = 0):
    """Labels, groups and a (D, N) probability stack with ties (rounded) and group-dependent skew."""
    labels, sizes = GROUPINGS[grouping]
    rng = np.random.default_rng(seed)
    groups = rng.permutation(np.repeat(labels, sizes))
    codes = np.unique(groups, return_inverse=True)[1]
    y = rng.binomial(1, 0.3 + 0.1 * (codes % 3))
    logits = 1.2 * (y - 0.5) + 0.3 * codes + rng.normal(0.0, 1.0, (n_draws, y.shape[0]))
    proba = np.round(1.0 / (1.0 + np.exp(-logits)), 2)
    return y, groups, proba


@pytest.fixture(params=list(GROUPINGS))
def stack(request):
    return make_stack(request.param)


FAIRNESS = {
    "demographic_parity_difference": (qm.demographic_parity_difference, flm.demographic_parity_difference),
    "demographic_parity_ratio": (qm.demographic_parity_ratio, flm.demographic_parity_ratio),
    "disparate_impact_ratio": (qm.disparate_impact_ratio, flm.demographic_parity_ratio),
    "equalized_odds_difference": (qm.equalized_odds_difference, flm.equalized_odds_difference),
    "equal_opportunity_difference": (qm.equal_opportunity_difference, flm.equal_opportunity_difference),
}


@pytest.mark.parametrize("name", list(FAIRNESS))
def test_fairness_metric_equals_fairlearn_per_draw(stack, name):
    y, groups, proba = stack
    y_pred = (proba >= 0.5).astype(int)
    ours_fn, theirs_fn = FAIRNESS[name]
    ours = ours_fn(y, y_pred, sensitive_features=groups)
    theirs = np.array([theirs_fn(y, row, sensitive_features=groups) for row in y_pred])
    assert ours.shape == (proba.shape[0],)
    assert np.all(np.isfinite(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)
    assert np.ptp(ours) > 0  # the draws differ, so a constant answer would be a bug


def test_frame_matches_metricframe_by_group_and_overall(stack):
    y, groups, proba = stack
    frame = qm.StackMetricFrame(y, proba, sensitive_features=groups)
    y_pred = (proba >= 0.5).astype(int)
    fl_metrics = {
        "accuracy": accuracy_score,
        "tpr": flm.true_positive_rate,
        "fpr": flm.false_positive_rate,
        "selection_rate": flm.selection_rate,
        "count": flm.count,
    }
    np.testing.assert_array_equal(frame.groups, np.unique(groups))
    for d, row in enumerate(y_pred):
        mf = flm.MetricFrame(metrics=fl_metrics, y_true=y, y_pred=row, sensitive_features=groups)
        by_group = mf.by_group.loc[list(frame.groups)]
        for key in fl_metrics:
            np.testing.assert_allclose(
                frame.by_group[key][d], by_group[key].to_numpy(float), rtol=0, atol=TOL
            )
            if key != "count":
                assert abs(frame.overall[key][d] - mf.overall[key]) <= TOL
        fl_overall = {
            "demographic_parity_difference": flm.demographic_parity_difference,
            "disparate_impact_ratio": flm.demographic_parity_ratio,
            "equalized_odds_difference": flm.equalized_odds_difference,
            "equal_opportunity_difference": flm.equal_opportunity_difference,
        }
        for key, fn in fl_overall.items():
            assert abs(frame.overall[key][d] - fn(y, row, sensitive_features=groups)) <= TOL


def test_group_confusion_counts_equal_explicit_counting(stack):
    y, groups, proba = stack
    y_pred = (proba >= 0.5).astype(int)
    conf = qm.group_confusion(y, y_pred, sensitive_features=groups)
    for g, label in enumerate(conf.groups):
        in_group = groups == label
        for name, truth, pred in (("tp", 1, 1), ("fp", 0, 1), ("tn", 0, 0), ("fn", 1, 0)):
            expected = ((y_pred == pred) & (y == truth) & in_group).sum(axis=1)
            np.testing.assert_array_equal(getattr(conf, name)[:, g], expected)


def test_classification_metrics_equal_sklearn(stack):
    y, _, proba = stack
    y_pred = (proba >= 0.5).astype(int)
    assert len(np.unique(proba[0])) < proba.shape[1]  # ties are present
    expected_auc = [roc_auc_score(y, row) for row in proba]
    np.testing.assert_allclose(qm.roc_auc(y, proba), expected_auc, rtol=0, atol=TOL)
    np.testing.assert_allclose(
        qm.accuracy(y, y_pred), [accuracy_score(y, r) for r in y_pred], rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        qm.tpr(y, y_pred), [flm.true_positive_rate(y, r) for r in y_pred], rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        qm.fpr(y, y_pred), [flm.false_positive_rate(y, r) for r in y_pred], rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        qm.selection_rate(y, y_pred), [flm.selection_rate(y, r) for r in y_pred], rtol=0, atol=TOL
    )
    np.testing.assert_allclose(
        qm.brier(y, proba), [np.mean((row - y) ** 2) for row in proba], rtol=0, atol=TOL
    )


def test_roc_auc_heavy_ties_and_weights_equal_sklearn():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 400)
    scores = rng.integers(0, 4, (6, 400)) / 3.0  # only four distinct scores
    weights = rng.integers(0, 5, (6, 400)).astype(float)
    got = qm.roc_auc(y, scores, sample_weight=weights, paired=True)
    expected = [roc_auc_score(y, s, sample_weight=w) for s, w in zip(scores, weights, strict=True)]
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


def test_one_dimensional_prediction_is_one_draw(stack):
    y, groups, proba = stack
    row = (proba[0] >= 0.5).astype(int)
    value = qm.equalized_odds_difference(y, row, sensitive_features=groups)
    assert value.shape == (1,)
    assert abs(value[0] - flm.equalized_odds_difference(y, row, sensitive_features=groups)) <= TOL


def test_undefined_rates_are_nan_where_fairlearn_reports_zero():
    """Documented divergence: a group without positives has no TPR; fairlearn coerces it to 0."""
    y = np.array([0, 0, 0, 1, 1, 0, 1, 0])
    groups = np.array(["a", "a", "a", "b", "b", "b", "c", "c"])
    y_pred = np.array([1, 0, 0, 1, 0, 1, 1, 0])
    fl_tpr = flm.MetricFrame(
        metrics=flm.true_positive_rate, y_true=y, y_pred=y_pred, sensitive_features=groups
    ).by_group
    assert fl_tpr["a"] == 0.0  # fairlearn's convention, which qtrust does not copy
    conf = qm.group_confusion(y, y_pred, sensitive_features=groups)
    assert np.isnan(conf.tpr[0, 0])
    assert conf.tpr[0, 1] == 0.5
    assert conf.tpr[0, 2] == 1.0
    assert np.isnan(qm.equal_opportunity_difference(y, y_pred, sensitive_features=groups)[0])
    assert np.isnan(qm.equalized_odds_difference(y, y_pred, sensitive_features=groups)[0])
    # DP does not involve TPR and stays defined, equal to fairlearn's.
    dp = qm.demographic_parity_difference(y, y_pred, sensitive_features=groups)[0]
    assert dp == pytest.approx(
        flm.demographic_parity_difference(y, y_pred, sensitive_features=groups), abs=TOL
    )


def test_ratio_with_nobody_selected_is_nan_like_fairlearn():
    y = np.array([0, 1, 0, 1])
    groups = np.array(["a", "a", "b", "b"])
    nobody = np.zeros(4, dtype=int)
    assert np.isnan(flm.demographic_parity_ratio(y, nobody, sensitive_features=groups))
    assert np.isnan(qm.disparate_impact_ratio(y, nobody, sensitive_features=groups)[0])
    assert qm.demographic_parity_difference(y, nobody, sensitive_features=groups)[0] == 0.0
    assert np.isnan(qm.roc_auc(np.ones(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]))[0])
