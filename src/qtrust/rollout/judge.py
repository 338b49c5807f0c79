"""Judge one rollout step: promote, hold or roll back, with the numbers each verdict rests on.

Seven SLO checks share the plan's false-rollback rate α equally (Bonferroni: each runs at α/7), and each is an
anytime-valid confidence sequence, so a healthy step is rolled back with probability at most α however often
it is judged. The rules, in order:

1. **roll back** when any SLO is *breached*: its whole interval lies beyond the threshold (or, at 100%, when a
   burn-rate pair fires);
2. **hold** while the evidence is too thin — fewer quantum-cohort requests or labels than the plan's minimums,
   or an SLO with no data (no row carries a group: the fairness SLOs cannot be judged) — never a rollback for
   lack of data;
3. **promote** once the minimums are met and every SLO is within its threshold (its estimate, or with
   ``promote_when: bounds-within`` its whole interval); otherwise hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import permutations
from typing import Literal

from qtrust.policy.rollout_plan import RolloutPlan
from qtrust.rollout.burn_rate import BurnAlert
from qtrust.rollout.sequential import bernoulli_cs, bounded_mean_cs
from qtrust.rollout.step_stats import StepStats

Decision = Literal["promote", "hold", "rollback"]
Status = Literal["breached", "within", "unclear", "no data"]
N_CHECKS = 7
#: The incident severity a breach of each SLO opens (the highest among the breached ones wins).
SEVERITY = {
    "error_rate": "high",
    "burn_rate": "critical",
    "fallback_rate": "medium",
    "p99_latency": "medium",
    "accuracy_drop": "high",
    "equalized_odds_gap": "high",
    "demographic_parity_gap": "high",
    "agreement": "medium",
}
_ORDER = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Check:
    slo: str
    direction: Literal["at_most", "at_least"]
    threshold: float
    estimate: float | None
    low: float
    high: float
    n: int
    status: Status


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reasons: list[str]
    checks: list[Check]
    alpha_per_check: float
    burn: list[dict] = field(default_factory=list)
    #: the verdict without its numbers: a hold of the same kind as the last one is not recorded again
    kind: str = ""

    @property
    def severity(self) -> str:
        """The incident severity of a rollback: the highest among the breached SLOs."""
        breached = [SEVERITY[c.slo] for c in self.checks if c.status == "breached"]
        breached += ["critical" for b in self.burn if b.get("firing")]
        return max(breached, key=_ORDER.index) if breached else "low"

    def to_dict(self) -> dict:
        return {
            "decision": self.decision,
            "kind": self.kind,
            "reasons": self.reasons,
            "alpha_per_check": self.alpha_per_check,
            "checks": [asdict(c) for c in self.checks],
            "burn": self.burn,
        }


def _status(
    direction: str, threshold: float, estimate: float | None, low: float, high: float, strict: bool
) -> Status:
    if estimate is None:
        return "no data"
    if direction == "at_most":
        if low > threshold:
            return "breached"
        return "within" if (high if strict else estimate) <= threshold else "unclear"
    if high < threshold:
        return "breached"
    return "within" if (low if strict else estimate) >= threshold else "unclear"


def _rate(
    slo: str, k: int, n: int, threshold: float, alpha: float, strict: bool, at_least: bool = False
) -> Check:
    low, high = bernoulli_cs(k, n, alpha)
    estimate = k / n if n else None
    direction = "at_least" if at_least else "at_most"
    return Check(
        slo,
        direction,
        threshold,
        estimate,
        low,
        high,
        n,
        _status(direction, threshold, estimate, low, high, strict),
    )


def _gap(slo: str, rates: dict[str, tuple[int, int]], threshold: float, alpha: float, strict: bool) -> Check:
    """The largest pairwise gap between groups' rates; each group's interval at α / (number of rates), so the
    gap's interval holds with 1 − α."""
    usable = {g: (k, n) for g, (k, n) in rates.items() if n > 0}
    if len(usable) < 2:
        return Check(slo, "at_most", threshold, None, 0.0, 1.0, sum(n for _, n in usable.values()), "no data")
    share = alpha / len(usable)
    bounds = {g: bernoulli_cs(k, n, share) for g, (k, n) in usable.items()}
    points = {g: k / n for g, (k, n) in usable.items()}
    estimate = max(points[a] - points[b] for a, b in permutations(usable, 2))
    low = max(0.0, max(bounds[a][0] - bounds[b][1] for a, b in permutations(usable, 2)))
    high = max(bounds[a][1] - bounds[b][0] for a, b in permutations(usable, 2))
    n = sum(n for _, n in usable.values())
    return Check(
        slo,
        "at_most",
        threshold,
        estimate,
        low,
        high,
        n,
        _status("at_most", threshold, estimate, low, high, strict),
    )


