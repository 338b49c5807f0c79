"""Counting two windows on one set of bins or categories: the shared step of PSI and the chi-square test.

Both windows must be counted on the *same* cells, or their proportions cannot be compared. Numeric cells come
from the reference alone (it is the baseline the current window is judged against); categories are the union
of both windows, so a category that appears only in the current window is counted, not dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray


def quantile_edges(reference: NDArray[np.float64], bins: int) -> NDArray[np.float64]:
    """The reference's range and its ``bins``-quantiles inside it: ``[min, q_1, ..., q_k, max]``.

    The cells these edges make (see :func:`bin_counts`) are ``(−inf, min)``, ``[min, q_1]``, ``(q_1, q_2]``, …,
    ``(q_k, max]``, ``(max, +inf)``: the quantile bins of the reference, plus one open cell on each side for
    current values beyond anything the reference held, so that no value is lost and a move out of the
    reference's range is seen on either side. The quantiles invert the empirical CDF (NumPy's
    ``inverted_cdf`` definition), so every edge is a reference value and a continuous feature gets ``bins``
    equal bins.
    They are deduplicated, and any at the maximum dropped: a discrete feature (an instalment rate of 1–4, a
    count of dependents) has many coinciding quantiles, and each distinct value then gets a cell of its own
    instead of empty zero-width bins; a constant feature gets three cells: below, at and above its value.
    """
    ordered = np.sort(reference)
    n = len(ordered)
    # the smallest value whose empirical CDF reaches i / bins: index ceil(n·i/bins) − 1, in integers so that
    # no rounding of i / bins moves an edge (NumPy's float levels put the 30% decile of 0..99 at 30, not 29)
    index = (n * np.arange(1, bins) + bins - 1) // bins - 1
    inner = np.unique(ordered[index])
    inner = inner[inner < ordered[-1]]
    return np.concatenate([[ordered[0]], inner, [ordered[-1]]])


#: Values this close to an edge (relative to the edges' scale) count as on it. Edges are reference values,
#: and served values arrive through JSON, which may round the last digits: without this, the same number
#: written to 10 decimals would fall on the other side of its own edge and PSI would report a shift.
EDGE_TOLERANCE = 1e-9


def _snap(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.float64]:
    tolerance = EDGE_TOLERANCE * max(1.0, float(np.max(np.abs(edges))))
    nearest = np.clip(np.searchsorted(edges, values), 1, len(edges) - 1)
    below, above = edges[nearest - 1], edges[nearest]
    closest = np.where(np.abs(values - below) <= np.abs(above - values), below, above)
    return np.where(np.abs(values - closest) <= tolerance, closest, values)


def bin_counts(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many ``values`` fall in each of the ``len(edges) + 1`` cells of :func:`quantile_edges` (a value
    within :data:`EDGE_TOLERANCE` of an edge counts as on it)."""
    values = (
        _snap(np.asarray(values, dtype=float), edges) if len(edges) > 1 else np.asarray(values, dtype=float)
    )
    index = np.searchsorted(edges[1:-1], values, side="left") + 1
    index[values < edges[0]] = 0
    index[values > edges[-1]] = len(edges)
    return np.bincount(index, minlength=len(edges) + 1).astype(np.int64)


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
