"""The flat metrics table of an audit result, and the reproduction rule that compares two of them.

Two sources: the code-built ``AuditResult`` of ``tests/report/conftest.py`` (exact, known numbers) and one
real small audit (``tests/audit/conftest.py``'s ``SMALL``), so the path scheme is checked against what an
audit actually writes, not only against a hand-made record.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel

from qtrust.results import (
    AuditResult,
    Estimate,
    RecordedMetric,
    ReproductionReport,
    compare_metrics,
    flatten_metrics,
    metric_paths_matching,
)

TESTS = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path) -> ModuleType:
    """Import a sibling test directory's conftest under its own name (they are all called ``conftest``)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report_fixtures = _load("_qtrust_report_fixtures", TESTS / "report" / "conftest.py")
audit_fixtures = _load("_qtrust_audit_fixtures", TESTS / "audit" / "conftest.py")
build_result = report_fixtures.build_result

OUTCOMES = ("fairness", "noise", "shots", "reproducibility", "comparisons", "certified_fairness")
# Fields that are inputs, identifiers or sizes (they make up the path or are pinned by the config), and the
# intervals that ride along on their entry (SeedSummary.mean, PairedMetric.difference) instead of their own.
NOT_OUTCOMES = frozenset(
    {
        "level",
        "levels",
        # certified fairness: its (ε, δ) request, size, timing, and the bias pair's coordinates
        "epsilon",
        "delta",
        "n_qubits",
        "seconds",
        "features_high",
        "features_low",
        "angles_high",
        "angles_low",
        "shots",
        "repeats",
        "seeds",
        "n_seeds",
        "n_test",
        "n_positive",
        "n_negative",
        "n_draws",
        "max_level",
        "flip_limit",
        "favours",
        "ci_low",
        "ci_high",
        # reproducibility: why numbers are absent; device points: which qubits and which snapshot
        "note",
        "physical_qubits",
        "calibration_date",
        "source",
        "device",
    }
)


def walk_estimates(obj: Any) -> list[Estimate]:
    """Every Estimate nested anywhere in ``obj``, found without knowing the schema's layout."""
    if isinstance(obj, Estimate):
        return [obj]
    if isinstance(obj, BaseModel):
        return [e for name in type(obj).model_fields for e in walk_estimates(getattr(obj, name))]
    if isinstance(obj, dict):
        return [e for v in obj.values() for e in walk_estimates(v)]
    if isinstance(obj, list | tuple):
        return [e for v in obj for e in walk_estimates(v)]
    return []


