"""Has the favourable-decision rate of one group moved? A fairness regression seen as drift, per group.

The rollout's fairness SLOs compare groups *with each other* under anytime-valid sequences, which is right
for a rollback and slow to move (the drills measure it). A regression confined to one group is quicker to
see against that group's own audited rate: for each group, the 2 × 2 table of favourable / other quantum
decisions in the reference (the audit's held-out rows, kept as counts only) and in the current window is
tested for homogeneity (scipy's ``chi2_contingency``, Yates-corrected), and the groups' p-values are
Holm-adjusted together. A group with fewer than ``min_rows`` rows in the window is not judged. Alarm:
adjusted ``p < alpha``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency

from qtrust.errors import InputError
from qtrust.monitor._holm import holm
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

ALPHA = 0.05
MIN_ROWS = 30


def _one(group: str, reference: tuple[int, int], current: tuple[int, int], alpha: float) -> DriftResult:
    (k_ref, n_ref), (k_cur, n_cur) = reference, current
    table = np.array([[k_ref, n_ref - k_ref], [k_cur, n_cur - k_cur]])
    if (table.sum(axis=0) == 0).any():  # every decision the same in both: nothing to test
        statistic, p_value = 0.0, 1.0
    else:
        test = chi2_contingency(table)
        statistic, p_value = float(test.statistic), float(test.pvalue)
    return DriftResult(
        detector="group_rate",
        subject=f"favourable rate of {group}",
        statistic=k_cur / n_cur - k_ref / n_ref,
        p_value=p_value,
        threshold=alpha,
        drifted=p_value < alpha,
        reference_n=n_ref,
        current_n=n_cur,
        method="Change of one group's favourable-decision rate against the audit's (statistic: current − "
        "reference rate); chi-square test of the 2×2 table (scipy chi2_contingency, Yates), Holm across groups.",
        detail={"reference_rate": k_ref / n_ref, "current_rate": k_cur / n_cur, "chi2": statistic},
    )


@register("group_rate")
def group_rate(
    reference: Mapping[str, Mapping[str, int]],
    current: Sequence[tuple[str, int]],
    *,
    alpha: float = ALPHA,
    min_rows: int = MIN_ROWS,
) -> list[DriftResult]:
    """``reference``: group → {"positives", "rows"}; ``current``: (group, decision) of each quantum answer."""
    counts: dict[str, list[int]] = {}
    for group, decision in current:
        if decision not in (0, 1):
            raise InputError(
                f"decision {decision!r} is not 0 or 1", where="group_rate", fix="pass 0/1 decisions"
            )
        tally = counts.setdefault(str(group), [0, 0])
        tally[0] += int(decision)
        tally[1] += 1
    results = [
        _one(group, (int(ref["positives"]), int(ref["rows"])), (counts[group][0], counts[group][1]), alpha)
        for group, ref in sorted(reference.items())
        if group in counts and counts[group][1] >= min_rows and int(ref["rows"]) > 0
    ]
    if not results:
        return []
    adjusted = holm([r.p_value for r in results])
    return [
        replace(r, p_value=float(p), drifted=bool(p < alpha), detail=r.detail | {"raw_p_value": r.p_value})
        for r, p in zip(results, adjusted, strict=True)
    ]


def reference_counts(decisions: Any, groups: Any) -> dict[str, dict[str, int]]:
    """Per group, the favourable decisions and the rows: what the artefact keeps instead of the rows."""
    decisions, groups = np.asarray(decisions, dtype=int), np.asarray(groups).astype(str)
    return {
        str(g): {"positives": int(decisions[groups == g].sum()), "rows": int((groups == g).sum())}
        for g in np.unique(groups)
    }
