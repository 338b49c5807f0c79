"""The confidence sequences hold at every look; a fixed-sample interval re-checked at every look does not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from qtrust.rollout.sequential import _log_mixture, bernoulli_cs, bounded_mean_cs


@pytest.mark.parametrize(("k", "n", "p"), [(0, 10, 0.1), (3, 40, 0.05), (30, 60, 0.7)])
def test_the_mixture_is_the_integral_it_stands_for(k, n, p):
    ratio = lambda q: (q / p) ** k * ((1 - q) / (1 - p)) ** (n - k) * stats.beta.pdf(q, 0.5, 0.5)  # noqa: E731
    numeric, _ = integrate.quad(ratio, 0, 1, points=[k / n], limit=200)
    assert math.exp(_log_mixture(p, k, n)) == pytest.approx(numeric, rel=1e-6)


def test_the_interval_contains_the_estimate_and_narrows():
    assert bernoulli_cs(0, 0, 0.05) == (0.0, 1.0)
    low, high = bernoulli_cs(0, 500, 0.05)
    assert low == 0.0
    assert 0 < high < 0.02
    widths = [np.subtract(*bernoulli_cs(n // 10, n, 0.05)[::-1]) for n in (100, 1_000, 10_000)]
    assert widths[0] > widths[1] > widths[2]
    for k, n in [(5, 100), (50, 100), (99, 100)]:
        low, high = bernoulli_cs(k, n, 0.05)
        assert low < k / n < high
        cp = stats.binomtest(k, n).proportion_ci(0.95)  # the anytime interval is wider than the fixed-n one
        assert low <= cp.low
        assert high >= cp.high


def test_looking_after_every_interval_keeps_the_rate_for_the_sequence_not_for_a_fixed_interval():
    rng = np.random.default_rng(7)
    alpha, p, streams = 0.05, 0.05, 200
    looks = np.arange(25, 2_001, 25)
    sequence_missed = fixed_missed = 0
    for _ in range(streams):
        k = np.cumsum(rng.random(2_000) < p)[looks - 1]
        bounds = [bernoulli_cs(int(kk), int(n), alpha) for kk, n in zip(k, looks, strict=True)]
        sequence_missed += any(not low <= p <= high for low, high in bounds)
        # Clopper-Pearson (what scipy's binomtest reports), recomputed at every look
        cp_low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, looks - k + 1), 0.0)
        cp_high = np.where(k < looks, stats.beta.ppf(1 - alpha / 2, k + 1, looks - k), 1.0)
        fixed_missed += bool(np.any((p < cp_low) | (p > cp_high)))
    se = math.sqrt(alpha * (1 - alpha) / streams)
    assert sequence_missed / streams <= alpha + 3 * se
    assert fixed_missed / streams > 3 * alpha  # what a re-checked fixed threshold does to a healthy canary


def test_the_bounded_mean_sequence_covers_a_paired_difference():
    rng = np.random.default_rng(3)
    alpha, streams, missed = 0.05, 300, 0
    values = np.array([-1, 0, 1])
    probabilities = np.array([0.15, 0.7, 0.15])  # mean 0
    for _ in range(streams):
        draws = rng.choice(values, size=1_000, p=probabilities)
        totals = np.cumsum(draws)
        bounds = [
            bounded_mean_cs(float(totals[n - 1]), n, alpha, planned_n=200) for n in range(10, 1_001, 10)
        ]
        missed += any(not low <= 0 <= high for low, high in bounds)
    assert missed / streams <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / streams)
    assert bounded_mean_cs(-300.0, 1_000, 0.05)[1] < 0  # a clear drop of 0.3 is seen
