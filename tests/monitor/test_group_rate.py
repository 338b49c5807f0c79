"""One group's favourable rate against its audited rate: scipy's own test, Holm across groups."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from qtrust.errors import InputError
from qtrust.monitor.group_rate import group_rate, reference_counts

REFERENCE = {"female": {"positives": 47, "rows": 93}, "male": {"positives": 129, "rows": 207}}


def _current(rng, female_rate: float, male_rate: float, n: int = 300):
    groups = rng.choice(["female", "male"], size=n, p=[0.31, 0.69])
    rates = np.where(groups == "female", female_rate, male_rate)
    return list(zip(groups.tolist(), (rng.random(n) < rates).astype(int).tolist(), strict=True))


def test_each_group_is_scipys_test_holm_adjusted():
    current = _current(np.random.default_rng(0), 0.25, 0.62)
    results = {r.subject: r for r in group_rate(REFERENCE, current)}
    raw = []
    for group in ("female", "male"):
        rows = [d for g, d in current if g == group]
        table = [
            [REFERENCE[group]["positives"], REFERENCE[group]["rows"] - REFERENCE[group]["positives"]],
            [sum(rows), len(rows) - sum(rows)],
        ]
        raw.append(chi2_contingency(np.array(table)).pvalue)
        result = results[f"favourable rate of {group}"]
        assert result.detail["raw_p_value"] == pytest.approx(raw[-1], rel=1e-12)
        assert result.statistic == pytest.approx(
            sum(rows) / len(rows) - table[0][0] / REFERENCE[group]["rows"]
        )
    low, high = sorted(raw)  # Holm with two tests: the smaller doubled, the larger at least that
    adjusted = {low: min(1.0, 2 * low), high: min(1.0, max(2 * low, high))}
    for group, p in zip(("female", "male"), raw, strict=True):
        assert results[f"favourable rate of {group}"].p_value == pytest.approx(adjusted[p], rel=1e-12)
    assert results["favourable rate of female"].drifted  # halved: seen
    assert not results["favourable rate of male"].drifted  # unchanged


def test_unchanged_rates_rarely_alarm_and_small_groups_are_not_judged():
    rng = np.random.default_rng(1)
    alarms = sum(
        any(r.drifted for r in group_rate(REFERENCE, _current(rng, 47 / 93, 129 / 207))) for _ in range(200)
    )
    assert alarms <= 0.05 * 200 + 3 * np.sqrt(0.05 * 0.95 * 200)
    assert group_rate(REFERENCE, [("female", 1)] * 10) == []  # fewer than 30 rows: not judged
    with pytest.raises(InputError, match="not 0 or 1"):
        group_rate(REFERENCE, [("female", 2)] * 40)
    assert reference_counts([1, 0, 1, 1], ["a", "a", "b", "b"]) == {
        "a": {"positives": 1, "rows": 2},
        "b": {"positives": 2, "rows": 2},
    }
