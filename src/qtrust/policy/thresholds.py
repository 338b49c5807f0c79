"""Thresholds on audit metrics, shared by pre-registered plans and release policies.

A threshold names metrics by the paths of :mod:`qtrust.results.metrics_table` (``*`` matches one segment)
and a limit (``max`` or ``min``). How an estimate with a confidence interval is judged is the mode:

- ``point``: the estimate itself must meet the limit;
- ``bound``: the relevant end of the 95% CI must meet it (the upper end for a ``max``, the lower for a
  ``min``); a CI that straddles the limit is *inconclusive*, never a pass;
- ``significant_breach``: only a CI lying wholly beyond the limit fails ("not significantly worse").

A metric that is undefined, or a ``bound`` on a number recorded without a CI, is inconclusive with the
reason, never a silent pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.metrics import METRIC_INFO
from qtrust.results.metrics_table import RecordedMetric
from qtrust.results.registry import REGISTRY, Registry

Status = Literal["pass", "fail", "inconclusive"]
Mode = Literal["point", "bound", "significant_breach"]


def validate_metric_pattern(value: str, registry: Registry = REGISTRY) -> str:
    """Refuse a pattern that cannot name any audit metric, e.g. a misspelt metric key.

    The vocabulary is the registry's: a pattern starts with a registered section's metric root and ends in
    ``*``, a metric key, or a name that root's section writes (``sd``, ``seed=3``, ``lipschitz``).
    """
    vocabulary = registry.vocabulary()
    parts = value.split("/")
    if len(parts) < 3 or parts[0] not in vocabulary:
        raise ValueError(
            f"{value!r} is not a metric path: it starts with one of {', '.join(vocabulary)} and has at least "
            "three segments, e.g. fairness/*/overall/equalized_odds_difference"
        )
    last = parts[-1]
    if last != "*" and last not in METRIC_INFO and not vocabulary[parts[0]].admits(last):
        known = ", ".join(sorted(METRIC_INFO))
        raise ValueError(
            f"{value!r} ends in {last!r}, which is neither a metric ({known}) nor a field of one"
        )
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Threshold(Strict):
    """A limit on every metric matching ``metric``."""

    metric: str = Field(description="metric path pattern, e.g. fairness/*/overall/equalized_odds_difference")
    max: float | None = Field(None, description="the metric must not exceed this")
    min: float | None = Field(None, description="the metric must not fall below this")
    mode: Literal["point", "bound"] = Field(
        "bound", description="point: the estimate; bound: the relevant end of the 95% CI must meet it"
    )

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        return validate_metric_pattern(value)

    @model_validator(mode="after")
    def _one_limit(self) -> Threshold:
        if (self.max is None) == (self.min is None):
            raise ValueError(f"threshold on {self.metric!r} needs exactly one of max or min")
        if not math.isfinite(self.limit):
            raise ValueError(f"threshold on {self.metric!r} must be a finite number")
        return self

    @property
    def direction(self) -> Literal["max", "min"]:
        return "max" if self.max is not None else "min"

    @property
    def limit(self) -> float:
        return self.max if self.max is not None else self.min  # type: ignore[return-value]


MODE_STRENGTH = {"significant_breach": 0, "point": 1, "bound": 2}


def is_looser(direction: str, limit: float, mode: str, than_limit: float, than_mode: str) -> bool:
    """Whether (limit, mode) lets through something (than_limit, than_mode) would stop."""
    laxer_limit = limit > than_limit if direction == "max" else limit < than_limit
    return laxer_limit or MODE_STRENGTH[mode] < MODE_STRENGTH[than_mode]


@dataclass(frozen=True)
class Judgement:
    path: str
    status: Status
    value: float | None
    ci_low: float | None
    ci_high: float | None
    reason: str

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "value": self.value,
            "ci": [self.ci_low, self.ci_high],
            "reason": self.reason,
        }


def _fmt(x: float | None) -> str:
    return "undefined" if x is None else f"{x:.4g}"


def judge(path: str, metric: RecordedMetric, direction: str, limit: float, mode: str) -> Judgement:
    """Pass, fail or inconclusive for one metric, with the reason in words."""
    value, low, high = metric.value, metric.ci_low, metric.ci_high

    def ok(x: float) -> bool:
        return x <= limit if direction == "max" else x >= limit

    sign = "≤" if direction == "max" else "≥"
    ci = f"[{_fmt(low)}, {_fmt(high)}]"
    if value is None:
        return Judgement(path, "inconclusive", value, low, high, "the metric is undefined in this audit")
    if mode == "point":
        status: Status = "pass" if ok(value) else "fail"
        return Judgement(
            path,
            status,
            value,
            low,
            high,
            f"estimate {_fmt(value)} {'meets' if ok(value) else 'breaks'} {sign} {limit:g}",
        )
    if low is None or high is None:
        return Judgement(
            path,
            "inconclusive",
            value,
            low,
            high,
            f"no confidence interval recorded for a {mode} check; use mode point",
        )
    near, far = (high, low) if direction == "max" else (low, high)  # conservative end, optimistic end
    if mode == "bound":
        if ok(near):
            return Judgement(path, "pass", value, low, high, f"95% CI {ci} lies within {sign} {limit:g}")
        if not ok(far):
            return Judgement(
                path, "fail", value, low, high, f"95% CI {ci} lies wholly beyond {sign} {limit:g}"
            )
        return Judgement(path, "inconclusive", value, low, high, f"95% CI {ci} straddles {limit:g}")
    if not ok(far):
        return Judgement(
            path,
            "fail",
            value,
            low,
            high,
            f"95% CI {ci} lies wholly beyond {sign} {limit:g}: a significant breach",
        )
    return Judgement(
        path, "pass", value, low, high, f"no significant breach: 95% CI {ci} reaches {sign} {limit:g}"
    )
