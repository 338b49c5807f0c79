"""Shot noise: how often a finite shot budget flips a decision, and the smallest budget that keeps it rare.

Findings give the recommended budget per candidate (or say that none tested suffices); the report section
draws the flip rate per budget against the limit; the model card gives the shot budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.assess.findings import pct
from qtrust.assess.shots import assess_shots
from qtrust.config.schema import ShotsConfig
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.results.schema import Estimate, Finding, ShotsResult
from qtrust.results.sections import shots as spec

TEMPLATES = "qtrust.assess.builtin"


@dataclass
class ShotsView:
    model: str
    chart: Markup
    points: list[Any]
    exact: dict[str, Estimate]
    advice: derive.ShotAdvice
    repeats: int


def shot_views(report: ReportContext, results: list[ShotsResult]) -> list[ShotsView]:
    limit = derive.threshold(report.result, "max_flip_rate")
    views = []
    for s in results:
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
            color=report.colors.get(s.model, charts.NEUTRAL),
        )
        advice = derive.shot_advice(report.result, s)
        views.append(ShotsView(s.model, Markup(chart), points, s.exact, advice, s.repeats))
    return views


class ShotsAssessment(Assessment[list[ShotsResult]]):
    """Decision flips and metric spread under each shot budget, for every quantum model."""

    name = "shots"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "shots"
    config_model = ShotsConfig

    def run(self, ctx: AssessmentContext) -> list[ShotsResult]:
        results, ctx.reference_draws = assess_shots(ctx)
        return results

    def findings(self, ctx: AssessmentContext, record: list[ShotsResult]) -> list[Finding]:
        out = []
        candidates = {m.name for m in ctx.candidates}
        for result in record:
            if result.model not in candidates:
                continue
            points = sorted(result.points, key=lambda p: p.shots)
            rates = ", ".join(f"{p.shots:,} shots: {pct(p.flip_rate.value)}" for p in points)
            evidence = {
                "flip_rates": {p.shots: p.flip_rate.value for p in points},
                "minimum_shots": result.minimum_shots,
                "extrapolated_shots": result.extrapolated_shots,
            }
            if result.minimum_shots is None:
                more = (
                    f" Extrapolating the 1/√shots trend, about {result.extrapolated_shots:,} shots would be "
                    "needed (verify before relying on it)."
                    if result.extrapolated_shots
                    else ""
                )
                out.append(
                    Finding(
                        id=f"{result.model}.shots",
                        severity="warn",
                        topic="shots",
                        model=result.model,
                        title="Shot noise flips decisions at every tested budget",
                        detail=(
                            f"Share of decisions that differ from the exact-probability decision — {rates}. None "
                            f"keeps its upper bound below {pct(result.flip_limit)}; people near the threshold get "
                            "a decision that depends on measurement luck." + more
                        ),
                        evidence=evidence,
                    )
                )
            else:
                out.append(
                    Finding(
                        id=f"{result.model}.shots",
                        severity="pass",
                        topic="shots",
                        model=result.model,
                        title=f"At least {result.minimum_shots:,} shots keep decisions stable",
                        detail=(
                            f"Share of decisions flipped by shot noise — {rates}. From {result.minimum_shots:,} "
                            f"shots the upper bound stays below {pct(result.flip_limit)}."
                        ),
                        evidence=evidence,
                    )
                )
        return out

    def report_section(self, value: list[ShotsResult], report: ReportContext) -> ReportSection:
        html = report.render(TEMPLATES, "shots.html.j2", shot_views=shot_views(report, value))
        return ReportSection("shots", "Shot noise", "Shot noise", html)

    def card_section(self, value: list[ShotsResult], card: CardContext) -> str:
        shots = next((s for s in value if s.model == card.model.name), None)
        return card.render(
            TEMPLATES,
            "shots.md.j2",
            shots=shots,
            shot_points=sorted(shots.points, key=lambda p: p.shots) if shots else [],
            advice=derive.shot_advice(card.result, shots) if shots else None,
            estimate=fmt.estimate,
        )
