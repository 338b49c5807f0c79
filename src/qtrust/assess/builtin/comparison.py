"""Quantum against classical: each candidate against each baseline on identical rows and seeds.

Findings say whether a candidate beats the best classical baseline, whether its feature map shifts whom it
is fair to, and whether entanglement adds anything over the same circuit without it. The report section
tabulates every paired difference with its interval, p-value and a forest-plot cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from qtrust.assess.comparison import compare_models
from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, ReportContext, ReportSection
from qtrust.assess.findings import num
from qtrust.metrics import metric_info
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.results.schema import ComparisonResult, Finding, PairedMetric
from qtrust.results.sections import comparison as spec

TEMPLATES = "qtrust.assess.builtin"


def _metric(c: ComparisonResult, key: str) -> PairedMetric:
    return next(m for m in c.metrics if m.metric == key)


def comparison_findings(ctx: AssessmentContext, comparisons: list[ComparisonResult]) -> list[Finding]:
    out = []
    classical = {m.name for m in ctx.models if m.family == "classical"}
    alpha = 1 - ctx.config.statistics.confidence
    for quantum in ctx.candidates:
        rows = [c for c in comparisons if c.quantum_model == quantum.name]
        against_classical = [c for c in rows if c.baseline in classical]
        if against_classical:
            best = max(against_classical, key=lambda c: _metric(c, "accuracy").classical or 0.0)
            acc = _metric(best, "accuracy")
            evidence = acc.model_dump() | {"baseline": best.baseline, "mcnemar_p": best.mcnemar.p_value}
            diff = f"{num(acc.difference)} (95% CI {num(acc.ci_low)} to {num(acc.ci_high)}, p = {num(acc.p_value)})"
            if acc.ci_high is not None and acc.ci_high < 0:
                severity, title = "warn", f"{quantum.name} is less accurate than the best classical baseline"
            elif acc.ci_low is not None and acc.ci_low > 0:
                severity, title = "pass", f"{quantum.name} is more accurate than the best classical baseline"
            else:
                severity, title = (
                    "info",
                    f"{quantum.name} is not measurably better than classical {best.baseline}",
                )
            out.append(
                Finding(
                    id=f"{quantum.name}.performance.vs_classical",
                    severity=severity,
                    topic="performance",
                    model=quantum.name,
                    title=title,
                    detail=(
                        f"Accuracy {num(acc.quantum)} against {num(acc.classical)} for {best.baseline}, the most "
                        f"accurate classical baseline on the same rows and seeds; difference {diff}. "
                        + (
                            "The quantum model's cost and risk are not repaid by accuracy here."
                            if severity != "pass"
                            else "The gain holds on this test set; confirm on new data."
                        )
                    ),
                    evidence=evidence,
                )
            )
        for c in rows:
            shifted = [
                m
                for m in c.metrics
                if m.metric not in ("accuracy", "auc") and m.p_value is not None and m.p_value < alpha
            ]
            if shifted:
                parts = "; ".join(
                    f"{metric_info(m.metric).name} {num(m.quantum)} vs {num(m.classical)} "
                    f"(difference {num(m.difference)}, p = {num(m.p_value)})"
                    for m in shifted
                )
                out.append(
                    Finding(
                        id=f"{quantum.name}.fairness.shift_vs_{c.baseline}",
                        severity="warn",
                        topic="fairness",
                        model=quantum.name,
                        title=f"{quantum.name} treats the groups differently from {c.baseline}",
                        detail=(
                            f"On identical rows and seeds the quantum model shifts whom it is fair to: {parts}. "
                            "Check which group gains and which loses before choosing between the models."
                        ),
                        evidence={"baseline": c.baseline, "metrics": [m.model_dump() for m in shifted]},
                    )
                )
        control = [c for c in rows if any(m.name == c.baseline and m.role == "control" for m in ctx.models)]
        for c in control:
            acc = _metric(c, "accuracy")
            if acc.ci_low is not None and acc.ci_low > 0:
                continue
            out.append(
                Finding(
                    id=f"{quantum.name}.performance.vs_control",
                    severity="info",
                    topic="performance",
                    model=quantum.name,
                    title="Entanglement adds no measurable accuracy",
                    detail=(
                        f"{c.baseline}, the same circuit without entangling gates (classically simulable), reaches "
                        f"{num(acc.classical)} against {num(acc.quantum)}; difference {num(acc.difference)} "
                        f"(95% CI {num(acc.ci_low)} to {num(acc.ci_high)})."
                    ),
                    evidence=acc.model_dump() | {"control": c.baseline},
                )
            )
    return out


# --- report -----------------------------------------------------------------------------------------------


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


def comparison_views(
    report: ReportContext, comparisons: list[ComparisonResult]
) -> tuple[list[CandidateComparison], list[tuple[str, str, ComparisonRow]]]:
    """Per candidate, a block of rows per baseline; and the significant fairness differences."""
    result = report.result
    alpha = derive.alpha(result)
    by_candidate: dict[str, list[ComparisonResult]] = {}
    for c in comparisons:
        by_candidate.setdefault(c.quantum_model, []).append(c)
    views, shifts = [], []
    for model, group in by_candidate.items():
        bounds = [abs(v) for c in group for m in c.metrics for v in (m.ci_low, m.ci_high, m.difference)]
        extent = max([b for b in bounds if fmt.is_number(b)] or [0.1]) * 1.05
        blocks = []
        for c in group:
            rows = []
            for m in c.metrics:
                sig = derive.significant(m)
                p_sig = fmt.is_number(m.p_value) and m.p_value < alpha
                row = ComparisonRow(
                    key=m.metric,
                    name=fmt.metric_name(report.info, m.metric),
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
                    shifts.append((model, c.baseline, row))
            record = derive.find_model(result, c.baseline)
            blocks.append(ComparisonBlock(c.baseline, derive.role_label(record), c.n_seeds, c.mcnemar, rows))
        views.append(CandidateComparison(model, blocks))
    return views, shifts


class ComparisonAssessment(Assessment[list[ComparisonResult]]):
    """Paired comparison of every quantum candidate with every baseline."""

    name = "comparisons"
    topic = spec.TOPIC
    section = spec.SECTION
    timing = "comparison"

    def run(self, ctx: AssessmentContext) -> list[ComparisonResult]:
        return compare_models(ctx)

    def findings(self, ctx: AssessmentContext, record: list[ComparisonResult]) -> list[Finding]:
        return comparison_findings(ctx, record)

    def report_section(self, value: list[ComparisonResult], report: ReportContext) -> ReportSection:
        views, shifts = comparison_views(report, value)
        html = report.render(TEMPLATES, "comparison.html.j2", comparisons=views, fairness_shifts=shifts)
        return ReportSection("comparison", "Quantum vs classical", "Quantum against classical", html)
