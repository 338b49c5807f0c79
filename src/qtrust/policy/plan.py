"""Pre-registered evaluation plans: what will be measured and what counts as passing, fixed in advance.

Why: a threshold chosen after seeing the result is not a test. A plan names the assessments, the metric
thresholds (by the metric paths of :mod:`qtrust.results.metrics_table`), and the noise and shot budgets a
model must stand up to; ``qtrust plan register`` signs it into the evidence log *before* any audit uses it.
Registering the same plan name again is an amendment: :func:`compare_plans` lists what got looser or
stricter, and every report of an audit under the plan shows the loosened items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from qtrust.encoding import canonical_json, sha256_hex
from qtrust.errors import InputError
from qtrust.policy.thresholds import Strict, Threshold
from qtrust.quantum.kraus import NOISE_KINDS
from qtrust.yamlfile import read_yaml_mapping, validate

Assessment = Literal["fairness", "noise", "shots", "reproducibility", "comparison"]


class NoiseBudget(Strict):
    channels: list[str] = Field(description="noise channels the model must tolerate")
    max_level: float = Field(gt=0, le=1, description="up to this strength (PennyLane conventions)")

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in NOISE_KINDS]
        if unknown:
            raise ValueError(f"unknown noise channel(s) {unknown}; known: {', '.join(NOISE_KINDS)}")
        return value


class ShotBudget(Strict):
    max_shots: int = Field(gt=0, description="the flip-rate limit must be met within this many shots")


class EvaluationPlan(Strict):
    name: str = Field(description="stable name; registering the same name again is an amendment")
    description: str = ""
    assessments: list[Assessment] = Field(default_factory=lambda: list(Assessment.__args__))
    thresholds: list[Threshold] = Field(default_factory=list)
    noise_budget: NoiseBudget | None = None
    shot_budget: ShotBudget | None = None

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):
            raise ValueError("name must be 1-100 characters: letters, digits, '.', '_' or '-'")
        return value

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """sha256 of the plan's canonical JSON: what audits cite and gates compare."""
        return sha256_hex(canonical_json(self.canonical()))


def load_plan(path: str | Path) -> EvaluationPlan:
    doc = read_yaml_mapping(path, what="plan file", flag="PLAN", fix="see the plan format in the README")
    return validate(
        EvaluationPlan,
        doc,
        str(path),
        fix="see the plan format in the README (name, assessments, thresholds, noise_budget, shot_budget)",
    )


@dataclass(frozen=True)
class PlanChange:
    kind: Literal["loosened", "tightened"]
    what: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "what": self.what}


def _threshold_changes(old: list[Threshold], new: list[Threshold]) -> list[PlanChange]:
    changes = []
    old_by = {(t.metric, t.direction): t for t in old}
    new_by = {(t.metric, t.direction): t for t in new}
    for key, before in old_by.items():
        after = new_by.get(key)
        label = f"{before.direction} {before.metric}"
        if after is None:
            changes.append(
                PlanChange("loosened", f"threshold removed: {label} {before.limit:g} ({before.mode})")
            )
            continue
        if after.limit != before.limit:
            looser = after.limit > before.limit if before.direction == "max" else after.limit < before.limit
            changes.append(
                PlanChange(
                    "loosened" if looser else "tightened", f"{label}: {before.limit:g} → {after.limit:g}"
                )
            )
        if after.mode != before.mode:
            changes.append(
                PlanChange(
                    "loosened" if after.mode == "point" else "tightened",
                    f"{label}: mode {before.mode} → {after.mode}",
                )
            )
    for key, after in new_by.items():
        if key not in old_by:
            changes.append(
                PlanChange("tightened", f"threshold added: {after.direction} {after.metric} {after.limit:g}")
            )
    return changes


def compare_plans(old: EvaluationPlan, new: EvaluationPlan) -> list[PlanChange]:
    """What ``new`` changes relative to ``old``; any "loosened" item makes it an amendment to disclose."""
    changes = [
        PlanChange("loosened", f"assessment dropped: {a}")
        for a in old.assessments
        if a not in new.assessments
    ]
    changes += [
        PlanChange("tightened", f"assessment added: {a}") for a in new.assessments if a not in old.assessments
    ]
    changes += _threshold_changes(old.thresholds, new.thresholds)
    if old.noise_budget is not None:
        nb = new.noise_budget
        if nb is None:
            changes.append(PlanChange("loosened", "noise budget removed"))
        else:
            if nb.max_level != old.noise_budget.max_level:
                looser = nb.max_level < old.noise_budget.max_level
                changes.append(
                    PlanChange(
                        "loosened" if looser else "tightened",
                        f"noise budget level: {old.noise_budget.max_level:g} → {nb.max_level:g}",
                    )
                )
            for channel in old.noise_budget.channels:
                if channel not in nb.channels:
                    changes.append(PlanChange("loosened", f"noise channel dropped: {channel}"))
    elif new.noise_budget is not None:
        changes.append(PlanChange("tightened", "noise budget added"))
    if old.shot_budget is not None:
        sb = new.shot_budget
        if sb is None:
            changes.append(PlanChange("loosened", "shot budget removed"))
        elif sb.max_shots != old.shot_budget.max_shots:
            looser = sb.max_shots > old.shot_budget.max_shots
            changes.append(
                PlanChange(
                    "loosened" if looser else "tightened",
                    f"shot budget: {old.shot_budget.max_shots} → {sb.max_shots} shots",
                )
            )
    elif new.shot_budget is not None:
        changes.append(PlanChange("tightened", "shot budget added"))
    return changes


def check_config_covers(plan: EvaluationPlan, config: Any) -> None:
    """Refuse an audit whose config cannot measure what the plan pre-registered."""
    if plan.noise_budget is not None:
        missing = [c for c in plan.noise_budget.channels if c not in config.noise.channels]
        if missing:
            raise InputError(
                f"plan {plan.name!r} pre-registers noise channel(s) {missing} that the config does not sweep",
                where="config noise.channels",
                fix=f"add {', '.join(missing)} to noise.channels",
            )
        if max(config.noise.levels) < plan.noise_budget.max_level:
            raise InputError(
                f"plan {plan.name!r} pre-registers noise up to {plan.noise_budget.max_level:g}, the config sweeps "
                f"only up to {max(config.noise.levels):g}",
                where="config noise.levels",
                fix=f"add the level {plan.noise_budget.max_level:g}",
            )
