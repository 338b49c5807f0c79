"""Classification metrics over a stack of prediction draws.

Every function takes ``y_true`` (N,) and a stack (D, N) — one row per prediction draw (shot sample,
hardware run, training seed) — and returns one value per draw, shape (D,), in a single vectorised pass.
A 1-D prediction array is one draw (D = 1).

Row weights exist for the bootstrap: a replicate that resamples rows with replacement is the same data
with integer multinomial counts as weights, so B replicates are a (B, N) weight matrix rather than B
copies of the data. ``sample_weight`` may be

* (N,) — one weight per row, shared by all draws → result (D,);
* (D, N) with ``paired=True`` — ``sample_weight[d]`` weighs draw ``d`` → result (D,);
* (B, N) with ``paired=False`` — every weight row applies to every draw → result (B, D).

A metric whose denominator is zero (TPR with no positive rows, AUC with one class) is NaN, never 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.metrics._numeric import RowWeights, safe_divide, weighted_ratio
from qtrust.metrics._validation import as_labels, as_stack

__all__ = ["accuracy", "brier", "fpr", "roc_auc", "selection_rate", "tpr"]


def accuracy(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """Fraction of rows predicted correctly, per draw."""
    y, pred, weights = _prepare(y_true, y_pred, sample_weight, paired, kind="binary")
    correct = 1.0 - np.abs(pred - y)
    return weighted_ratio(correct, np.ones_like(y), weights)


def selection_rate(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """Fraction of rows given the favourable prediction (1), per draw; ``y_true`` only fixes N."""
    y, pred, weights = _prepare(y_true, y_pred, sample_weight, paired, kind="binary")
    return weighted_ratio(pred, np.ones_like(y), weights)


def tpr(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """True-positive rate P(ŷ=1 | y=1), per draw; NaN when there is no positive row."""
    y, pred, weights = _prepare(y_true, y_pred, sample_weight, paired, kind="binary")
    return weighted_ratio(pred, y, weights)


def fpr(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """False-positive rate P(ŷ=1 | y=0), per draw; NaN when there is no negative row."""
    y, pred, weights = _prepare(y_true, y_pred, sample_weight, paired, kind="binary")
    return weighted_ratio(pred, 1.0 - y, weights)


def brier(
    y_true: ArrayLike, proba: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """Mean squared error of the probability of class 1 (lower is better), per draw."""
    y, stack, weights = _prepare(y_true, proba, sample_weight, paired, kind="proba")
    return weighted_ratio((stack - y) ** 2, np.ones_like(y), weights)


def roc_auc(
    y_true: ArrayLike, scores: ArrayLike, *, sample_weight: ArrayLike | None = None, paired: bool = False
) -> NDArray[np.float64]:
    """Area under the ROC curve per draw, in its rank (Mann-Whitney) form.

    AUC is the probability that a random positive row scores above a random negative row, counting ties
    as one half — exactly what scikit-learn's trapezoidal ``roc_auc_score`` computes, ties included. The
    rank form needs one sort per draw instead of a ROC curve, which is what makes it cheap to vectorise
    over draws and bootstrap replicates. NaN when ``y_true`` (or a replicate) lacks one of the classes.
    """
    y, stack, weights = _prepare(y_true, scores, sample_weight, paired, kind="score")
    return auc_from_stack(y, stack, weights)


def auc_from_stack(
    y: NDArray[np.float64], scores: NDArray[np.float64], weights: RowWeights
) -> NDArray[np.float64]:
    """AUC on validated arrays: (D,) or, for crossed weights, (B, D)."""
    if weights.mode == "crossed":
        assert weights.weights is not None
        return np.stack([_auc_crossed(y, row, weights.weights) for row in scores], axis=1)
    return _auc_rows(y, scores, weights.weights)


def _auc_rows(
    y: NDArray[np.float64], scores: NDArray[np.float64], weights: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Weighted Mann-Whitney AUC of each row of ``scores`` (K, N) under its own weight row."""
    n_draws = scores.shape[0]
    order = np.argsort(scores, axis=1)
    ordered = np.take_along_axis(scores, order, axis=1)
    w = np.ones(scores.shape) if weights is None else np.take_along_axis(weights, order, axis=1)
    w_pos = w * y[order]
    w_neg = w - w_pos
    # Tie blocks: runs of equal scores within a row. A positive beats every negative in earlier blocks and
    # half-beats the negatives of its own block.
    starts = np.ones(scores.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    block = np.cumsum(starts.ravel()) - 1
    n_blocks = int(block[-1]) + 1
    neg_in_block = np.bincount(block, w_neg.ravel(), minlength=n_blocks)
    pos_in_block = np.bincount(block, w_pos.ravel(), minlength=n_blocks)
    neg_before_block = (np.cumsum(w_neg, axis=1) - w_neg)[starts]
    block_row = np.nonzero(starts)[0]
    wins = pos_in_block * (neg_before_block + 0.5 * neg_in_block)
    numerator = np.bincount(block_row, wins, minlength=n_draws)
    return safe_divide(numerator, w_pos.sum(axis=1) * w_neg.sum(axis=1))


def _auc_crossed(
    y: NDArray[np.float64], scores: NDArray[np.float64], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """AUC of one draw ``scores`` (N,) under each of B weight rows: sort once, weigh B times."""
    order = np.argsort(scores)
    ordered = scores[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    w = weights[:, order]
    w_pos = w * y[order]
    w_neg = w - w_pos
    neg_in_block = np.add.reduceat(w_neg, starts, axis=1)
    pos_in_block = np.add.reduceat(w_pos, starts, axis=1)
    neg_before_block = np.cumsum(neg_in_block, axis=1) - neg_in_block
    numerator = (pos_in_block * (neg_before_block + 0.5 * neg_in_block)).sum(axis=1)
    return safe_divide(numerator, w_pos.sum(axis=1) * w_neg.sum(axis=1))


def _prepare(
    y_true: ArrayLike, stack: ArrayLike, sample_weight: ArrayLike | None, paired: bool, *, kind: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], RowWeights]:
    y = as_labels(y_true)
    where = "y_pred" if kind == "binary" else ("proba" if kind == "proba" else "scores")
    values = as_stack(stack, y.shape[0], where=where, kind=kind)
    weights = RowWeights.resolve(sample_weight, values.shape[0], y.shape[0], paired=paired)
    return y, values, weights
