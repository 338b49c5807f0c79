"""Benchmark: false rollbacks of healthy canaries, and time to roll back a degraded one — the sequential
judge (qtrust.rollout) against a fixed-threshold canary analysis (Argo Rollouts style) on the same traffic.

Traffic is drawn from an audit's own test rows (``predictions.csv`` of ``qtrust audit``, default
``qtrust-out/``): each quantum-cohort request is a resampled row, its decision drawn with ``--shots`` shots
from the VQC's exact probability (binomial, as served without the shot rule), the classical model's
decision beside it, its true label and group. A rollout has the plan's five steps (1 → 5 → 25 → 50 → 100%),
is judged every interval of ``--per-interval`` quantum-cohort rows, and a step is promoted once it has the
plan's minimums and no SLO is breached.

* **False rollbacks**: ``--rollouts`` healthy rollouts (the model behaves as audited). Two plans: SLO
  thresholds set *at* the true values of the served model (the hardest case: a healthy canary sits exactly
  on its SLOs) and with a margin of 0.05. The plan states a false-rollback rate of α = 0.05 per step.
* **Fixed thresholds**: the same traffic judged the way Argo Rollouts' AnalysisRun does it — each interval
  measures every metric on that interval's rows and fails if one is beyond its threshold; the step aborts
  after more than ``failureLimit`` = 3 failed measurements.
* **Detection**: degraded rollouts (a fairness regression: 30% of one group's favourable decisions flipped;
  a backend failing 10% of calls): quantum-cohort rows served until the rollback, for both.

Run: ``.venv/bin/python bench/bench_rollout.py [AUDIT_OUT] [--rollouts 200] [--shots 100 1000]``.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qtrust.policy.rollout_plan import RolloutPlan, SLOs
from qtrust.rollout.judge import judge_step
from qtrust.rollout.step_stats import GroupCounts, StepStats


@dataclass
class Population:
    p_quantum: np.ndarray
    classical: np.ndarray  # the classical model's decision
    label: np.ndarray
    group: np.ndarray  # 0 / 1
    names: tuple[str, str]


def population(out: Path) -> Population:
    frame = pd.read_csv(out / "predictions.csv")
    exact = frame[(frame.noise == "none") & (frame.shots == 0) & (frame.seed == 0)]
    q = exact[exact.model == "vqc"].sort_values("row")
    c = exact[exact.model == "logistic"].sort_values("row")
    names = tuple(sorted(q.group.unique()))
    return Population(
        q.proba.to_numpy(),
        (c.proba.to_numpy() >= 0.5).astype(int),
        q.y_true.to_numpy().astype(int),
        (q.group.to_numpy() == names[1]).astype(int),
        names,  # type: ignore[arg-type]
    )


@dataclass
class Batch:
    decision: np.ndarray
    classical: np.ndarray
    label: np.ndarray
    group: np.ndarray
    error: np.ndarray


def draw(pop: Population, n: int, shots: int, rng: np.random.Generator, fault: str | None) -> Batch:
    rows = rng.integers(0, len(pop.label), n)
    p = pop.p_quantum[rows]
    decision = (rng.binomial(shots, p) / shots >= 0.5).astype(int)
    error = np.zeros(n, dtype=bool)
    if fault == "fairness":  # 30% of one group's favourable decisions flipped
        flip = (pop.group[rows] == 0) & (decision == 1) & (rng.random(n) < 0.3)
        decision[flip] = 0
    if fault == "errors":
        error = rng.random(n) < 0.10
        decision[error] = pop.classical[rows][error]  # answered by the fallback
    return Batch(decision, pop.classical[rows], pop.label[rows], pop.group[rows], error)


def concat(batches: list[Batch]) -> Batch:
    return Batch(*(np.concatenate([getattr(b, f) for b in batches]) for f in Batch.__dataclass_fields__))


def stats_of(batch: Batch, names: tuple[str, str]) -> StepStats:
    quantum = ~batch.error
    stats = StepStats(
        requests=len(batch.label),
        rows=len(batch.label),
        errors=int(batch.error.sum()),
        fallbacks=int(batch.error.sum()),
        labelled=len(batch.label),
        classical_minus_quantum_correct=int(
            np.sum(batch.classical == batch.label) - np.sum(batch.decision == batch.label)
        ),
        quantum_answered=int(quantum.sum()),
        agreeing=int(np.sum((batch.decision == batch.classical) & quantum)),
    )
    groups = {}
    for g, name in enumerate(names):
        m = batch.group == g
        pos, neg = m & (batch.label == 1), m & (batch.label == 0)
        groups[name] = GroupCounts(
            int(m.sum()),
            int(batch.decision[m].sum()),
            int(pos.sum()),
            int(batch.decision[pos].sum()),
            int(neg.sum()),
            int(batch.decision[neg].sum()),
        )
    stats.groups = groups
    return stats


def point_metrics(stats: StepStats) -> dict[str, float]:
    """The metrics on one batch, as a fixed-threshold analysis measures them."""
    g = list(stats.groups.values())
    rate = lambda k, n: k / n if n else 0.0  # noqa: E731
    return {
        "error_rate": rate(stats.errors, stats.rows),
        "fallback_rate": rate(stats.fallbacks, stats.rows),
        "accuracy_drop": rate(stats.classical_minus_quantum_correct, stats.labelled),
        "demographic_parity_gap": abs(rate(g[0].positives, g[0].rows) - rate(g[1].positives, g[1].rows)),
        "equalized_odds_gap": max(
            abs(
                rate(g[0].true_positive, g[0].label_positive) - rate(g[1].true_positive, g[1].label_positive)
            ),
            abs(
                rate(g[0].false_positive, g[0].label_negative)
                - rate(g[1].false_positive, g[1].label_negative)
            ),
        ),
        "agreement": rate(stats.agreeing, stats.quantum_answered),
    }


def true_values(pop: Population, shots: int, rng: np.random.Generator) -> dict[str, float]:
    """The served model's SLO metrics on the whole population (many shot draws per row)."""
    big = concat([draw(pop, 200_000, shots, rng, None)])
    return point_metrics(stats_of(big, pop.names))


