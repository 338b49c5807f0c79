"""What each metric means, for people reading a report.

Reports print these names and one-line meanings next to the numbers, and use ``better`` to decide which
way an arrow points or which model "wins". Keeping the wording here, next to the definitions, keeps the
report from drifting away from what is actually computed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Literal

from qtrust.errors import InputError

Better = Literal["higher", "lower", "closer_to_1"]


@dataclass(frozen=True)
class MetricInfo:
    """Human-facing description of one metric.

    ``better`` is ``"higher"``, ``"lower"``, ``"closer_to_1"``, or ``None`` for a descriptive quantity
    with no better direction (a selection rate is neither good nor bad on its own). ``scope`` says whether
    the metric exists over all rows (``"overall"``), per group (``"group"``) or both.
    """

    key: str
    name: str
    meaning: str
    better: Better | None
    scope: Literal["overall", "group", "both"]

    def to_dict(self) -> dict[str, str | None]:
        """Plain dict, for JSON reports."""
        return asdict(self)


_INFO = (
    MetricInfo("accuracy", "Accuracy", "Share of people the model classifies correctly.", "higher", "both"),
    MetricInfo(
        "auc",
        "ROC AUC",
        "Chance that the model scores a random positive case above a random negative one.",
        "higher",
        "overall",
    ),
    MetricInfo(
        "brier",
        "Brier score",
        "Mean squared gap between predicted probability and what happened; rewards calibrated confidence.",
        "lower",
        "overall",
    ),
    MetricInfo(
        "selection_rate",
        "Selection rate",
        "Share of people who receive the favourable decision.",
        None,
        "both",
    ),
    MetricInfo(
        "tpr",
        "True-positive rate",
        "Share of people who deserve the favourable outcome and get it.",
        "higher",
        "both",
    ),
    MetricInfo(
        "fpr",
        "False-positive rate",
        "Share of people who do not qualify but get the favourable outcome anyway.",
        "lower",
        "both",
    ),
    MetricInfo(
        "demographic_parity_difference",
        "Demographic parity difference",
        "Gap between the groups most and least often given the favourable decision (0 = equal rates).",
        "lower",
        "overall",
    ),
    MetricInfo(
        "disparate_impact_ratio",
        "Disparate impact ratio",
        "Selection rate of the least-favoured group divided by that of the most-favoured (below 0.8 "
        "fails the four-fifths rule).",
        "closer_to_1",
        "overall",
    ),
    MetricInfo(
        "equalized_odds_difference",
        "Equalized odds difference",
        "Largest gap between groups in either true-positive or false-positive rate (0 = equal error rates).",
        "lower",
        "overall",
    ),
    MetricInfo(
        "equal_opportunity_difference",
        "Equal opportunity difference",
        "Gap between groups in how often qualified people get the favourable outcome (0 = equal).",
        "lower",
        "overall",
    ),
    MetricInfo("count", "Rows", "Number of test rows in the group.", None, "group"),
)

#: Metadata of every metric qtrust.metrics computes, by key.
METRIC_INFO = MappingProxyType({info.key: info for info in _INFO})

#: Metric keys in report order.
METRIC_NAMES: tuple[str, ...] = tuple(METRIC_INFO)

#: Overall metrics that need probabilities, not only hard predictions.
SCORE_METRICS: frozenset[str] = frozenset({"auc", "brier"})

#: Overall metrics that need a sensitive feature.
FAIRNESS_METRICS: frozenset[str] = frozenset(
    {
        "demographic_parity_difference",
        "disparate_impact_ratio",
        "equalized_odds_difference",
        "equal_opportunity_difference",
    }
)

#: Per-group metrics that carry uncertainty (``count`` is fixed by the data).
GROUP_METRICS: tuple[str, ...] = ("accuracy", "tpr", "fpr", "selection_rate")


def metric_info(key: str) -> MetricInfo:
    """Metadata of ``key``; an :class:`~qtrust.errors.InputError` naming the valid keys otherwise."""
    try:
        return METRIC_INFO[key]
    except KeyError:
        raise InputError(
            f"unknown metric {key!r}", where="metrics", fix=f"use one of: {', '.join(METRIC_NAMES)}"
        ) from None
