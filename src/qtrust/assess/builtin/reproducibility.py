"""Reproducibility: every metric over the training seeds, and the seed / shot / data split of its variance.

Findings judge the seed spread of each candidate's accuracy against ``verdicts.max_seed_sd``; the report
section draws every seed and the variance split; the model card gives the spread and the split.
"""

from __future__ import annotations

import math

from markupsafe import Markup

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.assess.findings import num, pct
from qtrust.assess.reproducibility import assess_reproducibility
from qtrust.config.schema import ReproducibilityConfig
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.results.schema import Finding, ReproducibilityResult
from qtrust.results.sections import reproducibility as spec

TEMPLATES = "qtrust.assess.builtin"


def seed_charts(report: ReportContext, results: list[ReproducibilityResult]) -> list[tuple[str, Markup]]:
    out = []
    for key in ("accuracy", "auc"):
        rows = []
        for r in results:
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
                    report.colors.get(r.model, charts.NEUTRAL),
                )
            )
        if rows:
            name = fmt.metric_name(report.info, key)
            out.append((key, Markup(charts.seed_strip_chart(f"{name} per training seed", rows))))
    return out


def variance_chart(report: ReportContext, results: list[ReproducibilityResult]) -> Markup | None:
    rows = [
        charts.VarianceRow(
            r.model,
            fmt.metric_name(report.info, v.metric),
            v.fraction_seed,
            v.fraction_shot,
            v.fraction_data,
            v.total,
        )
        for r in results
        for v in r.variance
    ]
    return Markup(charts.variance_chart("Where the variance comes from", rows)) if rows else None


class ReproducibilityAssessment(Assessment[list[ReproducibilityResult]]):
    """Every metric over the training seeds, with the variance split at the reference shot budget."""

    name = "reproducibility"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "reproducibility"
    config_model = ReproducibilityConfig

    def run(self, ctx: AssessmentContext) -> list[ReproducibilityResult]:
        return assess_reproducibility(ctx, ctx.reference_draws)

    def findings(self, ctx: AssessmentContext, record: list[ReproducibilityResult]) -> list[Finding]:
        v = ctx.config.verdicts
        candidates = {m.name for m in ctx.candidates}
        out = []
        for result in record:
            if result.model not in candidates:
                continue
            acc = next(m for m in result.metrics if m.metric == "accuracy")
            if result.note:
                out.append(
                    Finding(
                        id=f"{result.model}.reproducibility",
                        severity="info",
                        topic="reproducibility",
                        model=result.model,
                        title="Stability across training seeds not measured (one supplied fitted model)",
                        detail=f"Accuracy {num(acc.mean)}; {result.note}.",
                        evidence={"note": result.note},
                    )
                )
                continue
            split = next((s for s in result.variance if s.metric == "accuracy"), None)
            shares = (
                (
                    f" Of the accuracy variance at {split.shots:,} shots, {pct(split.fraction_seed)} comes from "
                    f"the training seed, {pct(split.fraction_shot)} from shot noise and {pct(split.fraction_data)} "
                    "from the finite test set."
                )
                if split
                else ""
            )
            severity = "warn" if (acc.sd or 0.0) > v.max_seed_sd else "pass"
            out.append(
                Finding(
                    id=f"{result.model}.reproducibility",
                    severity=severity,
                    topic="reproducibility",
                    model=result.model,
                    title=(
                        f"Accuracy varies with the training seed (sd {num(acc.sd)})"
                        if severity == "warn"
                        else f"Training is reproducible across seeds (sd {num(acc.sd)})"
                    ),
                    detail=(
                        f"Over {len(result.seeds)} training seeds accuracy is {num(acc.mean)} ± {num(acc.sd)} "
                        f"(95% CI {num(acc.ci_low)}–{num(acc.ci_high)}); limit {v.max_seed_sd:g}." + shares
                    ),
                    evidence={"sd": acc.sd, "values": acc.values},
                )
            )
        return out

    def report_section(self, value: list[ReproducibilityResult], report: ReportContext) -> ReportSection:
        html = report.render(
            TEMPLATES,
            "reproducibility.html.j2",
            seed_charts=seed_charts(report, value),
            variance_chart=variance_chart(report, value),
        )
        return ReportSection("reproducibility", "Reproducibility", "Reproducibility", html)

    def card_section(self, value: list[ReproducibilityResult], card: CardContext) -> str:
        repro = next((r for r in value if r.model == card.model.name), None)
        return card.render(
            TEMPLATES,
            "reproducibility.md.j2",
            repro=repro,
            seed_summary={s.metric: s for s in repro.metrics} if repro else {},
            variance=repro.variance if repro else [],
            sqrt=lambda x: math.sqrt(x) if fmt.is_number(x) and x >= 0 else None,
        )
