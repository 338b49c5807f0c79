"""Read-outs derived from an :class:`~qtrust.results.schema.AuditResult` for the report and the model card.

Nothing here measures anything: these are the same verdict rules the findings use (``qtrust.assess``),
re-applied to the recorded numbers so that per-channel and per-budget summaries can be printed next to the
charts. Thresholds come from ``result.config["verdicts"]``; a missing threshold disables its rule.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qtrust.report._format import SEVERITY_ORDER, TOPIC_ORDER, integer, is_number, pct
from qtrust.results.schema import (
    AuditResult,
    Estimate,
    Finding,
    ModelRecord,
    NoisePoint,
    NoiseSweepResult,
    PairedMetric,
    ShotsResult,
)

#: Fairness metric → (verdict key, kind of bound).
FAIRNESS_LIMITS: dict[str, tuple[str, str]] = {
    "equalized_odds_difference": ("max_equalized_odds_difference", "max"),
    "demographic_parity_difference": ("max_demographic_parity_difference", "max"),
    "disparate_impact_ratio": ("min_disparate_impact_ratio", "min"),
}


def metric_info(result: AuditResult) -> dict[str, dict[str, Any]]:
    """Metric metadata: the result's own, completed from the installed catalogue (for older results)."""
    from qtrust.metrics import METRIC_INFO

    info = {key: m.to_dict() for key, m in METRIC_INFO.items()}
    info.update({k: dict(v) for k, v in result.metric_info.items()})
    return info


def verdicts(result: AuditResult) -> dict[str, Any]:
    raw = result.config.get("verdicts") if isinstance(result.config, dict) else None
    return dict(raw) if isinstance(raw, dict) else {}


def threshold(result: AuditResult, key: str) -> float | None:
    value = verdicts(result).get(key)
    return float(value) if is_number(value) else None


def candidates(result: AuditResult) -> list[ModelRecord]:
    """Quantum candidates in config order (the models the audit is about)."""
    return [m for m in result.models if m.family == "quantum" and m.role == "candidate"]


def quantum_models(result: AuditResult) -> list[ModelRecord]:
    return [m for m in result.models if m.family == "quantum"]


def role_label(model: ModelRecord | None) -> str:
    if model is None:
        return "model"
    if model.role == "control":
        return "quantum control (no entanglement)" if model.kind == "variational" else "quantum control"
    return f"{model.family} {model.role}"


def find_model(result: AuditResult, name: str) -> ModelRecord | None:
    return next((m for m in result.models if m.name == name), None)


# --- verdicts --------------------------------------------------------------------------------------------


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITY_ORDER}


def worst(severities: list[str]) -> str | None:
    """The most serious of ``severities`` (fail > warn > pass > info)."""
    ranked = [s for s in SEVERITY_ORDER if s in severities]
    return ranked[0] if ranked else None


