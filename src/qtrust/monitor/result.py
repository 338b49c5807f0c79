"""The one typed result every drift detector returns.

A detector answers a single question about one subject (a feature, the encoded angles, the served
probability, the accuracy) and says *how* it answered: the statistic, the p-value when the detector is a
test, the number it was compared with, and a one-sentence method. Keeping every detector behind this one
shape lets a window check (:mod:`qtrust.monitor.window`) return a plain list that a caller can filter,
print or write as JSON without knowing which detector produced which row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DriftResult:
    """What one detector found for one subject in one window.

    ``threshold`` is what ``drifted`` was decided against: a p-value level (``alpha``) for the tests
    (``p_value`` is then not ``None``), a magnitude for PSI, an accuracy floor for CBPE. ``seed`` is the
    seed of every random draw the detector made (``None`` when it draws nothing), so a result can be
    recomputed exactly. ``detail`` holds extra numbers and must stay JSON-safe (see :meth:`to_dict`).
    """

    detector: str
    subject: str
    statistic: float
    p_value: float | None
    threshold: float
    drifted: bool
    reference_n: int
    current_n: int
    method: str
    detail: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON types: NumPy scalars and arrays become Python numbers and lists,
        non-finite floats become ``None`` (JSON has no NaN)."""
        return {f.name: _json_safe(getattr(self, f.name)) for f in fields(self)}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_json_safe(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
