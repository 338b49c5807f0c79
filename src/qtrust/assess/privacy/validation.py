"""Shared constants and input checks of the privacy attacks: probabilities, 0/1 labels, scores, FPRs.

Every other privacy module validates through these, so a bad array is reported the same way everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.errors import InputError

DEFAULT_FPRS = (1e-3, 1e-2)
_LOGIT_EPS = 1e-12  # clip of exact probabilities before the logit
_FPR_TOL = 1e-9  # relative slack when comparing an FPR (a ratio of counts) with its target


def _probabilities(p: ArrayLike, n: int | None, where: str) -> NDArray[np.float64]:
    """``p`` as a (draws, rows) float array of probabilities in [0, 1]."""
    array = np.asarray(p, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] == 0:
        raise InputError(
            f"expected probabilities of shape (rows,) or (draws, rows), got {np.shape(p)}", where=where
        )
    if n is not None and array.shape[1] != n:
        raise InputError(f"expected {n} rows of probabilities, got {array.shape[1]}", where=where)
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise InputError(
            "probabilities must be finite and in [0, 1]", where=where, fix="pass P(class 1) per row"
        )
    return array


def _labels01(y: ArrayLike, where: str) -> NDArray[np.int64]:
    array = np.asarray(y)
    if array.ndim != 1 or array.shape[0] == 0:
        raise InputError(f"expected a non-empty 1-D label array, got shape {array.shape}", where=where)
    if not np.all(np.isin(array, (0, 1))):
        raise InputError(
            "labels must be 0/1 (1 = the class whose probability the model outputs)",
            where=where,
            fix="encode the label as 0/1",
        )
    return array.astype(np.int64)


def _scores(s: ArrayLike, where: str) -> NDArray[np.float64]:
    array = np.asarray(s, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] == 0:
        raise InputError(f"expected scores of shape (rows,) or (draws, rows), got {np.shape(s)}", where=where)
    if not np.all(np.isfinite(array)):
        raise InputError("attack scores must be finite", where=where)
    return array


def _fpr_text(fpr: float) -> str:
    return f"{fpr * 100:g}%"


def measurable_fprs(n_nonmembers: int, fprs: Sequence[float] = DEFAULT_FPRS) -> tuple[float, ...]:
    """The FPRs of ``fprs`` whose TPR the split can measure: those with ``n_nonmembers ≥ 1/FPR``."""
    return tuple(f for f in fprs if n_nonmembers >= math.ceil(1.0 / f - _FPR_TOL))


def check_fprs(fprs: Sequence[float], n_nonmembers: int) -> tuple[float, ...]:
    """Validate the FPR list against the number of non-members.

    With n non-members the ROC's smallest non-zero FPR is 1/n, so "TPR at FPR α" for α < 1/n is really the
    TPR at FPR 0: a different, much stricter number. Rather than report it under the wrong name, this
    raises and says how many non-members α needs.
    """
    out = []
    for fpr in fprs:
        if isinstance(fpr, bool) or not 0.0 < float(fpr) < 1.0:
            raise InputError(f"FPR {fpr!r} is not in (0, 1)", where="fprs", fix="use e.g. fprs=(0.001, 0.01)")
        fpr = float(fpr)
        needed = math.ceil(1.0 / fpr - _FPR_TOL)
        if n_nonmembers < needed:
            ok = measurable_fprs(n_nonmembers, fprs)
            hint = f"fprs={ok!r} is measurable here" if ok else f"no FPR below {1 / n_nonmembers:.3g} is"
            raise InputError(
                f"TPR at {_fpr_text(fpr)} FPR needs ≥ {needed} non-members; the split has {n_nonmembers}",
                where="fprs",
                fix=f"lower the FPR list or add non-members ({hint})",
            )
        out.append(fpr)
    return tuple(dict.fromkeys(out))
