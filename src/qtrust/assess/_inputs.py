"""The one check of the feature (angle) matrices the assessments receive, so each reports a bad one alike."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from qtrust.errors import InputError


def check_features(
    X: Any, *, where: str, n_features: int | None = None, finite: bool = True
) -> NDArray[np.float64]:
    """``X`` as a 2-D float array, one row per input and one column per feature (angle).

    ``n_features`` is the number of columns the model reads (``None``: any number); ``finite`` also rejects
    NaN and ±inf. A bad array raises :class:`InputError` saying what is wrong, at ``where``, and the fix.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or (n_features is not None and X.shape[1] != n_features):
        wanted = "a 2-D feature array" + (
            "" if n_features is None else f" with {n_features} features per row"
        )
        raise InputError(
            f"expected {wanted}, got shape {X.shape}",
            where=where,
            fix="pass a 2-D array with one row per input and one column per feature",
        )
    if finite and not np.all(np.isfinite(X)):
        raise InputError(
            "inputs contain NaN or infinite values", where=where, fix="drop or impute them first"
        )
    return X
