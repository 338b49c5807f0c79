"""Metrics for stacks of prediction draws, with their uncertainty.

A quantum classifier's prediction is a random variable (shot noise, hardware noise, training seed), so
qtrust computes every metric over a stack of draws — ``proba`` of shape (D, N), one row per draw — in one
vectorised pass, and reports it with an interval.

* :mod:`~qtrust.metrics.classification` — accuracy, ROC AUC, selection rate, TPR, FPR, Brier, per draw.
* :mod:`~qtrust.metrics.fairness` — per-group confusion counts and the fairlearn disparity metrics.
* :class:`StackMetricFrame` — fairlearn's ``MetricFrame`` for a stack, with bootstrap summaries.
* :mod:`~qtrust.metrics.uncertainty` — :class:`Estimate`, intervals, seed/shot/data variance split.
* :func:`paired_comparison` — quantum vs classical on the same rows and seeds.
* :data:`METRIC_INFO` — human names, meanings and better directions for reports.

Conventions: ``y_true`` is 0/1 with 1 the favourable outcome; an undefined metric (no positives in a
group, nobody selected) is NaN, never a silent 0.
"""

from qtrust.metrics.catalogue import METRIC_INFO, METRIC_NAMES, MetricInfo, metric_info
from qtrust.metrics.classification import accuracy, brier, fpr, roc_auc, selection_rate, tpr
from qtrust.metrics.fairness import (
    GroupConfusion,
    demographic_parity_difference,
    demographic_parity_ratio,
    disparate_impact_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    group_confusion,
)
from qtrust.metrics.frame import FrameSummary, StackMetricFrame
from qtrust.metrics.paired import (
    DEFAULT_PAIRED_METRICS,
    McNemarResult,
    PairedComparison,
    PairedDifference,
    paired_comparison,
)
from qtrust.metrics.uncertainty import (
    Estimate,
    VarianceDecomposition,
    bootstrap_counts,
    percentile_interval,
    t_interval,
    variance_decomposition,
)

__all__ = [
    "DEFAULT_PAIRED_METRICS",
    "METRIC_INFO",
    "METRIC_NAMES",
    "Estimate",
    "FrameSummary",
    "GroupConfusion",
    "McNemarResult",
    "MetricInfo",
    "PairedComparison",
    "PairedDifference",
    "StackMetricFrame",
    "VarianceDecomposition",
    "accuracy",
    "bootstrap_counts",
    "brier",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "fpr",
    "group_confusion",
    "metric_info",
    "paired_comparison",
    "percentile_interval",
    "roc_auc",
    "selection_rate",
    "t_interval",
    "tpr",
    "variance_decomposition",
]
