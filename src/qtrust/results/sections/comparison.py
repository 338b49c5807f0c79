"""The comparison section: each quantum candidate against each baseline on identical rows and seeds.

Metric paths::

    comparison/<quantum>-vs-<baseline>/<metric>/<field>   difference (CI: paired bootstrap), quantum,
                                                         classical, p_value
    comparison/<quantum>-vs-<baseline>/mcnemar/<field>    p_value, quantum_only_correct,
                                                         classical_only_correct
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from qtrust.results.recorded import MetricTable, RecordedMetric
from qtrust.results.records import Record, finite_or_none
from qtrust.results.registry import MetricRoot, Section, Topic


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
    )(finite_or_none)


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


TOPIC = Topic(
    "performance", "Performance", "Does the quantum model earn its place against classical models?", 10
)
FIELDS = frozenset(
    {"difference", "quantum", "classical", "p_value", "quantum_only_correct", "classical_only_correct"}
)


def write_metrics(comparisons: list[ComparisonResult], table: MetricTable) -> None:
    for comp in comparisons:
        pair = f"{comp.quantum_model}-vs-{comp.baseline}"
        for paired in comp.metrics:
            prefix = ("comparison", pair, paired.metric)
            table.add(
                (*prefix, "difference"), RecordedMetric(paired.difference, paired.ci_low, paired.ci_high)
            )
            table.number((*prefix, "quantum"), paired.quantum)
            table.number((*prefix, "classical"), paired.classical)
            table.number((*prefix, "p_value"), paired.p_value)
        mcnemar = ("comparison", pair, "mcnemar")
        table.number((*mcnemar, "p_value"), comp.mcnemar.p_value)
        table.number((*mcnemar, "quantum_only_correct"), comp.mcnemar.quantum_only_correct)
        table.number((*mcnemar, "classical_only_correct"), comp.mcnemar.classical_only_correct)


SECTION = Section(
    name="comparisons",
    topic=TOPIC,
    record=ComparisonResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("comparison", FIELDS),),
)
