"""NaN-aware array helpers.

A metric can be undefined on a given draw or bootstrap replicate (a group with no positives has no TPR).
qtrust represents that as NaN and never lets NumPy emit a RuntimeWarning for it: the project turns
RuntimeWarnings from qtrust into errors, because a silent 0/0 is how wrong fairness numbers get shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.errors import InputError
from qtrust.metrics._validation import as_weights


def safe_divide(numerator: ArrayLike, denominator: ArrayLike) -> NDArray[np.float64]:
    """``numerator / denominator`` with NaN (not a warning) where the denominator is 0."""
    num, den = np.broadcast_arrays(
        np.asarray(numerator, dtype=np.float64), np.asarray(denominator, np.float64)
    )
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def mean_defined(values: ArrayLike, axis: int = 0) -> NDArray[np.float64]:
    """Mean over the non-NaN entries along ``axis``; NaN where none is defined."""
    array = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(array)
    return safe_divide(np.where(defined, array, 0.0).sum(axis=axis), defined.sum(axis=axis))


def std_defined(values: ArrayLike, axis: int = 0) -> NDArray[np.float64]:
    """Sample SD (ddof=1) over the non-NaN entries along ``axis``; NaN where fewer than two are defined."""
    array = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(array)
    count = defined.sum(axis=axis)
    mean = np.expand_dims(mean_defined(array, axis=axis), axis)
    squares = np.where(defined, (array - np.where(np.isnan(mean), 0.0, mean)) ** 2, 0.0).sum(axis=axis)
    return np.sqrt(safe_divide(squares, np.where(count >= 2, count - 1, 0)))


@dataclass(frozen=True)
class RowWeights:
    """How row weights combine with a (D, N) stack of draws.

    ``mode`` is ``"none"`` (every row weight 1), ``"paired"`` (``weights[d]`` weighs draw ``d``; shape
    (D, N)) or ``"crossed"`` (every one of B weight vectors applies to every draw; results gain a leading
    B axis). A bootstrap replicate is a multinomial count vector, so "evaluate B replicates" is "crossed".
    """

    mode: str
    weights: NDArray[np.float64] | None

    @staticmethod
    def resolve(sample_weight: ArrayLike | None, n_draws: int, n_rows: int, *, paired: bool) -> RowWeights:
        """Interpret ``sample_weight`` of shape (N,), (D, N) with ``paired=True``, or (B, N)."""
        if sample_weight is None:
            return RowWeights("none", None)
        weights = as_weights(sample_weight, n_rows)
        if weights.ndim == 1:
            return RowWeights("paired", np.broadcast_to(weights, (n_draws, n_rows)))
        if paired:
            if weights.shape[0] != n_draws:
                raise InputError(
                    f"paired=True needs one weight row per draw ({n_draws}), got {weights.shape[0]}",
                    where="sample_weight",
                    fix="pass shape (draws, rows), or paired=False to apply every weight row to every draw",
                )
            return RowWeights("paired", weights)
        return RowWeights("crossed", weights)


def weighted_ratio(
    values: NDArray[np.float64], row_mask: NDArray[np.float64], weights: RowWeights
) -> NDArray[np.float64]:
    """Weighted mean of ``values`` (D, N) over the rows where ``row_mask`` (N,) is 1.

    Returns (D,) or, for crossed weights, (B, D); NaN where the selected rows have zero total weight.
    """
    if weights.mode == "none":
        return safe_divide(values @ row_mask, row_mask.sum())
    w = weights.weights
    assert w is not None
    if weights.mode == "paired":
        return safe_divide((values * w) @ row_mask, w @ row_mask)
    masked = w * row_mask
    return safe_divide(masked @ values.T, masked.sum(axis=1)[:, np.newaxis])
