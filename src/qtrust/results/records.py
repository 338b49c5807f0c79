"""The building blocks every section of ``results.json`` is made of: a strict record and an estimate.

Kept apart from :mod:`qtrust.results.schema` so that each assessment's section (``qtrust.results.sections``)
and the metric-table writer can build on them without importing the whole result.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def finite_or_none(value: Any) -> Any:
    """NaN and ±inf become ``None``: JSON has no spelling for them, and undefined must not read as 0."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def finite_values(value: Any) -> Any:
    """:func:`finite_or_none` over the values of a dict (a ``change`` or ``shot_sd`` mapping)."""
    return {k: finite_or_none(x) for k, x in value.items()} if isinstance(value, dict) else value


def finite_items(value: Any) -> Any:
    """:func:`finite_or_none` over a list of numbers (per-seed or per-draw values)."""
    if not isinstance(value, list | tuple):
        return value
    return [None if x is None else finite_or_none(float(x)) for x in value]


class Record(BaseModel):
    """A strict part of the result: an unknown field is an error, so a misspelt one is never lost."""

    model_config = ConfigDict(extra="forbid")


class Estimate(Record):
    """A metric with its uncertainty: point value, confidence interval, spread over prediction draws."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float = 0.95
    sd: float | None = Field(None, description="standard deviation over prediction draws (seeds / shots)")
    n_draws: int = 1
    n_boot: int = 0
    n_undefined: int = Field(0, description="bootstrap replicates where the metric was undefined")
    method: str = ""

    _finite = field_validator("value", "ci_low", "ci_high", "sd", mode="before")(finite_or_none)

    @classmethod
    def of(cls, estimate: Any) -> Estimate:
        """From a :class:`qtrust.metrics.Estimate` (or anything with ``to_dict``)."""
        return cls(**estimate.to_dict())
