"""The audit report: one self-contained HTML file a research lead and a policy lead can both read.

``render_report(result)`` turns an :class:`~qtrust.results.schema.AuditResult` into a single HTML page with
inline CSS and inline SVG charts — no scripts, fonts, images or stylesheets are fetched, so it reads the
same offline, archived, or printed. The page leads with the verdicts and then gives the evidence: quantum
against classical, fairness, noise, shot noise, reproducibility, the models and data, and method notes.

Everything from the result is escaped: templates autoescape, and the SVG helpers escape their text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.report._jinja import html_environment
from qtrust.results.schema import AuditResult, Estimate, NoiseSweepResult

__all__ = ["render_report"]

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
#: Verdict thresholds, explained for the method notes.
THRESHOLD_TEXT = {
    "max_equalized_odds_difference": "largest tolerated equalized odds difference",
    "max_demographic_parity_difference": "largest tolerated demographic parity difference",
    "min_disparate_impact_ratio": "smallest tolerated disparate impact ratio (the four-fifths rule)",
    "max_accuracy_drop": "largest tolerated accuracy loss under noise",
    "max_seed_sd": "largest tolerated standard deviation of accuracy across training seeds",
    "max_flip_rate": "largest tolerated share of decisions flipped by shot noise",
    "min_group_test_rows": "fewest test rows a group needs for its metrics to be judged",
}

TOPIC_TEXT = {
    "performance": ("Performance", "Does the quantum model earn its place against classical models?"),
    "fairness": ("Fairness", "Are decisions and errors spread evenly across the groups?"),
    "noise": ("Hardware noise", "Do accuracy and fairness survive the noise of a real device?"),
    "shots": ("Shot noise", "Do decisions depend on the luck of a finite number of measurements?"),
    "reproducibility": ("Reproducibility", "Does retraining with another seed give the same model?"),
    "privacy": ("Privacy", "Does the model give away who was in its training data, or their group?"),
    "data": ("Data", "Is the data fit to judge the model?"),
}


# --- HTML value formatting (n/a with an explanation) -----------------------------------------------------


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


# --- view models -----------------------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    key: str
    name: str
    quantum: Any
    classical: Any
    difference: Any
    ci_low: Any
    ci_high: Any
    p_value: Any
    favours: str | None
    significant: bool
    borderline: bool
    fairness: bool
    forest: Markup


@dataclass
class ComparisonBlock:
    baseline: str
    role: str
    n_seeds: int
    mcnemar: Any
    rows: list[ComparisonRow]


@dataclass
class CandidateComparison:
    model: str
    blocks: list[ComparisonBlock]


@dataclass
class NoiseView:
    model: str
    grid: list[tuple[str, list[Markup]]]
    table: list[dict[str, Any]]
    path_note: str
    profiles: list[derive.ChannelProfile]


@dataclass
class ShotsView:
    model: str
    chart: Markup
    points: list[Any]
    exact: dict[str, Estimate]
    advice: derive.ShotAdvice
    repeats: int


@dataclass
class ReportView:
    result: AuditResult
    info: dict[str, dict[str, Any]]
    colors: dict[str, str]
    comparisons: list[CandidateComparison] = field(default_factory=list)
    fairness_shifts: list[tuple[str, str, ComparisonRow]] = field(default_factory=list)
    fairness_charts: list[Markup] = field(default_factory=list)
    noise: list[NoiseView] = field(default_factory=list)
    shots: list[ShotsView] = field(default_factory=list)
    seed_charts: list[tuple[str, Markup]] = field(default_factory=list)
    variance_chart: Markup | None = None


def _comparisons(view: ReportView) -> None:
    result = view.result
    alpha = derive.alpha(result)
    by_candidate: dict[str, list] = {}
    for c in result.comparisons:
        by_candidate.setdefault(c.quantum_model, []).append(c)
    for model, comparisons in by_candidate.items():
        bounds = [abs(v) for c in comparisons for m in c.metrics for v in (m.ci_low, m.ci_high, m.difference)]
        extent = max([b for b in bounds if fmt.is_number(b)] or [0.1]) * 1.05
        blocks = []
        for c in comparisons:
            rows = []
            for m in c.metrics:
                sig = derive.significant(m)
                p_sig = fmt.is_number(m.p_value) and m.p_value < alpha
                row = ComparisonRow(
                    key=m.metric,
                    name=fmt.metric_name(view.info, m.metric),
                    quantum=m.quantum,
                    classical=m.classical,
                    difference=m.difference,
                    ci_low=m.ci_low,
                    ci_high=m.ci_high,
                    p_value=m.p_value,
                    favours=m.favours,
                    significant=sig,
                    borderline=sig != p_sig and fmt.is_number(m.p_value),
                    fairness=m.metric in fmt.FAIRNESS_KEYS,
                    forest=Markup(
                        charts.forest_cell(
                            m.difference,
                            m.ci_low,
                            m.ci_high,
                            extent=extent,
                            significant=sig,
                            favours=m.favours,
                        )
                    ),
                )
                rows.append(row)
                if row.fairness and sig:
                    view.fairness_shifts.append((model, c.baseline, row))
            record = derive.find_model(result, c.baseline)
            blocks.append(ComparisonBlock(c.baseline, derive.role_label(record), c.n_seeds, c.mcnemar, rows))
        view.comparisons.append(CandidateComparison(model, blocks))


def _fairness_charts(view: ReportView) -> None:
    result = view.result
    if not result.fairness:
        return
    v = derive.verdicts(result)
    refs: dict[str, list[tuple[float, str, str]]] = {
        "demographic_parity_difference": [],
        "equalized_odds_difference": [],
        "disparate_impact_ratio": [(1.0, "parity", charts.NEUTRAL)],
        "equal_opportunity_difference": [],
    }
    for key, (name, kind) in derive.FAIRNESS_LIMITS.items():
        limit = v.get(name)
        if fmt.is_number(limit):
            refs[key].append(
                (
                    float(limit),
                    f"{'limit' if kind == 'max' else 'minimum'} {limit:g}",
                    charts.SEVERITY_COLOR["fail"],
                )
            )
    for key in fmt.FAIRNESS_KEYS:
        rows = []
        for f in result.fairness:
            est = f.overall.get(key)
            status = derive.fairness_status(result, key, est)
            color = charts.SEVERITY_COLOR[status] if status else view.colors.get(f.model, charts.NEUTRAL)
            note = {
                "fail": "beyond the limit",
                "warn": "interval crosses the limit",
                "pass": "within the limit",
            }
            rows.append(
                charts.DotRow(
                    f.model,
                    est.value if est else None,
                    est.ci_low if est else None,
                    est.ci_high if est else None,
                    color,
                    note.get(status or "", ""),
                )
            )
        values = [x for r in rows for x in (r.value, r.low, r.high)]
        ref_x = [x for x, _, _ in refs[key]]
        floor_zero = key != "disparate_impact_ratio"
        domain = charts.metric_domain(values, include=ref_x, floor_zero=floor_zero)
        if floor_zero:
            domain = (max(domain[0], 0.0), domain[1])
        view.fairness_charts.append(
            Markup(
                charts.dot_whisker_chart(
                    f"{fmt.metric_name(view.info, key)} by model", rows, domain=domain, references=refs[key]
                )
            )
        )


def _noise_view(
    view: ReportView, sweep: NoiseSweepResult, domains: dict[str, tuple[float, float]]
) -> NoiseView:
    result = view.result
    profiles = derive.channel_profiles(result, sweep)
    max_drop = derive.threshold(result, "max_accuracy_drop")
    limits = {
        "equalized_odds_difference": derive.threshold(result, "max_equalized_odds_difference"),
        "demographic_parity_difference": derive.threshold(result, "max_demographic_parity_difference"),
    }
    paths = [_path(p.path) for p in sweep.points]
    main_path = max(set(paths), key=paths.count) if paths else None
    grid = []
    table = []
    for ci, profile in enumerate(profiles):
        panels = []
        for key in NOISE_METRICS:
            ref = sweep.reference.get(key)
            ests = [sweep.reference.get(key)] + [p.metrics.get(key) for p in profile.points]
            limit = limits.get(key)
            if key == "accuracy" and max_drop is not None and ref is not None and fmt.is_number(ref.value):
                limit = ref.value - max_drop

            def broken(e: Estimate | None, key: str = key, limit: float | None = limit) -> bool:
                if e is None or not fmt.is_number(e.value) or limit is None:
                    return False
                return e.value < limit if key == "accuracy" else e.value > limit

            series = charts.NoiseSeries(
                model=sweep.model,
                channel=profile.channel,
                metric=key,
                metric_name=fmt.metric_name(view.info, key),
                levels=[0.0] + [p.level for p in profile.points],
                values=[e.value if e else None for e in ests],
                lows=[e.ci_low if e else None for e in ests],
                highs=[e.ci_high if e else None for e in ests],
                paths=["noiseless reference"] + [_path(p.path) for p in profile.points],
                breaks=[broken(e) for e in ests],
            )
            panels.append(
                Markup(
                    charts.noise_panel(
                        series,
                        y_domain=domains[key],
                        color=charts.channel_color(profile.channel, ci),
                        limit=limit,
                        main_path=main_path,
                    )
                )
            )
        grid.append((profile.channel, panels))
        for p in profile.points:
            table.append({"channel": profile.channel, "point": p})
    distinct = sorted(set(paths))
    if not distinct:
        note = ""
    elif distinct == [NOT_RECORDED]:
        note = "The audit did not record which simulation path produced these points."
    elif len(distinct) == 1:
        note = f"Every noisy point was simulated by the “{distinct[0]}” path."
    else:
        note = (
            "Points were simulated by several paths ("
            + ", ".join(distinct)
            + f"); hollow markers are those not simulated by “{main_path}”."
        )
    return NoiseView(sweep.model, grid, table, note, profiles)


NOT_RECORDED = "not recorded"


def _path(path: str | None) -> str:
    """A simulation path name; empty or ``unknown`` reads as not recorded."""
    return path if path and path != "unknown" else NOT_RECORDED


def _noise(view: ReportView) -> None:
    result = view.result
    domains = {}
    max_drop = derive.threshold(result, "max_accuracy_drop") or 0.0
    for key in NOISE_METRICS:
        values: list[Any] = []
        include: list[Any] = []
        for sweep in result.noise:
            for e in [sweep.reference.get(key), *(p.metrics.get(key) for p in sweep.points)]:
                if e is not None:
                    values += [e.value, e.ci_low, e.ci_high]
            ref = sweep.reference.get(key)
            if key == "accuracy" and ref is not None and fmt.is_number(ref.value):
                include.append(ref.value - max_drop)
        if key == "equalized_odds_difference":
            include.append(derive.threshold(result, "max_equalized_odds_difference"))
        if key == "demographic_parity_difference":
            include.append(derive.threshold(result, "max_demographic_parity_difference"))
        floor_zero = key in fmt.FAIRNESS_KEYS
        lo, hi = charts.metric_domain(values, include=include, floor_zero=floor_zero)
        domains[key] = (max(lo, 0.0), min(hi, 1.0)) if hi > lo else (lo, hi)
    view.noise = [_noise_view(view, sweep, domains) for sweep in result.noise if sweep.points]


def _shots(view: ReportView) -> None:
    limit = derive.threshold(view.result, "max_flip_rate")
    for s in view.result.shots:
        points = sorted(s.points, key=lambda p: p.shots)
        if not points:
            continue
        chart = charts.shots_chart(
            s.model,
            [p.shots for p in points],
            [p.flip_rate.value for p in points],
            [p.flip_rate.ci_low for p in points],
            [p.flip_rate.ci_high for p in points],
            limit=limit,
            color=view.colors.get(s.model, charts.NEUTRAL),
        )
        view.shots.append(
            ShotsView(s.model, Markup(chart), points, s.exact, derive.shot_advice(view.result, s), s.repeats)
        )


def _reproducibility(view: ReportView) -> None:
    result = view.result
    for key in ("accuracy", "auc"):
        rows = []
        for r in result.reproducibility:
            summary = next((m for m in r.metrics if m.metric == key), None)
            if summary is None:
                continue
            rows.append(
                charts.StripRow(
                    r.model,
                    r.seeds,
                    summary.values,
                    summary.mean,
                    summary.sd,
                    view.colors.get(r.model, charts.NEUTRAL),
                )
            )
        if rows:
            name = fmt.metric_name(view.info, key)
            view.seed_charts.append((key, Markup(charts.seed_strip_chart(f"{name} per training seed", rows))))
    variance_rows = [
        charts.VarianceRow(
            r.model,
            fmt.metric_name(view.info, v.metric),
            v.fraction_seed,
            v.fraction_shot,
            v.fraction_data,
            v.total,
        )
        for r in result.reproducibility
        for v in r.variance
    ]
    if variance_rows:
        view.variance_chart = Markup(charts.variance_chart("Where the variance comes from", variance_rows))


def _scorecard(result: AuditResult) -> tuple[list[str], list[tuple[str, list[tuple[str | None, int]]]]]:
    """Worst finding severity per (candidate, topic)."""
    topics = [t for t in fmt.TOPIC_ORDER if t != "data" and any(f.topic == t for f in result.findings)]
    names = [m.name for m in derive.candidates(result)]
    names += [n for n in dict.fromkeys(f.model for f in result.findings if f.model) if n not in names]
    rows = []
    for name in names:
        cells = []
        for topic in topics:
            found = [f.severity for f in result.findings if f.model == name and f.topic == topic]
            cells.append((derive.worst(found), len(found)))
        rows.append((name, cells))
    return topics, rows


def _model_rows(result: AuditResult) -> list[dict[str, Any]]:
    rows = []
    for m in result.models:
        circuit = m.circuit or {}
        iterations, converged = [], []
        for fit in m.fits:
            training = fit.description.get("training") if isinstance(fit.description, dict) else None
            if isinstance(training, dict):
                iterations += _flat(training.get("iterations"))
                if training.get("converged") is not None:
                    converged.append(bool(training.get("converged")))
            elif isinstance(fit.description, dict):
                iterations += _flat(fit.description.get("n_iter"))
        seconds = [fit.train_seconds for fit in m.fits]
        first = m.fits[0].description if m.fits and isinstance(m.fits[0].description, dict) else {}
        source = first.get("source") if isinstance(first.get("source"), dict) else {}
        rows.append(
            {
                "model": m,
                "execution": m.execution or "",
                "source": source,
                "translation": "; ".join(str(n) for n in _flat(source.get("translation"))),
                "circuit": circuit,
                "path": (m.simulation or {}).get("path") or "",
                "reason": (m.simulation or {}).get("reason") or "",
                "iterations": iterations,
                "converged": converged,
                "train_seconds": sum(seconds) / len(seconds) if seconds else None,
                "params": {k: v for k, v in m.params.items() if k not in ("kind", "name")},
            }
        )
    return rows


def _flat(value: Any) -> list[Any]:
    """Iteration counts as a flat list (scikit-learn reports ``n_iter_`` as a list for some estimators)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [x for v in value for x in _flat(v)]
    return [value]


