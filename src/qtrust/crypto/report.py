"""The readiness report: assets ranked by exposure, the cryptography behind each, the plan with its dates,
and one picture — the timeline's probability of a quantum computer against each asset's "secret until".

Self-contained HTML (inline CSS and SVG, no script), readable offline and safe to attach to an audit file;
every value is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from qtrust.crypto.readiness import NIST_IR_8547, CheckResult, Readiness
from qtrust.crypto.timeline import Timeline

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
WIDTH, HEIGHT, LEFT, TOP, BOTTOM, RIGHT = 760, 260, 48, 12, 28, 30


def _chart(readiness: Readiness, timeline: Timeline) -> dict[str, Any]:
    """The CDF of Z from now to 50 years on, the tolerance line, and a marker per exposed asset."""
    start = dt.date(readiness.as_of.year, 1, 1)
    end = dt.date(start.year + 50, 1, 1)
    span = (end - start).days

    def x(date: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * min(max((date - start).days / span, 0.0), 1.0)

    def y(p: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - p)

    points = []
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            when = dt.date(year, month, 1)
            if when <= end:
                points.append(f"{x(when):.1f},{y(timeline.cdf(when)):.1f}")
    markers = [
        {"x": x(e.secret_until), "y": y(e.exposure_probability), "label": e.asset.id,
         "p": e.exposure_probability, "date": e.secret_until.isoformat(), "beyond": e.secret_until > end}
        for e in readiness.assets if e.secret_until is not None
    ]  # fmt: skip
    ticks = [{"x": x(dt.date(yr, 1, 1)), "label": yr} for yr in range(start.year, end.year + 1, 10)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "bottom": HEIGHT - BOTTOM, "right": WIDTH - RIGHT,
        "curve": " ".join(points), "tolerance_y": y(readiness.tolerance), "markers": markers, "ticks": ticks,
        "levels": [{"y": y(p), "label": f"{p:.0%}"} for p in (0.0, 0.25, 0.5, 0.75, 1.0)],
        "today": x(readiness.as_of),
    }  # fmt: skip


def render(
    readiness: Readiness,
    timeline: Timeline,
    *,
    cbom_name: str,
    cbom_sha256: str,
    checks: list[CheckResult],
    policy_name: str,
    skipped: list[dict[str, str]] | None = None,
) -> str:
    return _ENV.get_template("readiness.html").render(
        r=readiness,
        chart=_chart(readiness, timeline),
        nist=NIST_IR_8547,
        cbom_name=cbom_name,
        cbom_sha256=cbom_sha256,
        checks=checks,
        policy_name=policy_name,
        skipped=skipped or [],
    )
