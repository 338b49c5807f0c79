"""SVG helpers and charts: scales, ticks, paths with gaps, escaping, and the composed charts."""

from __future__ import annotations

import math
import re

import pytest

from qtrust.report import charts, svg


def test_nice_ticks_cover_the_range_with_round_steps():
    assert svg.nice_ticks(0, 1, 5) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert svg.nice_ticks(0.63, 0.74, 4) == pytest.approx([0.65, 0.7])
    assert svg.nice_ticks(3, 3) == [3]
    ticks = svg.nice_ticks(-0.1, 0.25, 5)
    assert 0.0 in ticks
    assert all(-0.1 <= t <= 0.25 for t in ticks)


def test_nice_domain_widens_to_whole_steps():
    assert svg.nice_domain(0.63, 0.74, 4) == pytest.approx((0.6, 0.75))
    lo, hi = svg.nice_domain(0.5, 0.5)
    assert lo < 0.5 < hi


def test_linear_scale_maps_and_inverts_range():
    y = svg.LinearScale((0.0, 1.0), (100.0, 0.0))
    assert y(0) == 100
    assert y(1) == 0
    assert y(0.25) == 75
    assert y.clamp(2.0) == 0
    assert y.clamp(-1.0) == 100
    assert svg.LinearScale((1.0, 1.0), (0.0, 10.0))(1.0) == 5.0


def test_log_scale_places_decades_evenly():
    x = svg.LogScale((0.001, 0.1), (0.0, 200.0))
    assert x(0.001) == pytest.approx(0)
    assert x(0.01) == pytest.approx(100)
    assert x(0.1) == pytest.approx(200)
    assert x.ticks() == pytest.approx([0.001, 0.01, 0.1])
    assert svg.LogScale((100, 300), (0, 1)).ticks() == pytest.approx([100, 200])
    with pytest.raises(ValueError, match="positive"):
        svg.LogScale((0.0, 1.0), (0, 1))


def test_line_path_breaks_at_undefined_points():
    assert svg.line_path([(0, 0), (1, 1), (2, None), (3, 3), (4, 4)]) == "M0 0 L1 1 M3 3 L4 4"
    assert svg.line_path([(0, math.nan)]) == ""


def test_band_path_closes_each_defined_run():
    d = svg.band_path([0, 10, 20, 30], [1, 1, None, 1], [5, 5, None, 5])
    assert d.count("M") == 2
    assert d.count("Z") == 2
    assert svg.band_path([0], [None], [None]) == ""


def test_text_and_attributes_are_escaped():
    out = svg.text(0, 0, '<b>"x" & y</b>')
    assert "<b>" not in out
    assert "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;" in out
    path = svg.series([0, 1], [0, 1], color="#000", data_model='a"><script>')
    assert "<script>" not in path
    assert 'data-model="a&quot;&gt;&lt;script&gt;"' in path
    assert "<title>&lt;t&gt;</title>" in svg.svg(10, 10, "", title="<t>")


def test_stacked_bar_segments_fill_the_width():
    bar = svg.stacked_bar(0, 0, 200, 10, [(0.25, "#a", "a"), (None, "#b", "b"), (0.75, "#c", "c")])
    widths = [float(w) for w in re.findall(r'<rect[^>]*width="([0-9.]+)"', bar)]
    assert widths == pytest.approx([50, 0, 150])
    assert "75%" in bar


def test_dot_whisker_skips_undefined_estimate():
    out = svg.dot_whisker(None, 5, None, None, color="#000", title="n/a")
    assert "<circle" not in out
    assert "<line" not in out
    assert "<title>n/a</title>" in out


def test_noise_axis_puts_reference_left_of_log_levels():
    axis = charts.NoiseAxis((0.0, 0.001, 0.01, 0.03), 40, 240)
    assert axis(0.0) < axis(0.001) < axis(0.01) < axis(0.03)
    assert axis.ticks() == [0.0, 0.001, 0.01, 0.03]
    single = charts.NoiseAxis((0.0, 0.01), 0, 100)
    assert single(0) < single(0.01) < 100


def test_noise_panel_has_one_series_and_a_threshold():
    series = charts.NoiseSeries(
        model="m",
        channel="depolarizing",
        metric="accuracy",
        metric_name="Accuracy",
        levels=[0.0, 0.001, 0.01],
        values=[0.7, 0.69, None],
        lows=[0.65, 0.64, None],
        highs=[0.75, 0.74, None],
        paths=["noiseless reference", "heisenberg", "heisenberg"],
        breaks=[False, False, False],
    )
    out = charts.noise_panel(series, y_domain=(0.5, 0.8), color="#00f", limit=0.68)
    assert out.count('class="series"') == 1
    assert out.count('class="band"') == 1
    assert out.count('class="ref"') == 1
    assert out.count('class="point"') == 2  # the undefined level draws no point
    assert "simulation path: heisenberg" in out


def test_shots_chart_and_forest_cell():
    out = charts.shots_chart(
        "m", [100, 1000], [0.1, 0.02], [0.05, 0.01], [0.15, 0.03], limit=0.01, color="#f00"
    )
    assert 'data-metric="flip_rate"' in out
    assert "limit 1.0%" in out
    cell = charts.forest_cell(-0.05, -0.1, -0.01, extent=0.2, significant=True, favours="classical")
    assert "#b45309" in cell
    assert "<circle" in cell
    empty = charts.forest_cell(None, None, None, extent=0, significant=False, favours=None)
    assert "<circle" not in empty


def test_tick_labels_show_every_tick_exactly():
    fmt = charts._tick_fmt([0.0, 0.25, 0.5, 0.75, 1.0])
    assert [fmt(t) for t in (0.25, 0.75)] == ["0.25", "0.75"]
    fmt = charts._tick_fmt([0.6, 0.7, 0.8])
    assert fmt(0.7) == "0.7"