def _details(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={fmt.short_value(v)}" for k, v in params.items())


def build_view(result: AuditResult) -> ReportView:
    """Everything the template needs, computed once."""
    colors = {m.name: charts.model_color(i) for i, m in enumerate(result.models)}
    for i, name in enumerate(dict.fromkeys(f.model for f in result.fairness)):
        colors.setdefault(name, charts.model_color(len(result.models) + i))
    view = ReportView(result=result, info=derive.metric_info(result), colors=colors)
    _comparisons(view)
    _fairness_charts(view)
    _noise(view)
    _shots(view)
    _reproducibility(view)
    return view


def _roc_charts(result: AuditResult) -> dict[str, Markup]:
    """One ROC chart per model from the exact setting of the privacy red-team (empty without one)."""
    out: dict[str, Markup] = {}
    for model in (result.privacy or {}).get("models", []):
        exact = next((s for s in model["settings"] if s["noise"] == "noiseless" and s["shots"] is None), None)
        if exact is None:
            continue
        curves = {
            a: x["details"]["roc"] for a, x in exact["attacks"].items() if x.get("details", {}).get("roc")
        }
        if curves:
            aucs = {a: x["auc"]["value"] for a, x in exact["attacks"].items()}
            out[model["model"]] = Markup(charts.roc_chart(model["model"], curves, aucs))
    return out


def render_report(result: AuditResult) -> str:
    """The audit report as one self-contained HTML document (inline CSS and SVG; no external assets)."""
    view = build_view(result)
    topics, scorecard = _scorecard(result)
    template = html_environment().get_template("report.html.j2")
    return template.render(
        r=result,
        view=view,
        f=fmt,
        derive=derive,
        info=view.info,
        verdicts=derive.verdicts(result),
        counts=derive.severity_counts(result.findings),
        grouped=derive.findings_by_topic(result.findings),
        topic_text=TOPIC_TEXT,
        score_topics=topics,
        scorecard=scorecard,
        candidates=derive.candidates(result),
        model_rows=_model_rows(result),
        details=_details,
        group_metrics=GROUP_METRICS,
        short=SHORT_NAMES,
        threshold_text=THRESHOLD_TEXT,
        table_metrics=TABLE_METRICS,
        noise_metrics=NOISE_METRICS,
        sensitive_rule=_sensitive_rule(result),
        noise_conventions=_noise_conventions(result),
        noise_limits=_noise_limits(result),
        evidence=_evidence,
        roc_charts=_roc_charts(result),
        h_value=h_value,
        h_num=h_num,
        h_pct=h_pct,
        h_change=h_change,
        h_p=h_p,
        h_estimate=h_estimate,
        h_interval=h_interval,
        role_label=lambda name: derive.role_label(derive.find_model(result, name)),
    )


def _sensitive_rule(result: AuditResult) -> str:
    extra = result.dataset.provenance.get("extra")
    if isinstance(extra, dict) and extra.get("sensitive_rule"):
        return str(extra["sensitive_rule"])
    return ""


def _noise_limits(result: AuditResult) -> dict[str, str]:
    """What the dashed line in each noise column marks."""
    out = {}
    drop = derive.threshold(result, "max_accuracy_drop")
    if drop is not None:
        out["accuracy"] = f"dashed: {drop:g} below noiseless"
    for key, name in (
        ("equalized_odds_difference", "max_equalized_odds_difference"),
        ("demographic_parity_difference", "max_demographic_parity_difference"),
    ):
        limit = derive.threshold(result, name)
        if limit is not None:
            out[key] = f"dashed: limit {limit:g}"
    return out


def _noise_conventions(result: AuditResult) -> dict[str, str]:
    """The noise conventions a quantum model recorded with its training (first one found)."""
    for m in result.models:
        for fit in m.fits:
            training = fit.description.get("training") if isinstance(fit.description, dict) else None
            noise = training.get("train_noise") if isinstance(training, dict) else None
            if isinstance(noise, dict):
                return {
                    "depolarizing": str(noise.get("depolarizing_convention") or ""),
                    "placement": str(noise.get("placement") or ""),
                }
    return {"depolarizing": "", "placement": ""}


def _evidence(value: Any) -> str:
    """A finding's evidence value as short text."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_evidence(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_evidence(v) for v in value) + "]"
    return "n/a" if value is None else str(value)
