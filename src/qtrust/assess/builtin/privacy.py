"""Privacy: does a model give away who was in its training data, or their group?

The finding per model reads the most informative attack (the highest exact, noiseless AUC) against
``verdicts.max_membership_auc`` with its 95% interval, says how much each shot budget lowered (or raised)
that attack, and how well the sensitive attribute is recovered. The report section tabulates every attack
with the exact ROC curves; the model card gives the exact AUCs.
"""

from __future__ import annotations

from markupsafe import Markup

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.assess.findings import lowers_by
from qtrust.assess.prepared import PreparedData
from qtrust.assess.privacy_audit import check_privacy_config, run_privacy
from qtrust.config.schema import AuditConfig, PrivacyConfig
from qtrust.report import charts
from qtrust.results.schema import Finding
from qtrust.results.sections import privacy as spec
from qtrust.results.sections.privacy import MembershipAttack, ModelPrivacyRecord, PrivacyResult

TEMPLATES = "qtrust.assess.builtin"


def strongest_exact(model: ModelPrivacyRecord) -> tuple[str, MembershipAttack] | None:
    """The attack with the highest AUC on exact noiseless outputs."""
    exact = model.exact()
    if exact is None or not exact.attacks:
        return None
    return max(exact.attacks.items(), key=lambda kv: kv[1].auc.value or 0.0)


def shot_effect(model: ModelPrivacyRecord, attack: str) -> str:
    """How each noiseless shot budget moved the attack's AUC, as a sentence (empty when none was tested)."""
    drops = [
        (s.shots, s.attacks[attack].auc_drop)
        for s in model.settings
        if s.shots is not None and s.noise == "noiseless" and attack in s.attacks
    ]
    said = [
        f"{lowers_by(d.value)} at {shots:,} shots" for shots, d in sorted(drops) if d and d.value is not None
    ]
    return f" Shot noise {', '.join(said)}." if said else ""


def privacy_finding(model: ModelPrivacyRecord, limit: float) -> Finding | None:
    best = strongest_exact(model)
    if best is None:
        return None
    name, attack = best
    auc = attack.auc
    low, high = auc.ci_low, auc.ci_high
    if low is not None and low > limit:
        severity = "fail"
    elif high is not None and high > limit:
        severity = "warn"
    else:
        severity = "pass"
    detail = (
        f"The strongest membership-inference attack ({name}) separates training rows from test rows with "
        f"AUC {auc.value:.3f} (95% CI {low:.3f}–{high:.3f}); 0.5 is chance, the limit is {limit:.2f}."
    ) + shot_effect(model, name)
    attribute = model.attribute_inference
    if attribute is not None:
        detail += (
            f" The sensitive attribute is recovered from the outputs with AUC {attribute.auc.value:.3f} "
            f"(chance {attribute.chance_auc:.2f})."
        )
    return Finding(
        id=f"privacy-{model.model}",
        severity=severity,
        topic="privacy",
        model=model.model,
        title=f"{model.model}: membership inference AUC {auc.value:.3f} ({name})",
        detail=detail,
        evidence={"attack": name, "auc": auc.value, "ci": [low, high], "limit": limit},
    )


def roc_charts(privacy: PrivacyResult) -> dict[str, Markup]:
    """One ROC chart per model from the exact setting of the red-team."""
    out: dict[str, Markup] = {}
    for model in privacy.models:
        exact = model.exact()
        if exact is None:
            continue
        curves = {a: {"fpr": x.roc.fpr, "tpr": x.roc.tpr} for a, x in exact.attacks.items() if x.roc}
        if curves:
            aucs = {a: x.auc.value for a, x in exact.attacks.items()}
            out[model.model] = Markup(charts.roc_chart(model.model, curves, aucs))  # type: ignore[arg-type]
    return out


class PrivacyAssessment(Assessment[PrivacyResult | None]):
    """Membership inference (loss, shadow models, LiRA) and attribute inference against every model."""

    name = "privacy"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "privacy"
    config_model = PrivacyConfig

    def check(self, config: AuditConfig, data: PreparedData) -> None:
        check_privacy_config(config, data)

    def run(self, ctx: AssessmentContext) -> PrivacyResult | None:
        return run_privacy(ctx)

    def findings(self, ctx: AssessmentContext, record: PrivacyResult | None) -> list[Finding]:
        if record is None:
            return []
        limit = ctx.config.verdicts.max_membership_auc
        return [f for m in record.models if (f := privacy_finding(m, limit)) is not None]

    def report_section(self, value: PrivacyResult | None, report: ReportContext) -> ReportSection | None:
        if value is None:
            return None
        html = report.render(TEMPLATES, "privacy.html.j2", roc_charts=roc_charts(value))
        return ReportSection("privacy", "Privacy", "Privacy: membership and attribute inference", html)

    def card_section(self, value: PrivacyResult | None, card: CardContext) -> str:
        return card.render(TEMPLATES, "privacy.md.j2")
