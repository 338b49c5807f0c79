"""Chi-square test of homogeneity of one categorical feature (scipy's ``chi2_contingency``).

The table is 2 × k: the reference's and the current window's count of each of the k categories of either
window (plus any known category passed in). A category seen in neither window has a zero column total and
an expected count of 0, which scipy refuses; such columns say nothing about a change, so they are dropped
first. When fewer than two categories remain, both windows hold the same single category: the test is
undefined, and the result says "no change" (statistic 0, p = 1) rather than raising, because a constant
feature is a legitimate, undrifted state. scipy applies Yates's continuity correction when the table has
one degree of freedom (k = 2), its default; the smallest expected count is recorded because the
chi-square approximation is poor below about 5. Alarm: ``p < alpha``; within a window check the p-value
joins the per-feature Holm family (:mod:`qtrust.monitor.window`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency

from qtrust.monitor import _inputs
from qtrust.monitor._histogram import category_counts
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

ALPHA = 0.05


@register("chi2")
def chi_square(
    reference: Any,
    current: Any,
    *,
    subject: str = "feature",
    categories: Iterable[str] = (),
    alpha: float = ALPHA,
) -> DriftResult:
    """Chi-square test of the 2 × k table of category counts; alarm when ``p < alpha``."""
    ref = _inputs.categorical(reference, role="reference", subject=subject)
    cur = _inputs.categorical(current, role="current", subject=subject)
    names, ref_counts, cur_counts = category_counts(ref, cur, categories)
    table = np.vstack([ref_counts, cur_counts])
    kept = table.sum(axis=0) > 0
    table = table[:, kept]
    detail: dict[str, Any] = {
        "categories": [name for name, keep in zip(names, kept, strict=True) if keep],
        "reference_counts": table[0].tolist(),
        "current_counts": table[1].tolist(),
        "only_in_current": sorted(set(cur.tolist()) - set(ref.tolist())),
    }
    if table.shape[1] < 2:
        statistic, p_value = 0.0, 1.0
        detail |= {"dof": 0, "min_expected": None}
    else:
        test = chi2_contingency(table)
        statistic, p_value = float(test.statistic), float(test.pvalue)
        detail |= {"dof": int(test.dof), "min_expected": float(test.expected_freq.min())}
    return DriftResult(
        detector="chi2",
        subject=subject,
        statistic=statistic,
        p_value=p_value,
        threshold=alpha,
        drifted=p_value < alpha,
        reference_n=len(ref),
        current_n=len(cur),
        method="Chi-square test of homogeneity of the 2 x k table of category counts (scipy.stats.chi2_contingency); alarm when p < alpha.",
        detail=detail,
    )
