"""Number and text formatting shared by the HTML report and the model card.

Plain functions returning plain strings: the HTML templates wrap them (and mark undefined values with an
explanation), the model card prints them as they are. Metrics get three decimals; rates (selection rate,
true/false-positive rate, flip rate, shares) get percentages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from qtrust.numbers import is_real

NA = "n/a"

#: Metrics read as "share of people": printed as percentages.
RATE_METRICS = frozenset({"selection_rate", "tpr", "fpr"})

#: Overall metrics about differences between groups.
FAIRNESS_KEYS = (
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)

SEVERITY_ORDER = ("fail", "warn", "pass", "info")
SEVERITY_LABEL = {"fail": "Fail", "warn": "Warning", "pass": "Pass", "info": "Note"}

UNDEFINED_HELP = (
    "Undefined for this data: the metric cannot be computed (for example a true-positive rate for a group "
    "with no positive cases, or an AUC when only one class is present). qtrust records it as missing, "
    "never as 0."
)


def is_number(x: Any) -> bool:
    return is_real(x)


def num(x: Any, digits: int = 3) -> str:
    """``0.693``; ``n/a`` for None / non-finite."""
    if not is_number(x):
        return NA
    text = f"{x:.{digits}f}"
    # "-0.000" reads as a sign that is not there
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def signed(x: Any, digits: int = 3) -> str:
    """``+0.030`` / ``-0.054``: for differences, where the sign is the point."""
    if not is_number(x):
        return NA
    text = num(x, digits)
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"


def pct(x: Any, digits: int = 1) -> str:
    """``8.5%``."""
    if not is_number(x):
        return NA
    return f"{num(100 * x, digits)}%"


def signed_pp(x: Any, digits: int = 1) -> str:
    """A difference of two rates in percentage points: ``+2.3 pp``."""
    if not is_number(x):
        return NA
    return f"{signed(100 * x, digits)} pp"


def metric_value(key: str, x: Any) -> str:
    """A metric's value in its natural unit."""
    return pct(x) if key in RATE_METRICS else num(x)


def metric_change(key: str, x: Any) -> str:
    """A change of a metric (noise minus noiseless, quantum minus classical)."""
    return signed_pp(x) if key in RATE_METRICS else signed(x)


def interval(key: str, low: Any, high: Any) -> str:
    """``[0.636, 0.737]``; ``n/a`` when either end is undefined."""
    if not (is_number(low) and is_number(high)):
        return NA
    return f"[{metric_value(key, low)}, {metric_value(key, high)}]"


def estimate(est: Any, key: str = "") -> str:
    """An Estimate (value and CI) as report text: ``0.812 [0.78, 0.84]``; n/a when there is none."""
    if est is None:
        return NA
    ci = interval(key, est.ci_low, est.ci_high)
    value = metric_value(key, est.value)
    return value if ci == NA else f"{value} {ci}"


def p_value(p: Any) -> str:
    if not is_number(p):
        return NA
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def level(x: Any) -> str:
    """A noise strength as configured: ``0.001``, ``1e-05``."""
    return f"{x:g}" if is_number(x) else NA


def integer(x: Any) -> str:
    return f"{int(x):,}" if is_number(x) else NA


def duration(seconds: Any) -> str:
    """``1 min 22 s``; ``0.4 s``; ``2 h 3 min``."""
    if not is_number(seconds):
        return NA
    if 0 < seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def timestamp(iso: str) -> str:
    """``25 Nov 2026, 14:28 UTC`` from an ISO 8601 string; the input unchanged if it does not parse."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    text = moment.strftime("%d %b %Y, %H:%M").lstrip("0")
    offset = moment.utcoffset()
    if offset is None:
        return text
    if not offset:
        return f"{text} UTC"
    return f"{text} {moment.strftime('%z')}"


def humanise(key: str) -> str:
    """``amplitude_damping`` → ``amplitude damping``."""
    return str(key).replace("_", " ")


def metric_name(info: dict[str, dict[str, Any]], key: str) -> str:
    return str(info.get(key, {}).get("name") or humanise(key).capitalize())


def metric_meaning(info: dict[str, dict[str, Any]], key: str) -> str:
    return str(info.get(key, {}).get("meaning") or "")


def better_text(better: Any) -> str:
    return {
        "higher": "higher is better",
        "lower": "lower is better",
        "closer_to_1": "closer to 1 is better",
    }.get(better, "neither direction is better on its own")


def short_value(v: Any) -> str:
    """A configuration value in one short line: ``[RY, RZ]``, ``0.001``."""
    if isinstance(v, list | tuple):
        return "[" + ", ".join(short_value(x) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
