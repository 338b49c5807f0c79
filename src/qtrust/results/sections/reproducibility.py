"""The reproducibility section: every metric over the training seeds, and where its variance comes from.

Metric paths::

    reproducibility/<model>/<metric>/mean         mean over training seeds (CI: t-interval)
    reproducibility/<model>/<metric>/sd           sd over training seeds
    reproducibility/<model>/<metric>/seed=<seed>  the metric of one training seed
    variance/<model>/<metric>/<shots>/<part>      mean, seed, shot, data, total, fraction_seed,
                                                  fraction_shot, fraction_data (shot-sampled: stochastic)
"""

from __future__ import annotations

from pydantic import Field, field_validator

from qtrust.results.recorded import MetricTable, RecordedMetric
from qtrust.results.records import Record, finite_items, finite_or_none
from qtrust.results.registry import MetricRoot, Section, Topic

VARIANCE_PARTS = (
    "mean",
    "seed",
    "shot",
    "data",
    "total",
    "fraction_seed",
    "fraction_shot",
    "fraction_data",
)


class SeedSummary(Record):
    metric: str
    values: list[float | None]
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    _finite = field_validator("mean", "sd", "ci_low", "ci_high", mode="before")(finite_or_none)
    _values = field_validator("values", mode="before")(finite_items)


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

    _finite = field_validator(*VARIANCE_PARTS, mode="before")(finite_or_none)


class ReproducibilityResult(Record):
    model: str
    seeds: list[int]
    metrics: list[SeedSummary]
    variance: list[VarianceSplit] = Field(default_factory=list)
    note: str | None = Field(None, description="why some numbers are absent (e.g. one fixed supplied model)")


TOPIC = Topic(
    "reproducibility", "Reproducibility", "Does retraining with another seed give the same model?", 50
)


def write_metrics(results: list[ReproducibilityResult], table: MetricTable) -> None:
    for repro in results:
        for summary in repro.metrics:
            prefix = ("reproducibility", repro.model, summary.metric)
            table.add((*prefix, "mean"), RecordedMetric(summary.mean, summary.ci_low, summary.ci_high))
            table.number((*prefix, "sd"), summary.sd)
            if len(summary.values) != len(repro.seeds):
                raise ValueError(
                    f"reproducibility of {repro.model!r}: {len(summary.values)} values of {summary.metric!r} "
                    f"for {len(repro.seeds)} seeds"
                )
            for seed, value in zip(repro.seeds, summary.values, strict=True):
                table.number((*prefix, f"seed={seed}"), value)
    # the whole decomposition is estimated from the reference-budget shot draws
    for repro in results:
        for split in repro.variance:
            prefix = ("variance", repro.model, split.metric, split.shots)
            for part in VARIANCE_PARTS:
                table.number((*prefix, part), getattr(split, part), stochastic=True)


SECTION = Section(
    name="reproducibility",
    topic=TOPIC,
    record=ReproducibilityResult,
    write_metrics=write_metrics,
    roots=(
        MetricRoot("reproducibility", frozenset({"mean", "sd"}), prefixes=("seed=",)),
        MetricRoot("variance", frozenset(VARIANCE_PARTS)),
    ),
)
