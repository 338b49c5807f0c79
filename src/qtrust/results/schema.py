"""The audit result: a versioned, typed record of everything an audit measured and how.

``results.json`` is this model serialised; ``qtrust schema`` prints its JSON Schema. Bump
``SCHEMA_VERSION`` on any change that breaks a reader (renamed or removed fields, changed meanings); adding
optional fields is a minor change. Undefined numbers (a TPR for a group with no positives) are ``null``,
never 0.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = "1.1"  # 1.1: the pre-registered plan an audit ran under

Severity = Literal["pass", "warn", "fail", "info"]


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Record(BaseModel):
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

    _finite = field_validator("value", "ci_low", "ci_high", "sd", mode="before")(_finite_or_none)

    @classmethod
    def of(cls, estimate: Any) -> Estimate:
        """From a :class:`qtrust.metrics.Estimate` (or anything with ``to_dict``)."""
        return cls(**estimate.to_dict())


class GroupMetrics(Record):
    group: str
    n_test: int
    n_positive: int | None = Field(None, description="test rows of this group with the favourable label")
    n_negative: int | None = None
    metrics: dict[str, Estimate]


class FairnessResult(Record):
    """Performance and fairness of one model on clean (noiseless, exact) predictions, over its seeds."""

    model: str
    n_draws: int
    overall: dict[str, Estimate]
    by_group: list[GroupMetrics]


class NoisePoint(Record):
    channel: str
    level: float
    label: str
    path: str = Field(description="simulation path that produced the probabilities")
    metrics: dict[str, Estimate]
    change: dict[str, float | None] = Field(description="metric value minus the noiseless value")

    _finite = field_validator("change", mode="before")(
        lambda v: {k: _finite_or_none(x) for k, x in v.items()} if isinstance(v, dict) else v
    )


class DevicePoint(Record):
    """A model under one device's calibration snapshot (all its channels and readout errors at once)."""

    device: str
    layout: str = Field(description="best, worst, or the explicit physical qubits")
    label: str
    physical_qubits: list[int] = Field(description="logical wire i runs on physical qubit physical_qubits[i]")
    calibration_date: str | None = Field(description="when the snapshot was taken (not the device today)")
    path: str = Field(description="simulation path that produced the probabilities")
    metrics: dict[str, Estimate]
    change: dict[str, float | None] = Field(description="metric value minus the noiseless value")
    source: dict[str, Any] = Field(default_factory=dict, description="the snapshot and the approximations")

    _finite = field_validator("change", mode="before")(
        lambda v: {k: _finite_or_none(x) for k, x in v.items()} if isinstance(v, dict) else v
    )


class ChannelTolerance(Record):
    """How much of one noise channel a model tolerates, by the ``verdicts`` thresholds of the config."""

    channel: str
    max_level: float = Field(description="largest tested strength")
    accuracy_break: float | None = Field(
        description="first strength where accuracy falls by more than allowed"
    )
    fairness_break: float | None = Field(
        description="first strength where the equalised-odds gap exceeds its limit (null when it already does "
        "without noise: then the break is not the noise's doing, see fairness_fails_without_noise)"
    )
    fairness_fails_without_noise: bool = False
    tolerated_up_to: float | None = Field(
        description="largest tested strength below both breaks; null when the first tested strength breaks"
    )


class NoiseSweepResult(Record):
    model: str
    channels: list[str]
    levels: list[float]
    reference: dict[str, Estimate] = Field(description="noiseless metrics")
    points: list[NoisePoint]
    tolerance: list[ChannelTolerance] = Field(default_factory=list)
    devices: list[DevicePoint] = Field(
        default_factory=list, description="the model under device calibration snapshots (noise.devices)"
    )
    conventions: dict[str, str] = Field(
        default_factory=dict, description="what each channel's strength means"
    )


class ShotPoint(Record):
    shots: int
    n_draws: int
    flip_rate: Estimate = Field(
        description="share of predictions that differ from the exact-probability prediction"
    )
    metrics: dict[str, Estimate]
    shot_sd: dict[str, float | None] = Field(
        description="sd of each metric over shot draws, averaged over seeds"
    )

    _finite = field_validator("shot_sd", mode="before")(
        lambda v: {k: _finite_or_none(x) for k, x in v.items()} if isinstance(v, dict) else v
    )


