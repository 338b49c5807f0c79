"""Release policies: typed, documented pass / fail criteria on an audit's metrics (policy as code).

A policy is a list of checks. Each check is a threshold (see :mod:`qtrust.policy.thresholds`) on one or
more metric path patterns, optionally scoped to noise settings (channels, strength up to a level) and shot
budgets, and by default applied to the quantum candidates only — a release gate is about the model being
released, and comparisons are read as "candidate vs classical baseline".
"""

from __future__ import annotations

import math
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from qtrust.encoding import canonical_json, sha256_hex
from qtrust.policy.roles import ROLES
from qtrust.policy.thresholds import Mode, Strict, Threshold, validate_metric_pattern
from qtrust.quantum.kraus import NOISE_KINDS
from qtrust.yamlfile import parse_yaml, read_yaml_mapping, validate

DEFAULT_POLICY = "default_policy.yaml"


class NoiseScope(Strict):
    max_level: float | None = Field(None, ge=0, description="only noise settings up to this strength")
    channels: list[str] | None = Field(None, description="only these channels (default: all)")

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: list[str] | None) -> list[str] | None:
        unknown = [c for c in value or [] if c not in NOISE_KINDS]
        if unknown:
            raise ValueError(f"unknown noise channel(s) {unknown}; known: {', '.join(NOISE_KINDS)}")
        return value


class ShotScope(Strict):
    budgets: list[int] | None = Field(None, description="only these shot budgets")
    max_shots: int | None = Field(None, gt=0, description="only budgets up to this many shots")


class Check(Threshold):
    id: str = Field(description="stable name, used in reports and JUnit")
    description: str = ""
    metric: list[str] = Field(description="one or more metric path patterns")  # type: ignore[assignment]
    mode: Mode = "bound"  # type: ignore[assignment]
    noise: NoiseScope | None = None
    shots: ShotScope | None = None
    models: Literal["candidates", "quantum", "all"] | list[str] = Field(
        "candidates",
        description="whose metrics: quantum candidates (default), all quantum models, all, or names",
    )

    @field_validator("metric", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: list[str]) -> list[str]:  # type: ignore[override]
        if not value:
            raise ValueError("a check needs at least one metric")
        return [validate_metric_pattern(v) for v in value]

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", value):
            raise ValueError("check id must be 1-100 characters: letters, digits, '.', '_' or '-'")
        return value

    @model_validator(mode="after")
    def _one_limit(self) -> Check:  # type: ignore[override]
        if (self.max is None) == (self.min is None):
            raise ValueError(f"check {self.id!r} needs exactly one of max or min")
        if not math.isfinite(self.limit):
            raise ValueError(f"check {self.id!r}: the limit must be a finite number")
        return self


class ApprovalRules(Strict):
    """Which roles must sign off, each by a different person who is not the requester."""

    release: list[str] = Field(default_factory=lambda: ["approver", "owner"])
    experiment: list[str] = Field(
        default_factory=lambda: ["reviewer", "legal"],
        description="experiments that combine production data with quantum backends",
    )
    rollout: list[str] = Field(
        default_factory=lambda: ["approver"],
        description="advancing a canary rollout to a step its plan gates (approval_from)",
    )

    @field_validator("release", "experiment", "rollout")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; roles: {', '.join(ROLES)}")
        if not value:
            raise ValueError("an approval needs at least one role")
        return value


class Policy(Strict):
    name: str
    description: str = ""
    checks: list[Check]
    approvals: ApprovalRules = Field(default_factory=ApprovalRules)

    @model_validator(mode="after")
    def _unique(self) -> Policy:
        ids = [c.id for c in self.checks]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"check ids must be unique; repeated: {repeated}")
        return self

    def digest(self) -> str:
        return sha256_hex(canonical_json(self.model_dump(mode="json")))


def load_policy(path: str | Path | None = None) -> Policy:
    """A policy file, or qtrust's default policy when ``path`` is None."""
    fix = "see the default policy in qtrust/policy/default_policy.yaml"
    if path is None:
        source = "default policy"
        doc = parse_yaml(resources.files("qtrust.policy").joinpath(DEFAULT_POLICY).read_text("utf-8"), source)
    else:
        source = str(path)
        doc = read_yaml_mapping(path, what="policy file", flag="--policy", fix=fix)

    def label(loc: tuple) -> str:
        """``checks[2] (fairness-under-noise).max`` rather than ``checks.2.max``: name the check."""
        if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
            checks = doc.get("checks") if isinstance(doc.get("checks"), list) else []
            check_id = (
                checks[loc[1]].get("id")
                if loc[1] < len(checks) and isinstance(checks[loc[1]], dict)
                else None
            )
            return (
                f"checks[{loc[1]}]"
                + (f" ({check_id})" if check_id else "")
                + "".join(f".{p}" for p in loc[2:])
            )
        return ".".join(str(p) for p in loc)

    return validate(
        Policy,
        doc,
        source,
        fix="metric names are audit metric paths such as fairness/*/overall/equalized_odds_difference; "
        + fix,
        label=label,
    )
