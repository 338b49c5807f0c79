"""Evaluation plans: validation with actionable errors, and which amendments count as loosening."""

from __future__ import annotations

import pytest
import yaml

from qtrust.errors import InputError
from qtrust.policy.plan import EvaluationPlan, compare_plans, load_plan

BASE = {
    "name": "release",
    "assessments": ["fairness", "noise", "shots", "reproducibility", "comparison"],
    "thresholds": [
        {"metric": "fairness/*/overall/equalized_odds_difference", "max": 0.1, "mode": "bound"},
        {"metric": "comparison/*/accuracy/difference", "min": -0.02, "mode": "bound"},
    ],
    "noise_budget": {"channels": ["depolarizing", "readout"], "max_level": 0.01},
    "shot_budget": {"max_shots": 10000},
}


def plan(**changes):
    return EvaluationPlan.model_validate({**BASE, **changes})


def kinds(old, new):
    return sorted((c.kind, c.what) for c in compare_plans(old, new))


def test_identical_plans_have_no_changes_and_the_same_digest():
    assert compare_plans(plan(), plan()) == []
    assert plan().digest() == plan().digest()
    assert plan().digest() != plan(description="x").digest()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"thresholds": [dict(BASE["thresholds"][0], max=0.15), BASE["thresholds"][1]]}, "loosened"),
        ({"thresholds": [dict(BASE["thresholds"][0], max=0.05), BASE["thresholds"][1]]}, "tightened"),
        ({"thresholds": [BASE["thresholds"][0], dict(BASE["thresholds"][1], min=-0.05)]}, "loosened"),
        ({"thresholds": [BASE["thresholds"][0], dict(BASE["thresholds"][1], min=0.0)]}, "tightened"),
        ({"thresholds": [dict(BASE["thresholds"][0], mode="point"), BASE["thresholds"][1]]}, "loosened"),
        ({"thresholds": [BASE["thresholds"][0]]}, "loosened"),
        ({"assessments": ["fairness", "noise"]}, "loosened"),
        ({"noise_budget": {"channels": ["depolarizing", "readout"], "max_level": 0.001}}, "loosened"),
        ({"noise_budget": {"channels": ["depolarizing"], "max_level": 0.01}}, "loosened"),
        ({"noise_budget": {"channels": ["depolarizing", "readout"], "max_level": 0.05}}, "tightened"),
        ({"shot_budget": {"max_shots": 100000}}, "loosened"),
        ({"shot_budget": {"max_shots": 1000}}, "tightened"),
        ({"noise_budget": None}, "loosened"),
    ],
)
def test_each_kind_of_change_is_classified(changes, expected):
    found = {c.kind for c in compare_plans(plan(), plan(**changes))}
    assert found == {expected}


def test_a_loosened_threshold_is_described_with_both_values():
    old, new = plan(), plan(thresholds=[dict(BASE["thresholds"][0], max=0.15), BASE["thresholds"][1]])
    assert kinds(old, new) == [("loosened", "max fairness/*/overall/equalized_odds_difference: 0.1 → 0.15")]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({**BASE, "thresholds": [{"metric": "fairness/*/overall/acuracy", "max": 0.1}]}, "'acuracy'"),
        ({**BASE, "thresholds": [{"metric": "accuracy", "max": 0.1}]}, "not a metric path"),
        (
            {**BASE, "thresholds": [{"metric": "fairness/*/overall/accuracy", "max": 0.1, "min": 0.0}]},
            "exactly one",
        ),
        (
            {**BASE, "noise_budget": {"channels": ["depolarising"], "max_level": 0.01}},
            "unknown noise channel",
        ),
        ({**BASE, "name": "has space"}, "name must be"),
        ({**BASE, "thresholds": [{"metric": "fairness/*/overall/accuracy", "maximum": 0.1}]}, "maximum"),
    ],
)
def test_bad_plans_are_refused_with_the_field_named(tmp_path, doc, message):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as caught:
        load_plan(path)
    assert message in caught.value.one_line()
    assert str(path) in caught.value.one_line()
