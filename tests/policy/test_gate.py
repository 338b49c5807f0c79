"""The release gate: the three modes against closed-form cases, scoping, plans, and JUnit read by junitparser."""

from __future__ import annotations

import pytest
import yaml
from junitparser import Failure, JUnitXml

from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.policy.gate import junit_xml, run_gate
from qtrust.policy.policy import Policy, load_policy
from qtrust.policy.thresholds import judge
from qtrust.results.metrics_table import RecordedMetric, flatten_metrics
from qtrust.results.schema import PlanReference

SMALL = {
    "seed": 7,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 300, "n_features": 4, "group_bias": 0.3}},
    "encoding": {"n_qubits": 3},
    "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 25}],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
    "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01, 0.05]},
    "shots": {"budgets": [50, 500], "repeats": 4, "reference": 500},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 100, "n_permutations": 200},
}
EO = "fairness/vqc/overall/equalized_odds_difference"


@pytest.fixture(scope="module")
def result():
    from qtrust.audit import run_audit

    return run_audit(config_from_dict(SMALL)).result


def policy(*checks) -> Policy:
    return Policy.model_validate({"name": "test", "checks": list(checks)})


@pytest.mark.parametrize(
    ("direction", "limit", "mode", "value", "ci", "expected"),
    [
        ("max", 0.10, "point", 0.08, (0.05, 0.12), "pass"),
        ("max", 0.10, "point", 0.11, (0.05, 0.12), "fail"),
        ("max", 0.10, "bound", 0.08, (0.05, 0.09), "pass"),
        ("max", 0.10, "bound", 0.08, (0.05, 0.12), "inconclusive"),
        ("max", 0.10, "bound", 0.15, (0.11, 0.19), "fail"),
        ("min", 0.00, "bound", 0.02, (0.01, 0.04), "pass"),
        ("min", 0.00, "bound", -0.01, (-0.03, 0.01), "inconclusive"),
        ("min", 0.00, "significant_breach", -0.01, (-0.03, 0.01), "pass"),
        ("min", 0.00, "significant_breach", -0.05, (-0.09, -0.01), "fail"),
        ("max", 0.10, "significant_breach", 0.12, (0.08, 0.16), "pass"),
        ("max", 0.10, "point", None, (None, None), "inconclusive"),
        ("max", 0.10, "bound", 0.05, (None, None), "inconclusive"),
        ("max", 0.10, "bound", 0.10, (0.08, 0.10), "pass"),  # the limit itself is allowed
    ],
)
def test_each_mode_judges_as_documented(direction, limit, mode, value, ci, expected):
    verdict = judge("m", RecordedMetric(value, ci[0], ci[1], False), direction, limit, mode)
    assert verdict.status == expected, verdict.reason


def test_bound_mode_passes_fails_or_is_inconclusive_around_the_recorded_ci(result):
    metric = flatten_metrics(result)[EO]
    low, high = metric.ci_low, metric.ci_high
    assert low < high
    for limit, expected in ((high + 0.01, "pass"), (low - 0.01, "fail"), ((low + high) / 2, "inconclusive")):
        check = {"id": "eo", "metric": EO, "max": limit, "mode": "bound", "models": "all"}
        gate = run_gate(result, policy(check))
        assert gate.checks[0].status == expected
        assert gate.passed is (expected == "pass")


def test_noise_scope_and_model_selection_pick_the_right_metrics(result):
    check = {"id": "acc", "metric": "noise/*/*@*/accuracy", "min": 0.0, "noise": {"max_level": 0.01}}
    judged = [j.path for j in run_gate(result, policy(check)).checks[0].judgements]
    assert judged == ["noise/vqc/depolarizing@0.01/accuracy"]  # 0.05 is out of scope; so is the baseline
    everything = [j.path for j in run_gate(result, policy(check | {"models": "all"})).checks[0].judgements]
    assert "noise/vqc/depolarizing@0.05/accuracy" not in everything
    fairness = {"id": "eo", "metric": "fairness/*/overall/equalized_odds_difference", "max": 1.0}
    assert [j.path for j in run_gate(result, policy(fairness)).checks[0].judgements] == [EO]
    both = [j.path for j in run_gate(result, policy(fairness | {"models": "all"})).checks[0].judgements]
    assert both == ["fairness/logistic/overall/equalized_odds_difference", EO]


