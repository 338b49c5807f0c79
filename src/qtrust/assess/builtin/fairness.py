"""Fairness: performance and fairness of every model on exact noiseless predictions, over its seeds.

Findings judge each quantum candidate's equalised-odds and demographic-parity gaps and its disparate
impact ratio against the ``verdicts`` thresholds, with their 95% intervals. The report section draws each
fairness metric by model against those thresholds and tabulates the overall and per-group metrics.
"""

from __future__ import annotations

from markupsafe import Markup

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, ReportContext, ReportSection
from qtrust.assess.fairness import assess_fairness
from qtrust.assess.findings import ci, num
from qtrust.metrics import metric_info
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.results.schema import Estimate, FairnessResult, Finding
from qtrust.results.sections import fairness as spec

TEMPLATES = "qtrust.assess.builtin"


def _upper_bound_finding(model: str, key: str, est: Estimate, limit: float, fid: str) -> Finding:
    name = metric_info(key).name
    evidence = {
        "metric": key,
        "value": est.value,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "limit": limit,
    }
    if est.value is None:
        return Finding(
            id=fid,
            severity="warn",
            topic="fairness",
            model=model,
            title=f"{name} is undefined",
            detail=f"{name} could not be computed (a group has no positive or no negative cases).",
            evidence=evidence,
        )
    if est.value > limit:
        severity, verdict, short = (
            "fail",
            f"exceeds the limit of {limit:g}",
            f"exceeds the limit of {limit:g}",
        )
    elif est.ci_high is not None and est.ci_high > limit:
        severity = "warn"
        verdict = f"is below {limit:g}, but the upper end of its 95% interval is not (inconclusive)"
        short = f"inconclusive against the limit of {limit:g}"
    else:
        severity = "pass"
        verdict = short = f"stays below {limit:g} across its whole 95% interval"
    return Finding(
        id=fid,
        severity=severity,
        topic="fairness",
        model=model,
        title=f"{name} {num(est.value)}: {short}",
        detail=f"{metric_info(key).meaning} For {model}: {ci(est)}, which {verdict}.",
        evidence=evidence,
    )


def _disparate_impact_finding(model: str, est: Estimate, limit: float) -> Finding:
    evidence = {"metric": "disparate_impact_ratio", "value": est.value, "ci_low": est.ci_low, "limit": limit}
    if est.value is None:
        severity = "warn"
        verdict = short = "is undefined (no one receives the favourable decision)"
    elif est.value < limit:
        severity = "fail"
        verdict = short = f"is below the four-fifths threshold of {limit:g}"
    elif est.ci_low is not None and est.ci_low < limit:
        severity = "warn"
        verdict = f"meets {limit:g}, but the lower end of its 95% interval does not (inconclusive)"
        short = f"inconclusive against the threshold of {limit:g}"
    else:
        severity = "pass"
        verdict = short = f"meets {limit:g} across its whole 95% interval"
    return Finding(
        id=f"{model}.fairness.disparate_impact",
        severity=severity,
        topic="fairness",
        model=model,
        title=f"Disparate impact ratio {num(est.value)}: {short}",
        detail=(
            "The least-favoured group's selection rate divided by the most-favoured group's. "
            f"For {model}: {ci(est)}, which {verdict}."
        ),
        evidence=evidence,
    )


def fairness_charts(report: ReportContext) -> list[Markup]:
    """One dot-and-whisker chart per fairness metric: every model against the verdict thresholds."""
    result = report.result
    if not result.fairness:
        return []
    v = report.verdicts
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
    out = []
    note = {"fail": "beyond the limit", "warn": "interval crosses the limit", "pass": "within the limit"}
    for key in fmt.FAIRNESS_KEYS:
        rows = []
        for f in result.fairness:
            est = f.overall.get(key)
            status = derive.fairness_status(result, key, est)
            color = charts.SEVERITY_COLOR[status] if status else report.colors.get(f.model, charts.NEUTRAL)
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
        title = f"{fmt.metric_name(report.info, key)} by model"
        out.append(Markup(charts.dot_whisker_chart(title, rows, domain=domain, references=refs[key])))
    return out


class FairnessAssessment(Assessment[list[FairnessResult]]):
    """Fairness and performance of every model on exact noiseless predictions."""

    name = "fairness"
    topic = spec.TOPIC
    section = spec.SECTION

    def run(self, ctx: AssessmentContext) -> list[FairnessResult]:
        results, ctx.summaries = assess_fairness(ctx)
        return results

    def findings(self, ctx: AssessmentContext, record: list[FairnessResult]) -> list[Finding]:
        v = ctx.config.verdicts
        candidates = {m.name for m in ctx.candidates}
        out = []
        for result in record:
            if result.model not in candidates:
                continue
            o = result.overall
            out.append(
                _upper_bound_finding(
                    result.model,
                    "equalized_odds_difference",
                    o["equalized_odds_difference"],
                    v.max_equalized_odds_difference,
                    f"{result.model}.fairness.equalized_odds",
                )
            )
            out.append(
                _upper_bound_finding(
                    result.model,
                    "demographic_parity_difference",
                    o["demographic_parity_difference"],
                    v.max_demographic_parity_difference,
                    f"{result.model}.fairness.demographic_parity",
                )
            )
            out.append(
                _disparate_impact_finding(
                    result.model, o["disparate_impact_ratio"], v.min_disparate_impact_ratio
                )
            )
        return out

    def report_section(self, value: list[FairnessResult], report: ReportContext) -> ReportSection:
        ds = report.result.dataset
        html = report.render(TEMPLATES, "fairness.html.j2", ds=ds, fairness_charts=fairness_charts(report))
        return ReportSection("fairness", "Fairness", f"Fairness across {ds.sensitive}", html)
