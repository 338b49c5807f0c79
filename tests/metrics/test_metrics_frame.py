"""StackMetricFrame: shapes, summaries, bootstrap behaviour and interval coverage."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import qtrust.metrics as qm
from qtrust.metrics import METRIC_INFO, Estimate, StackMetricFrame

OVERALL_WITH_PROBA = (
    "accuracy",
    "auc",
    "brier",
    "selection_rate",
    "tpr",
    "fpr",
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)


@pytest.fixture
def frame_data():
    rng = np.random.default_rng(21)
    n_rows, n_draws = 400, 30
    groups = rng.choice(np.array(["a", "b", "c"]), n_rows, p=[0.2, 0.3, 0.5])
    y = rng.integers(0, 2, n_rows)
    proba = np.clip(0.5 + 0.25 * (y - 0.5) + rng.normal(0, 0.25, (n_draws, n_rows)), 0, 1)
    return y, groups, proba


def test_overall_and_by_group_shapes_and_contents(frame_data):
    y, groups, proba = frame_data
    frame = StackMetricFrame(y, proba, sensitive_features=groups)
    assert frame.metrics == OVERALL_WITH_PROBA
    assert set(frame.overall) == set(OVERALL_WITH_PROBA)
    assert all(v.shape == (30,) for v in frame.overall.values())
    assert set(frame.by_group) == {"accuracy", "tpr", "fpr", "selection_rate", "count"}
    assert all(v.shape == (30, 3) for v in frame.by_group.values())
    np.testing.assert_array_equal(frame.by_group["count"][0], [np.sum(groups == g) for g in "abc"])
    np.testing.assert_allclose(frame.overall["auc"], qm.roc_auc(y, proba), rtol=0, atol=0)
    with pytest.raises(ValueError, match="read-only"):
        frame.overall["accuracy"][0] = 1.0


def test_hard_predictions_only_drop_score_metrics(frame_data):
    y, groups, proba = frame_data
    y_pred = (proba >= 0.3).astype(int)
    frame = StackMetricFrame(y, y_pred=y_pred, sensitive_features=groups)
    assert "auc" not in frame.overall
    assert "auc" not in frame.summarise(n_boot=20).overall
    assert frame.threshold is None
    thresholded = StackMetricFrame(y, proba, sensitive_features=groups, threshold=0.3)
    np.testing.assert_array_equal(frame.overall["accuracy"], thresholded.overall["accuracy"])


def test_summary_point_values_and_metadata(frame_data):
    y, groups, proba = frame_data
    frame = StackMetricFrame(y, proba, sensitive_features=groups)
    summary = frame.summarise(confidence=0.9, n_boot=300, random_state=4)
    assert set(summary.overall) == set(OVERALL_WITH_PROBA)
    assert set(summary.by_group) == {"accuracy", "tpr", "fpr", "selection_rate"}
    assert summary.groups == ("a", "b", "c")
    for key, est in summary.overall.items():
        assert isinstance(est, Estimate)
        assert est.value == pytest.approx(frame.overall[key].mean(), abs=1e-12)
        assert est.sd == pytest.approx(frame.overall[key].std(ddof=1), abs=1e-12)
        assert est.ci_low <= est.ci_high
        assert (est.confidence, est.n_boot, est.n_draws, est.n_undefined) == (0.9, 300, 30, 0)
        assert key in METRIC_INFO
    tpr_b = summary.by_group["tpr"]["b"]
    assert tpr_b.value == pytest.approx(frame.by_group["tpr"][:, 1].mean(), abs=1e-12)
    table = summary.to_frame()
    assert len(table) == len(OVERALL_WITH_PROBA) + 4 * 3
    assert summary.to_dict()["by_group"]["tpr"]["b"]["value"] == tpr_b.value


def test_summary_is_reproducible_and_seed_dependent(frame_data):
    y, groups, proba = frame_data
    frame = StackMetricFrame(y, proba, sensitive_features=groups)
    first = frame.summarise(n_boot=200, random_state=7)
    again = StackMetricFrame(y, proba, sensitive_features=groups).summarise(n_boot=200, random_state=7)
    other = frame.summarise(n_boot=200, random_state=8)
    assert first.overall == again.overall
    assert first.by_group["fpr"]["c"] == again.by_group["fpr"]["c"]
    assert first.overall["accuracy"].ci_low != other.overall["accuracy"].ci_low


def test_interval_widens_with_draw_noise():
    """Replicates pick a random draw, so draw-to-draw spread must widen the interval.

    Draws differ by a global score offset (calibration drift between runs); the reference stack repeats
    the middle draw, so both have the same data variability and only the draw spread differs.
    """
    rng = np.random.default_rng(2)
    n_rows = 500
    groups = rng.choice(np.array(["x", "y"]), n_rows)
    y = rng.integers(0, 2, n_rows)
    base = 0.5 + 0.3 * (y - 0.5) + rng.normal(0, 0.15, n_rows)
    drifting = np.clip(base[None, :] + np.linspace(-0.25, 0.25, 41)[:, None], 0, 1)
    repeated = np.tile(drifting[20], (41, 1))
    width = {}
    for name, proba in (("drifting", drifting), ("repeated", repeated)):
        est = StackMetricFrame(y, proba, sensitive_features=groups).summarise(n_boot=400).overall["accuracy"]
        width[name] = est.ci_high - est.ci_low
    assert width["drifting"] > 1.5 * width["repeated"]


def test_undefined_replicates_are_dropped_and_counted():
    """Group 'rare' has one positive row: its TPR is undefined whenever a resample misses that row."""
    rng = np.random.default_rng(9)
    n_rows = 300
    groups = np.where(np.arange(n_rows) < 30, "rare", "common")
    y = rng.integers(0, 2, n_rows)
    y[:30] = 0
    y[0] = 1
    proba = rng.random((5, n_rows))
    summary = StackMetricFrame(y, proba, sensitive_features=groups).summarise(n_boot=1000, random_state=1)
    rare_tpr = summary.by_group["tpr"]["rare"]
    # P(row 0 absent from a resample of 300 rows) = (1 - 1/300)^300 ≈ 0.367.
    assert 300 < rare_tpr.n_undefined < 440
    assert rare_tpr.n_undefined == summary.overall["equal_opportunity_difference"].n_undefined
    assert np.isfinite(rare_tpr.ci_low)
    assert np.isfinite(rare_tpr.ci_high)
    assert summary.by_group["tpr"]["common"].n_undefined == 0
    assert summary.by_group["fpr"]["rare"].n_undefined == 0


def test_single_draw_has_undefined_draw_spread():
    y = np.array([0, 1] * 50)
    groups = np.array(["a"] * 50 + ["b"] * 50)
    est = StackMetricFrame(y, np.linspace(0, 1, 100), sensitive_features=groups).summarise(n_boot=50)
    assert est.overall["accuracy"].n_draws == 1
    assert np.isnan(est.overall["accuracy"].sd)
    assert np.isfinite(est.overall["accuracy"].ci_low)


@pytest.mark.parametrize("metric", ["accuracy", "tpr"])
def test_bootstrap_interval_coverage_of_known_truth(metric):
    """Rows are correct with probability 0.8 independently of y and group: accuracy = TPR = 0.8."""
    rng = np.random.default_rng(1234)
    n_rows, repetitions, covered = 300, 200, 0
    for rep in range(repetitions):
        y = rng.integers(0, 2, n_rows)
        groups = rng.choice(np.array(["a", "b"]), n_rows)
        y_pred = np.where(rng.random(n_rows) < 0.8, y, 1 - y)
        summary = StackMetricFrame(y, y_pred=y_pred, sensitive_features=groups).summarise(
            n_boot=400, random_state=rep
        )
        est = summary.overall[metric] if metric == "accuracy" else summary.by_group[metric]["a"]
        covered += est.ci_low <= 0.8 <= est.ci_high
    assert 0.90 <= covered / repetitions <= 0.99


def test_results_pickle_and_use_python_group_labels(frame_data):
    y, _, proba = frame_data
    int_groups = np.where(np.arange(y.shape[0]) % 3 == 0, 10, 2)
    summary = StackMetricFrame(y, proba, sensitive_features=int_groups).summarise(n_boot=50)
    assert summary.groups == (2, 10)
    assert all(type(group) is int for group in summary.by_group["accuracy"])
    restored = pickle.loads(pickle.dumps(summary))
    assert restored.overall["accuracy"] == summary.overall["accuracy"]
    assert restored.group_sizes == {2: int(np.sum(int_groups == 2)), 10: int(np.sum(int_groups == 10))}


def test_hard_predictions_with_probabilities_are_used_as_given(frame_data):
    y, groups, proba = frame_data
    own_rule = (proba >= 0.7).astype(int)
    frame = StackMetricFrame(y, proba, y_pred=own_rule, sensitive_features=groups)
    np.testing.assert_array_equal(frame.overall["selection_rate"], own_rule.mean(axis=1))
    np.testing.assert_array_equal(frame.overall["auc"], qm.roc_auc(y, proba))
