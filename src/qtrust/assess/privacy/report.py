"""The privacy assessment's results: per attack, per setting, per model, and the whole report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qtrust.assess.privacy.attribute import AttributeInferenceResult
from qtrust.assess.privacy.references import ReferenceModels
from qtrust.assess.privacy.roc import MembershipMetrics
from qtrust.results.schema import Estimate


@dataclass(frozen=True)
class AttackResult:
    """One attack on one model at one setting; ``auc_drop`` = exact-noiseless AUC − this AUC (paired)."""

    attack: str
    metrics: MembershipMetrics
    auc_drop: Estimate | None
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attack": self.attack,
            **self.metrics.to_dict(),
            "auc_drop": None if self.auc_drop is None else self.auc_drop.model_dump(),
            "details": self.details,
        }


@dataclass(frozen=True)
class SettingResult:
    noise: str
    shots: int | None
    attacks: dict[str, AttackResult]
    rng_labels: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.noise}/{'exact' if self.shots is None else f'shots={self.shots}'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "noise": self.noise,
            "shots": self.shots,
            "attacks": {name: a.to_dict() for name, a in self.attacks.items()},
            "rng_labels": self.rng_labels,
        }


@dataclass(frozen=True)
class ModelPrivacy:
    model: str
    family: str
    target_random_state: int | None
    references: ReferenceModels
    settings: list[SettingResult]
    attribute: AttributeInferenceResult | None
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def setting(self, noise: str = "noiseless", shots: int | None = None) -> SettingResult:
        for s in self.settings:
            if s.noise == noise and s.shots == shots:
                return s
        raise KeyError(f"{self.model} has no setting {noise}/{shots}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "family": self.family,
            "target_random_state": self.target_random_state,
            "references": self.references.to_dict(),
            "settings": [s.to_dict() for s in self.settings],
            "attribute_inference": None if self.attribute is None else self.attribute.to_dict(),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PrivacyReport:
    """Membership and attribute inference for every model, with the design and every seed recorded.

    Random generators are ``derive_rng(seed, *path.split("/"))`` for each recorded label path (the
    derivation joins labels with "/", so the joined path reproduces the draw exactly).
    """

    seed: int
    design: dict[str, Any]
    fprs: tuple[float, ...]
    confidence: float
    n_boot: int
    bootstrap_seed: int
    n_references: int
    reference_noise: str
    shot_draws: int
    reference_draws: int
    attacks: tuple[str, ...]
    models: list[ModelPrivacy]
    seconds: float

    def model(self, name: str) -> ModelPrivacy:
        for m in self.models:
            if m.model == name:
                return m
        raise KeyError(name)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per (model, setting, attack): the table a report shows."""
        out = []
        for m in self.models:
            for s in m.settings:
                for name, a in s.attacks.items():
                    row = {
                        "model": m.model,
                        "family": m.family,
                        "noise": s.noise,
                        "shots": s.shots,
                        "attack": name,
                        "auc": a.metrics.auc.value,
                        "auc_ci": (a.metrics.auc.ci_low, a.metrics.auc.ci_high),
                        "auc_drop": None if a.auc_drop is None else a.auc_drop.value,
                        "auc_drop_ci": None
                        if a.auc_drop is None
                        else (a.auc_drop.ci_low, a.auc_drop.ci_high),
                    }
                    for fpr, est in a.metrics.tpr_at_fpr.items():
                        row[f"tpr@{fpr:g}"] = est.value
                    out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "design": self.design,
            "fprs": list(self.fprs),
            "confidence": self.confidence,
            "n_boot": self.n_boot,
            "bootstrap_seed": self.bootstrap_seed,
            "n_references": self.n_references,
            "reference_noise": self.reference_noise,
            "shot_draws": self.shot_draws,
            "reference_draws": self.reference_draws,
            "attacks": list(self.attacks),
            "models": [m.to_dict() for m in self.models],
            "seconds": round(self.seconds, 4),
        }
