"""The distances a robustness level is measured in, and the checks of levels, distances and labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from qtrust.errors import InputError

Distance = Literal["infidelity", "purified"]
DISTANCES: tuple[str, ...] = ("infidelity", "purified")
DISTANCE_TEXT = {
    "infidelity": "D(rho, sigma) = 1 - F(rho, sigma), F = (Tr sqrt(sqrt(rho) sigma sqrt(rho)))^2 (Guan et al. 2021)",
    "purified": "P(rho, sigma) = sqrt(1 - F(rho, sigma)) (purified / sine distance)",
}


def _check_distance(distance: str) -> str:
    if distance not in DISTANCES:
        raise InputError(
            f"unknown distance {distance!r}", where="distance", fix=f"use one of: {', '.join(DISTANCES)}"
        )
    return distance


def _check_epsilons(epsilons: Sequence[float] | float) -> tuple[float, ...]:
    values = np.atleast_1d(np.asarray(epsilons, dtype=float))
    if values.ndim != 1 or values.size == 0:
        raise InputError("no robustness level given", where="epsilons", fix="pass e.g. (1e-3, 2e-3)")
    for eps in values:
        if not (np.isfinite(eps) and 0.0 < eps <= 1.0):
            raise InputError(
                f"robustness level ε = {eps!r} is outside (0, 1]",
                where="epsilons",
                fix="a fidelity distance lies in [0, 1]; use levels with 0 < ε ≤ 1, e.g. 1e-3",
            )
    return tuple(sorted({float(v) for v in values}))


def _fidelity_threshold(epsilon: float, distance: str) -> float:
    """The smallest fidelity F(ρ, σ) inside the ball of radius ε."""
    return 1.0 - (epsilon if distance == "infidelity" else epsilon**2)


def _as_distance(infidelity: np.ndarray, distance: str) -> np.ndarray:
    """Radii given as 1 − F, expressed in ``distance`` (∞ stays ∞)."""
    infidelity = np.asarray(infidelity, dtype=float)
    return infidelity if distance == "infidelity" else np.sqrt(np.maximum(infidelity, 0.0))


def _binary_labels(y: Any, classes: np.ndarray | None, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise InputError(f"expected {n} labels, got shape {y.shape}", where="y", fix="one label per row")
    if classes is not None and len(classes) == 2:
        if not np.isin(y, classes).all():
            raise InputError(f"labels outside the model's classes {list(classes)}", where="y")
        return (y == classes[1]).astype(int)
    if y.dtype.kind in "biuf" and np.isin(y, (0, 1)).all():
        return y.astype(int)
    classes = np.unique(y)
    if len(classes) > 2:
        raise InputError(f"binary labels expected, got {len(classes)} classes", where="y")
    return (y == classes[-1]).astype(int)
