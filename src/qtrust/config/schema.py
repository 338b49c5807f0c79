"""The audit configuration: typed, validated, with defaults that audit German Credit out of the box.

Every section forbids unknown keys, so a misspelt option fails loudly instead of being ignored, and every
field documents itself (``qtrust init`` writes these descriptions as comments).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from qtrust.quantum.kraus import NOISE_KINDS
from qtrust.quantum.noise import NoiseModel

#: Seeds are unsigned 32-bit integers: every generator a seed may reach accepts them (NumPy's SeedSequence
#: and legacy seeding, scikit-learn's random_state, simulator seeds), and a negative one fails deep inside.
MAX_SEED = 2**32 - 1
#: The largest shot budget. NumPy's binomial overflows past 2**63 - 1; long before that more shots stop
#: meaning anything: at 10**8 shots the shot-noise sd of a probability is at most 5e-5, below every digit
#: an audit reports, so a larger budget is the exact result at extra cost.
MAX_SHOTS = 10**8


def _whole_number(value: object) -> object:
    """A whole float (YAML reads 1.0e+20 as one) as an int, so the range check below can name it."""
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value}")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _seed(value: int) -> int:
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"a seed must be an integer from 0 to {MAX_SEED} (2**32 - 1), got {value}")
    return value


def _shots(value: int) -> int:
    if not 1 <= value <= MAX_SHOTS:
        raise ValueError(f"a shot budget must be an integer from 1 to {MAX_SHOTS:,} (1e8), got {value:,}")
    return value


Seed = Annotated[int, BeforeValidator(_whole_number), AfterValidator(_seed)]
Shots = Annotated[int, BeforeValidator(_whole_number), AfterValidator(_shots)]


class Section(BaseModel):
    # No inf or nan anywhere: no option means "infinitely", and nan compares false with every bound.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SyntheticConfig(Section):
    n_rows: int = Field(1000, ge=50, description="rows to generate")
    n_features: int = Field(6, ge=2, description="feature columns")
    group_bias: float = Field(
        0.2, ge=-0.9, le=0.9, description="difference of the positive rate between groups"
    )
    proxy_strength: float = Field(0.5, ge=0, le=1, description="how strongly one feature leaks the group")
    minority_fraction: float = Field(0.3, gt=0, lt=1, description="share of the unprivileged group")
    label_noise: float = Field(0.05, ge=0, lt=0.5, description="share of flipped labels")


class DataConfig(Section):
    source: Literal["german_credit", "csv", "synthetic"] = Field(
        "german_credit", description="built-in German Credit data, any CSV file, or synthetic data"
    )
    sensitive: str | None = Field(
        None,
        description="sensitive attribute: 'sex' or 'age' for German Credit (default sex); a column for CSV",
    )
    path: str | None = Field(None, description="CSV file (source: csv)")
    label: str | None = Field(None, description="label column (source: csv)")
    positive: str | None = Field(None, description="label value of the favourable outcome (source: csv)")
    sensitive_threshold: float | None = Field(
        None, description="split a numeric sensitive column at this value"
    )
    drop_sensitive: bool = Field(True, description="keep the sensitive column(s) out of the model inputs")
    test_size: float = Field(
        0.3, gt=0.05, lt=0.95, description="held-out share, stratified by label and group"
    )
    synthetic: SyntheticConfig = Field(default_factory=SyntheticConfig)
    datasheet: str | None = Field(
        None,
        description="YAML of the data owner's datasheet answers (question id: text; see `qtrust datasheet "
        "--questions`); the built-in German Credit data has its own; unanswered questions are listed as gaps",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_sensitive(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("source", "german_credit") == "german_credit":
            return {**data, "sensitive": data.get("sensitive") or "sex"}
        return data

    @model_validator(mode="after")
    def _csv_needs_columns(self) -> DataConfig:
        if self.source == "csv":
            missing = [
                name for name in ("path", "label", "sensitive") if not getattr(self, name)
            ]  # None or ""
            if missing:
                raise ValueError(f"source 'csv' needs {', '.join('data.' + m for m in missing)}")
        if self.source == "german_credit" and self.sensitive not in (None, "sex", "age"):
            raise ValueError(f"German Credit's sensitive attribute is 'sex' or 'age', not {self.sensitive!r}")
        return self


class EncodingConfig(Section):
    n_qubits: int = Field(6, ge=1, le=20, description="qubits = input dimensions after reduction")
    reduction: Literal["pls", "pca", "none"] = Field(
        "pls", description="pls (supervised, train labels only), pca, or none"
    )
    angle_range: tuple[float, float] = Field(
        (0.0, math.pi), description="rotation angles the inputs are scaled to"
    )


class NoiseSpec(Section):
    """One channel at one strength, applied after every gate (used for noise-aware training)."""

    kind: str = Field(description=f"one of: {', '.join(NOISE_KINDS)}")
    level: float = Field(ge=0, le=1)

    @field_validator("kind")
    @classmethod
    def _known(cls, kind: str) -> str:
        if kind not in NOISE_KINDS:
            raise ValueError(f"unknown noise channel {kind!r}; use one of: {', '.join(NOISE_KINDS)}")
        return kind


class VariationalSpec(Section):
    kind: Literal["variational"] = "variational"
    name: str = "vqc"
    n_layers: int = Field(2, ge=0, le=20)
    encoding: Literal["angle", "iqp"] = "angle"
    encoding_reps: int = Field(2, ge=1, le=5)
    topology: Literal["ring", "linear", "full", "none"] = "ring"
    rotations: tuple[str, ...] = ("RY", "RZ")
    readout: Literal["mean", "parity", "first"] = "mean"
    reupload: bool = False
    gradient: Literal["analytic", "parameter-shift"] = "analytic"
    max_iter: int = Field(150, ge=1)
    l2: float = Field(0.0, ge=0)
    train_noise: NoiseSpec | None = None


def _kernel_machine_cap() -> Any:
    """The training-row cap of a kernel machine (quantum kernel, RBF SVM): one definition for both."""
    return Field(
        2000,
        ge=50,
        description="fit on a seeded sample of at most this many training rows (stratified by label × group): "
        "a kernel machine's Gram matrix and fitting time grow with the square of its rows; null: every row",
    )


class QuantumKernelSpec(Section):
    kind: Literal["quantum_kernel"] = "quantum_kernel"
    name: str = "qkernel"
    kernel: Literal["fidelity", "projected"] = "fidelity"
    encoding: Literal["angle", "iqp"] = "iqp"
    encoding_reps: int = Field(2, ge=1, le=5)
    topology: Literal["ring", "linear", "full", "none"] = "linear"
    bandwidth: float = Field(0.1, gt=0, le=10)
    gamma: float | Literal["scale"] = "scale"
    C: float = Field(1.0, gt=0)
    train_noise: NoiseSpec | None = None
    max_train_rows: int | None = _kernel_machine_cap()


QuantumSpec = Annotated[VariationalSpec | QuantumKernelSpec, Field(discriminator="kind")]


class LogisticSpec(Section):
    kind: Literal["logistic_regression"] = "logistic_regression"
    name: str = "logistic"
    C: float = Field(1.0, gt=0)


class SVMSpec(Section):
    kind: Literal["rbf_svm"] = "rbf_svm"
    name: str = "rbf_svm"
    C: float = Field(1.0, gt=0)
    max_train_rows: int | None = _kernel_machine_cap()


class MLPSpec(Section):
    kind: Literal["mlp"] = "mlp"
    name: str = "mlp"
    hidden: tuple[int, ...] = (16,)
    alpha: float = Field(1.0, ge=0)


class NoEntanglementSpec(Section):
    kind: Literal["no_entanglement"] = "no_entanglement"
    name: str = "no_entanglement"
    control_of: str | None = Field(None, description="the variational model to copy (default: the first one)")


BaselineSpec = Annotated[LogisticSpec | SVMSpec | MLPSpec | NoEntanglementSpec, Field(discriminator="kind")]


def _default_models() -> list:
    return [VariationalSpec(), QuantumKernelSpec()]


def _default_baselines() -> list:
    return [LogisticSpec(), SVMSpec(), MLPSpec(), NoEntanglementSpec()]


class DeviceSpec(Section):
    """A real device's calibration, as the noise a model would meet on it (offline snapshot; see `qtrust devices`)."""

    name: str = Field(description="a device listed by `qtrust devices`, e.g. fake_manila")
    layout: Literal["best", "worst"] | tuple[int, ...] = Field(
        "best",
        description="which physical qubits: the best or worst connected set by calibration, or an explicit list",
    )

    @property
    def label(self) -> str:
        layout = self.layout if isinstance(self.layout, str) else ",".join(str(q) for q in self.layout)
        return f"{self.name}:{layout}"


