"""The privacy section: membership- and attribute-inference attacks on every model (the red-team).

Metric paths (shot-sampled settings are ``stochastic``)::

    privacy/<model>/<attack>/<setting>/<field>   attack: loss, shadow, lira; setting: exact, shots=<n>,
                                                 <channel>@<level>, <channel>@<level>+shots=<n>; field:
                                                 auc, auc_drop (vs exact), tpr@<fpr>
    privacy/<model>/attribute/<field>            auc, accuracy of attribute inference
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qtrust.results.recorded import MetricTable
from qtrust.results.records import Estimate, Record
from qtrust.results.registry import MetricRoot, Section, Topic


class RocCurve(Record):
    """The attack's ROC on draw-averaged scores, thinned for a chart (exact setting only)."""

    fpr: list[float]
    tpr: list[float]


class MembershipAttack(Record):
    """One attack on one model at one setting."""

    attack: str
    auc: Estimate
    tpr_at_fpr: dict[str, Estimate] = Field(description="TPR at each reported FPR (key: the FPR, e.g. 0.01)")
    n_members: int
    n_nonmembers: int
    n_draws: int
    bootstrap_seed: int
    auc_drop: Estimate | None = Field(None, description="exact-noiseless AUC minus this AUC, paired")
    roc: RocCurve | None = None
    details: dict[str, Any] = Field(
        default_factory=dict, description="the attack's own diagnostics (coefficients, variances, counts)"
    )


class PrivacySetting(Record):
    """Every attack on one model under one deployment setting (noise, shot budget)."""

    noise: str = Field(description="'noiseless' or the noise model's label (<channel>=<level>)")
    shots: int | None = Field(description="shots per prediction; null for exact probabilities")
    attacks: dict[str, MembershipAttack]
    rng_labels: dict[str, str] = Field(default_factory=dict, description="label path of every random draw")

    @property
    def exact(self) -> bool:
        return self.noise == "noiseless" and self.shots is None

    @property
    def path_label(self) -> str:
        """The setting's metric-path segment: ``exact``, ``shots=100``, ``depolarizing@0.01+shots=100``."""
        label = "exact" if self.noise == "noiseless" else self.noise.replace("=", "@")
        if self.shots is not None:
            label = f"shots={self.shots}" if self.noise == "noiseless" else f"{label}+shots={self.shots}"
        return label


class ReferenceModelsRecord(Record):
    n_models: int
    random_states: list[int]
    mask_seed: int
    rows_per_model: list[int]


class AttributeInferenceRecord(Record):
    """How well the sensitive attribute is recovered from the model's output (out-of-fold attack)."""

    groups: list[str]
    n_rows: int
    group_shares: dict[str, float]
    features: list[str]
    uses_label: bool
    auc: Estimate
    per_group_auc: dict[str, float | None]
    accuracy: Estimate
    majority_group: str
    majority_accuracy: float
    label_only_auc: Estimate | None
    chance_auc: float
    seeds: dict[str, int | str]


class ModelPrivacyRecord(Record):
    model: str
    family: str
    target_random_state: int | None
    references: ReferenceModelsRecord
    settings: list[PrivacySetting]
    attribute_inference: AttributeInferenceRecord | None = None
    notes: list[str] = Field(default_factory=list)

    def exact(self) -> PrivacySetting | None:
        return next((s for s in self.settings if s.exact), None)


class MembershipDesignRecord(Record):
    n_pool: int
    n_members: int
    n_nonmembers: int
    seed: int
    how: str
    members_sha256: str
    nonmembers_sha256: str
    attribute_rows: str | None = None
    n_available: int | None = Field(None, description="the pool's rows before sampling; absent: every row")


class PrivacyResult(Record):
    """Membership and attribute inference for every model, with the design and every seed recorded."""

    seed: int
    design: MembershipDesignRecord
    fprs: list[float]
    confidence: float
    n_boot: int
    bootstrap_seed: int
    n_references: int
    reference_noise: str
    shot_draws: int
    reference_draws: int
    attacks: list[str]
    models: list[ModelPrivacyRecord]

    def model(self, name: str) -> ModelPrivacyRecord | None:
        return next((m for m in self.models if m.model == name), None)


TOPIC = Topic(
    "privacy", "Privacy", "Does the model give away who was in its training data, or their group?", 60
)


def write_metrics(privacy: PrivacyResult, table: MetricTable) -> None:
    for model in privacy.models:
        for setting in model.settings:
            stochastic = setting.shots is not None
            for attack, found in setting.attacks.items():
                prefix = ("privacy", model.model, attack, setting.path_label)
                table.estimate((*prefix, "auc"), found.auc, stochastic=stochastic)
                if found.auc_drop is not None:
                    table.estimate((*prefix, "auc_drop"), found.auc_drop, stochastic=stochastic)
                for fpr, est in found.tpr_at_fpr.items():
                    table.estimate((*prefix, f"tpr@{fpr}"), est, stochastic=stochastic)
        attribute = model.attribute_inference
        if attribute is not None:
            table.estimate(("privacy", model.model, "attribute", "auc"), attribute.auc)
            table.estimate(("privacy", model.model, "attribute", "accuracy"), attribute.accuracy)


SECTION = Section(
    name="privacy",
    topic=TOPIC,
    record=PrivacyResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("privacy", frozenset({"auc_drop", "tpr@0.01", "tpr@0.001"}), prefixes=("tpr@",)),),
    many=False,
)
