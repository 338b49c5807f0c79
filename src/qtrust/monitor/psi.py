"""Population Stability Index: how far a feature's distribution moved, as one magnitude.

PSI = Σ_i (c_i − r_i) · ln(c_i / r_i) over cells i, where r_i and c_i are the reference's and the current
window's proportions in cell i. It is the symmetrised Kullback–Leibler divergence of the two binned
distributions (KL(c‖r) + KL(r‖c)), so it grows with the size of a shift, not with the window's size the way
a p-value shrinks — which is why credit-risk monitoring reads it as a magnitude against a fixed scale:
below 0.1 no meaningful change, 0.1 to 0.2 a moderate shift, above 0.2 a significant shift (the customary
rule of thumb of scorecard monitoring, e.g. Siddiqi, *Credit Risk Scorecards*, 2006). The default alarm is
therefore ``PSI > 0.2``. PSI is not a test and has no p-value; it is never part of the window's
multiple-testing family.

Cells: for a number, the reference's deciles (deduplicated), and one open cell below the reference's minimum
and one above its maximum, so the outer edges are −inf and +inf (see
:func:`~qtrust.monitor._histogram.quantile_edges`); for a category, every category of either window.

Empty cells: ln(0) is undefined, so a proportion below :data:`EPSILON` is raised to it before the sum (no
renormalisation). An empty cell then contributes like one holding 0.01% of its window: a category that
appears only in the current window raises PSI by a bounded, interpretable amount instead of making it
infinite.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from qtrust.monitor import _inputs
from qtrust.monitor._histogram import bin_counts, category_counts, quantile_edges
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

#: Proportions below this are raised to it, so an empty cell has a finite logarithm.
EPSILON = 1e-4
#: The customary "significant shift" level of PSI.
THRESHOLD = 0.2
#: Reference quantile bins for a numeric feature (deciles).
BINS = 10


def psi_from_counts(reference_counts: Any, current_counts: Any, epsilon: float = EPSILON) -> float:
    """PSI of two count vectors over the same cells, empty cells raised to ``epsilon`` (see module doc)."""
    r = np.asarray(reference_counts, dtype=np.float64)
    c = np.asarray(current_counts, dtype=np.float64)
    r = np.maximum(r / r.sum(), epsilon)
    c = np.maximum(c / c.sum(), epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


@register("psi")
def psi(
    reference: Any,
    current: Any,
    *,
    subject: str = "feature",
    kind: str = "number",
    bins: int = BINS,
    categories: Iterable[str] = (),
    threshold: float = THRESHOLD,
    epsilon: float = EPSILON,
) -> DriftResult:
    """PSI of one feature; ``kind`` is ``"number"`` (reference-quantile bins) or ``"category"``.

    ``categories`` adds known categories (the serving schema's) to the union; a category empty in both
    windows contributes nothing.
    """
    detail: dict[str, Any]
    if kind == "number":
        ref = _inputs.numeric(reference, role="reference", subject=subject)
        cur = _inputs.numeric(current, role="current", subject=subject)
        edges = quantile_edges(ref, bins)
        ref_counts, cur_counts = bin_counts(ref, edges), bin_counts(cur, edges)
        # cells: (-inf, edges[0]), [edges[0], edges[1]], (edges[1], edges[2]], ..., (edges[-1], +inf)
        detail = {"edges": edges.tolist(), "cells": len(edges) + 1}
        cells = f"{len(edges) - 1} reference-quantile bins and two out-of-range cells"
    elif kind == "category":
        ref_s = _inputs.categorical(reference, role="reference", subject=subject)
        cur_s = _inputs.categorical(current, role="current", subject=subject)
        names, ref_counts, cur_counts = category_counts(ref_s, cur_s, categories)
        detail = {"categories": names}
        cells = f"{len(names)} categories"
        ref, cur = ref_s, cur_s
    else:
        raise ValueError(f"kind must be 'number' or 'category', got {kind!r}")
    statistic = psi_from_counts(ref_counts, cur_counts, epsilon)
    detail |= {
        "reference_counts": ref_counts.tolist(),
        "current_counts": cur_counts.tolist(),
        "epsilon": epsilon,
        "empty_cells": int(np.sum((ref_counts == 0) | (cur_counts == 0))),
    }
    return DriftResult(
        detector="psi",
        subject=subject,
        statistic=statistic,
        p_value=None,
        threshold=threshold,
        drifted=statistic > threshold,
        reference_n=len(ref),
        current_n=len(cur),
        method=f"Population Stability Index over {cells}, proportions floored at {epsilon:g}; alarm above {threshold:g}.",
        detail=detail,
    )
