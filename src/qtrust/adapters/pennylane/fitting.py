"""Gate angles recovered from random probes: least squares on the probes, then verified on fresh ones.

Every angle must be exactly ``const + Σ c·x[i] + Σ c·x[i]·x[j] + Σ c·w[k]``. Fitting that form and checking
it where it was not fitted is what keeps a nonlinear function of the input, or a weight times an input, from
being translated by mistake.
"""

from __future__ import annotations

import numpy as np

from qtrust.adapters.pennylane.framework import _UntranslatableError
from qtrust.adapters.pennylane.tape import _Item
from qtrust.quantum.circuit import Angle

_TOLERANCE = 1e-11  # angle verification: |fit − actual| ≤ tol · (1 + |actual|)


def _design(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Columns 1, x_i, x_i·x_j (i ≤ j), w_k for each probe."""
    n = X.shape[1]
    pairs = [X[:, i] * X[:, j] for i in range(n) for j in range(i, n)]
    return np.column_stack([np.ones(len(X)), X, *pairs, W]) if len(X) else np.zeros((0, 1))


def _snap(c: np.ndarray) -> np.ndarray:
    """Coefficients that are short decimals (0, 1, 0.25, 0.7, ...) up to least-squares rounding, made exact."""
    out = c.copy()
    for index, value in np.ndenumerate(c):
        short = float(f"{value:.10g}") if abs(value) >= 1e-12 else 0.0
        if abs(short - value) <= 1e-12 * max(1.0, abs(value)):
            out[index] = short
    return out


def _fit_angles(
    items: list[_Item], traces: list[list[_Item]], X: np.ndarray, W: np.ndarray, n_fit: int
) -> tuple[dict[tuple[int, int], Angle], float]:
    """Each gate parameter ``(item, index)`` as an :class:`Angle`, and the largest misfit over all probes.

    The first ``n_fit`` probes fit the coefficients; the rest only check them, so a form that merely fits
    (a nonlinear angle) shows up as a misfit there and is refused.
    """
    n_f, n_w = X.shape[1], W.shape[1]
    columns = [(k, j) for k, item in enumerate(items) for j in range(len(item.params))]
    if not columns:
        return {}, 0.0
    Y = np.array([[trace[k].params[j] for k, j in columns] for trace in traces]).reshape(len(X), len(columns))
    D = _design(X, W)
    coef, *_ = np.linalg.lstsq(D[:n_fit], Y[:n_fit], rcond=None)
    tolerance = _TOLERANCE * (1.0 + np.abs(Y))
    snapped = _snap(coef)
    error = np.abs(D @ snapped - Y)
    raw_error = np.abs(D @ coef - Y)
    use_snapped = np.all(error <= tolerance, axis=0)
    coef = np.where(use_snapped, snapped, coef)
    error = np.where(use_snapped, error, raw_error)
    bad = np.flatnonzero(~np.all(error <= tolerance, axis=0))
    if bad.size:
        k, _ = columns[int(bad[0])]
        item = items[k]
        worst = float(error[:, bad[0]].max())
        what = "noise strength" if item.kind == "channel" else "angle"
        raise _UntranslatableError(
            f"the {what} of {item.name} on qubit(s) {list(item.wires)} (from {item.origin}) is not "
            f"const + linear in the inputs and weights + products of inputs (misfit {worst:.1e} at random "
            "probes): nonlinear functions of the inputs or of the weights, and products of weights with "
            "inputs (trainable input scaling), have no translation"
        )
    angles = {col: _angle_from(coef[:, c], n_f, n_w) for c, col in enumerate(columns)}
    return angles, float(error.max())


def _angle_from(c: np.ndarray, n_f: int, n_w: int) -> Angle:
    features = tuple((i, float(c[1 + i])) for i in range(n_f) if c[1 + i] != 0.0)
    products, at = [], 1 + n_f
    for i in range(n_f):
        for j in range(i, n_f):
            if c[at] != 0.0:
                products.append((i, j, float(c[at]), 0.0))
            at += 1
    weights = tuple((k, float(c[at + k])) for k in range(n_w) if c[at + k] != 0.0)
    return Angle(float(c[0]), features, tuple(products), weights)
