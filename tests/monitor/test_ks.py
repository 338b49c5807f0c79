"""KS: scipy's own numbers on the same data, and the edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from qtrust.errors import InputError
from qtrust.monitor.ks import ks


@pytest.mark.parametrize("shift", [0.0, 0.2, 1.0])
def test_equals_scipy(shift):
    rng = np.random.default_rng(5)
    reference, current = rng.normal(size=300), rng.normal(shift, 1.0, size=200)
    expected = ks_2samp(reference, current)
    result = ks(reference, current, subject="x", alpha=0.01)
    assert result.statistic == expected.statistic
    assert result.p_value == expected.pvalue
    assert result.drifted == (expected.pvalue < 0.01)
    assert result.threshold == 0.01
    assert (result.reference_n, result.current_n) == (300, 200)


def test_discrete_feature_equals_scipy():
    rng = np.random.default_rng(6)
    reference, current = rng.integers(1, 5, 400), rng.integers(1, 5, 300)
    assert ks(reference, current).p_value == ks_2samp(reference, current).pvalue


def test_constant_columns():
    same = ks(np.full(30, 2.0), np.full(20, 2.0))
    assert same.statistic == 0.0
    assert same.p_value == 1.0
    assert not same.drifted
    moved = ks(np.full(30, 2.0), np.full(20, 3.0))
    assert moved.statistic == 1.0
    assert moved.drifted
    assert moved.detail["statistic_sign"] == 1  # the current window moved up


@pytest.mark.parametrize(("reference", "current"), [([], [1.0, 2.0]), ([1.0, np.nan], [1.0, 2.0])])
def test_unusable_input(reference, current):
    with pytest.raises(InputError, match="reference window, 'duration'"):
        ks(reference, current, subject="duration")