def test_a_metric_the_audit_did_not_compute_is_inconclusive_never_a_pass(result):
    check = {"id": "shots", "metric": "shots/*/99999/flip_rate", "max": 0.01}
    outcome = run_gate(result, policy(check)).checks[0]
    assert outcome.status == "inconclusive"
    assert "computed no metric matching shots/*/99999/flip_rate" in outcome.reason


def test_an_unknown_metric_in_a_policy_is_refused_naming_the_check(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(
        yaml.safe_dump(
            {"name": "p", "checks": [{"id": "typo", "metric": "fairness/*/overall/acuracy", "max": 0.1}]}
        )
    )
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert "'acuracy'" in caught.value.one_line()
    assert "checks[0] (typo)" in caught.value.one_line()


def test_the_default_policy_loads_and_names_its_checks():
    default = load_policy()
    assert [c.id for c in default.checks] == [
        "fairness-under-noise",
        "not-worse-than-classical",
        "seed-stability",
        "membership-inference",
    ]


def test_a_policy_looser_than_the_registered_plan_fails_and_plan_thresholds_are_judged(result):
    plan = PlanReference(
        name="release",
        digest="ab" * 32,
        seq=1,
        registered_at="2026-11-25T00:00:00",
        first_seq=1,
        plan={
            "name": "release",
            "thresholds": [
                {"metric": "fairness/*/overall/equalized_odds_difference", "max": 0.1, "mode": "bound"}
            ],
        },
    )
    under_plan = result.model_copy(update={"plan": plan})
    loose = {
        "id": "eo",
        "metric": "fairness/*/overall/equalized_odds_difference",
        "max": 0.2,
        "mode": "bound",
    }
    gate = run_gate(under_plan, policy(loose))
    by_id = {c.id: c for c in gate.checks}
    assert by_id["eo-vs-plan"].status == "fail"
    assert "looser than the 0.1 (bound) registered in plan 'release'" in by_id["eo-vs-plan"].reason
    assert by_id["plan-1"].source == "plan"
    assert not gate.passed
    same = run_gate(under_plan, policy(loose | {"max": 0.1}))
    assert "eo-vs-plan" not in {c.id for c in same.checks}
    weaker_mode = run_gate(under_plan, policy(loose | {"max": 0.1, "mode": "point"}))
    assert "eo-vs-plan" in {c.id for c in weaker_mode.checks}


def test_junit_output_is_read_back_by_junitparser(result, tmp_path):
    metric = flatten_metrics(result)[EO]
    checks = [
        {"id": "passes", "metric": EO, "max": metric.ci_high + 0.01, "models": "all"},
        {"id": "fails", "metric": EO, "max": metric.ci_low - 0.01, "models": "all"},
        {"id": "unknown", "metric": "shots/*/99999/flip_rate", "max": 0.01},
    ]
    gate = run_gate(result, policy(*checks))
    path = tmp_path / "gate.xml"
    path.write_bytes(junit_xml(gate))
    suite = next(iter(JUnitXml.fromfile(str(path))))
    cases = {case.name: case for case in suite}
    assert set(cases) == {"passes", "fails", "unknown"}
    assert cases["passes"].is_passed
    assert [type(r) for r in cases["fails"].result] == [Failure]
    assert cases["fails"].result[0].type == "fail"
    assert cases["unknown"].result[0].type == "inconclusive"
    assert suite.tests == 3
    assert suite.failures == 2
