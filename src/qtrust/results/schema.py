"""The audit result: a versioned, typed record of everything an audit measured and how.

``results.json`` is this model serialised; ``qtrust schema`` prints its JSON Schema. Bump
``SCHEMA_VERSION`` on any change that breaks a reader (renamed or removed fields, changed meanings); adding
optional fields is a minor change. Undefined numbers (a TPR for a group with no positives) are ``null``,
never 0.

Each assessment's part of the result is a *section* (``qtrust.results.sections``, one module per
assessment, registered in :mod:`qtrust.results.registry`); qtrust's own sections are fields here, any other
registered assessment's section sits under ``extensions`` by its name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from qtrust.results.records import Estimate, Record
from qtrust.results.registry import REGISTRY
from qtrust.results.sections.certified import BiasPairRecord, CertifiedFairnessResult, CertifiedPoint
from qtrust.results.sections.comparison import ComparisonResult, McNemar, PairedMetric
from qtrust.results.sections.fairness import FairnessResult, GroupMetrics
from qtrust.results.sections.noise import ChannelTolerance, DevicePoint, NoisePoint, NoiseSweepResult
from qtrust.results.sections.privacy import PrivacyResult
from qtrust.results.sections.reproducibility import ReproducibilityResult, SeedSummary, VarianceSplit
from qtrust.results.sections.robustness import RobustnessResult
from qtrust.results.sections.shots import ShotPoint, ShotsResult

# 1.1: the pre-registered plan an audit ran under. 2.0: privacy and robustness are typed records
# (robustness lists its models instead of keying them by name), findings topics come from the registry, and
# sections of assessments registered outside qtrust sit under ``extensions``.
SCHEMA_VERSION = "2.0"

Severity = Literal["pass", "warn", "fail", "info"]

__all__ = [
    "SCHEMA_VERSION",
    "AuditResult",
    "BiasPairRecord",
    "CertifiedFairnessResult",
    "CertifiedPoint",
    "ChannelTolerance",
    "ComparisonResult",
    "DatasetRecord",
    "DevicePoint",
    "Estimate",
    "FairnessResult",
    "Finding",
    "GovernanceStatus",
    "GroupMetrics",
    "GroupRecord",
    "McNemar",
    "ModelFit",
    "ModelRecord",
    "NoisePoint",
    "NoiseSweepResult",
    "PairedMetric",
    "PlanAmendment",
    "PlanReference",
    "PrivacyResult",
    "Record",
    "ReproducibilityResult",
    "RobustnessResult",
    "SeedSummary",
    "Severity",
    "ShotPoint",
    "ShotsResult",
    "VarianceSplit",
    "json_schema",
]


class Finding(Record):
    """A verdict in plain language, with the numbers it rests on."""

    id: str
    severity: Severity
    topic: str = Field(description="a registered topic (qtrust.results.registry), e.g. fairness or noise")
    model: str | None = None
    title: str
    detail: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class TrainingSample(Record):
    """The training rows a model was fitted on when its ``max_train_rows`` was below the training split."""

    rows: int
    of: int
    how: str


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
    trained_on: TrainingSample | None = Field(
        None, description="the sample of training rows a capped kernel machine was fitted on; null: every row"
    )


class GroupRecord(Record):
    group: str
    n_train: int
    n_test: int
    favourable_rate_train: float
    favourable_rate_test: float


class DatasheetRecord(Record):
    """The datasheet's answers (Gebru et al. 2021): qtrust's facts, the data owner's answers, and the gaps."""

    facts: dict[str, str] = Field(description="question id -> what qtrust knows from provenance and the data")
    answers: dict[str, str] = Field(
        default_factory=dict, description="question id -> the data owner's answer"
    )
    answers_source: str | None = Field(None, description="the answers file (or built-in), if any")
    answers_sha256: str | None = None
    gaps: list[str] = Field(default_factory=list, description="question ids nobody has answered")


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
    datasheet: DatasheetRecord | None = None


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

    schema_version: Literal["1.0", "1.1", "2.0"] = SCHEMA_VERSION
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
    privacy: PrivacyResult | None = Field(
        None, description="membership- and attribute-inference attacks on every model"
    )
    robustness: RobustnessResult | None = Field(
        None, description="certified (per quantum candidate) and empirical (per model) robustness"
    )
    extensions: dict[str, Any] = Field(
        default_factory=dict,
        description="sections of assessments registered outside qtrust, by name; each is read with its "
        "registered record type (kept as plain JSON when that assessment is not registered)",
    )

    @field_validator("extensions", mode="after")
    @classmethod
    def _typed_extensions(cls, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, section_value in value.items():
            entry = REGISTRY.get(name)
            out[name] = entry.section.parse(section_value) if entry and entry.section else section_value
        return out

    def section_value(self, name: str) -> Any:
        """The value of the section ``name``: a field of this result, or an entry of ``extensions``."""
        if name in type(self).model_fields and name != "extensions":
            return getattr(self, name)
        return self.extensions.get(name)

    def model_record(self, name: str) -> ModelRecord:
        return next(m for m in self.models if m.name == name)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``results.json``."""
    schema = AuditResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://qtrust.dev/schemas/results/{SCHEMA_VERSION}.json"
    return schema
