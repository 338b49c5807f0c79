"""Two-sample Kolmogorov–Smirnov test of one numeric feature (scipy's ``ks_2samp``).

KS compares whole distributions, not just means, and needs no binning, so it complements PSI: PSI says
*how much* a feature moved on a fixed scale, KS says whether the move is more than the sampling noise of two
finite windows would explain. On a discrete feature (durations in months, counts) the KS p-value is
conservative — ties make the null distribution of the statistic lumpier than the continuous one scipy
assumes — so its false-alarm rate there stays at or below ``alpha``. Alarm: ``p < alpha``. Within a window
check the p-value joins the per-feature Holm family (:mod:`qtrust.monitor.window`).
"""

from __future__ import annotations

import warnings
from typing import Any

from scipy.stats import ks_2samp

from qtrust.monitor import _inputs
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

ALPHA = 0.05


@register("ks")
def ks(reference: Any, current: Any, *, subject: str = "feature", alpha: float = ALPHA) -> DriftResult:
    """KS test of ``current`` against ``reference``; a constant feature equal in both gives D = 0, p = 1."""
    ref = _inputs.numeric(reference, role="reference", subject=subject)
    cur = _inputs.numeric(current, role="current", subject=subject)
    with warnings.catch_warnings():
        # with many ties scipy falls back from the exact to the asymptotic p-value (its 'auto' method, named
        # in the result) and says so on stderr at every window: a server's output would fill with it
        warnings.simplefilter("ignore", RuntimeWarning)
        test = ks_2samp(ref, cur)
    p_value = float(test.pvalue)
    return DriftResult(
        detector="ks",
        subject=subject,
        statistic=float(test.statistic),
        p_value=p_value,
        threshold=alpha,
        drifted=p_value < alpha,
        reference_n=len(ref),
        current_n=len(cur),
        method="Two-sample Kolmogorov-Smirnov test (scipy.stats.ks_2samp, two-sided, method 'auto'); alarm when p < alpha.",
        detail={
            "statistic_location": float(test.statistic_location),
            # +1: the reference's empirical CDF lies above the current's there (current shifted up)
            "statistic_sign": int(test.statistic_sign),
            "reference_mean": float(ref.mean()),
            "current_mean": float(cur.mean()),
        },
    )
