"""What the assessment runs over: the (noise, shots) read-out settings and the target models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from qtrust.errors import InputError
from qtrust.quantum.noise import NoiseModel

if TYPE_CHECKING:
    from qtrust.assess.fitted import FittedModel
    from qtrust.config.schema import AuditConfig


@dataclass(frozen=True)
class Setting:
    """How the model's output is read: under ``noise`` (None: noiseless), exactly or from ``shots`` shots."""

    noise: NoiseModel | None = None
    shots: int | None = None

    @property
    def noise_label(self) -> str:
        return "noiseless" if self.noise is None else (self.noise.label or "noisy")

    @property
    def label(self) -> str:
        return f"{self.noise_label}/{'exact' if self.shots is None else f'shots={self.shots}'}"

    @property
    def is_reference(self) -> bool:
        return self.noise is None and self.shots is None


def privacy_settings(
    noises: Sequence[NoiseModel] = (), shots: Sequence[int] = (), *, cross: bool = False
) -> list[Setting]:
    """Exact noiseless first (the reference), then shots alone, noise alone, and with ``cross`` both."""
    budgets = sorted({int(s) for s in shots})
    if any(s < 1 for s in budgets):
        raise InputError(f"shot budgets must be positive, got {budgets}", where="shots")
    labels = [n.label for n in noises]
    if len(set(labels)) != len(labels) or "noiseless" in labels:
        raise InputError(
            f"noise models need distinct labels (they name settings and seed shot draws), got {labels}",
            where="noises",
            fix="build them with NoiseModel.single or give each a label",
        )
    settings = [Setting()]
    settings += [Setting(None, s) for s in budgets]
    for noise in noises:
        settings.append(Setting(noise, None))
        if cross:
            settings += [Setting(noise, s) for s in budgets]
    return settings


def audit_noise_models(config: AuditConfig) -> list[NoiseModel]:
    """The audit's noise sweep: every channel at every non-zero level (as the noise assessment runs it)."""
    return [
        config.noise.model(channel, level)
        for channel in config.noise.channels
        for level in config.noise.levels
        if level > 0
    ]


@dataclass
class PrivacyTarget:
    """A model to attack: its name, family, estimator factory (for references) and fitted target.

    ``fit`` must have been trained on exactly the design's members (the audit's fits on ``X_train`` are);
    ``None`` trains one here with ``factory(derive_seed(seed, "privacy", "target"))``.
    """

    name: str
    factory: Callable[[int], Any] | None
    family: Literal["quantum", "classical"]
    fit: Any | None = None

    @property
    def quantum(self) -> bool:
        return self.family == "quantum"


def targets_from_audit(
    config: AuditConfig, models: Sequence[FittedModel], training_seed: int
) -> list[PrivacyTarget]:
    """The audit's fitted models (training seed ``training_seed``) with their estimator factories.

    The factories are the models' own (:func:`qtrust.audit.training.plan_models` for configured models, a
    scikit-learn clone for supplied ones), so reference models are built and trained by the very code path
    the targets were. A black box has no factory: only the attacks that need no reference model run on it.
    """
    return [
        PrivacyTarget(m.name, m.factory, "quantum" if m.quantum else "classical", m.fits[training_seed])
        for m in models
    ]
