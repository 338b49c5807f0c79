"""Small, pure SVG helpers: scales, axes with ticks, lines with confidence bands, dots with whiskers, bars.

Every function returns a string of SVG markup and escapes every piece of text it is given, so callers may
pass model names and labels straight from a result. Coordinates are in user units of the enclosing
``viewBox``; nothing here knows about audits (the charts that do live in :mod:`qtrust.report.charts`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from qtrust.numbers import is_real

Number = float | int
Formatter = Callable[[float], str]

SVG_NS = "http://www.w3.org/2000/svg"


def esc(text: object) -> str:
    """Text or attribute value, escaped for XML (``<``, ``>``, ``&``, quotes)."""
    return html.escape(str(text), quote=True)


def coord(x: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def defined(x: object) -> bool:
    return is_real(x)


def attrs(**values: object) -> str:
    """`` key="value"`` pairs, escaped; ``None``/``False`` values are dropped, ``data_x`` → ``data-x``."""
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{esc(coord(value) if isinstance(value, float) else value)}"')
    return "".join(parts)


# --- scales ----------------------------------------------------------------------------------------------


def nice_step(span: float, count: int) -> float:
    """A 1-2-5 step giving about ``count`` intervals over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude * (1 + 1e-9):
            return factor * magnitude
    return 10 * magnitude


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (inclusive, within rounding)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    step = nice_step(hi - lo, count)
    start = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = start
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12) + 0.0)
        value += step
    return ticks


def nice_domain(lo: float, hi: float, count: int = 5) -> tuple[float, float]:
    """``[lo, hi]`` widened outwards to whole tick steps; a zero-width domain gets some room."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.1 or 0.5
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, count)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


@dataclass(frozen=True)
class LinearScale:
    """Maps ``domain`` linearly onto ``range`` (pixels; ``range`` may run backwards, as y axes do)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = self.domain
        r0, r1 = self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return r0 + (value - d0) / (d1 - d0) * (r1 - r0)

    def ticks(self, count: int = 5) -> list[float]:
        return nice_ticks(*self.domain, count)

    def clamp(self, value: float) -> float:
        lo, hi = sorted(self.range)
        return min(max(self(value), lo), hi)


