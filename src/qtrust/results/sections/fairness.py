"""The fairness section: performance and fairness of every model on exact noiseless predictions.

Metric paths::

    fairness/<model>/overall/<metric>          Estimate over the training seeds
    fairness/<model>/group=<group>/<metric>    the same per group
"""

from __future__ import annotations

from pydantic import Field

from qtrust.results.recorded import MetricTable
from qtrust.results.records import Estimate, Record
from qtrust.results.registry import MetricRoot, Section, Topic


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


TOPIC = Topic("fairness", "Fairness", "Are decisions and errors spread evenly across the groups?", 20)


def write_metrics(results: list[FairnessResult], table: MetricTable) -> None:
    for fair in results:
        table.estimates(("fairness", fair.model, "overall"), fair.overall)
        for group in fair.by_group:
            table.estimates(("fairness", fair.model, f"group={group.group}"), group.metrics)


SECTION = Section(
    name="fairness",
    topic=TOPIC,
    record=FairnessResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("fairness"),),
)