def count_numbers(obj: Any) -> int:
    """Numeric outcomes in ``obj``: an Estimate counts once, every other number (or null) leaf once."""
    if isinstance(obj, Estimate):
        return 1
    if isinstance(obj, BaseModel):
        return sum(count_numbers(getattr(obj, f)) for f in type(obj).model_fields if f not in NOT_OUTCOMES)
    if isinstance(obj, dict):
        return sum(count_numbers(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return sum(count_numbers(v) for v in obj)
    if obj is None or isinstance(obj, bool | int | float):
        return 1
    return 0


def _key(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def check_complete(result: AuditResult, table: dict[str, RecordedMetric]) -> None:
    """Every Estimate is in the table with its value and interval, and nothing else is in or out."""
    sections = [getattr(result, s) for s in OUTCOMES]
    estimates = walk_estimates(sections)
    assert estimates, "the result should hold estimates"
    want = Counter((_key(e.value), _key(e.ci_low), _key(e.ci_high)) for e in estimates)
    have = Counter((m.value, m.ci_low, m.ci_high) for m in table.values())
    assert not want - have, f"estimates missing from the table: {want - have}"
    # privacy and robustness records carry designs, seeds and diagnostics beside their outcomes: counted on
    # their own
    typed = {p: m for p, m in table.items() if not p.startswith(("privacy/", "robustness/"))}
    assert len(typed) == count_numbers(sections)
    if result.privacy:
        expected = sum(
            1 + (a.auc_drop is not None) + len(a.tpr_at_fpr)
            for model in result.privacy.models
            for setting in model.settings
            for a in setting.attacks.values()
        ) + 2 * sum(m.attribute_inference is not None for m in result.privacy.models)
        assert sum(p.startswith("privacy/") for p in table) == expected
    if result.robustness:
        certified = sum(len(d.epsilons) * 3 for d in result.robustness.certified)
        empirical = sum(len(d.gaussian) * 3 + len(d.linf) * 4 for d in result.robustness.empirical)
        assert sum(p.startswith("robustness/") for p in table) == certified + empirical


def stochastic_by_rule(path: str) -> bool:
    """The documented rule, restated from the path alone: shot budgets, shot advice and variance splits."""
    return bool(
        (path.startswith("privacy/") and "shots=" in path)
        or path.startswith("variance/")
        or re.fullmatch(r"shots/[^/]+/\d+/.+", path)
        or re.fullmatch(r"shots/[^/]+/(minimum_shots|extrapolated_shots)", path)
    )


@pytest.fixture
def result() -> AuditResult:
    return build_result(quantum=("vqc", "qkernel"), baselines=("logistic",), control="no_entanglement")


@pytest.fixture
def table(result: AuditResult) -> dict[str, RecordedMetric]:
    return flatten_metrics(result)


@pytest.fixture(scope="module")
def real_result() -> AuditResult:
    from qtrust.audit import run_audit
    from qtrust.config import config_from_dict

    return run_audit(config_from_dict(audit_fixtures.SMALL)).result


# --- flattening ---------------------------------------------------------------------------------------------


def test_table_holds_every_estimate_and_number(result: AuditResult, table: dict[str, RecordedMetric]) -> None:
    check_complete(result, table)


def test_device_points_get_their_own_paths_outside_the_channel_settings(result: AuditResult) -> None:
    from qtrust.results.schema import DevicePoint

    sweep = result.noise[0]
    point = sweep.points[0]
    device = DevicePoint(
        device="fake_manila",
        layout="best",
        label="device:fake_manila/best",
        physical_qubits=[0, 1, 2],
        calibration_date="2021-10-15",
        path="heisenberg",
        metrics=point.metrics,
        change={"accuracy": -0.05},
        source={"device": "fake_manila"},
    )
    with_device = result.model_copy(
        update={"noise": [sweep.model_copy(update={"devices": [device]}), *result.noise[1:]]}
    )
    table = flatten_metrics(with_device)
    check_complete(with_device, table)
    prefix = f"noise/{sweep.model}/device=fake_manila:best"
    assert table[f"{prefix}/accuracy"].value == point.metrics["accuracy"].value
    assert table[f"{prefix}/change/accuracy"].value == -0.05
    assert not [
        p for p in metric_paths_matching(table, f"noise/{sweep.model}/*@*/accuracy") if "device=" in p
    ]


@pytest.mark.parametrize(
    ("path", "value", "stochastic"),
    [
        ("fairness/vqc/overall/accuracy", 0.66, False),
        ("fairness/vqc/group=female/tpr", 0.64, False),
        ("noise/vqc/reference/accuracy", 0.66, False),
        ("noise/vqc/depolarizing@0.01/equalized_odds_difference", 0.08 + 0.03, False),
        ("noise/vqc/depolarizing@0.01/change/accuracy", -0.024, False),
        ("noise/vqc/readout@0.001/change/accuracy", 0.0, False),
        ("noise/vqc/tolerance/depolarizing/tolerated_up_to", 0.001, False),
        ("noise/vqc/tolerance/readout/fairness_fails_without_noise", 0.0, False),
        ("shots/vqc/exact/accuracy", 0.66, False),
        ("shots/vqc/100/flip_rate", 0.085, True),
        ("shots/vqc/100/accuracy", 0.66, True),
        ("shots/vqc/100/shot_sd/accuracy", 0.01, True),
        ("shots/vqc/minimum_shots", 10000, True),
        ("shots/vqc/extrapolated_shots", None, True),
        ("reproducibility/vqc/accuracy/mean", 0.66, False),
        ("reproducibility/vqc/accuracy/sd", 0.01, False),
        ("reproducibility/vqc/accuracy/seed=1", 0.67, False),
        ("variance/vqc/accuracy/1000/fraction_shot", 0.1, True),
        ("comparison/vqc-vs-logistic/accuracy/difference", 0.6933 - 0.7478, False),
        ("comparison/vqc-vs-logistic/accuracy/p_value", 0.016, False),
        ("comparison/vqc-vs-no_entanglement/mcnemar/p_value", 0.144, False),
        ("comparison/vqc-vs-logistic/mcnemar/classical_only_correct", 29, False),
    ],
)
def test_paths_and_values(
    table: dict[str, RecordedMetric], path: str, value: float | None, stochastic: bool
) -> None:
    metric = table[path]
    assert metric.stochastic is stochastic
    if value is None:
        assert metric.value is None
    else:
        assert metric.value == pytest.approx(value, abs=1e-12)


def test_intervals_travel_with_their_number(table: dict[str, RecordedMetric]) -> None:
    assert table["fairness/vqc/overall/accuracy"].ci_low == pytest.approx(0.62)
    assert table["shots/vqc/100/flip_rate"].ci_high == pytest.approx(0.085 * 1.4)
    assert (
        table["reproducibility/vqc/accuracy/mean"].ci_low,
        table["reproducibility/vqc/accuracy/mean"].ci_high,
    ) == (
        pytest.approx(0.64),
        pytest.approx(0.68),
    )
    diff = table["comparison/vqc-vs-logistic/accuracy/difference"]
    assert (diff.ci_low, diff.ci_high) == (-0.0990, -0.0044)
    assert not table["comparison/vqc-vs-logistic/accuracy/p_value"].has_ci


def test_stochastic_exactly_for_shot_sampled_numbers(table: dict[str, RecordedMetric]) -> None:
    wrong = {p: m.stochastic for p, m in table.items() if m.stochastic != stochastic_by_rule(p)}
    assert not wrong
    assert any(m.stochastic for m in table.values())
    assert all(
        not m.stochastic for p, m in table.items() if p.startswith(("noise/", "fairness/", "comparison/"))
    )


def test_classical_models_have_no_noise_or_shot_paths(table: dict[str, RecordedMetric]) -> None:
    assert not [
        p for p in table if p.startswith(("noise/logistic/", "shots/logistic/", "variance/logistic/"))
    ]
    assert "fairness/logistic/overall/accuracy" in table
    assert "reproducibility/logistic/accuracy/seed=0" in table


def test_flattening_is_stable(result: AuditResult) -> None:
    again = AuditResult.model_validate_json(result.model_dump_json())
    assert list(flatten_metrics(result)) == list(flatten_metrics(again))
    assert flatten_metrics(result) == flatten_metrics(again)


def test_undefined_numbers_are_kept_as_none(result: AuditResult) -> None:
    result.fairness[0].overall["auc"] = Estimate(value=None, n_draws=3)
    result.noise[0].points[0].change["auc"] = None
    table = flatten_metrics(result)
    assert table["fairness/vqc/overall/auc"] == RecordedMetric(None, None, None, False)
    assert table["noise/vqc/depolarizing@0.001/change/auc"].value is None


def test_names_with_a_slash_do_not_add_segments(result: AuditResult) -> None:
    result.fairness[0].by_group[0].group = "married/divorced 50%"
    table = flatten_metrics(result)
    assert "fairness/vqc/group=married%2Fdivorced 50%25/accuracy" in table
    assert all(len(p.split("/")) == 4 for p in table if p.startswith("fairness/"))


def test_duplicate_paths_are_refused(result: AuditResult) -> None:
    result.fairness.append(result.fairness[0].model_copy(deep=True))
    with pytest.raises(ValueError, match="occurs twice"):
        flatten_metrics(result)


def test_seed_values_must_line_up_with_seeds(result: AuditResult) -> None:
    result.reproducibility[0].metrics[0].values.pop()
    with pytest.raises(ValueError, match="values of 'accuracy'"):
        flatten_metrics(result)


# --- matching -----------------------------------------------------------------------------------------------


def test_star_matches_exactly_one_segment(table: dict[str, RecordedMetric]) -> None:
    assert metric_paths_matching(table, "fairness/*/overall/accuracy") == [
        "fairness/vqc/overall/accuracy",
        "fairness/qkernel/overall/accuracy",
        "fairness/logistic/overall/accuracy",
        "fairness/no_entanglement/overall/accuracy",
    ]
    assert metric_paths_matching(table, "fairness/*/accuracy") == []
    assert metric_paths_matching(table, "fairness/vqc/group=*/accuracy") == [
        "fairness/vqc/group=female/accuracy",
        "fairness/vqc/group=male/accuracy",
    ]
    assert metric_paths_matching(table, "noise/vqc/depolarizing@*/accuracy") == [
        "noise/vqc/depolarizing@0.001/accuracy",
        "noise/vqc/depolarizing@0.01/accuracy",
    ]
    assert metric_paths_matching(table, "shots/vqc/*/flip_rate") == [
        "shots/vqc/100/flip_rate",
        "shots/vqc/1000/flip_rate",
        "shots/vqc/10000/flip_rate",
    ]
    assert len(metric_paths_matching(table, "comparison/*-vs-logistic/*/difference")) == 2 * 4
    assert metric_paths_matching(table, "shots/vqc/minimum_shots") == ["shots/vqc/minimum_shots"]
    assert metric_paths_matching(table, "Fairness/*/overall/accuracy") == []  # case-sensitive
    assert metric_paths_matching(table, "*/*/*/*/*/*/*") == []


# --- comparing ----------------------------------------------------------------------------------------------


def _with(table: dict[str, RecordedMetric], path: str, **changes: Any) -> dict[str, RecordedMetric]:
    out = dict(table)
    out[path] = replace(table[path], **changes)
    return out


def test_identical_tables_match_exactly(table: dict[str, RecordedMetric]) -> None:
    report = compare_metrics(table, dict(table))
    assert report.ok
    assert report.counts == {"exact": len(table), "within_ci": 0, "mismatch": 0, "missing": 0, "extra": 0}
    assert report.mismatches == []
    assert [c.path for c in report.comparisons] == list(table)


def test_deterministic_drift_is_a_mismatch(table: dict[str, RecordedMetric]) -> None:
    path = "noise/vqc/depolarizing@0.01/equalized_odds_difference"
    old = table[path].value
    assert old is not None
    report = compare_metrics(table, _with(table, path, value=old + 1e-6))
    assert not report.ok
    assert [c.path for c in report.mismatches] == [path]
    assert report.counts["mismatch"] == 1
    assert report.counts["exact"] == len(table) - 1
    detail = report.mismatches[0].detail
    assert "recorded 0.11" in detail
    assert "reproduced 0.110001" in detail
    assert "1.0e-06 > 1e-09" in detail


def test_deterministic_drift_inside_its_ci_is_still_a_mismatch(table: dict[str, RecordedMetric]) -> None:
    path = "fairness/vqc/overall/accuracy"
    assert table[path].has_ci
    assert not table[path].stochastic
    report = compare_metrics(table, _with(table, path, value=0.661))
    assert [c.path for c in report.mismatches] == [path]


def test_rounding_below_tolerance_is_exact(table: dict[str, RecordedMetric]) -> None:
    path = "comparison/vqc-vs-logistic/auc/p_value"
    report = compare_metrics(table, _with(table, path, value=0.631 + 1e-12))
    assert report.ok
    assert report.counts["exact"] == len(table)
    strict = compare_metrics(table, _with(table, path, value=0.631 + 1e-12), exact_tolerance=0.0)
    assert [c.path for c in strict.mismatches] == [path]


def test_stochastic_drift_within_recorded_ci(table: dict[str, RecordedMetric]) -> None:
    path = "shots/vqc/1000/accuracy"
    recorded = table[path]
    assert recorded.stochastic
    assert recorded.ci_low is not None
    assert recorded.ci_high is not None
    inside = compare_metrics(table, _with(table, path, value=recorded.ci_high - 0.001))
    assert inside.ok
    assert inside.counts["within_ci"] == 1
    (entry,) = [c for c in inside.comparisons if c.status == "within_ci"]
    assert entry.path == path
    assert "within the recorded CI" in entry.detail


def test_stochastic_drift_outside_recorded_ci(table: dict[str, RecordedMetric]) -> None:
    path = "shots/vqc/100/flip_rate"
    recorded = table[path]
    assert recorded.ci_high is not None
    # The reproduction's own (wider) interval must not help: the recorded interval is the yardstick.
    reproduced = _with(table, path, value=recorded.ci_high + 0.01, ci_high=1.0)
    report = compare_metrics(table, reproduced)
    assert not report.ok
    assert [c.path for c in report.mismatches] == [path]
    assert "outside the recorded CI" in report.mismatches[0].detail


def test_stochastic_without_recorded_ci_must_be_exact(table: dict[str, RecordedMetric]) -> None:
    path = "shots/vqc/100/shot_sd/accuracy"
    assert table[path].stochastic
    assert not table[path].has_ci
    report = compare_metrics(table, _with(table, path, value=0.0101))
    assert [c.path for c in report.mismatches] == [path]
    assert "no recorded CI" in report.mismatches[0].detail


def test_missing_fails_and_extra_does_not(table: dict[str, RecordedMetric]) -> None:
    dropped = "reproducibility/qkernel/auc/seed=2"
    reproduced = {p: m for p, m in table.items() if p != dropped}
    reproduced["fairness/vqc/overall/new_metric"] = RecordedMetric(0.5, None, None, False)
    report = compare_metrics(table, reproduced)
    assert not report.ok
    assert report.counts["missing"] == 1
    assert report.counts["extra"] == 1
    missing = [c for c in report.comparisons if c.status == "missing"]
    assert missing[0].path == dropped
    assert missing[0].reproduced is None
    assert compare_metrics({p: m for p, m in table.items() if p != dropped}, reproduced).ok


def test_undefined_compares_to_undefined_only() -> None:
    undefined = RecordedMetric(None, None, None, False)
    wide = RecordedMetric(None, 0.0, 1.0, True)
    report = compare_metrics(
        {"a": undefined, "b": undefined, "c": RecordedMetric(0.5, 0.0, 1.0, True), "d": wide},
        {
            "a": undefined,
            "b": RecordedMetric(0.5, None, None, False),
            "c": RecordedMetric(float("nan"), None, None, True),
            "d": RecordedMetric(0.5, None, None, True),
        },
    )
    assert [c.status for c in report.comparisons] == ["exact", "mismatch", "mismatch", "mismatch"]
    assert "undefined" in report.comparisons[1].detail


def test_report_without_comparisons_is_ok() -> None:
    report = ReproductionReport([])
    assert report.ok
    assert sum(report.counts.values()) == 0


def test_negative_tolerance_is_refused(table: dict[str, RecordedMetric]) -> None:
    with pytest.raises(ValueError, match="exact_tolerance"):
        compare_metrics(table, table, exact_tolerance=-1.0)


# --- serialising --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric",
    [
        RecordedMetric(0.7123, 0.68, 0.74, True),
        RecordedMetric(0.1 + 0.2, None, None, False),
        RecordedMetric(None, None, None, False),
        RecordedMetric(None, 0.1, None, True),
        RecordedMetric(12000, None, None, True),
    ],
)
def test_json_round_trip(metric: RecordedMetric) -> None:
    text = json.dumps(metric.to_dict())
    assert RecordedMetric.from_dict(json.loads(text)) == metric


def test_json_form_is_compact_and_strict() -> None:
    assert RecordedMetric(0.5, None, None, False).to_dict() == {"value": 0.5}
    assert RecordedMetric(0.5, 0.4, 0.6, True).to_dict() == {
        "value": 0.5,
        "ci": [0.4, 0.6],
        "stochastic": True,
    }
    assert RecordedMetric(float("inf"), float("nan"), None, False).to_dict() == {"value": None}
    with pytest.raises(ValueError, match="unknown"):
        RecordedMetric.from_dict({"value": 0.5, "stochastc": True})
    with pytest.raises(ValueError, match="value"):
        RecordedMetric.from_dict({"ci": [0.1, 0.2]})


# --- a real audit -------------------------------------------------------------------------------------------


def test_real_audit_table_is_complete(real_result: AuditResult) -> None:
    table = flatten_metrics(real_result)
    check_complete(real_result, table)
    assert {p.split("/")[0] for p in table} == {
        "fairness",
        "noise",
        "shots",
        "reproducibility",
        "variance",
        "comparison",
        "certified",
        "privacy",
        "robustness",
    }
    assert table["certified/vqc/reference/lipschitz"].value == pytest.approx(1.0)  # noiseless: K* = 1


def test_real_audit_stochastic_flags(real_result: AuditResult) -> None:
    table = flatten_metrics(real_result)
    assert {p for p, m in table.items() if m.stochastic} == {p for p in table if stochastic_by_rule(p)}
    # SMALL sweeps depolarizing and readout at 0.01 and 0.05 and samples 50 and 500 shots.
    assert metric_paths_matching(table, "noise/vqc/*@*/accuracy") == [
        "noise/vqc/depolarizing@0.01/accuracy",
        "noise/vqc/depolarizing@0.05/accuracy",
        "noise/vqc/readout@0.01/accuracy",
        "noise/vqc/readout@0.05/accuracy",
    ]
    assert len(metric_paths_matching(table, "noise/vqc/*/accuracy")) == 5  # the noiseless reference too
    assert not any(table[p].stochastic for p in metric_paths_matching(table, "noise/*/*/*"))
    flips = metric_paths_matching(table, "shots/*/*/flip_rate")
    assert flips == [
        f"shots/{m}/{s}/flip_rate" for m in ("vqc", "qkernel", "no_entanglement") for s in (50, 500)
    ]
    assert all(table[p].stochastic for p in flips)
    assert all(table[p].stochastic for p in metric_paths_matching(table, "variance/*/*/500/*"))
    assert metric_paths_matching(table, "variance/*/accuracy/500/fraction_shot")


def test_real_audit_survives_results_json(real_result: AuditResult) -> None:
    table = flatten_metrics(real_result)
    reloaded = flatten_metrics(AuditResult.model_validate_json(real_result.model_dump_json()))
    report = compare_metrics(table, reloaded, exact_tolerance=0.0)
    assert report.ok
    assert report.counts["exact"] == len(table)
    stored = json.loads(json.dumps({p: m.to_dict() for p, m in table.items()}))
    assert {p: RecordedMetric.from_dict(d) for p, d in stored.items()} == table
