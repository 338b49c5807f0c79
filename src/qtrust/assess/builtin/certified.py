"""Certified fairness: is each variational candidate (ε, δ)-fair for every input state, with and without noise?

The finding reads K* noiseless and under the noisiest setting, and the widest gap between groups found
inside the encoding's reach; the report section and the model card tabulate K* per noise setting.
"""

from __future__ import annotations

from qtrust.assess.certified_fairness import certify_candidates
from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.config.schema import CertificationConfig
from qtrust.results.schema import CertifiedFairnessResult, Finding
from qtrust.results.sections import certified as spec

TEMPLATES = "qtrust.assess.builtin"


def certified_finding(result: CertifiedFairnessResult) -> Finding:
    noiseless = result.points[0]
    fair_from = [p for p in result.points[1:] if p.fair]
    if all(p.fair for p in result.points):
        severity, title = (
            "pass",
            f"{result.model} is certified ({result.epsilon:g}, {result.delta:g})-fair for every input state",
        )
    elif noiseless.fair:
        severity, title = (
            "warn",
            f"{result.model} is certified fair without noise but not under every noise setting",
        )
    else:
        severity = "info" if fair_from else "warn"
        title = (
            f"{result.model} is not certified ({result.epsilon:g}, {result.delta:g})-fair without noise "
            f"(K* = {noiseless.lipschitz:.2f})"
        )
    gap = result.bias_pair
    detail = (
        f"The Lipschitz constant K* bounds how far apart the decision probabilities of any two input states can be, "
        f"per unit of trace distance: {noiseless.lipschitz:.3f} without noise"
        + (
            f", down to {min(p.lipschitz for p in result.points):.3f} under the noisiest setting"
            if len(result.points) > 1
            else ""
        )
        + ". (ε, δ)-fairness holds iff δ ≥ K*·ε. K* covers every state the trainable section can receive "
        "(readout error included, noise on the encoding gates not); noise placed "
        + result.placement.replace("_", " ")
        + "."
        + (
            f" Fair from: {', '.join(p.device or f'{p.channel}@{p.level:g}' for p in fair_from[:4])}."
            if fair_from and not noiseless.fair
            else ""
        )
        + (
            f" Inside the encoding's reach, without noise, the widest gap found between groups is {gap.reachable_gap:.3f} "
            f"(P = {gap.p_high:.3f} for a {gap.group_high} input vs {gap.p_low:.3f} for a {gap.group_low} input)."
            if gap
            else ""
        )
    )
    return Finding(
        id=f"certified-fairness-{result.model}",
        severity=severity,
        topic="fairness",
        model=result.model,
        title=title,
        detail=detail,
        evidence={
            "K* noiseless": round(noiseless.lipschitz, 6),
            "epsilon": result.epsilon,
            "delta": result.delta,
            **({"reachable gap": round(gap.reachable_gap, 6)} if gap else {}),
        },
    )


class CertifiedFairnessAssessment(Assessment[list[CertifiedFairnessResult]]):
    """K* = λmax(M) − λmin(M) of every variational candidate under each noise setting (CAV 2022)."""

    name = "certified_fairness"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "certification"
    config_model = CertificationConfig

    def run(self, ctx: AssessmentContext) -> list[CertifiedFairnessResult]:
        return certify_candidates(ctx)

    def findings(self, ctx: AssessmentContext, record: list[CertifiedFairnessResult]) -> list[Finding]:
        return [certified_finding(result) for result in record]

    def report_section(
        self, value: list[CertifiedFairnessResult], report: ReportContext
    ) -> ReportSection | None:
        if not value:
            return None
        html = report.render(TEMPLATES, "certified_fairness.html.j2")
        return ReportSection("certified", "Certified", "Certified fairness for every input state", html)

    def card_section(self, value: list[CertifiedFairnessResult], card: CardContext) -> str:
        return card.render(TEMPLATES, "certified_fairness.md.j2")
