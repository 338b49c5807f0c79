"""Read-outs derived from an :class:`~qtrust.results.schema.AuditResult` for the report and the model card.

Nothing here measures anything: these are the same verdict rules the findings use (``qtrust.assess``),
re-applied to the recorded numbers so that per-channel and per-budget summaries can be printed next to the
charts. Thresholds come from ``result.config["verdicts"]``; a missing threshold disables its rule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qtrust.report._format import SEVERITY_ORDER, integer, is_number, pct
from qtrust.results.registry import REGISTRY
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
    """Findings grouped by topic in the registry's topic order; the given order (fail → info) is kept inside a
    topic, and a topic no registered assessment declares comes last."""
    topics = [t for t in REGISTRY.topic_order() if any(f.topic == t for f in findings)]
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
    tolerated: float | None = None  # largest tested level below both breaks (None: the first level breaks)
    fairness_fails_without_noise: bool = False

    @property
    def robust(self) -> bool:
        return self.accuracy_break is None and self.fairness_break is None


def channel_profiles(result: AuditResult, sweep: NoiseSweepResult) -> list[ChannelProfile]:
    """Per channel: its points and the breaks recorded by the audit (``sweep.tolerance``)."""
    out = []
    for tol in sweep.tolerance:
        points = sorted((p for p in sweep.points if p.channel == tol.channel), key=lambda p: p.level)
        at = {p.level: p for p in points}
        out.append(
            ChannelProfile(
                channel=tol.channel,
                points=points,
                accuracy_break=at.get(tol.accuracy_break) if tol.accuracy_break is not None else None,
                fairness_break=at.get(tol.fairness_break) if tol.fairness_break is not None else None,
                max_level=tol.max_level,
                paths=sorted({p.path or "" for p in points}),
                tolerated=tol.tolerated_up_to,
                fairness_fails_without_noise=tol.fairness_fails_without_noise,
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
    """The shot budget the audit recorded (``minimum_shots`` or its extrapolation)."""
    largest = max((p.shots for p in shots.points), default=None)
    return ShotAdvice(shots.flip_limit, shots.minimum_shots, shots.extrapolated_shots, largest)
