"""The one check of a feature (angle) matrix, for everything that feeds inputs to a circuit.

The simulator, the estimators, the framework adapters and the assessments all receive ``X``; checked here,
a bad one is reported alike wherever it enters: what is wrong, where it came in, and how to fix it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from qtrust.errors import InputError

#: The fix for angles that do not fit a trained model: they were encoded differently from its training data.
ANGLES_FIX = "transform the data with the same QubitPreprocessor used for fitting"


def check_features(
    X: Any,
    *,
    where: str,
    n_features: int | None = None,
    at_least: bool = False,
    finite: bool = True,
    fix: str = "pass a 2-D array with one row per input and one column per feature",
) -> NDArray[np.float64]:
    """``X`` as a 2-D float array, one row per input and one column per feature (angle).

    ``n_features`` is the number of columns the model reads (``None``: any number; ``at_least``: extra
    columns are allowed, as the simulator reads only the circuit's); ``finite`` also rejects NaN and ±inf.
    """
    X = np.asarray(X, dtype=float)
    wrong_width = n_features is not None and (
        X.shape[-1] < n_features if at_least else X.shape[-1] != n_features
    )
    if X.ndim != 2 or wrong_width:
        wanted = "a 2-D feature array"
        if n_features is not None:
            wanted += f" with {'at least ' if at_least else ''}{n_features} features per row"
        raise InputError(f"expected {wanted}, got shape {X.shape}", where=where, fix=fix)
    if finite and not np.all(np.isfinite(X)):
        raise InputError(
            "inputs contain NaN or infinite values", where=where, fix="drop or impute them first"
        )
    return X
