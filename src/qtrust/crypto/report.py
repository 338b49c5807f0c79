"""The readiness report: assets ranked by exposure, the cryptography behind each, the plan with its dates,
and one picture — the timeline's probability of a quantum computer against each asset's "secret until".

Self-contained HTML (inline CSS and SVG, no script), readable offline and safe to attach to an audit file;
every value is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from qtrust.crypto.readiness import NIST_IR_8547, CheckResult, Readiness
from qtrust.crypto.timeline import Timeline
from qtrust.report import svg

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
WIDTH, HEIGHT, LEFT, TOP, BOTTOM, RIGHT = 760, 270, 52, 12, 34, 30


def chart(readiness: Readiness, timeline: Timeline) -> str:
    """The CDF of Z from now to 50 years on, the tolerance, today, and a dot per exposed asset — drawn with
    the report's own SVG helpers (:mod:`qtrust.report.svg`)."""
    first = readiness.as_of.year
    x = svg.LinearScale((first, first + 50), (LEFT, WIDTH - RIGHT))
    y = svg.LinearScale((0.0, 1.0), (HEIGHT - BOTTOM, TOP))

    def year(date: dt.date) -> float:
        return date.year + (date.timetuple().tm_yday - 1) / 365.2425

    months = [dt.date(first + k // 2, 1 + 6 * (k % 2), 1) for k in range(101)]
    parts = [
        svg.axis_left(y, LEFT, [0, 0.25, 0.5, 0.75, 1.0], fmt=lambda v: f"{v:.0%}", grid_to=WIDTH - RIGHT),
        svg.axis_bottom(x, HEIGHT - BOTTOM, list(range(first, first + 51, 10)), fmt=lambda v: f"{v:.0f}"),
        svg.reference_line(y(readiness.tolerance), (LEFT, WIDTH - RIGHT), vertical=False, label="tolerance",
                           color="#8a5a00"),
        svg.reference_line(x(year(readiness.as_of)), (TOP, HEIGHT - BOTTOM), vertical=True, label="today",
                           color="#888"),
        svg.series([x(year(m)) for m in months], [y(timeline.cdf(m)) for m in months], color="#12263a"),
    ]  # fmt: skip
    for e in readiness.assets:
        if e.secret_until is None:
            continue
        cx, cy = x.clamp(year(e.secret_until)), y(e.exposure_probability)
        beyond = f" (→ {e.secret_until.year})" if year(e.secret_until) > first + 50 else ""
        colour = "#a4161a" if e.exposure_probability > readiness.tolerance else "#0a6b2d"
        title = f"{e.asset.id}: secret until {e.secret_until}, P = {e.exposure_probability:.1%}"
        parts.append(svg.circle(cx, cy, 5, fill=colour, title=title))
        parts.append(svg.text(cx + 7, cy + 4, f"{e.asset.id}{beyond}"))
    return svg.svg(
        WIDTH, HEIGHT, "".join(parts),
        title="Probability of a cryptographically relevant quantum computer by date, and each asset's "
        "secret-until date",
    )  # fmt: skip


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
        chart=Markup(chart(readiness, timeline)),
        nist=NIST_IR_8547,
        cbom_name=cbom_name,
        cbom_sha256=cbom_sha256,
        checks=checks,
        policy_name=policy_name,
        skipped=skipped or [],
    )
