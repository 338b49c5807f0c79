"""Holm's step-down adjustment of a family of p-values.

Holm (1979) controls the family-wise error rate — the chance of *any* false alarm among the family — at
``alpha`` under any dependence between the tests, and rejects everything Bonferroni rejects and often more.
Any dependence matters here: a window's features are correlated (duration and credit amount move
together), and the two tests of the output detector look at the same probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def holm(p_values: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """Holm-adjusted p-values, in the input's order: reject test i at level alpha iff adjusted[i] < alpha.

    Sorted ascending, the j-th smallest (0-based) is multiplied by (k − j); a running maximum keeps the
    adjusted values in the same order as the raw ones, and they are capped at 1.
    """
    p = np.asarray(p_values, dtype=np.float64)
    k = p.size
    if k == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * (k - np.arange(k)))
    adjusted = np.empty(k)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted
