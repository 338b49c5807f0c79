"""How findings are worded and ordered: the text helpers every assessment's findings share.

Each finding states one claim, its severity (``pass``, ``warn``, ``fail``, ``info``) and the evidence it
rests on; each assessment writes its own (``findings`` of :class:`qtrust.assess.contract.Assessment`).
Thresholds come from the ``verdicts`` section of the config; formal release gates are separate
(``qtrust gate``). Severity rules: a fairness bound *fails* when the point estimate breaks it, *warns* when
only the far end of the 95% interval does (inconclusive), and *passes* when the whole interval is inside.

A change is worded by its direction, never with a sign the reader must decode: "falls by at most 0.007",
"rises by 0.004", "lowers it by 0.015" — a signed number after "changes by" reads as a typo.
"""

from __future__ import annotations

from collections.abc import Iterable

from qtrust.results.schema import Estimate, Finding

SEVERITY_ORDER = {"fail": 0, "warn": 1, "pass": 2, "info": 3}


def num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def ci(e: Estimate) -> str:
    return f"{num(e.value)} (95% CI {num(e.ci_low)}–{num(e.ci_high)})"


def _rounds_to_zero(x: float, digits: int = 3) -> bool:
    return float(f"{abs(x):.{digits}f}") == 0.0


def worst_accuracy_change(worst: float) -> str:
    """The smallest accuracy change over tested strengths, as a clause: "falls by at most 0.007"."""
    if _rounds_to_zero(worst):
        return "falls by less than 0.001"
    if worst < 0:
        return f"falls by at most {num(-worst)}"
    return f"rises by at least {num(worst)}"


def accuracy_change(change: float) -> str:
    """One accuracy change as a clause: "falls by 0.012", "rises by 0.004", "is unchanged"."""
    if _rounds_to_zero(change):
        return "is unchanged"
    return f"falls by {num(-change)}" if change < 0 else f"rises by {num(change)}"


def lowers_by(drop: float) -> str:
    """An AUC drop (before − after) as a clause about "it": "lowers it by 0.015" / "raises it by 0.004"."""
    if _rounds_to_zero(drop):
        return "leaves it unchanged"
    return f"lowers it by {num(drop)}" if drop > 0 else f"raises it by {num(-drop)}"


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most serious first (fail, warn, pass, info); the given order is kept inside a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
