"""The robustness section: certified (quantum candidates) and empirical (every model) robustness.

Metric paths::

    robustness/<model>/certified/eps=<ε>/<field>    robust_accuracy, bound_certified_fraction,
                                                    robust_fraction (Guan, Fang & Ying 2021)
    robustness/<model>/gaussian/sigma=<σ>/<field>   accuracy, equalized_odds_difference, flip_rate
    robustness/<model>/linf/eps=<ε>/<field>         … and attack_success_rate under the L∞ attack
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from qtrust.results.recorded import MetricTable, level_text
from qtrust.results.records import Record, finite_items
from qtrust.results.registry import MetricRoot, Section, Topic


class CertifiedEpsilon(Record):
    """Robustness at one level ε: what the bound certifies and what the exact check adds."""

    epsilon: float
    n_rows: int
    n_bound_certified: int = Field(description="stable by the bound (r_B > ε), correct or not")
    bound_certified_fraction: float
    n_flagged: int = Field(description="not certified by the bound: checked exactly")
    n_robust: int = Field(description="stable after the exact check, correct or not")
    bound_certified_accuracy: float
    robust_accuracy: float = Field(description="correct and exactly ε-robust")
    robust_fraction: float = Field(description="exactly ε-robust, correct or not")
    n_adversarial: int = Field(description="adversarial states found (counted and verified, not stored)")
    n_unverified: int


class CertifiedRobustnessRecord(Record):
    """Certified robustness of one variational candidate (first training seed), per test input and ε."""

    model: str
    method: str
    distance: str
    distance_definition: str
    decision: str
    state_kind: str
    noise: dict[str, Any] | None = None
    n_rows: int
    clean_accuracy: float
    probabilities: list[float | None] = Field(description="p1 = Tr(M ρ) per test input")
    bound_radius: list[float | None]
    exact_radius: list[float | None] = Field(description="null: no state flips the label")
    epsilons: list[CertifiedEpsilon]

    _lists = field_validator("probabilities", "bound_radius", "exact_radius", mode="before")(finite_items)


class GaussianRecord(Record):
    """Metrics over draws of X + σ·N(0, I) in feature space."""

    sigma: float
    seed: int
    n_draws: int
    accuracy_mean: float
    accuracy_sd: float
    equalized_odds_difference_mean: float | None
    equalized_odds_difference_sd: float | None
    flip_rate: float
    accuracy: list[float | None]
    equalized_odds_difference: list[float | None]


class LinfRecord(Record):
    """The worst case found inside ||δ||∞ ≤ ε by projected sign-gradient descent on the margin."""

    epsilon: float
    steps: int
    step_size: float
    restarts: int
    seed: int
    accuracy: float
    equalized_odds_difference: float | None
    flip_rate: float
    attack_success_rate: float | None = Field(description="null when no row was classified correctly")
    n_flipped: int
    max_perturbation: float


class EmpiricalRobustnessRecord(Record):
    """One model's accuracy and fairness under Gaussian feature noise and under an L∞-bounded attack."""

    model: str
    n_rows: int
    threshold: float
    clean_accuracy: float
    clean_equalized_odds_difference: float | None
    gaussian: list[GaussianRecord]
    linf: list[LinfRecord]
    seeds: dict[str, Any] = Field(default_factory=dict, description="the seed of every draw, by label")
    settings: dict[str, Any] = Field(default_factory=dict, description="the attack's settings")


class RobustnessResult(Record):
    certified: list[CertifiedRobustnessRecord] = Field(
        default_factory=list, description="every encode-first quantum candidate"
    )
    empirical: list[EmpiricalRobustnessRecord] = Field(default_factory=list, description="every model")
    rows: int | None = Field(None, description="test rows searched and certified, when sampled")
    rows_available: int | None = Field(None, description="test rows there were, when sampled")


TOPIC = Topic("robustness", "Robustness", "Can a small change of the input flip the decision?", 70)
CERTIFIED_FIELDS = ("robust_accuracy", "bound_certified_fraction", "robust_fraction")
LINF_FIELDS = ("accuracy", "equalized_odds_difference", "flip_rate", "attack_success_rate")


def write_metrics(robustness: RobustnessResult, table: MetricTable) -> None:
    for doc in robustness.certified:
        for point in doc.epsilons:
            prefix = ("robustness", doc.model, "certified", f"eps={level_text(point.epsilon)}")
            for part in CERTIFIED_FIELDS:
                table.number((*prefix, part), getattr(point, part))
    for emp in robustness.empirical:
        for g in emp.gaussian:
            prefix = ("robustness", emp.model, "gaussian", f"sigma={level_text(g.sigma)}")
            table.number((*prefix, "accuracy"), g.accuracy_mean)
            table.number((*prefix, "equalized_odds_difference"), g.equalized_odds_difference_mean)
            table.number((*prefix, "flip_rate"), g.flip_rate)
        for a in emp.linf:
            prefix = ("robustness", emp.model, "linf", f"eps={level_text(a.epsilon)}")
            for part in LINF_FIELDS:
                table.number((*prefix, part), getattr(a, part))


SECTION = Section(
    name="robustness",
    topic=TOPIC,
    record=RobustnessResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("robustness", frozenset({*CERTIFIED_FIELDS, *LINF_FIELDS})),),
    many=False,
)
