"""One number of an audit under its path, and the table every assessment section writes its numbers into.

:class:`RecordedMetric` is what gates, plans and reproduction compare; :class:`MetricTable` is the writer a
section's ``write_metrics`` receives (see :mod:`qtrust.results.registry`). The path conventions live here
once, so every section spells levels and escapes names the same way (the scheme is described in
:mod:`qtrust.results.metrics_table`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qtrust.results.records import Estimate


def finite(value: Any) -> float | None:
    """A float, or None for anything undefined (None, NaN, ±inf), so undefined compares equal to undefined."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class RecordedMetric:
    """One number of an audit: its value, its interval (when it has one), and whether it is shot-sampled."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    stochastic: bool = False

    def __post_init__(self) -> None:
        # NaN != NaN would make an undefined metric never reproduce; normalise to None once, here.
        object.__setattr__(self, "value", finite(self.value))
        object.__setattr__(self, "ci_low", finite(self.ci_low))
        object.__setattr__(self, "ci_high", finite(self.ci_high))
        object.__setattr__(self, "stochastic", bool(self.stochastic))

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON form: ``{"value": v}``, plus ``"ci": [lo, hi]`` and ``"stochastic": true`` when set.

        Defaults are omitted because a results table holds thousands of these and most have neither.
        """
        out: dict[str, Any] = {"value": self.value}
        if self.ci_low is not None or self.ci_high is not None:
            out["ci"] = [self.ci_low, self.ci_high]
        if self.stochastic:
            out["stochastic"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordedMetric:
        """Inverse of :meth:`to_dict`; unknown keys are an error so a misspelt field is not silently lost."""
        unknown = set(data) - {"value", "ci", "stochastic"}
        if unknown:
            raise ValueError(f"unknown RecordedMetric fields: {sorted(unknown)}")
        if "value" not in data:
            raise ValueError("a RecordedMetric needs a 'value' (null when undefined)")
        ci = data.get("ci")
        if ci is None:
            low = high = None
        else:
            if len(ci) != 2:
                raise ValueError(f"'ci' must be [low, high], got {ci!r}")
            low, high = ci
        return cls(value=data["value"], ci_low=low, ci_high=high, stochastic=bool(data.get("stochastic")))


def segment(name: object) -> str:
    """One path segment: a ``/`` inside a name must not split it (``%`` is escaped first, so it is reversible)."""
    return str(name).replace("%", "%25").replace("/", "%2F")


def level_text(level: float) -> str:
    """Shortest round-trip decimal, ``1.0`` written ``1``: how a level is written in a config."""
    text = repr(float(level))
    return text[:-2] if text.endswith(".0") else text


class MetricTable:
    """Collects ``path -> RecordedMetric`` and refuses a path twice: two numbers under one name would make
    gates ambiguous. Each assessment section writes its part through :meth:`number` and :meth:`estimate`.
    """

    def __init__(self) -> None:
        self.entries: dict[str, RecordedMetric] = {}

    def add(self, parts: Iterable[object], metric: RecordedMetric) -> None:
        path = "/".join(segment(p) for p in parts)
        if path in self.entries:
            raise ValueError(f"metric path {path!r} occurs twice in the audit result; names must be unique")
        self.entries[path] = metric

    def number(self, parts: Iterable[object], value: Any, *, stochastic: bool = False) -> None:
        """A plain number (booleans as 1.0 / 0.0); undefined values are kept as ``None``."""
        self.add(parts, RecordedMetric(value=finite(value), stochastic=stochastic))

    def estimate(self, parts: Iterable[object], est: Estimate, *, stochastic: bool = False) -> None:
        """An estimate with its interval."""
        self.add(parts, RecordedMetric(est.value, est.ci_low, est.ci_high, stochastic))

    def estimates(
        self, prefix: tuple[object, ...], metrics: Mapping[str, Estimate], *, stochastic: bool = False
    ) -> None:
        """Every estimate of a ``metric key -> Estimate`` mapping, each under ``prefix/<key>``."""
        for key, est in metrics.items():
            self.estimate((*prefix, key), est, stochastic=stochastic)
