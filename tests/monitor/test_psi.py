"""PSI: closed-form values on hand-made histograms, the binning, empty cells and unusable input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.monitor.psi import EPSILON, THRESHOLD, psi, psi_from_counts


def test_two_cell_histogram():
    # proportions 0.5/0.5 against 0.25/0.75
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert psi_from_counts([50, 50], [25, 75]) == pytest.approx(expected, abs=1e-15)
    assert psi_from_counts([10, 20, 30], [10, 20, 30]) == 0.0


def test_psi_is_symmetric_in_the_two_windows():
    assert psi_from_counts([10, 30, 60], [30, 30, 40]) == pytest.approx(
        psi_from_counts([30, 30, 40], [10, 30, 60])
    )


def test_an_empty_cell_counts_as_epsilon():
    # reference 0.5/0.5/0; current 0.4/0.4/0.2: the empty reference cell is floored at EPSILON
    expected = 2 * (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.2 - EPSILON) * math.log(0.2 / EPSILON)
    assert psi_from_counts([5, 5, 0], [4, 4, 2]) == pytest.approx(expected, abs=1e-15)


def test_numeric_bins_are_reference_deciles():
    reference = np.arange(100.0)  # cells (-inf, 0), [0, 9], (9, 19], ..., (89, 99], (99, inf)
    current = np.concatenate([np.full(30, 5.0), np.full(70, 95.0)])  # 30% in decile 1, 70% in decile 10
    result = psi(reference, current, subject="x")
    assert result.detail["edges"] == [0.0, 9.0, 19.0, 29.0, 39.0, 49.0, 59.0, 69.0, 79.0, 89.0, 99.0]
    assert result.detail["cells"] == 12
    assert result.detail["reference_counts"] == [0] + [10] * 10 + [0]
    assert result.detail["current_counts"] == [0, 30] + [0] * 8 + [70, 0]
    expected = (
        (0.3 - 0.1) * math.log(0.3 / 0.1)
        + (0.7 - 0.1) * math.log(0.7 / 0.1)
        + 8 * (EPSILON - 0.1) * math.log(EPSILON / 0.1)
    )  # the two out-of-range cells are empty in both windows and add nothing
    assert result.statistic == pytest.approx(expected, abs=1e-12)
    assert result.drifted
    assert result.threshold == THRESHOLD == 0.2
    assert result.p_value is None
    assert result.reference_n == result.current_n == 100


def test_values_beyond_the_reference_range_get_their_own_cells():
    result = psi(np.arange(100.0), np.array([-1e9, 0.0, 99.0, 1e9]), subject="x")
    assert result.detail["current_counts"] == [1, 1] + [0] * 8 + [1, 1]


def test_discrete_feature_bins_are_deduplicated():
    reference = np.repeat([1.0, 2.0, 3.0, 4.0], 25)
    result = psi(reference, reference, subject="rate")
    assert result.detail["edges"] == [1.0, 1.0, 2.0, 3.0, 4.0]  # one cell per value, none zero-width
    assert result.detail["reference_counts"] == [0, 25, 25, 25, 25, 0]
    assert result.statistic == 0.0
    assert not result.drifted


@pytest.mark.parametrize("moved_to", [2.0, 4.0])
def test_constant_column(moved_to):
    same = psi(np.full(50, 3.0), np.full(40, 3.0), subject="c")
    assert same.detail["reference_counts"] == [0, 50, 0]
    assert same.statistic == 0.0
    assert not same.drifted
    moved = psi(np.full(50, 3.0), np.full(40, moved_to), subject="c")
    assert moved.drifted


def test_a_rare_value_of_a_binary_feature_keeps_its_cell():
    reference = np.array([0.0] * 95 + [1.0] * 5)
    result = psi(reference, np.array([0.0] * 60 + [1.0] * 40), subject="flag")
    assert result.detail["reference_counts"] == [0, 95, 5, 0]
    assert result.drifted


def test_small_change_stays_below_the_threshold():
    rng = np.random.default_rng(3)
    result = psi(rng.normal(size=2000), rng.normal(0.05, 1.0, size=2000), subject="x")
    assert 0 < result.statistic < 0.1
    assert not result.drifted


def test_categorical_union_includes_a_category_only_in_current():
    reference = ["a"] * 60 + ["b"] * 40
    current = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    result = psi(reference, current, subject="purpose", kind="category")
    assert result.detail["categories"] == ["a", "b", "c"]
    assert result.detail["reference_counts"] == [60, 40, 0]
    expected = (
        (0.5 - 0.6) * math.log(0.5 / 0.6)
        + (0.3 - 0.4) * math.log(0.3 / 0.4)
        + (0.2 - EPSILON) * math.log(0.2 / EPSILON)
    )
    assert result.statistic == pytest.approx(expected, abs=1e-15)
    assert result.drifted


def test_a_known_category_absent_from_both_windows_adds_nothing():
    plain = psi(["a", "b"], ["a", "b"], subject="s", kind="category")
    known = psi(["a", "b"], ["a", "b"], subject="s", kind="category", categories=["a", "b", "z"])
    assert known.detail["categories"] == ["a", "b", "z"]
    assert known.statistic == plain.statistic == 0.0


@pytest.mark.parametrize(
    ("reference", "current", "message"),
    [
        ([], [1.0], "empty"),
        ([1.0, 2.0], [], "empty"),
        ([1.0, np.nan], [1.0], "not finite"),
        ([1.0, 2.0], [np.inf], "not finite"),
        (["a", "b"], [1.0], "not numbers"),
    ],
)
def test_unusable_numeric_input(reference, current, message):
    with pytest.raises(InputError, match=message) as raised:
        psi(reference, current, subject="age_years")
    assert "'age_years'" in str(raised.value)
    assert raised.value.fix


def test_missing_category_is_refused():
    with pytest.raises(InputError, match="missing"):
        psi(["a", None], ["a"], subject="purpose", kind="category")


def test_quantile_edges_are_reference_values():
    from qtrust.monitor._histogram import quantile_edges

    edges = quantile_edges(np.arange(100.0), 10)
    assert edges.tolist() == [0.0, 9.0, 19.0, 29.0, 39.0, 49.0, 59.0, 69.0, 79.0, 89.0, 99.0]


@pytest.mark.parametrize("n", [7, 100, 501, 1000])
def test_quantile_edges_match_numpys_inverted_cdf(n):
    from qtrust.monitor._histogram import quantile_edges

    reference = np.random.default_rng(n).normal(size=n)
    levels = [i / 10 for i in range(1, 10)]
    expected = np.unique(np.quantile(reference, levels, method="inverted_cdf"))
    assert quantile_edges(reference, 10)[1:-1].tolist() == expected[expected < reference.max()].tolist()
