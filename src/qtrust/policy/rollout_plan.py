"""A rollout plan as policy code: the canary's steps, how much evidence each step needs, and its SLOs.

Why a plan fixed in advance (and signed into the log before the rollout starts): a rollback threshold chosen
while watching the canary is not a test, and the false-rollback rate the plan states is only true of the
plan that was registered. Each step is judged by anytime-valid confidence sequences (see
:mod:`qtrust.rollout.sequential`): a step is rolled back only when an SLO is breached with the stated
confidence, held while the evidence is too thin, and promoted once the minimums are met and no SLO is
breached.

Example (YAML)::

    name: german-credit-canary
    steps: [1, 5, 25, 50, 100]       # percent of targeting keys that see the quantum model
    min_requests: 200                # quantum-cohort requests per step before it can be promoted
    min_labels: 50                   # labelled quantum-cohort rows per step
    interval_s: 60                   # the controller judges the step this often
    false_rollback_rate: 0.05        # per step, shared by the SLO checks (Bonferroni)
    opt_in: false                    # true: only requests with consent see the quantum model
    approval_from: 50                # advancing to 50% or more needs an approved rollout request
    slos:
      error_rate: 0.01               # backend failures, timeouts, open breaker
      fallback_rate: 0.05            # any fallback answer (failures and shot-rule deferrals)
      p99_latency_ms: 500            # at most 1% of requests slower than this
      accuracy_drop: 0.05            # classical accuracy minus quantum accuracy, same labelled rows
      equalized_odds_gap: 0.10       # largest TPR or FPR gap between groups (quantum cohort)
      demographic_parity_gap: 0.10   # largest positive-rate gap between groups
      min_agreement: 0.80            # share of quantum decisions equal to the classical model's
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from qtrust.encoding import canonical_json, sha256_hex
from qtrust.policy.thresholds import Strict
from qtrust.yamlfile import read_yaml_mapping, validate


class SLOs(Strict):
    error_rate: float = Field(
        0.01, gt=0, lt=1, description="share of quantum-cohort rows whose backend call failed"
    )
    fallback_rate: float = Field(
        0.05, gt=0, lt=1, description="share of quantum-cohort rows the fallback answered"
    )
    p99_latency_ms: float = Field(
        500.0, gt=0, description="at most 1% of quantum-cohort requests slower than this"
    )
    accuracy_drop: float = Field(
        0.05, ge=0, lt=1, description="classical minus quantum accuracy on labelled rows"
    )
    equalized_odds_gap: float = Field(0.10, gt=0, lt=1, description="largest TPR or FPR gap between groups")
    demographic_parity_gap: float = Field(
        0.10, gt=0, lt=1, description="largest positive-rate gap between groups"
    )
    min_agreement: float = Field(
        0.80, ge=0, lt=1, description="share of quantum decisions equal to the classical"
    )


class BurnWindow(Strict):
    long_s: float = Field(gt=0)
    short_s: float = Field(gt=0)
    factor: float = Field(gt=1, description="burn rate (multiples of the error budget's pace) that alerts")

    @model_validator(mode="after")
    def _short_is_shorter(self) -> BurnWindow:
        if self.short_s >= self.long_s:
            raise ValueError("a burn-rate window's short_s must be shorter than its long_s")
        return self


#: The Google SRE workbook's two page-level pairs for a 30-day budget: 2% of it in 1 h, or 5% in 6 h.
SRE_WINDOWS = (
    BurnWindow(long_s=3600, short_s=300, factor=14.4),
    BurnWindow(long_s=21600, short_s=1800, factor=6.0),
)


class RolloutPlan(Strict):
    name: str = Field(description="stable name; registering the same name again is an amendment")
    description: str = ""
    steps: list[float] = Field(default_factory=lambda: [1.0, 5.0, 25.0, 50.0, 100.0])
    min_requests: int = Field(200, ge=1)
    min_labels: int = Field(50, ge=0)
    interval_s: float = Field(60.0, gt=0)
    false_rollback_rate: float = Field(0.05, gt=0, lt=0.5)
    opt_in: bool = False
    approval_from: float | None = Field(
        50.0, description="advancing to this percent or more needs an approval"
    )
    promote_when: Literal["estimates-within", "bounds-within"] = Field(
        "estimates-within",
        description="estimates-within: minimums met, no breach, every estimate inside its SLO; bounds-within: "
        "every confidence bound inside its SLO (stricter, slower)",
    )
    slos: SLOs = Field(default_factory=SLOs)
    burn_windows: list[BurnWindow] = Field(default_factory=lambda: list(SRE_WINDOWS))

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):
            raise ValueError("name must be 1-100 characters: letters, digits, '.', '_' or '-'")
        return value

    @field_validator("steps")
    @classmethod
    def _steps(cls, value: list[float]) -> list[float]:
        if not value or any(not 0 < v <= 100 for v in value) or any(b <= a for a, b in pairwise(value)):
            raise ValueError("steps must be increasing percentages in (0, 100]")
        if value[-1] != 100:
            raise ValueError("the last step must be 100 (the rollout ends with everyone on the new model)")
        return value

    def needs_approval(self, percent: float) -> bool:
        return self.approval_from is not None and percent >= self.approval_from

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """sha256 of the plan's canonical JSON: what each step decision cites."""
        return sha256_hex(canonical_json(self.canonical()))


def load_rollout_plan(path: str | Path) -> RolloutPlan:
    doc = read_yaml_mapping(
        path, what="rollout plan", flag="PLAN", fix="see the rollout plan format in the README"
    )
    return validate(
        RolloutPlan,
        doc,
        str(path),
        fix="see the rollout plan format in the README (name, steps, min_requests, min_labels, slos, ...)",
    )
