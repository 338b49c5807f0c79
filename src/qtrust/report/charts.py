"""The report's charts, composed from :mod:`qtrust.report.svg`.

Each function takes plain numbers and labels (not an ``AuditResult``) and returns one ``<svg>`` string, so
the charts can be tested on their own. Undefined values (``None``) are skipped, never drawn as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from qtrust.report import svg
from qtrust.report._format import integer, level, num, pct
from qtrust.report.svg import LinearScale, LogScale, defined

SEVERITY_COLOR = {"fail": "#c62828", "warn": "#b45309", "pass": "#2e7d32", "info": "#1d4ed8"}
NEUTRAL = "#6b7280"
MODEL_COLORS = (
    "#2563eb",
    "#db2777",
    "#0d9488",
    "#ea580c",
    "#7c3aed",
    "#65a30d",
    "#0891b2",
    "#be123c",
    "#a16207",
    "#4b5563",
)
CHANNEL_COLORS = {
    "depolarizing": "#2563eb",
    "amplitude_damping": "#0d9488",
    "phase_damping": "#65a30d",
    "bit_flip": "#ea580c",
    "phase_flip": "#7c3aed",
    "readout": "#a16207",
}
VARIANCE_COLORS = {"seed": "#7c3aed", "shot": "#ea580c", "data": "#94a3b8"}


def model_color(index: int) -> str:
    return MODEL_COLORS[index % len(MODEL_COLORS)]


def channel_color(channel: str, index: int = 0) -> str:
    return CHANNEL_COLORS.get(channel, MODEL_COLORS[index % len(MODEL_COLORS)])


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if defined(v)]


# --- noise -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseAxis:
    """x positions for a noise sweep: the noiseless reference at the left edge, a break, then log10."""

    levels: tuple[float, ...]
    x0: float
    x1: float

    @property
    def nonzero(self) -> list[float]:
        return sorted({v for v in self.levels if v > 0})

    @property
    def ref_x(self) -> float:
        return self.x0 + 8

    @property
    def log(self) -> LogScale | None:
        nz = self.nonzero
        if not nz:
            return None
        domain = (nz[0], nz[-1]) if nz[0] != nz[-1] else (nz[0] / 3, nz[0] * 3)
        return LogScale(domain, (self.x0 + 36, self.x1 - 10))

    def __call__(self, value: float) -> float:
        scale = self.log
        if value <= 0 or scale is None:
            return self.ref_x
        return scale(value)

    def ticks(self) -> list[float]:
        return [0.0, *self.nonzero]


@dataclass(frozen=True)
class NoiseSeries:
    """One metric of one model under one channel: the reference (level 0) first, then each level."""

    model: str
    channel: str
    metric: str
    metric_name: str
    levels: list[float]
    values: list[float | None]
    lows: list[float | None]
    highs: list[float | None]
    paths: list[str]
    breaks: list[bool]


def noise_panel(
    s: NoiseSeries,
    *,
    y_domain: tuple[float, float],
    color: str,
    limit: float | None = None,
    limit_label: str | None = None,
    main_path: str | None = None,
    width: float = 250,
    height: float = 150,
) -> str:
    """Small-multiple line chart of one metric against noise level, with its 95% band and a threshold."""
    left, right, top, bottom = 40, 8, 8, 26
    axis = NoiseAxis(tuple(s.levels), left, width - right)
    ys = LinearScale(y_domain, (height - bottom, top))
    plot_bottom = height - bottom
    body = [svg.axis_left(ys, left, ys.ticks(4), fmt=_tick_fmt(ys.ticks(4)), grid_to=width - right)]
    ticks = axis.ticks()
    labels = ["0" if t == 0 else level(t) for t in ticks]
    body.append(svg.axis_bottom(axis, plot_bottom, ticks, labels=labels, x_range=(left, width - right)))
    # mark the break between the noiseless reference and the log-scaled levels
    if axis.log is not None:
        bx = (axis.ref_x + axis.log.range[0]) / 2
        for dx in (-2.5, 2.5):
            body.append(svg.line(bx + dx - 2, plot_bottom + 4, bx + dx + 2, plot_bottom - 4, stroke="#666"))
    if limit is not None and y_domain[0] <= limit <= y_domain[1]:
        body.append(
            svg.reference_line(
                ys(limit), (left, width - right), vertical=False, label=limit_label, dash="4 3"
            )
        )
    xs = [axis(v) for v in s.levels]
    data = {"data_model": s.model, "data_channel": s.channel, "data_metric": s.metric}
    body.append(
        svg.band(
            xs,
            [ys.clamp(v) if defined(v) else None for v in s.lows],
            [ys.clamp(v) if defined(v) else None for v in s.highs],
            color=color,
        )
    )
    body.append(svg.series(xs, [ys(v) if defined(v) else None for v in s.values], color=color, **data))
    for x, value, lo, hi, lv, path, broken in zip(
        xs, s.values, s.lows, s.highs, s.levels, s.paths, s.breaks, strict=True
    ):
        if not defined(value):
            continue
        where = "noiseless reference" if lv == 0 else f"{s.channel.replace('_', ' ')} = {level(lv)}"
        tip = f"{where} — {s.metric_name} {num(value)}"
        if defined(lo) and defined(hi):
            tip += f", 95% CI [{num(lo)}, {num(hi)}]"
        tip += f"; simulation path: {path or 'not recorded'}"
        if broken:
            tip += " (beyond the verdict threshold)"
        hollow = main_path is not None and lv != 0 and path != main_path
        body.append(
            svg.circle(
                x,
                ys(value),
                3.2,
                fill="#fff" if hollow else (SEVERITY_COLOR["fail"] if broken else color),
                stroke=SEVERITY_COLOR["fail"] if broken else color,
                title=tip,
                cls="point",
            )
        )
    title = f"{s.metric_name} of {s.model} against {s.channel.replace('_', ' ')} noise"
    return svg.svg(width, height, "".join(body), title=title, cls="chart noise-chart")


def _tick_fmt(ticks: Sequence[float]):
    """A formatter with the fewest decimals (at most 3) that shows every tick exactly."""
    digits = next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in ticks)), 3)

    def fmt(v: float) -> str:
        return num(v, digits)

    return fmt


def metric_domain(
    values: Sequence[float | None], *, include: Sequence[float | None] = (), floor_zero: bool = False
) -> tuple[float, float]:
    """A nice y domain covering every defined value (and ``include``), optionally from 0."""
    finite = _finite([*values, *include])
    if not finite:
        return (0.0, 1.0)
    lo, hi = min(finite), max(finite)
    if floor_zero:
        lo = min(lo, 0.0)
    pad = (hi - lo) * 0.06 or 0.01
    lo, hi = svg.nice_domain(lo - (0 if floor_zero and lo == 0 else pad), hi + pad, 4)
    return lo, hi


# --- shots -----------------------------------------------------------------------------------------------


def shots_chart(
    model: str,
    shots: Sequence[int],
    rates: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    limit: float | None,
    color: str,
    width: float = 360,
    height: float = 200,
) -> str:
    """Flip rate against shots per prediction (log axis) with its 95% band and the verdict limit."""
    left, right, top, bottom = 48, 12, 12, 40
    xs = LogScale(svg.padded_log_domain(shots, 1.5), (left, width - right))
    top_value = max(_finite([*highs, *rates, limit]) or [0.01])
    ys = LinearScale(svg.nice_domain(0, top_value * 1.1, 4), (height - bottom, top))
    body = [
        svg.axis_left(
            ys, left, ys.ticks(4), fmt=lambda v: pct(v, 0 if top_value > 0.05 else 1), grid_to=width - right
        ),
        svg.axis_bottom(
            xs,
            height - bottom,
            list(shots),
            fmt=lambda v: integer(v),
            label="shots per prediction (log scale)",
            x_range=(left, width - right),
        ),
    ]
    if limit is not None:
        body.append(
            svg.reference_line(
                ys(limit),
                (left, width - right),
                vertical=False,
                label=f"limit {pct(limit)}",
                label_at="start",
            )
        )
    px = [xs(v) for v in shots]
    body.append(
        svg.band(
            px,
            [ys(v) if defined(v) else None for v in lows],
            [ys(v) if defined(v) else None for v in highs],
            color=color,
        )
    )
    body.append(
        svg.series(
            px,
            [ys(v) if defined(v) else None for v in rates],
            color=color,
            data_model=model,
            data_metric="flip_rate",
        )
    )
    for x, n, rate, lo, hi in zip(px, shots, rates, lows, highs, strict=True):
        if defined(rate):
            over = limit is not None and defined(hi) and hi > limit
            body.append(
                svg.circle(
                    x,
                    ys(rate),
                    3.5,
                    fill=color,
                    stroke="#fff",
                    title=f"{integer(n)} shots: {pct(rate)} of decisions flipped, 95% CI [{pct(lo)}, {pct(hi)}]"
                    + (" — upper bound above the limit" if over else ""),
                )
            )
    return svg.svg(width, height, "".join(body), title=f"Decision flip rate of {model} against shots")


# --- fairness: dot and whisker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DotRow:
    label: str
    value: float | None
    low: float | None
    high: float | None
    color: str
    note: str = ""


def dot_whisker_chart(
    title: str,
    rows: Sequence[DotRow],
    *,
    domain: tuple[float, float],
    references: Sequence[tuple[float, str, str]] = (),
    value_fmt=num,
    width: float = 560,
    row_height: float = 24,
    label_width: float = 130,
    value_width: float = 140,
) -> str:
    """One row per model: estimate and interval, with vertical reference lines ``(x, label, colour)``."""
    top, bottom = 20, 30
    height = top + bottom + row_height * max(len(rows), 1)
    x0, x1 = label_width, width - value_width
    xs = LinearScale(domain, (x0, x1))
    plot_bottom = height - bottom
    stripes: list[str] = []
    body = [
        svg.axis_bottom(
            xs, plot_bottom, xs.ticks(5), fmt=_tick_fmt(xs.ticks(5)), x_range=(x0, x1), grid_to=top - 6
        )
    ]
    for x, label, color in references:
        if domain[0] <= x <= domain[1]:
            body.append(
                svg.reference_line(xs(x), (top - 12, plot_bottom), vertical=True, label=label, color=color)
            )
    for i, row in enumerate(rows):
        cy = top + row_height * (i + 0.5)
        if i % 2 == 0:
            stripes.append(svg.rect(0, cy - row_height / 2, width, row_height, fill="#f8fafc"))
        body.append(svg.text(x0 - 8, cy + 4, _clip(row.label, 20), anchor="end", cls="row-label"))
        tip = f"{row.label}: {value_fmt(row.value)}"
        if defined(row.low) and defined(row.high):
            tip += f", 95% CI [{value_fmt(row.low)}, {value_fmt(row.high)}]"
        if row.note:
            tip += f" — {row.note}"
        body.append(
            svg.dot_whisker(
                xs.clamp(row.value) if defined(row.value) else None,
                cy,
                xs.clamp(row.low) if defined(row.low) else None,
                xs.clamp(row.high) if defined(row.high) else None,
                color=row.color,
                title=tip,
                data_model=row.label,
            )
        )
        shown = value_fmt(row.value)
        if defined(row.low) and defined(row.high):
            shown += f"  [{value_fmt(row.low)}, {value_fmt(row.high)}]"
        body.append(svg.text(x1 + 10, cy + 4, shown, cls="row-value"))
    return svg.svg(width, height, "".join(stripes + body), title=title)


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


# --- reproducibility -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripRow:
    label: str
    seeds: Sequence[int]
    values: Sequence[float | None]
    mean: float | None
    sd: float | None
    color: str


def seed_strip_chart(
    title: str,
    rows: Sequence[StripRow],
    *,
    width: float = 560,
    row_height: float = 26,
    label_width: float = 130,
    value_width: float = 120,
) -> str:
    """One row per model: a dot per training seed, the mean as a bar and ± one sd as a whisker."""
    top, bottom = 10, 30
    height = top + bottom + row_height * max(len(rows), 1)
    finite = _finite([v for r in rows for v in r.values])
    finite += _finite([(r.mean or 0) + (r.sd or 0) for r in rows if defined(r.mean)])
    finite += _finite([(r.mean or 0) - (r.sd or 0) for r in rows if defined(r.mean)])
    domain = metric_domain(finite)
    x0, x1 = label_width, width - value_width
    xs = LinearScale(domain, (x0, x1))
    plot_bottom = height - bottom
    stripes, body = (
        [],
        [
            svg.axis_bottom(
                xs, plot_bottom, xs.ticks(5), fmt=_tick_fmt(xs.ticks(5)), x_range=(x0, x1), grid_to=top
            )
        ],
    )
    for i, row in enumerate(rows):
        cy = top + row_height * (i + 0.5)
        if i % 2 == 0:
            stripes.append(svg.rect(0, cy - row_height / 2, width, row_height, fill="#f8fafc"))
        body.append(svg.text(x0 - 8, cy + 4, _clip(row.label, 20), anchor="end", cls="row-label"))
        marks = []
        if defined(row.mean) and defined(row.sd):
            marks.append(
                svg.whisker(
                    cy,
                    xs.clamp(row.mean - row.sd),
                    xs.clamp(row.mean + row.sd),
                    color="#111827",
                    cap=5,
                    width=1.2,
                )
            )
        if defined(row.mean):
            m = xs.clamp(row.mean)
            marks.append(svg.line(m, cy - 8, m, cy + 8, stroke="#111827", width=2.2))
        n = len(row.values)
        for j, (seed, value) in enumerate(zip(row.seeds, row.values, strict=False)):
            if defined(value):
                offset = (j - (n - 1) / 2) * min(3.0, 14 / max(n, 1))
                marks.append(
                    svg.circle(
                        xs.clamp(value),
                        cy + offset,
                        3.4,
                        fill=row.color,
                        opacity=0.75,
                        title=f"{row.label}, seed {seed}: {num(value)}",
                        cls="seed-dot",
                    )
                )
        body.append(
            svg.group(
                "".join(marks),
                title=f"{row.label}: mean {num(row.mean)} ± sd {num(row.sd)} over {n} seeds",
                data_model=row.label,
            )
        )
        body.append(svg.text(x1 + 10, cy + 4, f"{num(row.mean)} ± {num(row.sd)}", cls="row-value"))
    return svg.svg(width, height, "".join(stripes + body), title=title)


@dataclass(frozen=True)
class VarianceRow:
    model: str
    metric: str
    seed: float | None
    shot: float | None
    data: float | None
    total: float | None


def variance_chart(
    title: str,
    rows: Sequence[VarianceRow],
    *,
    width: float = 700,
    row_height: float = 24,
    label_width: float = 210,
) -> str:
    """100%-stacked bars: the share of each metric's variance from training seed, shot noise and test data.

    Rows are grouped under a heading per model.
    """
    top = 30
    value_width = 110
    bar_w = width - label_width - value_width
    body = [
        svg.legend(
            [
                ("training seed", VARIANCE_COLORS["seed"], "box"),
                ("shot noise", VARIANCE_COLORS["shot"], "box"),
                ("finite test set (data)", VARIANCE_COLORS["data"], "box"),
            ],
            label_width,
            12,
        )
    ]
    y = top
    current = None
    for row in rows:
        if row.model != current:
            current = row.model
            y += 6
            body.append(svg.text(8, y + 14, _clip(row.model, 28), cls="row-label", weight="700"))
            y += 20
        mid = y + row_height / 2
        body.append(svg.text(label_width - 8, mid + 4, _clip(row.metric, 30), anchor="end", cls="row-label"))
        if not any(defined(v) for v in (row.seed, row.shot, row.data)):
            body.append(svg.text(label_width, mid + 4, "n/a (variance not defined)", cls="row-value"))
        else:
            body.append(
                svg.group(
                    svg.stacked_bar(
                        label_width,
                        y + 3,
                        bar_w,
                        row_height - 6,
                        [
                            (row.seed, VARIANCE_COLORS["seed"], "training seed"),
                            (row.shot, VARIANCE_COLORS["shot"], "shot noise"),
                            (row.data, VARIANCE_COLORS["data"], "finite test set"),
                        ],
                    ),
                    data_model=row.model,
                    data_metric=row.metric,
                )
            )
            sd = math.sqrt(row.total) if defined(row.total) and row.total >= 0 else None
            body.append(svg.text(label_width + bar_w + 8, mid + 4, f"total sd {num(sd)}", cls="row-value"))
        y += row_height
    return svg.svg(width, y + 6, "".join(body), title=title)


# --- comparison: forest cell -----------------------------------------------------------------------------


def forest_cell(
    difference: float | None,
    low: float | None,
    high: float | None,
    *,
    extent: float,
    significant: bool,
    favours: str | None,
    width: float = 150,
    height: float = 20,
) -> str:
    """A one-row forest plot: the difference and its interval against a zero line."""
    extent = extent if extent > 0 else 1.0
    xs = LinearScale((-extent, extent), (6, width - 6))
    color = NEUTRAL
    if significant:
        color = "#1d4ed8" if favours == "quantum" else "#b45309"
    body = [svg.line(xs(0), 2, xs(0), height - 2, stroke="#9ca3af", dash="2 2")]
    cy = height / 2
    if defined(low) and defined(high):
        body.append(svg.whisker(cy, xs.clamp(low), xs.clamp(high), color=color, cap=4))
    if defined(difference):
        body.append(svg.circle(xs.clamp(difference), cy, 3.6, fill=color, stroke="#fff"))
    label = f"difference {num(difference)}, 95% CI [{num(low)}, {num(high)}]"
    return svg.svg(width, height, "".join(body), title=label, cls="forest")


ATTACK_COLORS = {"loss": "#0f766e", "shadow": "#7c3aed", "lira": "#c62828"}


def roc_chart(model: str, curves: dict[str, dict[str, list[float]]], aucs: dict[str, float]) -> str:
    """Membership-inference ROC curves of one model (exact outputs), with the chance diagonal."""
    width, height, left, top, size = 260, 250, 46, 12, 190

    def sx(v: float) -> float:
        return left + v * size

    def sy(v: float) -> float:
        return top + (1 - v) * size

    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    body = [
        svg.axis_bottom(
            sx, top + size, ticks, label="false positive rate", x_range=(left, left + size), grid_to=top
        ),
        svg.axis_left(
            sy, left, ticks, label="true positive rate", y_range=(top, top + size), grid_to=left + size
        ),
        svg.line(sx(0), sy(0), sx(1), sy(1), stroke="#9ca3af", dash="4 3", cls="chance"),
    ]
    for i, (attack, curve) in enumerate(curves.items()):
        color = ATTACK_COLORS.get(attack, NEUTRAL)
        body.append(
            svg.series(
                [sx(v) for v in curve["fpr"]], [sy(v) for v in curve["tpr"]], color=color, data_attack=attack
            )
        )
        body.append(
            svg.text(
                sx(0.98),
                sy(0.04) - 14 * (len(curves) - 1 - i),
                f"{attack} AUC {aucs.get(attack, float('nan')):.3f}",
                anchor="end",
                fill=color,
                size=11,
            )
        )
    return svg.svg(
        width,
        height,
        "".join(body),
        title=f"{model}: membership-inference ROC curves (exact outputs)",
        desc="Each curve is one attack; the dashed diagonal is chance.",
    )