class NoiseSweepConfig(Section):
    devices: tuple[DeviceSpec, ...] = Field(
        (),
        description="device calibrations to score every quantum model under (needs `pip install 'qtrust[qiskit]'`)",
    )
    channels: tuple[str, ...] = Field(
        ("depolarizing", "amplitude_damping", "phase_damping", "bit_flip", "phase_flip", "readout"),
        description="channel types to sweep, each on its own",
    )
    levels: tuple[float, ...] = Field(
        (0.0, 1e-4, 1e-3, 1e-2, 3e-2), description="strengths; 0 is the noiseless reference"
    )
    placement: Literal["every_gate", "after_encoding", "before_measurement"] = Field(
        "every_gate",
        description="every_gate: each channel after every gate on its wires (qtrust's default); after_encoding "
        "or before_measurement: one layer on every qubit at that position, as the published certified-fairness "
        "models have (Guan, Fang & Ying 2022) — the same weights give a very different K* under each",
    )

    def model(self, channel: str, level: float) -> NoiseModel:
        """The noise model of one sweep point, placed as ``placement`` says."""
        if self.placement == "every_gate":
            return NoiseModel.single(channel, level)
        return NoiseModel.single(channel, level, layer=self.placement)

    @field_validator("channels")
    @classmethod
    def _known(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in channels if c not in NOISE_KINDS]
        if unknown:
            raise ValueError(f"unknown noise channel(s) {unknown}; use any of: {', '.join(NOISE_KINDS)}")
        return channels

    @field_validator("levels")
    @classmethod
    def _levels(cls, levels: tuple[float, ...]) -> tuple[float, ...]:
        if not levels or any(not 0 <= level <= 0.5 for level in levels):
            raise ValueError("noise levels must lie in [0, 0.5]")
        return tuple(sorted(set(levels)))


