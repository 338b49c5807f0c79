"""Promote, hold and roll back, on prediction-log rows built with known rates."""

from __future__ import annotations

import numpy as np
import pytest

from qtrust.policy.rollout_plan import BurnWindow, RolloutPlan
from qtrust.rollout.burn_rate import burn_alerts
from qtrust.rollout.judge import judge_step
from qtrust.rollout.step_stats import step_stats

PLAN = RolloutPlan(name="test", min_requests=200, min_labels=100)


def traffic(
    n: int,
    *,
    seed: int = 0,
    error: float = 0.0,
    deferral: float = 0.0,
    group_positive: tuple[float, float] = (0.6, 0.6),
    classical_accuracy: float = 0.75,
    agreement: float = 0.95,
    labelled: float = 1.0,
    groups: bool = True,
    slow: float = 0.0,
):
    """Rows as the prediction log holds them, one row per request, drawn with known rates: the quantum
    decision agrees with the classical one at ``agreement``, so the quantum accuracy is
    agreement·c + (1 − agreement)·(1 − c) for classical accuracy c."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        group = ("a", "b")[i % 2]
        label = int(rng.random() < 0.6)
        decision = int(rng.random() < group_positive[i % 2])
        classical = decision if rng.random() < agreement else 1 - decision
        label = classical if rng.random() < classical_accuracy else 1 - classical
        failed, deferred = rng.random() < error, rng.random() < deferral
        rows.append(
            {
                "request_id": f"r{i}",
                "answered_by": "fallback" if failed or deferred else "quantum",
                "reason": "deferred: shot noise"
                if deferred and not failed
                else "the quantum backend failed: X",
                "decision": decision,
                "classical_probability": 0.9 if classical else 0.1,
                "label": label if rng.random() < labelled else None,
                "group": group if groups else None,
                "latency_ms": 900.0 if rng.random() < slow else 20.0,
            }
        )
    return rows


def verdict(rows, **kw):
    return judge_step(PLAN, step_stats(rows, threshold=0.5, slow_ms=PLAN.slos.p99_latency_ms), **kw)


def test_a_healthy_step_with_enough_evidence_is_promoted():
    result = verdict(traffic(2_000))
    assert result.decision == "promote", result.reasons
    assert {c.status for c in result.checks} == {"within"}
    assert result.alpha_per_check == pytest.approx(0.05 / 7)


def test_thin_evidence_holds_and_never_rolls_back():
    assert verdict(traffic(50)).decision == "hold"
    assert "50/200 quantum-cohort requests" in verdict(traffic(50)).reasons[0]
    unlabelled = verdict(traffic(1_000, labelled=0.05))
    assert (unlabelled.decision, "labelled rows" in unlabelled.reasons[0]) == ("hold", True)
    no_groups = verdict(traffic(1_000, groups=False))
    assert no_groups.decision == "hold"
    assert "no row carries a group" in no_groups.reasons[0]


@pytest.mark.parametrize(
    ("change", "slo", "severity"),
    [
        ({"error": 0.08}, "error_rate", "high"),
        ({"deferral": 0.2}, "fallback_rate", "medium"),
        ({"slow": 0.1}, "p99_latency", "medium"),
        ({"agreement": 0.6}, "accuracy_drop", "high"),  # accuracy 0.55 against 0.75
        ({"agreement": 0.7}, "agreement", "high"),  # and the accuracy drop of 0.15 is breached too
        ({"group_positive": (0.8, 0.4)}, "demographic_parity_gap", "high"),
    ],
)
def test_a_breached_slo_rolls_back_naming_it(change, slo, severity):
    result = verdict(traffic(2_000, **change))
    assert result.decision == "rollback"
    assert any(r.startswith(f"{slo} breached") for r in result.reasons)
    assert result.severity == severity


def test_a_fast_burning_error_budget_rolls_back_at_100_percent():
    now = 10_000.0
    events = [(now - 7_200 + t, False) for t in range(0, 3_600, 10)]  # a quiet hour before
    events += [(now - 3_600 + t, t % 100 < 20) for t in range(0, 3_600, 2)]  # 20% errors for the last hour
    alerts = burn_alerts(
        events, now=now, budget=0.01, windows=[BurnWindow(long_s=3_600, short_s=300, factor=14.4)]
    )
    assert alerts[0].firing
    assert alerts[0].burn_long == pytest.approx(20.0, rel=0.05)
    result = verdict(traffic(2_000), final_step=True, burn=alerts)
    assert result.decision == "rollback"
    assert result.severity == "critical"
    calm = burn_alerts(
        events[:300], now=now, budget=0.01, windows=[BurnWindow(long_s=3_600, short_s=300, factor=14.4)]
    )
    assert not calm[0].firing


def test_healthy_steps_are_rarely_rolled_back():
    rollbacks = sum(verdict(traffic(600, seed=s)).decision == "rollback" for s in range(60))
    assert rollbacks <= 3  # the plan states 5%; the bench measures it over 200 rollouts


def test_a_verdicts_kind_leaves_out_the_numbers():
    few, more = verdict(traffic(50)), verdict(traffic(90, seed=1))
    assert few.kind == more.kind == "hold:thin:requests,labels"
    assert verdict(traffic(2_000)).kind == "promote"
    assert verdict(traffic(2_000, error=0.08)).kind == "rollback:error_rate,fallback_rate"  # errors fall back
