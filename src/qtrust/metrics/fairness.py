"""Group fairness metrics over a stack of prediction draws.

All of them are functions of four per-group counts — true/false positives/negatives — so the work is one
pass that turns a (D, N) stack into (D, G) count arrays: a matmul of the predictions with a one-hot
(row → (group, label) cell) matrix. Bootstrap replicates are row-weight vectors, so B replicates of D
draws are still one matmul, giving (B, D, G) arrays.

Definitions match fairlearn 0.15 (``method="between_groups"``, ``agg="worst_case"``) to floating-point
identity whenever every quantity is defined. They differ on purpose when a rate is undefined:

* a group with no positive (negative) rows has **NaN** TPR (FPR) here; fairlearn reports 0.0 (through
  scikit-learn's ``confusion_matrix(normalize="true")``), which silently turns "no data" into "the model
  never says yes" and can manufacture a large equal-opportunity gap;
* a between-group difference or ratio is **NaN** as soon as any group's rate is NaN (the worst case over
  groups is unknown), where pandas-based fairlearn would skip that group;
* the ratio is NaN when the largest selection rate is 0 (0/0); fairlearn also returns NaN there.

A NaN in a bootstrap replicate means "metric undefined in this resample": the frame drops and counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.metrics._numeric import RowWeights, safe_divide
from qtrust.metrics._validation import as_labels, as_stack, encode_groups

__all__ = [
    "GroupConfusion",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "group_confusion",
]

# Upper bound on the temporary (replicates x cells x rows) array of a crossed evaluation, in elements.
_CROSSED_CHUNK_ELEMENTS = 8_000_000


@dataclass(frozen=True, eq=False)
class GroupConfusion:
    """Per-group confusion counts of a stack of draws; every array has shape (..., G).

    Counts are floats because they may be weighted (bootstrap multinomial counts are exact integers in
    float64). ``groups`` are the sorted group labels that index the last axis.
    """

    groups: NDArray[Any]
    tp: NDArray[np.float64]
    fp: NDArray[np.float64]
    tn: NDArray[np.float64]
    fn: NDArray[np.float64]

    @property
    def positives(self) -> NDArray[np.float64]:
        """Rows with y = 1, per group."""
        return self.tp + self.fn

    @property
    def negatives(self) -> NDArray[np.float64]:
        """Rows with y = 0, per group."""
        return self.tn + self.fp

    @property
    def count(self) -> NDArray[np.float64]:
        """Rows per group (total weight, if weighted)."""
        return self.positives + self.negatives

    @property
    def selection_rate(self) -> NDArray[np.float64]:
        """P(ŷ = 1 | group); NaN for a group with no rows."""
        return safe_divide(self.tp + self.fp, self.count)

    @property
    def tpr(self) -> NDArray[np.float64]:
        """P(ŷ = 1 | y = 1, group); NaN for a group with no positive rows."""
        return safe_divide(self.tp, self.positives)

    @property
    def fpr(self) -> NDArray[np.float64]:
        """P(ŷ = 1 | y = 0, group); NaN for a group with no negative rows."""
        return safe_divide(self.fp, self.negatives)

    @property
    def accuracy(self) -> NDArray[np.float64]:
        """P(ŷ = y | group); NaN for a group with no rows."""
        return safe_divide(self.tp + self.tn, self.count)

    @property
    def overall_accuracy(self) -> NDArray[np.float64]:
        """Accuracy over all rows, shape (...)."""
        return safe_divide((self.tp + self.tn).sum(axis=-1), self.count.sum(axis=-1))

    @property
    def overall_selection_rate(self) -> NDArray[np.float64]:
        """Selection rate over all rows, shape (...)."""
        return safe_divide((self.tp + self.fp).sum(axis=-1), self.count.sum(axis=-1))

    @property
    def overall_tpr(self) -> NDArray[np.float64]:
        """True-positive rate over all rows, shape (...)."""
        return safe_divide(self.tp.sum(axis=-1), self.positives.sum(axis=-1))

    @property
    def overall_fpr(self) -> NDArray[np.float64]:
        """False-positive rate over all rows, shape (...)."""
        return safe_divide(self.fp.sum(axis=-1), self.negatives.sum(axis=-1))

    def demographic_parity_difference(self) -> NDArray[np.float64]:
        """Largest minus smallest group selection rate (0 = parity)."""
        return between_group_difference(self.selection_rate)

    def disparate_impact_ratio(self) -> NDArray[np.float64]:
        """Smallest over largest group selection rate (1 = parity; NaN when nobody is selected)."""
        return between_group_ratio(self.selection_rate)

    def equal_opportunity_difference(self) -> NDArray[np.float64]:
        """Largest minus smallest group TPR (0 = equal opportunity)."""
        return between_group_difference(self.tpr)

    def equalized_odds_difference(self) -> NDArray[np.float64]:
        """The larger of the between-group TPR and FPR differences (fairlearn's ``worst_case``)."""
        return np.maximum(between_group_difference(self.tpr), between_group_difference(self.fpr))


def between_group_difference(rates: NDArray[np.float64]) -> NDArray[np.float64]:
    """``max - min`` over the last (group) axis; NaN if any group's rate is NaN."""
    return rates.max(axis=-1) - rates.min(axis=-1)


def between_group_ratio(rates: NDArray[np.float64]) -> NDArray[np.float64]:
    """``min / max`` over the last (group) axis; NaN if any rate is NaN or the max is 0."""
    return safe_divide(rates.min(axis=-1), rates.max(axis=-1))


def group_confusion(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    sample_weight: ArrayLike | None = None,
    paired: bool = False,
) -> GroupConfusion:
    """Per-group tp/fp/tn/fn of every draw in one vectorised pass.

    ``y_pred`` is (D, N) or (N,). ``sample_weight`` is (N,) → arrays (D, G); (D, N) with ``paired=True``
    → (D, G); or (B, N) → (B, D, G), each of B bootstrap replicates applied to each draw.
    """
    y = as_labels(y_true)
    pred = as_stack(y_pred, y.shape[0], where="y_pred", kind="binary")
    groups, codes = encode_groups(sensitive_features, y.shape[0])
    weights = RowWeights.resolve(sample_weight, pred.shape[0], y.shape[0], paired=paired)
    return confusion_from_codes(y, codes, groups, pred, weights)


def confusion_from_codes(
    y: NDArray[np.float64],
    codes: NDArray[np.intp],
    groups: NDArray[Any],
    pred: NDArray[np.float64],
    weights: RowWeights,
) -> GroupConfusion:
    """:func:`group_confusion` on validated arrays (``y`` 0/1 floats, ``codes`` in ``range(G)``)."""
    n_groups = groups.shape[0]
    # Cell 2g + y holds the rows of group g with label y.
    cells = np.zeros((y.shape[0], 2 * n_groups))
    cells[np.arange(y.shape[0]), 2 * codes + y.astype(np.intp)] = 1.0
    if weights.mode == "none":
        predicted = pred @ cells
        totals = np.broadcast_to(cells.sum(axis=0), predicted.shape)
    elif weights.mode == "paired":
        assert weights.weights is not None
        predicted = (pred * weights.weights) @ cells
        totals = weights.weights @ cells
    else:
        assert weights.weights is not None
        predicted = _crossed_cell_sums(pred, weights.weights, cells)
        totals = (weights.weights @ cells)[:, np.newaxis, :]
    predicted_neg, predicted_pos = predicted[..., 0::2], predicted[..., 1::2]
    total_neg, total_pos = totals[..., 0::2], totals[..., 1::2]
    return GroupConfusion(
        groups=groups,
        tp=predicted_pos,
        fp=predicted_neg,
        tn=np.broadcast_to(total_neg, predicted_neg.shape) - predicted_neg,
        fn=np.broadcast_to(total_pos, predicted_pos.shape) - predicted_pos,
    )


def _crossed_cell_sums(
    pred: NDArray[np.float64], weights: NDArray[np.float64], cells: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``out[b, d, c] = Σ_n weights[b, n] · cells[n, c] · pred[d, n]`` as chunked matmuls."""
    n_boot, n_rows = weights.shape
    n_cells = cells.shape[1]
    out = np.empty((n_boot, pred.shape[0], n_cells))
    chunk = max(1, _CROSSED_CHUNK_ELEMENTS // (n_cells * n_rows))
    for start in range(0, n_boot, chunk):
        block = weights[start : start + chunk]
        weighted_cells = (block[:, np.newaxis, :] * cells.T[np.newaxis]).reshape(-1, n_rows)
        sums = (weighted_cells @ pred.T).reshape(block.shape[0], n_cells, pred.shape[0])
        out[start : start + chunk] = sums.transpose(0, 2, 1)
    return out


def demographic_parity_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    sample_weight: ArrayLike | None = None,
    paired: bool = False,
) -> NDArray[np.float64]:
    """Largest minus smallest group selection rate, per draw (fairlearn's definition)."""
    return group_confusion(
        y_true, y_pred, sensitive_features=sensitive_features, sample_weight=sample_weight, paired=paired
    ).demographic_parity_difference()


def demographic_parity_ratio(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    sample_weight: ArrayLike | None = None,
    paired: bool = False,
) -> NDArray[np.float64]:
    """Smallest over largest group selection rate per draw: the disparate impact ratio.

    The US "four-fifths rule" flags values below 0.8. NaN when no group is ever selected (0/0).
    """
    return group_confusion(
        y_true, y_pred, sensitive_features=sensitive_features, sample_weight=sample_weight, paired=paired
    ).disparate_impact_ratio()


disparate_impact_ratio = demographic_parity_ratio


def equalized_odds_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    sample_weight: ArrayLike | None = None,
    paired: bool = False,
) -> NDArray[np.float64]:
    """Worst of the between-group TPR and FPR differences, per draw (fairlearn's default)."""
    return group_confusion(
        y_true, y_pred, sensitive_features=sensitive_features, sample_weight=sample_weight, paired=paired
    ).equalized_odds_difference()


def equal_opportunity_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    sample_weight: ArrayLike | None = None,
    paired: bool = False,
) -> NDArray[np.float64]:
    """Largest minus smallest group TPR, per draw."""
    return group_confusion(
        y_true, y_pred, sensitive_features=sensitive_features, sample_weight=sample_weight, paired=paired
    ).equal_opportunity_difference()