class ShotsConfig(Section):
    budgets: tuple[Shots, ...] = Field((100, 1000, 10000), description="shots per prediction")
    repeats: int = Field(30, ge=2, le=1000, description="independent shot draws per seed and budget")
    reference: Shots = Field(1000, description="budget used for the seed/shot/data variance split")

    @field_validator("budgets")
    @classmethod
    def _positive(cls, budgets: tuple[int, ...]) -> tuple[int, ...]:
        if not budgets:
            raise ValueError("give at least one shot budget")
        return tuple(sorted(set(budgets)))


class ReproducibilityConfig(Section):
    seeds: tuple[Seed, ...] = Field(
        (0, 1, 2, 3, 4), description="training seeds (at least 5 for a meaningful sd)"
    )

    @field_validator("seeds")
    @classmethod
    def _enough(cls, seeds: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(seeds)) < 2:
            raise ValueError("need at least 2 distinct training seeds (5 or more recommended)")
        return tuple(dict.fromkeys(seeds))


class CertificationConfig(Section):
    """Certified fairness (Guan, Fang, Ying, CAV 2022): is the model (ε, δ)-fair for every input state?"""

    epsilon: float = Field(
        0.01, gt=0, le=1, description="inputs within this trace distance of each other must get close outputs"
    )
    delta: float = Field(
        0.005, gt=0, le=1, description="outputs may differ by at most this (total variation)"
    )
    bias_pair: bool = Field(True, description="search the encoding's input space for the most unequal pair")