@dataclass(frozen=True)
class LogScale:
    """Maps a positive ``domain`` onto ``range`` on a log10 axis."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __post_init__(self) -> None:
        if not (self.domain[0] > 0 and self.domain[1] > 0):
            raise ValueError(f"a log scale needs a positive domain, got {self.domain}")

    def __call__(self, value: float) -> float:
        d0, d1 = (math.log10(v) for v in self.domain)
        r0, r1 = self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return r0 + (math.log10(value) - d0) / (d1 - d0) * (r1 - r0)

    def ticks(self, count: int = 5) -> list[float]:
        """Powers of ten inside the domain (with 2 and 5 multiples when there are fewer than two)."""
        lo, hi = sorted(self.domain)
        decades = [10.0**e for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
        inside = [d for d in decades if lo * (1 - 1e-9) <= d <= hi * (1 + 1e-9)]
        if len(inside) >= 2:
            return inside
        return [v for d in decades for v in (d, 2 * d, 5 * d) if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]


def padded_log_domain(values: Iterable[float], factor: float = 1.4) -> tuple[float, float]:
    """The positive range of ``values``, widened by ``factor`` on each side (and made non-empty)."""
    positive = [v for v in values if defined(v) and v > 0]
    if not positive:
        return (1.0, 10.0)
    lo, hi = min(positive), max(positive)
    if lo == hi:
        return lo / 3, hi * 3
    return lo / factor, hi * factor


# --- primitives ------------------------------------------------------------------------------------------


def svg(width: Number, height: Number, body: str, *, title: str, desc: str = "", cls: str = "chart") -> str:
    """A standalone ``<svg>`` element with an accessible title (shown as a tooltip by most browsers)."""
    description = f"<desc>{esc(desc)}</desc>" if desc else ""
    return (
        f'<svg xmlns="{SVG_NS}"{attrs(class_=cls, viewBox=f"0 0 {coord(width)} {coord(height)}")}'
        f"{attrs(width=coord(width), height=coord(height), role='img')}"
        f' preserveAspectRatio="xMinYMin meet"><title>{esc(title)}</title>{description}{body}</svg>'
    )


def text(
    x: float,
    y: float,
    content: object,
    *,
    anchor: str = "start",
    cls: str | None = None,
    size: float | None = None,
    weight: str | None = None,
    fill: str | None = None,
    baseline: str | None = None,
    rotate: float | None = None,
) -> str:
    transform = f"rotate({coord(rotate)} {coord(x)} {coord(y)})" if rotate else None
    return (
        f"<text{attrs(x=coord(x), y=coord(y), text_anchor=anchor, class_=cls, font_size=size)}"
        f"{attrs(font_weight=weight, fill=fill, dominant_baseline=baseline, transform=transform)}>"
        f"{esc(content)}</text>"
    )


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str = "#888",
    width: float = 1,
    dash: str | None = None,
    cls: str | None = None,
) -> str:
    return (
        f"<line{attrs(x1=coord(x1), y1=coord(y1), x2=coord(x2), y2=coord(y2), stroke=stroke)}"
        f"{attrs(stroke_width=coord(width), stroke_dasharray=dash, class_=cls)}/>"
    )


def rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str,
    title: str | None = None,
    cls: str | None = None,
    opacity: float | None = None,
) -> str:
    inner = f"<title>{esc(title)}</title>" if title else ""
    return (
        f"<rect{attrs(x=coord(x), y=coord(y), width=coord(max(width, 0)), height=coord(max(height, 0)))}"
        f"{attrs(fill=fill, class_=cls, fill_opacity=opacity)}>{inner}</rect>"
    )


def circle(
    cx: float,
    cy: float,
    r: float,
    *,
    fill: str,
    stroke: str | None = None,
    title: str | None = None,
    cls: str | None = None,
    opacity: float | None = None,
) -> str:
    inner = f"<title>{esc(title)}</title>" if title else ""
    return (
        f"<circle{attrs(cx=coord(cx), cy=coord(cy), r=coord(r), fill=fill, stroke=stroke, class_=cls)}"
        f"{attrs(fill_opacity=opacity)}>{inner}</circle>"
    )


def group(body: str, *, cls: str | None = None, title: str | None = None, **data: object) -> str:
    inner = f"<title>{esc(title)}</title>" if title else ""
    return f"<g{attrs(class_=cls, **data)}>{inner}{body}</g>"


# --- axes ------------------------------------------------------------------------------------------------


def axis_bottom(
    scale: Callable[[float], float],
    y: float,
    ticks: Sequence[float],
    *,
    fmt: Formatter = lambda v: f"{v:g}",
    label: str | None = None,
    x_range: tuple[float, float] | None = None,
    grid_to: float | None = None,
    labels: Sequence[str] | None = None,
) -> str:
    """A horizontal axis at ``y`` with ticks (and optional vertical grid lines up to ``grid_to``)."""
    parts = []
    if x_range is not None:
        parts.append(line(x_range[0], y, x_range[1], y, stroke="#666", cls="axis-line"))
    for i, tick in enumerate(ticks):
        x = scale(tick)
        if grid_to is not None:
            parts.append(line(x, grid_to, x, y, stroke="#e4e4e4", cls="grid"))
        parts.append(line(x, y, x, y + 4, stroke="#666"))
        tick_label = labels[i] if labels is not None else fmt(tick)
        parts.append(text(x, y + 15, tick_label, anchor="middle", cls="tick"))
    if label and x_range is not None:
        parts.append(text((x_range[0] + x_range[1]) / 2, y + 30, label, anchor="middle", cls="axis-label"))
    return group("".join(parts), cls="axis axis-x")


def axis_left(
    scale: Callable[[float], float],
    x: float,
    ticks: Sequence[float],
    *,
    fmt: Formatter = lambda v: f"{v:g}",
    label: str | None = None,
    y_range: tuple[float, float] | None = None,
    grid_to: float | None = None,
) -> str:
    """A vertical axis at ``x`` with ticks (and optional horizontal grid lines across to ``grid_to``)."""
    parts = []
    if y_range is not None:
        parts.append(line(x, y_range[0], x, y_range[1], stroke="#666", cls="axis-line"))
    for tick in ticks:
        y = scale(tick)
        if grid_to is not None:
            parts.append(line(x, y, grid_to, y, stroke="#e4e4e4", cls="grid"))
        parts.append(line(x - 4, y, x, y, stroke="#666"))
        parts.append(text(x - 6, y + 3.5, fmt(tick), anchor="end", cls="tick"))
    if label and y_range is not None:
        mid = (y_range[0] + y_range[1]) / 2
        parts.append(text(x - 36, mid, label, anchor="middle", cls="axis-label", rotate=-90))
    return group("".join(parts), cls="axis axis-y")


# --- marks -----------------------------------------------------------------------------------------------


def line_path(points: Sequence[tuple[float | None, float | None]]) -> str:
    """Path data through ``points``; an undefined coordinate breaks the line into separate runs."""
    commands = []
    pen_down = False
    for x, y in points:
        if not (defined(x) and defined(y)):
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{coord(x)} {coord(y)}")
        pen_down = True
    return " ".join(commands)


def band_path(xs: Sequence[float | None], lows: Sequence[float | None], highs: Sequence[float | None]) -> str:
    """Closed path data of the area between ``lows`` and ``highs``; undefined points split the band."""
    runs: list[list[tuple[float, float, float]]] = [[]]
    for x, lo, hi in zip(xs, lows, highs, strict=True):
        if defined(x) and defined(lo) and defined(hi):
            runs[-1].append((x, lo, hi))
        elif runs[-1]:
            runs.append([])
    shapes = []
    for run in runs:
        if not run:
            continue
        if len(run) == 1:  # a lone point: a thin vertical sliver keeps it visible
            x, lo, hi = run[0]
            run = [(x - 1.5, lo, hi), (x + 1.5, lo, hi)]
        top = " ".join(f"L{coord(x)} {coord(hi)}" for x, _, hi in reversed(run))
        first = run[0]
        bottom = " ".join(f"L{coord(x)} {coord(lo)}" for x, lo, _ in run[1:])
        shapes.append(f"M{coord(first[0])} {coord(first[1])} {bottom} {top} Z".replace("  ", " "))
    return " ".join(shapes)


def series(
    xs: Sequence[float | None],
    ys: Sequence[float | None],
    *,
    color: str,
    width: float = 2,
    dash: str | None = None,
    cls: str = "series",
    **data: object,
) -> str:
    """One data series as a single ``<path>`` (``data_*`` keywords become ``data-*`` attributes)."""
    d = line_path(list(zip(xs, ys, strict=True)))
    return (
        f"<path{attrs(class_=cls, d=d or 'M0 0', fill='none', stroke=color, stroke_width=coord(width))}"
        f"{attrs(stroke_dasharray=dash, stroke_linejoin='round', stroke_linecap='round', **data)}/>"
    )


def band(
    xs: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    color: str,
    opacity: float = 0.18,
    cls: str = "band",
    **data: object,
) -> str:
    """The confidence band of a series as one ``<path>``; empty string when no point has an interval."""
    d = band_path(xs, lows, highs)
    if not d:
        return ""
    return f"<path{attrs(class_=cls, d=d, fill=color, fill_opacity=opacity, stroke='none', **data)}/>"


def whisker(y: float, x_lo: float, x_hi: float, *, color: str, cap: float = 4, width: float = 1.6) -> str:
    """A horizontal interval from ``x_lo`` to ``x_hi`` with end caps."""
    return (
        line(x_lo, y, x_hi, y, stroke=color, width=width)
        + line(x_lo, y - cap, x_lo, y + cap, stroke=color, width=width)
        + line(x_hi, y - cap, x_hi, y + cap, stroke=color, width=width)
    )


def dot_whisker(
    cx: float | None,
    cy: float,
    lo: float | None,
    hi: float | None,
    *,
    color: str,
    title: str,
    r: float = 4.5,
    cls: str = "dot",
    **data: object,
) -> str:
    """A point estimate with its interval; an undefined estimate draws a hollow marker at ``cx`` if given."""
    parts = []
    if defined(lo) and defined(hi):
        parts.append(whisker(cy, lo, hi, color=color))
    if defined(cx):
        parts.append(circle(cx, cy, r, fill=color, stroke="#fff"))
    return group("".join(parts), cls=cls, title=title, **data)


def reference_line(
    scale_value: float,
    extent: tuple[float, float],
    *,
    vertical: bool,
    label: str | None = None,
    color: str = "#c62828",
    dash: str = "5 3",
    label_at: str = "end",
) -> str:
    """A dashed threshold line across the plot, labelled at one end."""
    a, b = extent
    if vertical:
        mark = line(scale_value, a, scale_value, b, stroke=color, dash=dash, width=1.3, cls="ref")
        note = text(scale_value + 3, min(a, b) + 9, label, cls="ref-label", fill=color) if label else ""
    else:
        mark = line(a, scale_value, b, scale_value, stroke=color, dash=dash, width=1.3, cls="ref")
        x = max(a, b) - 2 if label_at == "end" else min(a, b) + 2
        anchor = "end" if label_at == "end" else "start"
        note = text(x, scale_value - 3, label, anchor=anchor, cls="ref-label", fill=color) if label else ""
    return group(mark + note, cls="reference")


def stacked_bar(
    x: float,
    y: float,
    width: float,
    height: float,
    parts: Sequence[tuple[float | None, str, str]],
    *,
    min_label_width: float = 34,
    label_fmt: Formatter = lambda f: f"{100 * f:.0f}%",
) -> str:
    """A horizontal bar split into ``(fraction, colour, name)`` parts (fractions of ``width``).

    Undefined fractions count as 0; segments wide enough carry their percentage.
    """
    out = []
    cursor = x
    for fraction, color, name in parts:
        share = fraction if defined(fraction) and fraction > 0 else 0.0
        w = share * width
        out.append(rect(cursor, y, w, height, fill=color, title=f"{name}: {label_fmt(share)}"))
        if w >= min_label_width:
            out.append(
                text(cursor + w / 2, y + height / 2 + 4, label_fmt(share), anchor="middle", cls="bar-label")
            )
        cursor += w
    return group("".join(out), cls="stacked-bar")


def legend(items: Sequence[tuple[str, str, str]], x: float, y: float, *, spacing: float | None = None) -> str:
    """A row of ``(label, colour, kind)`` keys; kind is ``line``, ``band``, ``dot``, ``dash`` or ``box``."""
    parts = []
    cursor = x
    for label, color, kind in items:
        if kind == "line":
            parts.append(line(cursor, y, cursor + 18, y, stroke=color, width=2.2))
        elif kind == "dash":
            parts.append(line(cursor, y, cursor + 18, y, stroke=color, width=1.3, dash="5 3"))
        elif kind == "band":
            parts.append(rect(cursor, y - 5, 18, 10, fill=color, opacity=0.25))
            parts.append(line(cursor, y, cursor + 18, y, stroke=color, width=2))
        elif kind == "dot":
            parts.append(circle(cursor + 9, y, 4, fill=color))
        else:
            parts.append(rect(cursor, y - 5, 14, 10, fill=color))
        parts.append(text(cursor + 23, y + 4, label, cls="legend"))
        cursor += spacing if spacing else 23 + 6.2 * len(label) + 18
    return group("".join(parts), cls="legend")
