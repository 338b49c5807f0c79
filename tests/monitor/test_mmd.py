"""MMD: the vectorised estimator against a naive double loop, and the permutation p-value's behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.monitor.mmd import mmd


def naive_unbiased_mmd2(x: np.ndarray, y: np.ndarray, bandwidth: float) -> float:
    """Gretton et al. (2012), Lemma 6, written as the three double sums."""

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-sum((ai - bi) ** 2 for ai, bi in zip(a, b, strict=True)) / (2 * bandwidth**2))

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def naive_median_distance(x: np.ndarray) -> float:
    distances = [math.dist(x[i], x[j]) for i in range(len(x)) for j in range(i + 1, len(x))]
    return float(np.median(distances))


@pytest.mark.parametrize(("m", "n", "d", "shift"), [(7, 5, 3, 0.0), (12, 9, 2, 0.5), (4, 10, 1, 2.0)])
def test_equals_the_naive_double_loop(m, n, d, shift):
    rng = np.random.default_rng(m * n)
    x, y = rng.normal(size=(m, d)), rng.normal(shift, 1.0, size=(n, d))
    result = mmd(x, y, n_permutations=10, seed=1)
    bandwidth = naive_median_distance(x)
    assert result.detail["bandwidth"] == pytest.approx(bandwidth, abs=1e-14)
    assert result.statistic == pytest.approx(naive_unbiased_mmd2(x, y, bandwidth), abs=1e-12)
    assert (result.reference_n, result.current_n, result.seed) == (m, n, 1)


def test_permuted_statistics_are_the_naive_estimator_on_relabelled_rows():
    # the matrix-product form of every permutation equals the estimator on the relabelled rows
    from qtrust.monitor.mmd import gaussian_kernel, unbiased_mmd2

    rng = np.random.default_rng(2)
    pooled = rng.normal(size=(11, 2))
    labels = np.zeros((11, 3))
    chosen = [rng.permutation(11)[:6] for _ in range(3)]
    for column, rows in enumerate(chosen):
        labels[rows, column] = 1.0
    values = unbiased_mmd2(gaussian_kernel(pooled, 0.7), labels, 6)
    for column, rows in enumerate(chosen):
        rest = np.setdiff1d(np.arange(11), rows)
        assert values[column] == pytest.approx(
            naive_unbiased_mmd2(pooled[rows], pooled[rest], 0.7), abs=1e-12
        )


def test_no_shift_rarely_alarms():
    p_values = []
    for trial in range(40):
        rng = np.random.default_rng(trial)
        result = mmd(rng.normal(size=(60, 3)), rng.normal(size=(60, 3)), n_permutations=100, seed=trial)
        p_values.append(result.p_value)
    assert np.mean(np.array(p_values) < 0.05) <= 0.15
    assert np.median(p_values) > 0.25


def test_a_large_mean_shift_gets_the_smallest_possible_p_value():
    rng = np.random.default_rng(4)
    result = mmd(rng.normal(size=(80, 4)), rng.normal(1.5, 1.0, size=(80, 4)), n_permutations=200, seed=4)
    assert result.p_value == 1 / 201 == result.detail["p_value_floor"]
    assert result.drifted


def test_seeded_and_reproducible():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(40, 2)), rng.normal(0.2, 1.0, size=(40, 2))
    assert mmd(x, y, seed=9) == mmd(x, y, seed=9)
    assert mmd(x, y, seed=9).statistic == mmd(x, y, seed=10).statistic  # no subsampling: only p may differ


def test_large_windows_are_subsampled_with_the_seed():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(50, 2))
    result = mmd(x, y, max_n=100, n_permutations=20, seed=3)
    assert result.detail["reference_subsampled"]
    assert not result.detail["current_subsampled"]
    assert (result.detail["reference_used"], result.detail["current_used"]) == (100, 50)
    assert result.reference_n == 300
    assert result == mmd(x, y, max_n=100, n_permutations=20, seed=3)
    assert result.statistic != mmd(x, y, max_n=100, n_permutations=20, seed=4).statistic


def test_identical_constant_windows():
    result = mmd(np.zeros((10, 2)), np.zeros((8, 2)), n_permutations=20)
    assert result.statistic == pytest.approx(0.0, abs=1e-15)
    assert result.p_value == 1.0
    assert not result.drifted
    assert result.detail["bandwidth"] == 1.0


def test_unusable_input():
    with pytest.raises(InputError, match="angle columns"):
        mmd(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(InputError, match="fewer than the 2 needed"):
        mmd(np.zeros((5, 2)), np.zeros((1, 2)))
    with pytest.raises(InputError, match="not finite"):
        mmd(np.array([[0.0, np.nan], [1.0, 1.0]]), np.zeros((5, 2)))
