"""Intervals and the seed/shot/data variance decomposition."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import qtrust.metrics as qm


def test_t_interval_equals_scipy():
    values = np.array([0.71, 0.74, 0.69, 0.77, 0.73, np.nan])
    est = qm.t_interval(values, confidence=0.9)
    defined = values[:-1]
    low, high = stats.t.interval(0.9, len(defined) - 1, loc=defined.mean(), scale=stats.sem(defined))
    assert (est.ci_low, est.ci_high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert est.value == pytest.approx(defined.mean(), abs=1e-15)
    assert est.sd == pytest.approx(defined.std(ddof=1), abs=1e-15)
    assert (est.n_draws, est.n_undefined, est.n_boot) == (5, 1, 0)
    assert set(est.to_dict()) == {
        "value", "ci_low", "ci_high", "confidence", "sd", "n_draws", "n_boot", "n_undefined", "method"
    }  # fmt: skip


def test_t_interval_of_one_value_has_no_interval():
    est = qm.t_interval([0.5])
    assert est.value == 0.5
    assert np.isnan(est.ci_low)
    assert np.isnan(est.ci_high)
    assert np.isnan(est.sd)


def test_percentile_interval_equals_numpy_quantile_ignoring_nan():
    rng = np.random.default_rng(0)
    replicates = rng.normal(size=(257, 3, 2))
    replicates[rng.random(replicates.shape) < 0.2] = np.nan
    replicates[:, 2, 1] = np.nan
    low, high, undefined = qm.percentile_interval(replicates, 0.9)
    assert low.shape == (3, 2)
    for i in range(3):
        for j in range(2):
            column = replicates[:, i, j]
            defined = column[~np.isnan(column)]
            assert undefined[i, j] == 257 - defined.size
            if defined.size:
                assert low[i, j] == pytest.approx(np.quantile(defined, 0.05), abs=1e-14)
                assert high[i, j] == pytest.approx(np.quantile(defined, 0.95), abs=1e-14)
            else:
                assert np.isnan(low[i, j])
                assert np.isnan(high[i, j])


def test_variance_decomposition_recovers_exact_seed_and_shot_parts():
    """Seed s makes rows [0, a_s) correct, shot draw r rows [500, 500 + b_r): accuracy = (a_s + b_r)/N."""
    n_rows = 1000
    seed_rows = np.array([100, 150, 220, 300, 260])
    shot_rows = np.array([10, 30, 35, 60, 80, 45])
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, n_rows)
    correct = np.zeros((len(seed_rows), len(shot_rows), n_rows), dtype=bool)
    for s, a in enumerate(seed_rows):
        correct[s, :, :a] = True
        for r, b in enumerate(shot_rows):
            correct[s, r, 500 : 500 + b] = True
    proba = np.where(correct, y, 1 - y).astype(float)
    result = qm.variance_decomposition(y, proba, metric="accuracy", n_boot=2000, random_state=0)
    assert result.seed == pytest.approx(np.var(seed_rows, ddof=1) / n_rows**2, rel=1e-12)
    assert result.shot == pytest.approx(np.var(shot_rows, ddof=1) / n_rows**2, rel=1e-12)
    accuracy = (seed_rows[:, None] + shot_rows[None, :]) / n_rows
    # Bootstrap variance of a proportion p over N rows is p(1 - p)/N (plug-in).
    assert result.data == pytest.approx(np.mean(accuracy * (1 - accuracy)) / n_rows, rel=0.08)
    assert result.total == pytest.approx(result.seed + result.shot + result.data, rel=1e-12)
    fractions = result.fraction_seed + result.fraction_shot + result.fraction_data
    assert fractions == pytest.approx(1.0, abs=1e-12)
    assert result.seed_corrected == pytest.approx(result.seed - result.shot / len(shot_rows), rel=1e-12)
    assert result.mean == pytest.approx(accuracy.mean(), abs=1e-12)
    assert (result.n_seeds, result.n_shots, result.n_rows, result.n_undefined) == (5, 6, 1000, 0)


def test_variance_decomposition_seed_offset_shifts_scores():
    """Seeds shift every score by a known offset; with no shot noise the shot part is exactly 0."""
    rng = np.random.default_rng(8)
    n_rows = 2000
    y = np.zeros(n_rows, dtype=int)
    groups = rng.choice(np.array(["g", "h"]), n_rows)
    base = np.linspace(0.0, 1.0, n_rows, endpoint=False) + 0.5 / n_rows
    offsets = np.array([-0.1, 0.0, 0.05, 0.2])
    proba = np.repeat(np.clip(base[None, :] + offsets[:, None], 0, 1)[:, None, :], 3, axis=1)
    result = qm.variance_decomposition(
        y, proba, metric="selection_rate", sensitive_features=groups, n_boot=300, random_state=1
    )
    # Selection rate = P(base + offset >= 0.5) = 0.5 + offset for a uniform base grid.
    assert result.shot == pytest.approx(0.0, abs=1e-20)
    assert result.seed == pytest.approx(np.var(offsets, ddof=1), rel=1e-2)
    assert result.fraction_seed > 0.95


def test_variance_decomposition_pure_shot_noise_leaks_into_seed_part_as_documented():
    """No seed effect: seed ≈ shot / R (the documented bias) and seed_corrected ≈ 0."""
    rng = np.random.default_rng(4)
    n_seeds, n_shots, n_rows = 80, 4, 300
    y = rng.integers(0, 2, n_rows)
    groups = rng.choice(np.array(["g", "h"]), n_rows)
    proba = rng.random((n_seeds, n_shots, n_rows))
    result = qm.variance_decomposition(
        y, proba, metric="demographic_parity_difference", sensitive_features=groups, n_boot=50
    )
    assert result.seed == pytest.approx(result.shot / n_shots, rel=0.4)
    assert abs(result.seed_corrected) < 0.4 * result.shot / n_shots
    assert result.fraction_shot > result.fraction_seed
