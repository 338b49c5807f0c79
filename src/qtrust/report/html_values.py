"""HTML value formatting shared by the report and every assessment's report section.

Undefined values render as an explained ``n/a`` (hover for why), never as 0; every helper returns
``Markup`` built from escaped text, so a template may insert it as is.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from qtrust.report import _format as fmt
from qtrust.results.schema import Estimate

#: Metrics drawn against noise level, in column order.
NOISE_METRICS = ("accuracy", "auc", "equalized_odds_difference", "demographic_parity_difference")
#: Metrics in the noise and shot tables.
TABLE_METRICS = ("accuracy", "auc", "equalized_odds_difference", "demographic_parity_difference")
GROUP_METRICS = ("accuracy", "tpr", "fpr", "selection_rate")
#: Column-header names where the full metric name would crowd a table (the full name is the tooltip).
SHORT_NAMES = {
    "accuracy": "Accuracy",
    "auc": "AUC",
    "brier": "Brier",
    "selection_rate": "Selection rate",
    "tpr": "TPR",
    "fpr": "FPR",
    "demographic_parity_difference": "Dem. parity diff.",
    "disparate_impact_ratio": "Impact ratio",
    "equalized_odds_difference": "Eq. odds diff.",
    "equal_opportunity_difference": "Eq. opportunity diff.",
}


def _na(reason: str = fmt.UNDEFINED_HELP) -> Markup:
    return Markup('<span class="na" title="{}">n/a</span>').format(reason)


def h_value(x: Any, key: str = "", *, reason: str = fmt.UNDEFINED_HELP) -> Markup:
    """A metric value in its unit, or an explained n/a."""
    if not fmt.is_number(x):
        return _na(reason)
    return escape(fmt.metric_value(key, x))


def h_num(x: Any, digits: int = 3) -> Markup:
    return escape(fmt.num(x, digits)) if fmt.is_number(x) else _na()


def h_pct(x: Any, digits: int = 1) -> Markup:
    return escape(fmt.pct(x, digits)) if fmt.is_number(x) else _na()


def h_change(x: Any, key: str = "") -> Markup:
    return escape(fmt.metric_change(key, x)) if fmt.is_number(x) else _na()


def h_p(x: Any) -> Markup:
    return escape(fmt.p_value(x)) if fmt.is_number(x) else _na("No p-value: the metric is undefined.")


def h_estimate(est: Estimate | None, key: str = "") -> Markup:
    """``0.693 [0.636, 0.737]`` with the interval de-emphasised; a mark when bootstrap replicates were undefined."""
    if est is None:
        return _na("Not measured for this model.")
    value = h_value(est.value, key)
    ci = fmt.interval(key, est.ci_low, est.ci_high)
    out = Markup('<span class="v">{}</span>').format(value)
    if ci != fmt.NA:
        out += Markup(' <span class="ci">{}</span>').format(ci)
    if est.n_undefined and est.n_boot:
        out += Markup(' <sup class="undef" title="{}">†</sup>').format(
            f"{est.n_undefined} of {est.n_boot} bootstrap replicates left this metric undefined; "
            "the interval uses the others."
        )
    return out


def h_interval(low: Any, high: Any, key: str = "") -> Markup:
    text = fmt.interval(key, low, high)
    return escape(text) if text != fmt.NA else _na("No interval: an end of it is undefined.")


HELPERS = {
    "h_value": h_value,
    "h_num": h_num,
    "h_pct": h_pct,
    "h_change": h_change,
    "h_p": h_p,
    "h_estimate": h_estimate,
    "h_interval": h_interval,
}
