"""Robustness: can a small change of the input flip the decision?

The finding per certified candidate gives its robust accuracy at the largest ε and whether every
adversarial state found was verified; the report section tabulates certified and empirical robustness;
the model card gives the certified robust accuracy.
"""

from __future__ import annotations

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.assess.robustness_audit import run_robustness
from qtrust.config.schema import RobustnessConfig
from qtrust.results.schema import Finding
from qtrust.results.sections import robustness as spec
from qtrust.results.sections.robustness import CertifiedRobustnessRecord, RobustnessResult

TEMPLATES = "qtrust.assess.builtin"


def certified_finding(doc: CertifiedRobustnessRecord) -> Finding:
    worst = doc.epsilons[-1]
    return Finding(
        id=f"certified-robustness-{doc.model}",
        severity="info" if worst.n_unverified == 0 else "warn",
        topic="robustness",
        model=doc.model,
        title=(
            f"{doc.model}: {worst.robust_accuracy:.1%} of test inputs are correct and certified robust "
            f"at ε = {worst.epsilon:g} (clean accuracy {doc.clean_accuracy:.1%})"
        ),
        detail=(
            "Certified robustness (Guan, Fang & Ying, CAV 2021): an input is ε-robust when no state "
            f"within infidelity ε of it changes the decision. The bound certified "
            f"{worst.bound_certified_fraction:.1%} of inputs; the exact check of the rest found "
            f"{worst.n_adversarial} adversarial states, every one re-verified."
        ),
        evidence={"epsilon": worst.epsilon, "robust accuracy": round(worst.robust_accuracy, 4)},
    )


class RobustnessAssessment(Assessment[RobustnessResult | None]):
    """Certified robustness of quantum candidates (CAV 2021) and empirical robustness of every model."""

    name = "robustness"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "robustness"
    config_model = RobustnessConfig

    def run(self, ctx: AssessmentContext) -> RobustnessResult | None:
        return run_robustness(ctx)

    def findings(self, ctx: AssessmentContext, record: RobustnessResult | None) -> list[Finding]:
        return [] if record is None else [certified_finding(doc) for doc in record.certified]

    def report_section(self, value: RobustnessResult | None, report: ReportContext) -> ReportSection | None:
        if value is None:
            return None
        html = report.render(TEMPLATES, "robustness.html.j2")
        return ReportSection("robustness", "Robustness", "Robustness of the decisions", html)

    def card_section(self, value: RobustnessResult | None, card: CardContext) -> str:
        rc = None if value is None else next((c for c in value.certified if c.model == card.model.name), None)
        return card.render(TEMPLATES, "robustness.md.j2", rc=rc)
