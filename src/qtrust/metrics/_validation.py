"""Input checks shared by every public entry point of :mod:`qtrust.metrics`.

Metrics are computed on stacks of prediction draws, so most user mistakes are shape mistakes (rows and
draws swapped, a label vector one row short) or encoding mistakes (labels "yes"/"no" instead of 0/1).
Catching them here, with a message that names the argument and the fix, is cheaper for the user than a
broadcasting error three calls deep in a matmul.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.errors import InputError


def as_labels(y_true: ArrayLike, *, where: str = "y_true") -> NDArray[np.float64]:
    """``y_true`` as a float 0/1 vector (float so it enters matmuls without casts)."""
    y = np.asarray(y_true)
    if y.ndim != 1 or y.shape[0] == 0:
        raise InputError(
            f"expected a non-empty 1-D array of labels, got shape {y.shape}",
            where=where,
            fix="pass one 0/1 label per test row",
        )
    if y.dtype.kind not in "biuf" or not np.isin(y, (0, 1)).all():
        shown = ", ".join(repr(v) for v in _first_unique(y))
        raise InputError(
            f"labels must be 0/1 with 1 the favourable outcome, found values {shown}",
            where=where,
            fix="encode the labels as 0/1, e.g. (y == 'approved').astype(int)",
        )
    return y.astype(np.float64)


def as_stack(
    values: ArrayLike, n_rows: int, *, where: str, kind: str, leading: str = "draws"
) -> NDArray[np.float64]:
    """A (D, N) float stack; a 1-D array is one draw.

    ``kind`` is ``"binary"`` (hard predictions), ``"proba"`` (probabilities in [0, 1]) or ``"score"`` (any
    finite real).
    """
    stack = np.asarray(values)
    if stack.ndim == 1:
        stack = stack[np.newaxis, :]
    if stack.ndim != 2 or stack.shape[0] == 0:
        raise InputError(
            f"expected shape ({leading}, rows) or (rows,), got {np.shape(values)}",
            where=where,
            fix=f"stack the {leading} along the first axis",
        )
    if stack.shape[1] != n_rows:
        raise InputError(
            f"has {stack.shape[1]} rows but y_true has {n_rows} (shape {stack.shape})",
            where=where,
            fix=f"pass an array of shape ({leading}, {n_rows}); rows are the last axis",
        )
    if stack.dtype.kind not in "biuf":
        raise InputError(f"must be numeric, got dtype {stack.dtype}", where=where)
    stack = stack.astype(np.float64)
    if not np.isfinite(stack).all():
        raise InputError("contains NaN or infinite values", where=where, fix="drop or impute those rows")
    if kind == "binary" and not np.isin(stack, (0.0, 1.0)).all():
        raise InputError(
            "hard predictions must be 0/1 or boolean",
            where=where,
            fix="pass probabilities as proba= and let the threshold make the predictions",
        )
    if kind == "proba" and ((stack < 0.0).any() or (stack > 1.0).any()):
        raise InputError(
            "probabilities must lie in [0, 1]",
            where=where,
            fix="pass the probability of class 1, not a raw score or logit",
        )
    return stack


def encode_groups(
    sensitive_features: ArrayLike, n_rows: int, *, where: str = "sensitive_features"
) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """Sorted group labels and each row's group code, via ``np.unique``."""
    feature = np.asarray(sensitive_features)
    if feature.ndim != 1:
        raise InputError(
            f"expected one label per row (1-D), got shape {feature.shape}",
            where=where,
            fix="combine several columns into one label, e.g. df['sex'].astype(str) + '|' + df['age_band']",
        )
    if feature.shape[0] != n_rows:
        raise InputError(
            f"has {feature.shape[0]} rows but y_true has {n_rows}",
            where=where,
            fix="pass the sensitive feature of exactly the test rows, in the same order",
        )
    if _has_missing(feature):
        raise InputError(
            "contains missing values (None or NaN)",
            where=where,
            fix="fill them with an explicit label such as 'unknown' or drop those rows",
        )
    try:
        groups, codes = np.unique(feature, return_inverse=True)
    except TypeError as error:
        raise InputError(
            "labels of mixed types cannot be sorted into groups",
            where=where,
            fix="convert the labels to one type, e.g. .astype(str)",
        ) from error
    if groups.shape[0] < 2:
        raise InputError(
            f"has a single group ({groups[0]!r}); fairness compares at least two",
            where=where,
            fix="pass a feature with two or more groups among the test rows",
        )
    return groups, codes.reshape(-1).astype(np.intp)


def as_weights(sample_weight: ArrayLike, n_rows: int, *, where: str = "sample_weight") -> NDArray[np.float64]:
    """Non-negative finite row weights of shape (N,) or (B, N)."""
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim not in (1, 2) or weights.shape[-1] != n_rows:
        raise InputError(
            f"expected shape ({n_rows},) or (replicates, {n_rows}), got {weights.shape}",
            where=where,
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise InputError("weights must be finite and non-negative", where=where)
    return weights


def check_confidence(confidence: float, *, where: str = "confidence") -> float:
    """A confidence level strictly between 0 and 1."""
    value = float(confidence)
    if not 0.0 < value < 1.0:
        raise InputError(
            f"must be strictly between 0 and 1, got {confidence!r}", where=where, fix="e.g. 0.95"
        )
    return value


def check_count(value: int, *, where: str, minimum: int = 1) -> int:
    """A positive integer count (bootstrap replicates, permutations)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(f"must be an integer >= {minimum}, got {value!r}", where=where)
    return int(value)


def check_threshold(threshold: float) -> float:
    """A finite decision threshold on the probability of class 1."""
    value = float(threshold)
    if not np.isfinite(value):
        raise InputError(f"must be finite, got {threshold!r}", where="threshold", fix="e.g. 0.5")
    return value


def _first_unique(values: NDArray[Any], limit: int = 5) -> list[Any]:
    try:
        unique = np.unique(values)
    except TypeError:
        unique = np.asarray(list(dict.fromkeys(values.tolist())), dtype=object)
    return [v.item() if hasattr(v, "item") else v for v in unique[:limit]]


def _has_missing(feature: NDArray[Any]) -> bool:
    if feature.dtype.kind == "f":
        return bool(np.isnan(feature).any())
    if feature.dtype.kind == "O":
        return any(v is None or (isinstance(v, float) and np.isnan(v)) for v in feature.tolist())
    return False
