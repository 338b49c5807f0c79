"""Number formatting and the derived read-outs (noise tolerance, shot advice)."""

from __future__ import annotations

import math

import pytest

from qtrust.assess.shots import shot_advice as shot_advice_rule
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (fmt.num, 0.69333, "0.693"),
        (fmt.num, None, "n/a"),
        (fmt.num, math.nan, "n/a"),
        (fmt.num, -0.0001, "0.000"),
        (fmt.signed, 0.03, "+0.030"),
        (fmt.signed, -0.0544, "-0.054"),
        (fmt.signed, 0.0, "0.000"),
        (fmt.pct, 0.0852, "8.5%"),
        (fmt.p_value, 0.0001, "< 0.001"),
        (fmt.p_value, 0.4172, "0.417"),
        (fmt.duration, 81.932, "1 min 22 s"),
        (fmt.duration, 0.04, "< 0.1 s"),
        (fmt.duration, 7322, "2 h 2 min"),
        (fmt.level, 1e-05, "1e-05"),
        (fmt.level, 0.03, "0.03"),
    ],
)
def test_formatters(fn, value, expected):
    assert fn(value) == expected


def test_metric_units():
    assert fmt.metric_value("tpr", 0.7016) == "70.2%"
    assert fmt.metric_value("accuracy", 0.7016) == "0.702"
    assert fmt.metric_change("selection_rate", 0.0234) == "+2.3 pp"
    assert fmt.interval("fpr", 0.1, 0.2) == "[10.0%, 20.0%]"
    assert fmt.interval("accuracy", None, 0.2) == "n/a"


def test_timestamp():
    assert fmt.timestamp("2026-11-25T14:28:33+00:00") == "25 Nov 2026, 14:28 UTC"
    assert fmt.timestamp("2026-01-05T09:00:00+02:00") == "5 Jan 2026, 09:00 +0200"
    assert fmt.timestamp("not a date") == "not a date"


def test_channel_profiles_follow_the_verdict_rules(result):
    sweep = next(s for s in result.noise if s.model == "vqc")
    profiles = {p.channel: p for p in derive.channel_profiles(result, sweep)}
    dep, readout = profiles["depolarizing"], profiles["readout"]
    assert dep.accuracy_break.level == 0.01  # change -0.024 < -0.02
    assert dep.fairness_break.level == 0.01  # 0.110 > 0.1
    assert dep.tolerated == 0.001
    assert not dep.robust
    assert readout.robust
    assert readout.tolerated == 0.01
    assert readout.paths == ["heisenberg"]


def test_shot_advice(result):
    shots = result.shots[0]
    advice = derive.shot_advice(result, shots)
    assert advice.minimum == 10000
    assert advice.extrapolated is None
    # upper bound 0.0056 at 10,000 shots; (0.0056 / 0.001)^2 × 10,000 = 313,600 → 320,000
    minimum, extrapolated = shot_advice_rule(shots.points, 0.001)
    assert minimum is None
    assert extrapolated == 320000
    strict = shots.model_copy(
        update={"flip_limit": 0.001, "minimum_shots": None, "extrapolated_shots": 320000}
    )
    assert "320,000" in derive.shot_advice(result, strict).text()


def test_fairness_status(result, make_estimate):
    from qtrust.results.schema import Estimate

    assert derive.fairness_status(result, "demographic_parity_difference", make_estimate(0.105)) == "fail"
    assert derive.fairness_status(result, "equalized_odds_difference", make_estimate(0.08)) == "warn"
    assert derive.fairness_status(result, "equalized_odds_difference", make_estimate(0.03, 0.01)) == "pass"
    assert (
        derive.fairness_status(result, "disparate_impact_ratio", Estimate(value=0.9, ci_low=0.85)) == "pass"
    )
    assert derive.fairness_status(result, "disparate_impact_ratio", Estimate(value=0.9, ci_low=0.7)) == "warn"
    assert derive.fairness_status(result, "equal_opportunity_difference", make_estimate(0.5)) is None