def findings_by_topic(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by topic in report order; the given order (fail → info) is kept inside a topic."""
    topics = [t for t in TOPIC_ORDER if any(f.topic == t for f in findings)]
    topics += sorted({f.topic for f in findings} - set(topics))
    return [(t, [f for f in findings if f.topic == t]) for t in topics]


def fairness_status(result: AuditResult, key: str, est: Estimate | None) -> str | None:
    """``fail`` / ``warn`` / ``pass`` against the verdict threshold, by the findings' rules; None if no rule."""
    if key not in FAIRNESS_LIMITS or est is None:
        return None
    name, kind = FAIRNESS_LIMITS[key]
    limit = threshold(result, name)
    if limit is None:
        return None
    if est.value is None:
        return "warn"
    if kind == "max":
        if est.value > limit:
            return "fail"
        return "warn" if is_number(est.ci_high) and est.ci_high > limit else "pass"
    if est.value < limit:
        return "fail"
    return "warn" if is_number(est.ci_low) and est.ci_low < limit else "pass"


def significant(m: PairedMetric) -> bool:
    """The difference's interval excludes 0."""
    return is_number(m.ci_low) and is_number(m.ci_high) and (m.ci_low > 0 or m.ci_high < 0)


def alpha(result: AuditResult) -> float:
    stats = result.config.get("statistics") if isinstance(result.config, dict) else None
    confidence = stats.get("confidence") if isinstance(stats, dict) else None
    return 1 - float(confidence) if is_number(confidence) else 0.05


# --- noise -----------------------------------------------------------------------------------------------


@dataclass
class ChannelProfile:
    """How one model's metrics respond to one noise channel."""

    channel: str
    points: list[NoisePoint]
    accuracy_break: NoisePoint | None
    fairness_break: NoisePoint | None
    max_level: float | None
    paths: list[str] = field(default_factory=list)

    @property
    def tolerated(self) -> float | None:
        """Largest tested level below the first break of either rule (None: breaks at the first level)."""
        breaks = [p.level for p in (self.accuracy_break, self.fairness_break) if p is not None]
        first = min(breaks) if breaks else math.inf
        ok = [p.level for p in self.points if p.level < first]
        return max(ok) if ok else None

    @property
    def robust(self) -> bool:
        return self.accuracy_break is None and self.fairness_break is None


def channel_profiles(result: AuditResult, sweep: NoiseSweepResult) -> list[ChannelProfile]:
    max_drop = threshold(result, "max_accuracy_drop")
    max_eod = threshold(result, "max_equalized_odds_difference")
    channels = list(sweep.channels) + sorted({p.channel for p in sweep.points} - set(sweep.channels))
    out = []
    for channel in channels:
        points = sorted((p for p in sweep.points if p.channel == channel), key=lambda p: p.level)
        if not points:
            continue
        acc_break = None
        if max_drop is not None:
            acc_break = next(
                (
                    p
                    for p in points
                    if is_number(p.change.get("accuracy")) and p.change["accuracy"] < -max_drop
                ),
                None,
            )
        fair_break = None
        if max_eod is not None:
            fair_break = next(
                (p for p in points if _value(p.metrics, "equalized_odds_difference", max_eod)), None
            )
        out.append(
            ChannelProfile(
                channel=channel,
                points=points,
                accuracy_break=acc_break,
                fairness_break=fair_break,
                max_level=points[-1].level,
                paths=sorted({p.path or "" for p in points}),
            )
        )
    return out


def _value(metrics: dict[str, Estimate], key: str, limit: float) -> bool:
    est = metrics.get(key)
    return est is not None and is_number(est.value) and est.value > limit


# --- shots -----------------------------------------------------------------------------------------------


@dataclass
class ShotAdvice:
    """The smallest tested budget whose flip-rate upper bound meets the limit, or an extrapolation."""

    limit: float | None
    minimum: int | None
    extrapolated: int | None
    largest_tested: int | None

    def text(self) -> str:
        if self.limit is None:
            return "no flip-rate limit configured"
        if self.minimum is not None:
            return (
                f"at least {integer(self.minimum)} shots per prediction (the smallest tested budget whose "
                f"95% upper bound on the flip rate stays below {pct(self.limit)})"
            )
        if self.extrapolated is not None:
            return (
                f"more than the largest tested budget ({integer(self.largest_tested)}); about "
                f"{integer(self.extrapolated)} shots if the flip rate's upper bound keeps falling with the square "
                "root of the shots — verify before relying on it"
            )
        return "not determinable from the tested budgets"


def shot_advice(result: AuditResult, shots: ShotsResult) -> ShotAdvice:
    limit = threshold(result, "max_flip_rate")
    points = sorted(shots.points, key=lambda p: p.shots)
    if limit is None or not points:
        return ShotAdvice(limit, None, None, points[-1].shots if points else None)
    enough = next(
        (p for p in points if is_number(p.flip_rate.ci_high) and p.flip_rate.ci_high <= limit), None
    )
    if enough is not None:
        return ShotAdvice(limit, enough.shots, None, points[-1].shots)
    last = points[-1]
    upper = last.flip_rate.ci_high
    extrapolated = None
    if is_number(upper) and upper > 0 and limit > 0:
        # flips come from rows whose probability lies within ~1/sqrt(shots) of the threshold
        needed = last.shots * (upper / limit) ** 2
        magnitude = 10 ** max(0, math.floor(math.log10(needed)) - 1)
        extrapolated = int(math.ceil(needed / magnitude) * magnitude)
    return ShotAdvice(limit, None, extrapolated, last.shots)
