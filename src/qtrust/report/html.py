"""The audit report: one self-contained HTML file a research lead and a policy lead can both read.

``render_report(result)`` turns an :class:`~qtrust.results.schema.AuditResult` into a single HTML page with
inline CSS and inline SVG charts — no scripts, fonts, images or stylesheets are fetched, so it reads the
same offline, archived, or printed. The page leads with the verdicts, grouped by the registry's topics, and
then gives each registered assessment's section (quantum against classical, fairness, noise, shot noise,
reproducibility, privacy, robustness, …, each rendered beside its assessment, see
:mod:`qtrust.report.sections`), the models and data, and method notes.

Everything from the result is escaped: templates autoescape, and the SVG helpers escape their text.
"""

from __future__ import annotations

from typing import Any

from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.report.sections import (
    ReportContext,
    ReportSection,
    numbers_section,
    presented,
    report_environment,
)
from qtrust.results.registry import REGISTRY, Registry
from qtrust.results.schema import AuditResult

__all__ = ["render_report", "report_sections"]

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


def _colors(result: AuditResult) -> dict[str, str]:
    colors = {m.name: charts.model_color(i) for i, m in enumerate(result.models)}
    for i, name in enumerate(dict.fromkeys(f.model for f in result.fairness)):
        colors.setdefault(name, charts.model_color(len(result.models) + i))
    return colors


def report_sections(report: ReportContext, registry: Registry = REGISTRY) -> list[ReportSection]:
    """Every registered assessment's section, in topic order; one without a renderer shows its numbers."""
    out = []
    for entry in presented(registry):
        value = report.result.section_value(entry.name) if entry.section is not None else None
        if entry.assessment is not None:
            section = entry.assessment.report_section(value, report)
        elif entry.section is not None:
            section = numbers_section(entry.section, value, report)
        else:
            section = None
        if section is not None:
            out.append(section)
    return out


def _scorecard(result: AuditResult) -> tuple[list[str], list[tuple[str, list[tuple[str | None, int]]]]]:
    """Worst finding severity per (candidate, topic)."""
    order = REGISTRY.topic_order()
    topics = [t for t in order if t != "data" and any(f.topic == t for f in result.findings)]
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


def render_report(result: AuditResult, registry: Registry = REGISTRY) -> str:
    """The audit report as one self-contained HTML document (inline CSS and SVG; no external assets)."""
    report = ReportContext(result=result, info=derive.metric_info(result), colors=_colors(result))
    topics, scorecard = _scorecard(result)
    template = report_environment().get_template("report.html.j2")
    return template.render(
        **report.values(),
        counts=derive.severity_counts(result.findings),
        grouped=derive.findings_by_topic(result.findings),
        topic_text={t.key: (t.title, t.question) for t in registry.topics()},
        score_topics=topics,
        scorecard=scorecard,
        sections=report_sections(report, registry),
        candidates=derive.candidates(result),
        model_rows=_model_rows(result),
        details=_details,
        threshold_text=THRESHOLD_TEXT,
        sensitive_rule=_sensitive_rule(result),
        noise_conventions=_noise_conventions(result),
        evidence=_evidence,
    )


def _sensitive_rule(result: AuditResult) -> str:
    extra = result.dataset.provenance.get("extra")
    if isinstance(extra, dict) and extra.get("sensitive_rule"):
        return str(extra["sensitive_rule"])
    return ""


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
