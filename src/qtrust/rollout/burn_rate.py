"""The multi-window burn-rate rule (Google SRE workbook, "Alerting on SLOs"): at 100%, roll back when the
error budget burns fast over both a long and a short window.

Burn rate = the error rate in a window divided by the SLO's error budget (the plan's ``error_rate``): 1 spends
the budget exactly at the pace it allows. A pair (long, short, factor) fires when both windows burn at least
``factor`` times that pace — the long window keeps a blip from paging, the short one lets the alert stop soon
after the cause does. The default pairs are the workbook's page-level ones (14.4 over 1 h and 5 min; 6 over
6 h and 30 min).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qtrust.policy.rollout_plan import BurnWindow


@dataclass(frozen=True)
class BurnAlert:
    long_s: float
    short_s: float
    factor: float
    burn_long: float
    burn_short: float
    rows_long: int
    rows_short: int

    @property
    def firing(self) -> bool:
        return self.rows_short > 0 and self.burn_long >= self.factor and self.burn_short >= self.factor


def _burn(events: Sequence[tuple[float, bool]], since: float, budget: float) -> tuple[float, int]:
    inside = [error for time, error in events if time >= since]
    return (sum(inside) / len(inside) / budget if inside else 0.0), len(inside)


def burn_alerts(
    events: Sequence[tuple[float, bool]], *, now: float, budget: float, windows: Sequence[BurnWindow]
) -> list[BurnAlert]:
    """One alert state per window pair; ``events`` are (unix time, was an error) of quantum-cohort rows."""
    alerts = []
    for window in windows:
        burn_long, rows_long = _burn(events, now - window.long_s, budget)
        burn_short, rows_short = _burn(events, now - window.short_s, budget)
        alerts.append(
            BurnAlert(
                window.long_s, window.short_s, window.factor, burn_long, burn_short, rows_long, rows_short
            )
        )
    return alerts
