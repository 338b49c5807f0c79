"""Counting two windows on one set of bins or categories: the shared step of PSI and the chi-square test.

Both windows must be counted on the *same* cells, or their proportions cannot be compared. Numeric bins come
from the reference alone (it is the baseline the current window is judged against); categories are the union
of both windows, so a category that appears only in the current window is counted, not dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray


def quantile_edges(reference: NDArray[np.float64], bins: int) -> NDArray[np.float64]:
    """Bin edges at the reference's ``bins``-quantiles, deduplicated, with −inf and +inf as the outer edges.

    Deduplication matters for discrete features (an instalment rate of 1–4, a count of dependents): many
    quantiles coincide and would otherwise make empty zero-width bins. The open outer edges put current
    values beyond the reference's range into the first and last bins instead of losing them.
    """
    inner = np.unique(np.quantile(reference, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    return np.concatenate([[-np.inf], inner, [np.inf]])


def bin_counts(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many ``values`` fall in each bin ``[edges[i], edges[i+1])`` (a value on an edge goes up)."""
    index = np.searchsorted(edges[1:-1], values, side="right")
    return np.bincount(index, minlength=len(edges) - 1).astype(np.int64)


def category_counts(
    reference: NDArray[np.str_], current: NDArray[np.str_], extra: Iterable[str] = ()
) -> tuple[list[str], NDArray[np.int64], NDArray[np.int64]]:
    """The sorted union of categories (with ``extra`` known ones) and each window's count of each."""
    categories = sorted(set(reference.tolist()) | set(current.tolist()) | {str(value) for value in extra})
    position = {category: i for i, category in enumerate(categories)}
    counts = []
    for window in (reference, current):
        index = np.fromiter((position[value] for value in window.tolist()), dtype=np.int64, count=len(window))
        counts.append(np.bincount(index, minlength=len(categories)).astype(np.int64))
    return categories, counts[0], counts[1]