class ShotsResult(Record):
    model: str
    repeats: int
    exact: dict[str, Estimate]
    points: list[ShotPoint]
    flip_limit: float | None = Field(None, description="tolerated flip rate (verdicts.max_flip_rate)")
    minimum_shots: int | None = Field(
        None, description="smallest tested budget whose flip-rate upper bound meets the limit"
    )
    extrapolated_shots: int | None = Field(
        None,
        description="when no tested budget suffices: the budget at which the upper bound would meet the limit "
        "if it keeps falling as 1/sqrt(shots) — an extrapolation to verify",
    )


class SeedSummary(Record):
    metric: str
    values: list[float | None]
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    _finite = field_validator("mean", "sd", "ci_low", "ci_high", mode="before")(_finite_or_none)
    _values = field_validator("values", mode="before")(
        lambda v: [_finite_or_none(float(x)) for x in v] if isinstance(v, list | tuple) else v
    )


class VarianceSplit(Record):
    metric: str
    shots: int
    mean: float | None
    seed: float | None
    shot: float | None
    data: float | None
    total: float | None
    fraction_seed: float | None
    fraction_shot: float | None
    fraction_data: float | None

    _finite = field_validator(
        "mean",
        "seed",
        "shot",
        "data",
        "total",
        "fraction_seed",
        "fraction_shot",
        "fraction_data",
        mode="before",
    )(_finite_or_none)


class ReproducibilityResult(Record):
    model: str
    seeds: list[int]
    metrics: list[SeedSummary]
    variance: list[VarianceSplit] = Field(default_factory=list)
    note: str | None = Field(None, description="why some numbers are absent (e.g. one fixed supplied model)")


class PairedMetric(Record):
    metric: str
    quantum: float | None
    classical: float | None
    difference: float | None = Field(description="quantum minus classical")
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    favours: Literal["quantum", "classical"] | None

    _finite = field_validator(
        "quantum", "classical", "difference", "ci_low", "ci_high", "p_value", mode="before"
    )(_finite_or_none)


class McNemar(Record):
    quantum_only_correct: int
    classical_only_correct: int
    p_value: float


class ComparisonResult(Record):
    quantum_model: str
    baseline: str
    n_seeds: int
    metrics: list[PairedMetric]
    mcnemar: McNemar


class CertifiedPoint(Record):
    """K* of one model under one noise setting, over the training seeds."""

    channel: str = Field(description="'none' for the noiseless model, 'device' for a calibration snapshot")
    level: float
    device: str | None = Field(
        None, description="the device and layout (device:layout) when channel is 'device'"
    )
    lipschitz: float = Field(description="K* of the first training seed")
    lipschitz_max: float = Field(description="largest K* over the training seeds")
    fair: bool = Field(description="(ε, δ)-fair for every training seed: δ ≥ K*·ε")


class BiasPairRecord(Record):
    """The two inputs, from different groups and in the encoding's reach, with the largest output gap."""

    reachable_gap: float
    p_high: float
    p_low: float
    group_high: str
    group_low: str
    features_high: dict[str, Any]
    features_low: dict[str, Any]
    angles_high: list[float]
    angles_low: list[float]


class CertifiedFairnessResult(Record):
    model: str
    epsilon: float
    delta: float
    n_qubits: int
    points: list[CertifiedPoint]
    bias_pair: BiasPairRecord | None = Field(None, description="noiseless model, first training seed")
    seconds: float = Field(description="time to compute every K* (eigendecompositions included)")
    method: str = "K* = λmax(M) − λmin(M), M = E†(class-1 effect), Guan, Fang & Ying (CAV 2022)"


class Finding(Record):
    """A verdict in plain language, with the numbers it rests on."""

    id: str
    severity: Severity
    topic: Literal["performance", "fairness", "noise", "shots", "reproducibility", "data", "privacy"]
    model: str | None = None
    title: str
    detail: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class ModelFit(Record):
    seed: int
    train_seconds: float
    iterations: int | None = None
    converged: bool | None = None
    final_loss: float | None = None
    description: dict[str, Any]


class ModelRecord(Record):
    name: str
    family: Literal["quantum", "classical"]
    role: Literal["candidate", "baseline", "control"]
    kind: str
    params: dict[str, Any]
    fits: list[ModelFit]
    circuit: dict[str, Any] | None = None
    simulation: dict[str, str] | None = None
    origin: Literal["configured", "supplied"] = Field(
        "configured", description="built from the config, or supplied by the caller (bring your own model)"
    )
    execution: str | None = Field(
        None,
        description="how its outputs were computed: qtrust's engine on a translated circuit, the framework's "
        "own device, scikit-learn, a black-box function",
    )
    seed_spread_measured: bool = Field(
        True, description="false when one supplied artefact stands for every training seed"
    )


class GroupRecord(Record):
    group: str
    n_train: int
    n_test: int
    favourable_rate_train: float
    favourable_rate_test: float


class DatasetRecord(Record):
    name: str
    digest: str = Field(description="sha256 of the decoded content (features, label, group)")
    provenance: dict[str, Any]
    n_rows: int
    n_train: int
    n_test: int
    label_name: str
    positive_label: str
    sensitive: str
    sensitive_source_columns: list[str]
    model_features: list[str]
    groups: list[GroupRecord]
    split: dict[str, Any]
    preprocessing: dict[str, Any]


class PlanAmendment(Record):
    """A later registration of the same plan name, and what it changed against the version before it."""

    seq: int = Field(description="evidence entry of this version")
    registered_at: str
    digest: str
    loosened: list[str] = Field(default_factory=list)
    tightened: list[str] = Field(default_factory=list)


class PlanReference(Record):
    """The pre-registered evaluation plan an audit ran under, with every amendment made to it."""

    name: str
    digest: str = Field(description="sha256 of the plan's canonical JSON")
    seq: int = Field(description="evidence entry that registered this version")
    registered_at: str
    first_seq: int = Field(description="evidence entry of the plan's first registration")
    amendments: list[PlanAmendment] = Field(default_factory=list)
    plan: dict[str, Any]

    @property
    def loosened(self) -> list[str]:
        return [item for a in self.amendments for item in a.loosened]


class GovernanceStatus(Record):
    """Where the project's governance stood when the audit ran, read from the evidence log."""

    origin: str = Field(description="the evidence log")
    log_size: int
    project: str | None = None
    owner: str | None = Field(None, description="the single person responsible for quantum safety")
    approaches: str | None = Field(None, description="the governance approaches the project operates under")
    checklist_satisfied: int = 0
    checklist_total: int = 0
    checklist_missing: list[str] = Field(default_factory=list, description="item id: title")
    latest_gate: str | None = None
    pending_requests: list[str] = Field(default_factory=list)
    open_incidents: list[str] = Field(default_factory=list)
    high_risks: list[str] = Field(default_factory=list, description="risks whose residual risk is high")
    entries: list[int] = Field(default_factory=list, description="the evidence entries this status rests on")


class AuditResult(Record):
    """Everything one ``qtrust audit`` run measured, and what is needed to re-run it."""

    schema_version: Literal["1.0", "1.1"] = SCHEMA_VERSION
    qtrust_version: str
    created_at: str
    duration_seconds: float
    config: dict[str, Any]
    environment: dict[str, Any]
    seeds: dict[str, Any]
    dataset: DatasetRecord
    models: list[ModelRecord]
    fairness: list[FairnessResult]
    noise: list[NoiseSweepResult]
    shots: list[ShotsResult]
    reproducibility: list[ReproducibilityResult]
    comparisons: list[ComparisonResult]
    findings: list[Finding]
    metric_info: dict[str, dict[str, Any]]
    timings: dict[str, float]
    outputs: dict[str, str] = Field(default_factory=dict)
    plan: PlanReference | None = Field(
        None, description="the pre-registered plan, when the audit ran under one"
    )
    governance: GovernanceStatus | None = Field(None, description="governance status when the audit ran")
    certified_fairness: list[CertifiedFairnessResult] = Field(
        default_factory=list, description="certified (ε, δ)-fairness of each variational candidate"
    )
    privacy: dict[str, Any] | None = Field(
        None,
        description="membership- and attribute-inference attacks (qtrust.assess.privacy.PrivacyReport.to_dict)",
    )
    robustness: dict[str, Any] | None = Field(
        None, description="certified (per quantum candidate) and empirical (per model) robustness"
    )

    def model_record(self, name: str) -> ModelRecord:
        return next(m for m in self.models if m.name == name)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``results.json``."""
    schema = AuditResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://qtrust.dev/schemas/results/{SCHEMA_VERSION}.json"
    return schema
