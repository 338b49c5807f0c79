"""The shots section: decisions and metrics under finite shot budgets.

Metric paths (every number here is shot-sampled, so ``stochastic``; the exact reference is not)::

    shots/<model>/exact/<metric>                      Estimate on exact probabilities (shots = 0)
    shots/<model>/<shots>/flip_rate                   share of decisions flipped by shot noise
    shots/<model>/<shots>/<metric>                    Estimate over shot-sampled draws
    shots/<model>/<shots>/shot_sd/<metric>            sd of the metric over shot draws
    shots/<model>/minimum_shots | extrapolated_shots  shot advice (from the flip-rate bounds)
"""

from __future__ import annotations

from pydantic import Field, field_validator

from qtrust.results.recorded import MetricTable
from qtrust.results.records import Estimate, Record, finite_values
from qtrust.results.registry import MetricRoot, Section, Topic


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

    _finite = field_validator("shot_sd", mode="before")(finite_values)


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


TOPIC = Topic(
    "shots", "Shot noise", "Do decisions depend on the luck of a finite number of measurements?", 40
)


def write_metrics(results: list[ShotsResult], table: MetricTable) -> None:
    for shots in results:
        table.estimates(("shots", shots.model, "exact"), shots.exact)
        for point in shots.points:
            prefix = ("shots", shots.model, point.shots)
            table.estimate((*prefix, "flip_rate"), point.flip_rate, stochastic=True)
            table.estimates(prefix, point.metrics, stochastic=True)
            for key, sd in point.shot_sd.items():
                table.number((*prefix, "shot_sd", key), sd, stochastic=True)
        # Both come from the flip-rate upper bounds, so they inherit the shot sampling.
        table.number(("shots", shots.model, "minimum_shots"), shots.minimum_shots, stochastic=True)
        table.number(("shots", shots.model, "extrapolated_shots"), shots.extrapolated_shots, stochastic=True)


SECTION = Section(
    name="shots",
    topic=TOPIC,
    record=ShotsResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("shots", frozenset({"flip_rate", "minimum_shots", "extrapolated_shots"})),),
)
