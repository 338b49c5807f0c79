"""Paired quantum-vs-classical comparison: power, calibration under H0, McNemar by hand."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

import qtrust.metrics as qm


def simulate(rng, n_rows, n_seeds, p_correct_a, p_correct_b, seed_flip=0.5):
    """Two models whose rows are right with the given probabilities.

    Each model has one right/wrong pattern over the rows; each seed re-draws a row's outcome with
    probability ``seed_flip`` (0.5 or more: seeds independent; small: seeds mostly agree, as real
    retrainings do).
    """
    y = rng.integers(0, 2, n_rows)
    groups = rng.choice(np.array(["u", "v"]), n_rows)

    def model(p_correct):
        pattern = rng.random(n_rows) < p_correct
        redraw = rng.random((n_seeds, n_rows)) < seed_flip
        correct = np.where(redraw, rng.random((n_seeds, n_rows)) < p_correct, pattern)
        confidence = rng.uniform(0.55, 1.0, (n_seeds, n_rows))
        return np.where(correct == (y == 1), confidence, 1.0 - confidence)

    return y, groups, model(p_correct_a), model(p_correct_b)


def test_clearly_better_model_is_detected():
    rng = np.random.default_rng(0)
    y, groups, proba_a, proba_b = simulate(rng, 400, 4, 0.85, 0.70, seed_flip=1.0)
    result = qm.paired_comparison(
        y, groups, proba_a, proba_b, metrics=("accuracy", "auc"), n_boot=400, n_permutations=500
    )
    acc = result.differences["accuracy"]
    expected_a = np.mean([np.mean((p >= 0.5) == y) for p in proba_a])
    expected_b = np.mean([np.mean((p >= 0.5) == y) for p in proba_b])
    assert acc.value_a == pytest.approx(expected_a, abs=1e-12)
    assert acc.difference == pytest.approx(expected_a - expected_b, abs=1e-12)
    assert acc.p_value < 0.01
    assert 0.0 < acc.ci_low <= acc.difference <= acc.ci_high
    assert acc.favours == "a"
    assert result.differences["auc"].p_value < 0.01
    assert result.mcnemar.p_value < 0.01
    assert result.mcnemar.n_a_only > result.mcnemar.n_b_only
    assert result.to_dict()["differences"]["accuracy"]["favours"] == "a"


def test_p_values_are_calibrated_when_models_are_exchangeable():
    """Seeds of a model mostly agree, so swaps must move whole rows (all seeds) to stay calibrated."""
    rng = np.random.default_rng(1)
    p_values, covered = [], 0
    for rep in range(120):
        y, groups, proba_a, proba_b = simulate(rng, 200, 3, 0.75, 0.75, seed_flip=0.1)
        result = qm.paired_comparison(
            y,
            groups,
            proba_a,
            proba_b,
            metrics=("accuracy", "demographic_parity_difference"),
            n_boot=200,
            n_permutations=200,
            random_state=rep,
        )
        acc = result.differences["accuracy"]
        p_values.append((acc.p_value, result.differences["demographic_parity_difference"].p_value))
        covered += acc.ci_low <= 0.0 <= acc.ci_high
    p_values = np.array(p_values)
    assert np.mean(p_values < 0.05, axis=0).max() <= 0.10
    # Roughly uniform: about half below 0.5, for both metrics.
    assert np.all(np.abs(np.mean(p_values < 0.5, axis=0) - 0.5) < 0.15)
    assert covered / 120 >= 0.88


def test_mcnemar_equals_hand_computed_binomial_tail():
    """9 rows right only under a, 2 only under b: p = 2·P(X ≤ 2), X ~ Binomial(11, 1/2)."""
    y = np.array([1] * 20 + [0] * 20)
    right_a = np.ones(40, dtype=bool)
    right_b = np.ones(40, dtype=bool)
    right_b[:9] = False  # a only
    right_a[20:22] = False  # b only
    right_a[30:33] = right_b[30:33] = False  # both wrong
    # Two seeds whose mean probability lands on the intended side of 0.5.
    proba_a = np.stack([np.where(right_a == (y == 1), p, 1 - p) for p in (0.9, 0.6)])
    proba_b = np.stack([np.where(right_b == (y == 1), p, 1 - p) for p in (0.7, 0.8)])
    result = qm.paired_comparison(
        y, None, proba_a, proba_b, metrics=("accuracy",), n_boot=10, n_permutations=10
    )
    mc = result.mcnemar
    assert (mc.n_a_only, mc.n_b_only, mc.n_neither, mc.n_both) == (9, 2, 3, 26)
    expected = 2 * sum(comb(11, k) for k in range(3)) / 2**11
    assert mc.p_value == pytest.approx(expected, abs=1e-15)
    assert expected == pytest.approx(0.0654296875)


def test_mcnemar_uses_pooled_mean_probability():
    """A row wrong in 2 of 3 seeds but with mean probability on the right side counts as right."""
    y = np.array([1, 1, 0, 0])
    proba_a = np.array([[0.45, 0.9, 0.1, 0.2], [0.45, 0.9, 0.1, 0.2], [0.99, 0.9, 0.1, 0.2]])
    proba_b = np.array([[0.1, 0.9, 0.1, 0.2]] * 3)
    mc = qm.paired_comparison(
        y, None, proba_a, proba_b, metrics=("accuracy",), n_boot=5, n_permutations=5
    ).mcnemar
    assert (mc.n_a_only, mc.n_b_only) == (1, 0)
    assert mc.p_value == 1.0


def test_identical_models_give_zero_difference_and_p_one():
    rng = np.random.default_rng(2)
    y, groups, proba_a, _ = simulate(rng, 150, 2, 0.8, 0.8)
    result = qm.paired_comparison(y, groups, proba_a, proba_a.copy(), n_boot=50, n_permutations=50)
    for diff in result.differences.values():
        assert diff.difference == 0.0
        assert diff.p_value == 1.0
        assert diff.ci_low == diff.ci_high == 0.0
        assert diff.favours is None
    assert result.mcnemar.p_value == 1.0
    assert result.mcnemar.n_a_only == 0


def test_paired_result_is_reproducible():
    rng = np.random.default_rng(3)
    y, groups, proba_a, proba_b = simulate(rng, 120, 2, 0.8, 0.75)
    kwargs = {"metrics": ("accuracy", "equalized_odds_difference"), "n_boot": 100, "n_permutations": 100}
    first = qm.paired_comparison(y, groups, proba_a, proba_b, random_state=5, **kwargs)
    again = qm.paired_comparison(y, groups, proba_a, proba_b, random_state=5, **kwargs)
    assert first.differences == again.differences
