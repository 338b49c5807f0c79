"""``StackMetricFrame``: fairlearn's ``MetricFrame`` for a stack of prediction draws.

fairlearn answers "what is this model's TPR per group" for one prediction vector. A quantum model has a
*distribution* of prediction vectors, so the frame takes the whole (D, N) stack, computes every metric
for every draw in one vectorised pass, and summarises each metric as a point value with an interval that
covers both the test-data sampling and the draw-to-draw randomness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from qtrust.errors import InputError
from qtrust.metrics._engine import TestSet, group_metrics
from qtrust.metrics._numeric import RowWeights, mean_defined, std_defined
from qtrust.metrics._validation import as_stack, check_confidence, check_count, check_threshold
from qtrust.metrics.catalogue import GROUP_METRICS
from qtrust.metrics.fairness import GroupConfusion
from qtrust.metrics.uncertainty import Estimate, bootstrap_counts, percentile_interval
from qtrust.seeding import derive_rng

__all__ = ["FrameSummary", "StackMetricFrame"]

_FAIRNESS_ORDER = (
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)
_BOOTSTRAP_METHOD = "percentile bootstrap (rows resampled, one prediction draw picked per replicate)"


@dataclass(frozen=True)
class FrameSummary:
    """Every metric of a :class:`StackMetricFrame` as an :class:`~qtrust.metrics.Estimate`.

    ``overall[metric]`` is one estimate; ``by_group[metric][group]`` one per group label (Python scalars,
    in sorted group order). ``group_sizes`` are the test rows per group.
    """

    overall: Mapping[str, Estimate]
    by_group: Mapping[str, Mapping[Any, Estimate]]
    groups: tuple[Any, ...]
    group_sizes: Mapping[Any, int]
    n_rows: int
    n_draws: int
    n_boot: int
    confidence: float
    random_state: int
    threshold: float | None

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per (metric, group); ``group`` is None for overall metrics."""
        records = [{"metric": key, "group": None, **est.to_dict()} for key, est in self.overall.items()]
        for key, per_group in self.by_group.items():
            records += [{"metric": key, "group": group, **est.to_dict()} for group, est in per_group.items()]
        return pd.DataFrame.from_records(records)

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict (group labels as strings), for JSON reports."""
        return {
            "overall": {key: est.to_dict() for key, est in self.overall.items()},
            "by_group": {
                key: {str(group): est.to_dict() for group, est in per_group.items()}
                for key, per_group in self.by_group.items()
            },
            "groups": [str(group) for group in self.groups],
            "group_sizes": {str(group): size for group, size in self.group_sizes.items()},
            "n_rows": self.n_rows,
            "n_draws": self.n_draws,
            "n_boot": self.n_boot,
            "confidence": self.confidence,
            "random_state": self.random_state,
            "threshold": self.threshold,
        }


class StackMetricFrame:
    """Overall and per-group metrics of a stack of prediction draws.

    Parameters
    ----------
    y_true:
        (N,) labels, 0/1 with 1 the favourable outcome.
    proba:
        (D, N) probabilities of class 1, one row per prediction draw; (N,) is one draw. Enables ``auc``
        and ``brier`` and, without ``y_pred``, gives the predictions ``proba >= threshold``.
    y_pred:
        (D, N) hard 0/1 predictions, for models without probabilities or with their own decision rule.
        With ``proba`` as well, it must have the same shape and is used as given.
    sensitive_features:
        (N,) group label of each row (any sortable labels; at least two groups).
    threshold:
        Decision threshold on ``proba``; ignored when ``y_pred`` is given.

    ``overall`` maps each metric to its (D,) values and ``by_group`` to (D, G) values, columns in the
    order of ``groups``. A metric that is undefined for a draw (e.g. a group with no positive rows has no
    TPR) is NaN — see :mod:`qtrust.metrics.fairness` for how that differs from fairlearn.
    """

    def __init__(
        self,
        y_true: ArrayLike,
        proba: ArrayLike | None = None,
        *,
        y_pred: ArrayLike | None = None,
        sensitive_features: ArrayLike,
        threshold: float = 0.5,
    ) -> None:
        self._test = TestSet.build(y_true, sensitive_features)
        n_rows = self._test.n_rows
        if proba is None and y_pred is None:
            raise InputError(
                "no predictions given", where="StackMetricFrame", fix="pass proba= (D, N) or y_pred= (D, N)"
            )
        self._scores = None if proba is None else as_stack(proba, n_rows, where="proba", kind="proba")
        if y_pred is None:
            assert self._scores is not None
            self.threshold: float | None = check_threshold(threshold)
            self._pred = (self._scores >= self.threshold).astype(np.float64)
        else:
            self.threshold = None
            self._pred = as_stack(y_pred, n_rows, where="y_pred", kind="binary")
            if self._scores is not None and self._scores.shape != self._pred.shape:
                raise InputError(
                    f"y_pred has shape {self._pred.shape} but proba has {self._scores.shape}",
                    where="y_pred",
                    fix="pass one hard prediction per probability, or only one of the two",
                )
        score_metrics = ("auc", "brier") if self._scores is not None else ()
        self._metrics = (
            "accuracy",
            *score_metrics,
            "selection_rate",
            "tpr",
            "fpr",
            *_FAIRNESS_ORDER,
        )

    @property
    def groups(self) -> NDArray[Any]:
        """Sorted group labels; the last axis of every ``by_group`` array."""
        return self._test.groups

    @property
    def n_draws(self) -> int:
        """Number of prediction draws D."""
        return int(self._pred.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of test rows N."""
        return self._test.n_rows

    @property
    def metrics(self) -> tuple[str, ...]:
        """Keys of :attr:`overall`, in report order."""
        return self._metrics

    @cached_property
    def _confusion(self) -> GroupConfusion:
        return self._test.confusion(self._pred, RowWeights("none", None))

    @cached_property
    def _overall(self) -> dict[str, NDArray[np.float64]]:
        values = self._test.evaluate(
            self._metrics, self._pred, self._scores, RowWeights("none", None), confusion=self._confusion
        )
        return {key: _read_only(value) for key, value in values.items()}

    @cached_property
    def _by_group(self) -> dict[str, NDArray[np.float64]]:
        values = {**group_metrics(self._confusion), "count": self._confusion.count}
        return {key: _read_only(value) for key, value in values.items()}

    @property
    def overall(self) -> dict[str, NDArray[np.float64]]:
        """Metric → (D,) value of each draw on all rows (read-only arrays)."""
        return dict(self._overall)

    @property
    def by_group(self) -> dict[str, NDArray[np.float64]]:
        """Metric → (D, G) value of each draw in each group; includes ``count`` (rows per group)."""
        return dict(self._by_group)

    def summarise(self, confidence: float = 0.95, n_boot: int = 1000, random_state: int = 0) -> FrameSummary:
        """Point value, draw spread and bootstrap interval of every overall and per-group metric.

        The value is the mean over draws of the metric on all rows. The interval is a percentile bootstrap
        in which each replicate resamples the rows with replacement *and* picks one prediction draw at
        random, so it covers both "another test set" and "another run of the circuit". Replicates where a
        metric is undefined are dropped from that metric's interval and counted in ``n_undefined``.
        Randomness comes from ``qtrust.seeding.derive_rng(random_state, "metrics", "frame", ...)``.
        """
        confidence = check_confidence(confidence)
        n_boot = check_count(n_boot, where="n_boot")
        draws = derive_rng(random_state, "metrics", "frame", "draws").integers(0, self.n_draws, size=n_boot)
        row_rng = derive_rng(random_state, "metrics", "frame", "rows")
        overall_blocks: list[dict[str, NDArray[np.float64]]] = []
        group_blocks: list[dict[str, NDArray[np.float64]]] = []
        start = 0
        for counts in bootstrap_counts(self.n_rows, n_boot, row_rng):
            picked = draws[start : start + counts.shape[0]]
            start += counts.shape[0]
            pred = self._pred[picked]
            scores = None if self._scores is None else self._scores[picked]
            weights = RowWeights("paired", counts)
            confusion = self._test.confusion(pred, weights)
            overall_blocks.append(self._test.evaluate(self._metrics, pred, scores, weights, confusion))
            group_blocks.append(group_metrics(confusion))

        def estimates(
            draw_values: NDArray[np.float64], blocks: list[dict[str, NDArray[np.float64]]], key: str
        ) -> list[Estimate]:
            replicates = np.concatenate([block[key] for block in blocks])
            return _estimates(draw_values, replicates, confidence)

        labels = tuple(_python_scalar(group) for group in self.groups)
        overall = {key: estimates(self._overall[key], overall_blocks, key)[0] for key in self._metrics}
        by_group = {
            key: dict(zip(labels, estimates(self._by_group[key], group_blocks, key), strict=True))
            for key in GROUP_METRICS
        }
        sizes = self._confusion.count[0]
        return FrameSummary(
            overall=overall,
            by_group=by_group,
            groups=labels,
            group_sizes={group: int(size) for group, size in zip(labels, sizes, strict=True)},
            n_rows=self.n_rows,
            n_draws=self.n_draws,
            n_boot=n_boot,
            confidence=confidence,
            random_state=int(random_state),
            threshold=self.threshold,
        )

    def __repr__(self) -> str:
        return (
            f"StackMetricFrame(n_draws={self.n_draws}, n_rows={self.n_rows}, "
            f"groups={[_python_scalar(g) for g in self.groups]}, metrics={list(self._metrics)})"
        )


def _estimates(
    draw_values: NDArray[np.float64], replicates: NDArray[np.float64], confidence: float
) -> list[Estimate]:
    """One Estimate per column: draws (D, ...) give value and sd, replicates (B, ...) the interval."""
    n_boot = replicates.shape[0]
    low, high, undefined = percentile_interval(replicates.reshape(n_boot, -1), confidence)
    flat = draw_values.reshape(draw_values.shape[0], -1)
    value, sd = mean_defined(flat), std_defined(flat)
    defined = (~np.isnan(flat)).sum(axis=0)
    return [
        Estimate(
            value=float(value[i]),
            ci_low=float(low[i]),
            ci_high=float(high[i]),
            confidence=confidence,
            sd=float(sd[i]),
            n_draws=int(defined[i]),
            n_boot=n_boot,
            n_undefined=int(undefined[i]),
            method=_BOOTSTRAP_METHOD,
        )
        for i in range(flat.shape[1])
    ]


def _read_only(array: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


def _python_scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
