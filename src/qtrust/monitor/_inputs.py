"""Checks that turn a window's raw values into the arrays a detector can use, or say why they cannot.

Every detector refuses the same unusable inputs the same way: an empty window (there is nothing to compare),
a missing or non-finite value (a NaN would silently land in no histogram bin, or make a test return NaN),
a probability outside [0, 1]. Each refusal is an :class:`~qtrust.errors.InputError` naming the window and
the subject, so a monitoring job's log says which feature of which window to look at.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qtrust.errors import InputError


def where(role: str, subject: str) -> str:
    """The ``where`` of an error: ``"current window, 'age_years'"``."""
    return f"{role} window, {subject!r}"


def numeric(values: Any, *, role: str, subject: str, min_n: int = 1) -> NDArray[np.float64]:
    """``values`` as a 1-D float array of at least ``min_n`` finite numbers."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"values are not numbers ({exc})",
            where=where(role, subject),
            fix="declare the feature as a category, or send numbers",
        ) from exc
    if array.ndim != 1:
        raise InputError(
            f"expected one value per row, got an array of shape {array.shape}",
            where=where(role, subject),
            fix="pass a 1-D sequence",
        )
    _check_size(array.shape[0], min_n, role, subject)
    bad = ~np.isfinite(array)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} of {array.size} values are missing or not finite (NaN or infinity)",
            where=where(role, subject),
            fix="drop or impute those rows before the drift check",
        )
    return array


def categorical(values: Any, *, role: str, subject: str) -> NDArray[np.str_]:
    """``values`` as a 1-D array of category labels (strings, as the serving schema writes them)."""
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise InputError(
            f"expected one value per row, got an array of shape {array.shape}",
            where=where(role, subject),
            fix="pass a 1-D sequence",
        )
    _check_size(array.shape[0], 1, role, subject)
    missing = pd.isna(array)
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} of {array.size} values are missing",
            where=where(role, subject),
            fix="drop those rows, or map missing values to a category of their own",
        )
    return array.astype(str)


def matrix(values: Any, *, role: str, subject: str, min_n: int = 2) -> NDArray[np.float64]:
    """``values`` as a finite (n, d) float matrix with at least ``min_n`` rows; a 1-D input is one column."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"values are not numbers ({exc})", where=where(role, subject), fix="send numbers"
        ) from exc
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(
            f"expected an (n, d) matrix, got shape {array.shape}",
            where=where(role, subject),
            fix="pass one row per request and one column per angle",
        )
    _check_size(array.shape[0], min_n, role, subject)
    if not np.isfinite(array).all():
        raise InputError(
            "some values are missing or not finite (NaN or infinity)",
            where=where(role, subject),
            fix="drop those rows before the drift check",
        )
    return array


def probabilities(values: Any, *, role: str, subject: str, min_n: int = 2) -> NDArray[np.float64]:
    """``values`` as finite probabilities in [0, 1], at least ``min_n`` of them."""
    array = numeric(values, role=role, subject=subject, min_n=min_n)
    if ((array < 0) | (array > 1)).any():
        raise InputError(
            f"probabilities outside [0, 1] (range {array.min():.4g} to {array.max():.4g})",
            where=where(role, subject),
            fix="pass the model's probability of the favourable class",
        )
    return array


def shots_of(shots: int | None, *, subject: str) -> int | None:
    """``None`` for exact probabilities (``shots`` None or 0), else a positive shot count."""
    if shots is None or shots == 0:
        return None
    if isinstance(shots, bool) or not isinstance(shots, int | np.integer) or shots < 0:
        raise InputError(
            f"shots must be a non-negative integer, got {shots!r}",
            where=where("current", subject),
            fix="pass the shots each estimate was measured with, or 0 / None for exact probabilities",
        )
    return int(shots)


def _check_size(n: int, min_n: int, role: str, subject: str) -> None:
    if n < min_n:
        problem = (
            "the window is empty" if n == 0 else f"the window has {n} rows, fewer than the {min_n} needed"
        )
        raise InputError(problem, where=where(role, subject), fix="check over a window with more rows")