def _equalized_odds(stats: StepStats, threshold: float, alpha: float, strict: bool) -> Check:
    """The larger of the TPR gap and the FPR gap, each at α/2."""
    tpr = _gap(
        "equalized_odds_gap",
        {g: (c.true_positive, c.label_positive) for g, c in stats.groups.items()},
        threshold,
        alpha / 2,
        strict,
    )
    fpr = _gap(
        "equalized_odds_gap",
        {g: (c.false_positive, c.label_negative) for g, c in stats.groups.items()},
        threshold,
        alpha / 2,
        strict,
    )
    if "no data" in (tpr.status, fpr.status):
        return Check("equalized_odds_gap", "at_most", threshold, None, 0.0, 1.0, tpr.n + fpr.n, "no data")
    worst = max((tpr, fpr), key=lambda c: (c.low, c.estimate or 0.0))
    estimate = max(tpr.estimate or 0.0, fpr.estimate or 0.0)
    low, high = max(tpr.low, fpr.low), max(tpr.high, fpr.high)
    return Check(
        "equalized_odds_gap",
        "at_most",
        threshold,
        estimate,
        low,
        high,
        worst.n,
        _status("at_most", threshold, estimate, low, high, strict),
    )


def judge_step(
    plan: RolloutPlan, stats: StepStats, *, final_step: bool = False, burn: Sequence[BurnAlert] = ()
) -> Verdict:
    """The verdict on one step from its counts (and, at 100%, the burn-rate alerts)."""
    alpha = plan.false_rollback_rate / N_CHECKS
    strict = plan.promote_when == "bounds-within"
    slos = plan.slos
    accuracy_low, accuracy_high = bounded_mean_cs(
        float(stats.classical_minus_quantum_correct), stats.labelled, alpha, planned_n=max(plan.min_labels, 1)
    )
    accuracy_estimate = stats.classical_minus_quantum_correct / stats.labelled if stats.labelled else None
    checks = [
        _rate("error_rate", stats.errors, stats.rows, slos.error_rate, alpha, strict),
        _rate("fallback_rate", stats.fallbacks, stats.rows, slos.fallback_rate, alpha, strict),
        _rate("p99_latency", stats.slow_requests, stats.requests, 0.01, alpha, strict),
        Check(
            "accuracy_drop",
            "at_most",
            slos.accuracy_drop,
            accuracy_estimate,
            accuracy_low,
            accuracy_high,
            stats.labelled,
            _status("at_most", slos.accuracy_drop, accuracy_estimate, accuracy_low, accuracy_high, strict),
        ),
        _equalized_odds(stats, slos.equalized_odds_gap, alpha, strict),
        _gap(
            "demographic_parity_gap",
            {g: (c.positives, c.rows) for g, c in stats.groups.items()},
            slos.demographic_parity_gap,
            alpha,
            strict,
        ),
        _rate(
            "agreement",
            stats.agreeing,
            stats.quantum_answered,
            slos.min_agreement,
            alpha,
            strict,
            at_least=True,
        ),
    ]
    burn_dicts = [asdict(b) | {"firing": b.firing} for b in burn] if final_step else []
    breached = [c for c in checks if c.status == "breached"]
    firing = [b for b in burn_dicts if b["firing"]]
    if breached or firing:
        reasons = [
            f"{c.slo} breached: {c.estimate:.4g} (interval {c.low:.4g}–{c.high:.4g}, n={c.n}) against "
            f"{'at most' if c.direction == 'at_most' else 'at least'} {c.threshold:g}"
            for c in breached
        ] + [
            f"error budget burning {b['burn_long']:.1f}× over {b['long_s']:g} s and {b['burn_short']:.1f}× over "
            f"{b['short_s']:g} s (alert at {b['factor']:g}×)"
            for b in firing
        ]
        kind = "rollback:" + ",".join([c.slo for c in breached] + ["burn_rate"] * bool(firing))
        return Verdict("rollback", reasons, checks, alpha, burn_dicts, kind)
    thin, short = [], []
    if stats.requests < plan.min_requests:
        thin.append(f"{stats.requests}/{plan.min_requests} quantum-cohort requests")
        short.append("requests")
    if stats.labelled < plan.min_labels:
        thin.append(f"{stats.labelled}/{plan.min_labels} labelled rows")
        short.append("labels")
    missing = [c.slo for c in checks if c.status == "no data"]
    if missing:
        thin.append(
            f"no data for {', '.join(missing)}" + (" (no row carries a group)" if not stats.groups else "")
        )
        short += missing
    if thin:
        reasons = ["too little evidence: " + "; ".join(thin)]
        return Verdict("hold", reasons, checks, alpha, burn_dicts, "hold:thin:" + ",".join(short))
    unclear = [c.slo for c in checks if c.status == "unclear"]
    if unclear:
        reasons = [f"not yet shown within the SLO: {', '.join(unclear)}"]
        return Verdict("hold", reasons, checks, alpha, burn_dicts, "hold:unclear:" + ",".join(unclear))
    reasons = ["minimums met and every SLO within its threshold"]
    return Verdict("promote", reasons, checks, alpha, burn_dicts, "promote")