def plan_for(truth: dict[str, float], margin: float) -> RolloutPlan:
    return RolloutPlan(
        name="bench",
        min_requests=400,
        min_labels=200,
        approval_from=None,
        slos=SLOs(
            accuracy_drop=max(truth["accuracy_drop"] + margin, 0.0),
            equalized_odds_gap=min(truth["equalized_odds_gap"] + margin, 0.99),
            demographic_parity_gap=min(truth["demographic_parity_gap"] + margin, 0.99),
            min_agreement=max(truth["agreement"] - margin, 0.0),
        ),
    )


def fixed_fails(stats: StepStats, plan: RolloutPlan) -> bool:
    m, s = point_metrics(stats), plan.slos
    return (
        m["error_rate"] > s.error_rate
        or m["fallback_rate"] > s.fallback_rate
        or m["accuracy_drop"] > s.accuracy_drop
        or m["demographic_parity_gap"] > s.demographic_parity_gap
        or m["equalized_odds_gap"] > s.equalized_odds_gap
        or m["agreement"] < s.min_agreement
    )


def run_rollout(
    pop: Population, plan: RolloutPlan, shots: int, per_interval: int, seed: int, fault: str | None
) -> dict[str, tuple[bool, int]]:
    """(rolled back?, quantum rows served) for the sequential judge and for the fixed-threshold analysis."""
    results = {}
    for method in ("sequential", "fixed"):
        rng = np.random.default_rng(seed)  # the same traffic for both methods
        served, rolled = 0, False
        for step, _ in enumerate(plan.steps):
            batches, failures = [], 0
            for _ in range(60):
                batch = draw(pop, per_interval, shots, rng, fault)
                batches.append(batch)
                served += per_interval
                if method == "sequential":
                    verdict = judge_step(plan, stats_of(concat(batches), pop.names), final_step=step == 4)
                    if verdict.decision == "rollback":
                        rolled = True
                        break
                    if verdict.decision == "promote":
                        break
                else:
                    failures += fixed_fails(stats_of(batch, pop.names), plan)
                    if failures > 3:  # Argo: failureLimit 3
                        rolled = True
                        break
                    if len(batches) * per_interval >= max(plan.min_requests, plan.min_labels):
                        break
            if rolled:
                break
        results[method] = (rolled, served)
    return results


def wilson(k: int, n: int) -> str:
    p, z = k / n, 1.96
    centre, half = (
        (p + z * z / (2 * n)) / (1 + z * z / n),
        z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n),
    )
    return f"[{max(0.0, centre - half):.1%}, {min(1.0, centre + half):.1%}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("qtrust-out"))
    parser.add_argument("--rollouts", type=int, default=200)
    parser.add_argument("--detections", type=int, default=50)
    parser.add_argument("--shots", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--per-interval", type=int, default=100)
    args = parser.parse_args()
    pop = population(args.out)
    started = time.perf_counter()
    print(
        f"{len(pop.label)} audited test rows; groups {pop.names}; {args.per_interval} quantum-cohort rows per interval"
    )
    print(f"\n{'shots':>6} {'SLOs':<10} {'method':<11} {'false rollbacks':>16} {'95% CI':>16} {'stated':>7}")
    plans = {}
    for shots in args.shots:
        truth = true_values(pop, shots, np.random.default_rng(shots))
        for label, margin in (("at truth", 0.0), ("+0.05", 0.05)):
            plan = plan_for(truth, margin)
            plans[shots, label] = plan
            counts = {"sequential": 0, "fixed": 0}
            for r in range(args.rollouts):
                for method, (rolled, _) in run_rollout(pop, plan, shots, args.per_interval, r, None).items():
                    counts[method] += rolled
            for method, k in counts.items():
                stated = f"{plan.false_rollback_rate:.0%}/step" if method == "sequential" else "—"
                print(
                    f"{shots:>6} {label:<10} {method:<11} {k:>9}/{args.rollouts:<6} {wilson(k, args.rollouts):>16} {stated:>7}"
                )
    print(
        f"\ndetection ({args.detections} degraded rollouts each, SLOs with margin 0.05, "
        f"{args.shots[0]} shots): quantum-cohort rows served until rollback (median, 90th percentile)"
    )
    print(f"{'fault':<10} {'method':<11} {'rolled back':>12} {'median rows':>12} {'p90 rows':>9}")
    plan = plans[args.shots[0], "+0.05"]
    for fault in ("fairness", "errors"):
        served = {"sequential": [], "fixed": []}
        rolled = {"sequential": 0, "fixed": 0}
        for r in range(args.detections):
            for method, (was, rows) in run_rollout(
                pop, plan, args.shots[0], args.per_interval, 10_000 + r, fault
            ).items():
                rolled[method] += was
                if was:
                    served[method].append(rows)
        for method in ("sequential", "fixed"):
            rows = served[method] or [0]
            print(
                f"{fault:<10} {method:<11} {rolled[method]:>5}/{args.detections:<6} {np.median(rows):>12.0f} {np.percentile(rows, 90):>9.0f}"
            )
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
