"""Chi-square: scipy's own numbers on the same table, and the edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from qtrust.errors import InputError
from qtrust.monitor.chi_square import chi_square


def test_equals_scipy_on_the_table_of_counts():
    rng = np.random.default_rng(8)
    reference = rng.choice(["a", "b", "c", "d"], size=400, p=[0.4, 0.3, 0.2, 0.1])
    current = rng.choice(["a", "b", "c", "d"], size=250, p=[0.3, 0.3, 0.25, 0.15])
    table = [[np.sum(reference == c) for c in "abcd"], [np.sum(current == c) for c in "abcd"]]
    expected = chi2_contingency(table)
    result = chi_square(reference, current, subject="purpose")
    assert result.statistic == expected.statistic
    assert result.p_value == expected.pvalue
    assert result.drifted == (expected.pvalue < 0.05)
    assert result.detail["dof"] == 3
    assert result.detail["reference_counts"] == table[0]


def test_two_categories_use_scipys_default_continuity_correction():
    reference, current = ["y"] * 70 + ["n"] * 30, ["y"] * 55 + ["n"] * 45
    expected = chi2_contingency([[30, 70], [45, 55]])  # categories sorted: n, y
    assert chi_square(reference, current).p_value == expected.pvalue


def test_a_category_only_in_current_is_counted():
    reference = ["a"] * 50 + ["b"] * 50
    current = ["a"] * 45 + ["b"] * 45 + ["new"] * 10
    result = chi_square(reference, current)
    assert result.detail["categories"] == ["a", "b", "new"]
    assert result.detail["only_in_current"] == ["new"]
    assert result.p_value == chi2_contingency([[50, 50, 0], [45, 45, 10]]).pvalue
    assert result.drifted


def test_known_categories_seen_in_neither_window_are_dropped():
    reference, current = ["a"] * 30 + ["b"] * 20, ["a"] * 25 + ["b"] * 25
    plain = chi_square(reference, current)
    known = chi_square(reference, current, categories=["a", "b", "c", "d"])
    assert known.detail["categories"] == ["a", "b"]
    assert known.p_value == plain.p_value


def test_a_constant_column_is_no_change():
    result = chi_square(["yes"] * 20, ["yes"] * 30)
    assert (result.statistic, result.p_value, result.drifted) == (0.0, 1.0, False)
    assert result.detail["dof"] == 0


def test_a_constant_column_that_changes_category_is_detected():
    result = chi_square(["yes"] * 40, ["no"] * 40)
    assert result.drifted
    assert result.p_value < 1e-10


@pytest.mark.parametrize(
    ("reference", "current"), [(["a"], []), (["a", np.nan], ["a"]), (["a", None], ["a"])]
)
def test_unusable_input(reference, current):
    with pytest.raises(InputError) as raised:
        chi_square(reference, current, subject="housing")
    assert "'housing'" in str(raised.value)
