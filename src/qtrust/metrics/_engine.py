"""Evaluate named metrics on a validated test set, under any row-weight mode.

The frame, the variance decomposition and the paired comparison all ask the same question — "these
metrics, for these stacks of draws, under these row weights" — with different weight modes (none for the
point values, paired for a bootstrap that picks one draw per replicate, crossed for replicates × draws).
Answering it in one place keeps the three consistent with each other and with the public functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.errors import InputError
from qtrust.metrics._numeric import RowWeights, weighted_ratio
from qtrust.metrics._validation import as_labels, encode_groups
from qtrust.metrics.catalogue import FAIRNESS_METRICS, SCORE_METRICS, MetricInfo, metric_info
from qtrust.metrics.classification import auc_from_stack
from qtrust.metrics.fairness import GroupConfusion, confusion_from_codes

#: Overall metrics the engine can compute.
OVERALL_METRICS: tuple[str, ...] = (
    "accuracy",
    "auc",
    "brier",
    "selection_rate",
    "tpr",
    "fpr",
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)


def check_metric(key: str) -> MetricInfo:
    """Metadata of an overall metric; InputError for an unknown or group-only key."""
    info = metric_info(key)
    if key not in OVERALL_METRICS:
        raise InputError(
            f"{key!r} is not an overall metric",
            where="metrics",
            fix=f"use one of: {', '.join(OVERALL_METRICS)}",
        )
    return info


@dataclass(frozen=True)
class TestSet:
    """Validated labels and group codes, shared by every evaluation on the same rows."""

    __test__ = False  # not a pytest test class despite the name

    y: NDArray[np.float64]
    codes: NDArray[np.intp]
    groups: NDArray[Any]
    has_groups: bool

    @property
    def n_rows(self) -> int:
        """Number of test rows N."""
        return int(self.y.shape[0])

    @classmethod
    def build(
        cls, y_true: ArrayLike, sensitive_features: ArrayLike | None, *, metrics: Iterable[str] = ()
    ) -> TestSet:
        """Validate once; without a sensitive feature all rows form one pseudo-group."""
        y = as_labels(y_true)
        if sensitive_features is None:
            needing = sorted(set(metrics) & FAIRNESS_METRICS)
            if needing:
                raise InputError(
                    f"fairness metrics {', '.join(needing)} need a sensitive feature",
                    where="sensitive_features",
                    fix="pass the group label of every test row",
                )
            return cls(y, np.zeros(y.shape[0], dtype=np.intp), np.asarray(["all"]), has_groups=False)
        groups, codes = encode_groups(sensitive_features, y.shape[0])
        return cls(y, codes, groups, has_groups=True)

    def confusion(self, pred: NDArray[np.float64], weights: RowWeights) -> GroupConfusion:
        """Per-group confusion counts of ``pred`` (K, N) under ``weights``."""
        return confusion_from_codes(self.y, self.codes, self.groups, pred, weights)

    def evaluate(
        self,
        metrics: Iterable[str],
        pred: NDArray[np.float64],
        scores: NDArray[np.float64] | None,
        weights: RowWeights,
        confusion: GroupConfusion | None = None,
    ) -> dict[str, NDArray[np.float64]]:
        """Overall ``metrics`` of each draw: (K,), or (B, K) for crossed weights."""
        wanted = list(metrics)
        if confusion is None and any(key not in SCORE_METRICS for key in wanted):
            confusion = self.confusion(pred, weights)
        results: dict[str, NDArray[np.float64]] = {}
        for key in wanted:
            if key in SCORE_METRICS:
                if scores is None:
                    raise InputError(f"{key!r} needs probabilities", where="proba", fix="pass proba=")
                if key == "auc":
                    results[key] = auc_from_stack(self.y, scores, weights)
                else:
                    results[key] = weighted_ratio((scores - self.y) ** 2, np.ones_like(self.y), weights)
            else:
                assert confusion is not None
                results[key] = _from_confusion(key, confusion)
        return results


def group_metrics(confusion: GroupConfusion) -> dict[str, NDArray[np.float64]]:
    """Per-group accuracy, TPR, FPR and selection rate, each (..., G)."""
    return {
        "accuracy": confusion.accuracy,
        "tpr": confusion.tpr,
        "fpr": confusion.fpr,
        "selection_rate": confusion.selection_rate,
    }


def _from_confusion(key: str, confusion: GroupConfusion) -> NDArray[np.float64]:
    match key:
        case "accuracy":
            return confusion.overall_accuracy
        case "selection_rate":
            return confusion.overall_selection_rate
        case "tpr":
            return confusion.overall_tpr
        case "fpr":
            return confusion.overall_fpr
        case "demographic_parity_difference":
            return confusion.demographic_parity_difference()
        case "disparate_impact_ratio":
            return confusion.disparate_impact_ratio()
        case "equalized_odds_difference":
            return confusion.equalized_odds_difference()
        case "equal_opportunity_difference":
            return confusion.equal_opportunity_difference()
    check_metric(key)
    raise AssertionError(f"no rule for metric {key!r}")  # pragma: no cover