class PrivacyConfig(Section):
    """Membership and attribute inference against every model, on the audit's own split."""

    enabled: bool = Field(True, description="run the privacy red-team")
    attacks: tuple[Literal["loss", "shadow", "lira"], ...] = Field(
        ("loss", "shadow", "lira"),
        description="loss threshold (Yeom 2018), shadow models (Shokri 2017), LiRA offline (Carlini 2022)",
    )
    n_references: int = Field(8, ge=2, le=256, description="shadow / reference models per model")
    max_rows: int | None = Field(
        2000,
        ge=100,
        description="attack a seeded sample of at most this many rows of the train + test pool (stratified "
        "by label × group, members and non-members in proportion); null: every row",
    )
    reference_noise: Literal["matched", "noiseless"] = Field(
        "matched",
        description="matched: the attacker's references see the deployment's noise and shots (worst case)",
    )
    fprs: tuple[float, ...] | None = Field(
        None,
        description="TPR at these FPRs (each needs at least 1/FPR non-members); default: 0.1% and 1%, "
        "whichever the split can measure",
    )
    noise: bool = Field(True, description="attack under every noise setting of the sweep too")
    shots: bool = Field(True, description="attack under every shot budget too")
    attribute_inference: bool = Field(
        True, description="try to recover the sensitive attribute from the outputs"
    )

    @field_validator("fprs")
    @classmethod
    def _fprs(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and (not value or any(not 0 < f < 1 for f in value)):
            raise ValueError("every FPR must be strictly between 0 and 1")
        return value


class RobustnessConfig(Section):
    """Certified (quantum candidates) and empirical (every model) robustness of the decisions."""

    enabled: bool = Field(True, description="run the robustness assessment")
    epsilons: tuple[float, ...] = Field(
        (1e-3, 2e-3, 3e-3, 4e-3),
        description="certified robustness radii (infidelity 1 − F, Guan et al. 2021)",
    )
    gaussian_sigmas: tuple[float, ...] = Field(
        (0.05, 0.1), description="Gaussian input noise, in angle units"
    )
    linf_epsilons: tuple[float, ...] = Field((0.05, 0.1), description="L∞ attack radii, in angle units")
    n_draws: int = Field(20, ge=2, description="Gaussian draws per sigma")
    attack_steps: int = Field(10, ge=1, description="projected sign-gradient steps of the L∞ attack")
    max_rows: int | None = Field(
        1000,
        ge=50,
        description="search and certify on a seeded sample of at most this many test rows (stratified by "
        "label × group); null: every test row",
    )

    @field_validator("epsilons")
    @classmethod
    def _unit(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not 0 < e <= 1 for e in value):
            raise ValueError("every ε must be in (0, 1]")
        return value


class StatisticsConfig(Section):
    threshold: float = Field(0.5, gt=0, lt=1, description="decision threshold on P(favourable)")
    confidence: float = Field(0.95, gt=0.5, lt=1)
    n_boot: int = Field(1000, ge=50, description="bootstrap replicates (rows and prediction draws)")
    n_permutations: int = Field(
        2000, ge=100, description="permutations of the paired quantum-vs-classical test"
    )


class VerdictConfig(Section):
    """Thresholds behind the report's plain-language verdicts (formal release gates come with `qtrust gate`)."""

    max_equalized_odds_difference: float = Field(0.10, description="upper 95% bound must stay below this")
    max_demographic_parity_difference: float = Field(0.10)
    min_disparate_impact_ratio: float = Field(0.80, description="the four-fifths rule")
    max_accuracy_drop: float = Field(0.02, description="tolerated accuracy loss under noise")
    max_seed_sd: float = Field(0.02, description="tolerated sd of accuracy across training seeds")
    max_flip_rate: float = Field(0.01, description="tolerated share of predictions flipped by shot noise")
    max_membership_auc: float = Field(0.60, description="membership-inference AUC above this is a leak")
    min_group_test_rows: int = Field(
        30, description="below this a group's metrics are too uncertain to trust"
    )


class AuditConfig(Section):
    """Everything an audit needs; the defaults audit the built-in German Credit data."""

    seed: Seed = Field(0, description="root seed: every random draw derives from it by name")
    data: DataConfig = Field(default_factory=lambda: DataConfig.model_validate({}))
    encoding: EncodingConfig = Field(default_factory=EncodingConfig)
    models: list[QuantumSpec] = Field(
        default_factory=_default_models,
        description="quantum models qtrust builds and trains; empty when you bring your own (qtrust.audit_models)",
    )
    baselines: list[BaselineSpec] = Field(default_factory=_default_baselines)
    noise: NoiseSweepConfig = Field(default_factory=NoiseSweepConfig)
    shots: ShotsConfig = Field(default_factory=ShotsConfig)
    reproducibility: ReproducibilityConfig = Field(default_factory=ReproducibilityConfig)
    statistics: StatisticsConfig = Field(default_factory=StatisticsConfig)
    certification: CertificationConfig = Field(default_factory=CertificationConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    robustness: RobustnessConfig = Field(default_factory=RobustnessConfig)
    verdicts: VerdictConfig = Field(default_factory=VerdictConfig)
    extensions: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="config sections of assessments registered outside qtrust, by assessment name; each is "
        "validated by that assessment's own model when the audit runs",
    )

    @model_validator(mode="after")
    def _names(self) -> AuditConfig:
        names = [m.name for m in self.models] + [b.name for b in self.baselines]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"model names must be unique; repeated: {duplicated}")
        variational = [m.name for m in self.models if m.kind == "variational"]
        for b in self.baselines:
            if b.kind == "no_entanglement":
                if not variational:
                    raise ValueError("a no_entanglement control needs a variational model to copy")
                if b.control_of is not None and b.control_of not in variational:
                    raise ValueError(
                        f"control_of {b.control_of!r} is not a variational model ({variational})"
                    )
        return self

    def quick(self) -> AuditConfig:
        """A smaller audit for a first look or CI smoke runs: 3 seeds, fewer levels, shots and replicates."""
        return self.model_copy(
            update={
                "reproducibility": ReproducibilityConfig(seeds=self.reproducibility.seeds[:3]),
                "noise": NoiseSweepConfig(
                    devices=self.noise.devices,
                    placement=self.noise.placement,
                    channels=tuple(
                        c
                        for c in self.noise.channels
                        if c in ("depolarizing", "amplitude_damping", "readout")
                    ),
                    levels=tuple(level for level in self.noise.levels if level in (0.0, 1e-3, 1e-2, 3e-2))
                    or (0.0,),
                ),
                "shots": ShotsConfig(budgets=self.shots.budgets, repeats=10, reference=self.shots.reference),
                "statistics": self.statistics.model_copy(update={"n_boot": 200, "n_permutations": 500}),
                "privacy": self.privacy.model_copy(
                    update={"n_references": min(self.privacy.n_references, 4), "reference_noise": "noiseless"}
                ),
                "models": [
                    m.model_copy(update={"max_iter": min(m.max_iter, 60)}) if m.kind == "variational" else m
                    for m in self.models
                ],
            }
        )
