"""The HTML report: well-formed, self-contained, complete, faithful to the numbers, and escaped."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from qtrust.report import _format as fmt
from qtrust.report import render_report
from qtrust.results.registry import REGISTRY

EXTERNAL = re.compile(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def rendered(result, parse_html):
    html = render_report(result)
    return html, parse_html(html)


def test_templates_ship_as_package_data():
    templates = resources.files("qtrust.report") / "templates"
    assert (templates / "report.html.j2").is_file()
    assert (templates / "report.css").is_file()
    assert (templates / "model_card.md.j2").is_file()


def test_html_is_well_formed_document(rendered):
    html, tree = rendered
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert tree.errors == []
    assert tree.stack == []
    assert next(t for t, _ in tree.elements[:3]) == "html"


def test_html_is_self_contained(rendered):
    html, tree = rendered
    assert not EXTERNAL.search(html)
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    # nothing is loaded: no scripts, external stylesheets, images or frames
    assert tree.find("script") == []
    assert tree.find("link") == []
    assert tree.find("img") == []
    assert tree.find("iframe") == []
    # every link is an in-page anchor, and every anchor target exists
    ids = {a.get("id") for _, a in tree.elements if a.get("id")}
    for _, attrs in tree.elements:
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#"), href
            assert href[1:] in ids, href


def test_sections_in_required_order(rendered):
    html, _ = rendered
    order = ["verdicts", "comparison", "fairness", "noise", "shots", "reproducibility", "models", "method"]
    positions = [html.index(f'<section id="{s}">') for s in order]
    assert positions == sorted(positions)


def test_header_facts(rendered, result):
    _, tree = rendered
    text = tree.visible_text()
    assert "german_credit" in text
    assert "sex" in text
    assert "25 Nov 2026, 14:28 UTC" in text
    assert result.qtrust_version in text
    assert "1 min 22 s" in text


def test_every_finding_title_and_detail_appears(rendered, result):
    _, tree = rendered
    text = tree.visible_text()
    for finding in result.findings:
        assert " ".join(finding.title.split()) in text
        assert " ".join(finding.detail.split()) in text
    cards = tree.find("article")
    assert [c["data-finding"] for c in cards] == [f.id for f in _by_topic(result.findings)]
    assert {c["class"].split()[1] for c in cards} == {"fail", "warn", "pass", "info"}


def _by_topic(findings):
    order = REGISTRY.topic_order()
    return sorted(findings, key=lambda f: order.index(f.topic))  # stable: keeps fail → info inside a topic


def test_verdict_counts(rendered):
    html, _ = rendered
    for severity, n in (("fail", 1), ("warn", 1), ("pass", 1), ("info", 1)):
        assert re.search(rf'<div class="tile {severity}"[^>]*><div class="n">{n}</div>', html)


def test_every_model_name_appears(rendered, result):
    _, tree = rendered
    text = tree.visible_text()
    for m in result.models:
        assert m.name in text
        assert tree.find("tr", data_model=m.name), m.name


def test_noise_charts_have_one_series_per_model_channel_metric(rendered, result):
    _, tree = rendered
    series = [
        a for t, a in tree.elements if t == "path" and a.get("class") == "series" and a.get("data-channel")
    ]
    keys = [(a["data-model"], a["data-channel"], a["data-metric"]) for a in series]
    expected = {
        (sweep.model, channel, metric)
        for sweep in result.noise
        for channel in sweep.channels
        for metric in ("accuracy", "auc", "equalized_odds_difference", "demographic_parity_difference")
    }
    assert len(keys) == len(set(keys))
    assert set(keys) == expected
    # the line runs through the noiseless reference and each tested level: 1 + 2 levels = 3 points
    for a in series:
        assert len(re.findall(r"[ML]", a["d"])) == 3


def test_noise_axis_labels_reference_as_zero(rendered):
    html, _ = rendered
    chart = re.search(r'<svg[^>]*class="chart noise-chart".*?</svg>', html, re.S).group(0)
    ticks = re.findall(r'<text[^>]*class="tick"[^>]*>([^<]*)</text>', chart)
    assert "0" in ticks
    assert "0.001" in ticks
    assert "0.01" in ticks


def test_noise_points_name_their_simulation_path(rendered):
    html, tree = rendered
    assert "simulation path: heisenberg" in html
    assert "heisenberg" in tree.visible_text()


def test_comparison_table_matches_result(rendered, result, parse_html):
    html, _ = rendered
    for comparison in result.comparisons:
        table = re.search(
            rf'<table class="comparison" data-model="{comparison.quantum_model}">.*?</table>', html, re.S
        ).group(0)
        for m in comparison.metrics:
            row = re.search(
                rf'<tr[^>]*data-baseline="{comparison.baseline}" data-metric="{m.metric}">(.*?)</tr>',
                table,
                re.S,
            )
            assert row, (comparison.baseline, m.metric)
            text = parse_html(row.group(1)).visible_text()
            assert fmt.num(m.quantum) in text
            assert fmt.num(m.classical) in text
            assert fmt.signed(m.difference) in text
            assert f"[{fmt.num(m.ci_low)}, {fmt.num(m.ci_high)}]" in text
            assert fmt.p_value(m.p_value) in text
    # spot checks with literal numbers
    assert "-0.054" in html
    assert "[-0.099, -0.004]" in html
    assert "0.016" in html


def test_significance_is_marked(rendered, result):
    html, tree = rendered
    vqc = re.search(r'<table class="comparison" data-model="vqc">.*?</table>', html, re.S).group(0)
    accuracy = re.search(r'<tr class="([^"]*)" data-baseline="logistic" data-metric="accuracy">', vqc).group(
        1
    )
    auc = re.search(r'<tr class="([^"]*)" data-baseline="logistic" data-metric="auc">', vqc).group(1)
    assert "sig" in accuracy.split()  # [-0.099, -0.004] excludes 0
    assert "sig" not in auc.split()  # [-0.042, 0.013] includes 0
    assert "a difference whose 95% interval excludes 0 is significant" in tree.visible_text().lower()


def test_significant_fairness_difference_is_highlighted(make_result, parse_html):
    quiet = parse_html(render_report(make_result(shift=False)))
    assert not [a for t, a in quiet.elements if t == "tr" and "fair-shift" in (a.get("class") or "")]
    assert "No fairness metric differs significantly" in quiet.visible_text()
    html = render_report(make_result(shift=True))
    tree = parse_html(html)
    shifted = [a for t, a in tree.elements if t == "tr" and "fair-shift" in (a.get("class") or "").split()]
    assert {(a["data-baseline"], a["data-metric"]) for a in shifted} == {
        ("logistic", "demographic_parity_difference")
    }
    assert "shifts whom the model is fair to" in tree.visible_text()


def test_fairness_charts_draw_verdict_thresholds(rendered):
    html, _ = rendered
    section = html[html.index('<section id="fairness">') : html.index('<section id="noise">')]
    assert section.count("<svg") >= 4
    assert "limit 0.1" in section
    assert "minimum 0.8" in section
    assert section.count('class="ref"') >= 3


def test_group_table_formats_rates_as_percentages(rendered):
    _, tree = rendered
    text = tree.visible_text()
    assert "64.0% [60.0%, 68.0%]" in text  # female TPR 0.64 ± 0.04
    assert "0.640 [0.600, 0.680]" in text  # female accuracy of the first model (0.66 - 0.02)


def test_shots_and_reproducibility_sections(rendered, result):
    html, tree = rendered
    shots_section = html[html.index('<section id="shots">') : html.index('<section id="reproducibility">')]
    flips = [a for t, a in tree.elements if t == "path" and a.get("data-metric") == "flip_rate"]
    assert {a["data-model"] for a in flips} == {s.model for s in result.shots}
    assert "8.5%" in shots_section
    # 0.004 × 1.4 = 0.0056 ≤ 0.01: the 10,000-shot budget is the recommended minimum
    assert "at least 10,000 shots" in shots_section
    repro = html[html.index('<section id="reproducibility">') : html.index('<section id="models">')]
    assert repro.count('class="seed-dot"') == 2 * len(result.models) * 3
    assert "stacked-bar" in repro


def test_models_and_data_section(rendered, result):
    html, tree = rendered
    section = html[html.index('<section id="models">') : html.index('<section id="method">')]
    text = tree.visible_text()
    assert "CC BY 4.0" in text
    assert "ab" * 32 in text
    assert "heisenberg" in section
    assert "not converged" in text  # seed 1 stopped at the iteration limit
    for key, m in result.metric_info.items():
        assert m["meaning"] in text, key


def test_undefined_values_render_as_explained_na(make_result, make_estimate, parse_html):
    result = make_result()
    fairness = result.fairness[0]
    group = fairness.by_group[0].model_copy(
        update={"metrics": {**fairness.by_group[0].metrics, "tpr": make_estimate(None)}}
    )
    fairness = fairness.model_copy(update={"by_group": [group, *fairness.by_group[1:]]})
    result = result.model_copy(update={"fairness": [fairness, *result.fairness[1:]]})
    html = render_report(result)
    assert parse_html(html).errors == []
    assert re.search(r'<span class="na" title="Undefined for this data[^"]*">n/a</span>', html)
    assert 'class="undef"' in html  # 100 of 100 bootstrap replicates undefined


def test_escapes_model_names_and_finding_text(make_result, parse_html):
    evil = "<script>alert(1)</script>"
    result = make_result(quantum=(evil, "vqc"))
    finding = result.findings[0].model_copy(
        update={"title": f"Title {evil}", "detail": f"Detail {evil} & more", "evidence": {"x": evil}}
    )
    result = result.model_copy(update={"findings": [finding, *result.findings[1:]]})
    html = render_report(result)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tree = parse_html(html)
    assert tree.errors == []
    text = tree.visible_text()
    assert f"Title {evil}" in text
    assert f"Detail {evil} & more" in text
    # the name is escaped inside SVG attributes and text too
    assert any(a.get("data-model") == evil for _, a in tree.elements)


@pytest.mark.parametrize(
    "update",
    [
        {"noise": []},
        {"shots": []},
        {"comparisons": []},
        {"reproducibility": []},
        {"findings": []},
        {"fairness": []},
        {"noise": [], "shots": [], "comparisons": [], "reproducibility": [], "findings": [], "fairness": []},
    ],
    ids=["no-noise", "no-shots", "no-comparisons", "no-repro", "no-findings", "no-fairness", "nothing"],
)
def test_empty_sections_render(result, parse_html, update):
    html = render_report(result.model_copy(update=update))
    tree = parse_html(html)
    assert tree.errors == []
    assert tree.stack == []
    text = tree.visible_text()
    if "noise" in update:
        assert "No noise sweep was run" in text
        assert 'class="series"' not in html.split('<section id="noise">')[1].split("</section>")[0]
    if "comparisons" in update:
        assert "No comparisons were run" in text
    if "shots" in update:
        assert "No shot-noise study was run" in text


def test_classical_only_result_without_verdict_config(make_result, parse_html):
    result = make_result(quantum=(), baselines=("logistic", "mlp"), control=None)
    result = result.model_copy(update={"config": {}})
    html = render_report(result)
    tree = parse_html(html)
    assert tree.errors == []
    assert "0 quantum candidates" in tree.visible_text()


def test_many_models(make_result, parse_html):
    quantum = tuple(f"q{i}" for i in range(6))
    baselines = tuple(f"c{i}" for i in range(6))
    result = make_result(quantum=quantum, baselines=baselines)
    html = render_report(result)
    tree = parse_html(html)
    assert tree.errors == []
    text = tree.visible_text()
    for name in (*quantum, *baselines, "no_entanglement"):
        assert name in text
    tables = tree.find("table", class_="comparison")
    assert len(tables) == len(quantum)


def test_rendering_is_deterministic(result):
    assert render_report(result) == render_report(result)
