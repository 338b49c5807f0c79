"""The privacy red-team inside an audit: attacks on every model, on the audit's own train / test split.

Members are the training rows, non-members the test rows, identical for every model; reference models are
built by the same factories as the audited ones (see :mod:`qtrust.assess.privacy`). The result is the typed
:class:`~qtrust.results.sections.privacy.PrivacyResult`; its findings and report section are in
:mod:`qtrust.assess.builtin.privacy`.
"""

from __future__ import annotations

from typing import Any

from qtrust.assess.context import AssessmentContext
from qtrust.assess.privacy import (
    DEFAULT_FPRS,
    MembershipDesign,
    PrivacyReport,
    assess_privacy,
    audit_noise_models,
    check_fprs,
    measurable_fprs,
    targets_from_audit,
)
from qtrust.assess.subsample import smallest_training_cap, training_sample
from qtrust.results.sections.privacy import PrivacyResult
from qtrust.seeding import derive_seed


def privacy_fprs(config: Any, n_nonmembers: int) -> tuple[float, ...]:
    """The FPRs to report: the configured ones (all must be measurable), else the standard ones that are."""
    if config.privacy.fprs is not None:
        return check_fprs(config.privacy.fprs, n_nonmembers)
    return measurable_fprs(n_nonmembers, DEFAULT_FPRS)


def audit_design(config: Any, data: Any) -> MembershipDesign:
    """The audit's membership design: its train / test split, sampled to ``privacy.max_rows`` rows.

    When a kernel machine fits on a capped sample of the training rows, members are drawn from the rows
    every model saw (the smallest cap's sample), so a member is a member of every target.
    """
    seed = derive_seed(config.seed, "privacy", "sample")
    cap = smallest_training_cap([*config.models, *config.baselines])
    seen = training_sample(data.y_train, data.groups_train, cap, config.seed)
    return MembershipDesign.from_prepared(data, config.privacy.max_rows, seed, members_within=seen)


def check_privacy_config(config: Any, data: Any) -> None:
    """Fail before any training when the FPRs asked for need more non-members than the (sampled) split has."""
    if config.privacy.enabled:
        privacy_fprs(config, audit_design(config, data).split.n_nonmembers)


def privacy_record(report: PrivacyReport) -> PrivacyResult:
    """The report as the audit records it: typed, without wall-clock timings (they vary run to run; the
    audit keeps its own, ``result.timings["privacy"]``), the ROC of each exact attack as its own field."""
    doc = report.to_dict()
    doc.pop("seconds", None)
    for model in doc["models"]:
        model.pop("timings", None)
        model["references"].pop("train_seconds", None)
        for setting in model["settings"]:
            for attack in setting["attacks"].values():
                attack["roc"] = attack["details"].pop("roc", None)
    return PrivacyResult.model_validate(doc)


def run_privacy(ctx: AssessmentContext) -> PrivacyResult | None:
    """Every attack on every model, as ``config.privacy`` asks; ``None`` when the red-team is off."""
    cfg, config = ctx.config.privacy, ctx.config
    if not cfg.enabled:
        return None
    design = audit_design(config, ctx.data)
    report = assess_privacy(
        targets_from_audit(config, ctx.models, ctx.seeds[0]),
        design,
        seed=derive_seed(config.seed, "privacy"),
        noises=audit_noise_models(config) if cfg.noise else (),
        shots=config.shots.budgets if cfg.shots else (),
        attacks=cfg.attacks,
        n_references=cfg.n_references,
        reference_noise=cfg.reference_noise,
        fprs=privacy_fprs(config, design.split.n_nonmembers),
        confidence=config.statistics.confidence,
        n_boot=config.statistics.n_boot,
        attribute_rows="all" if cfg.attribute_inference else None,
        mapper=ctx.mapper,
    )
    return privacy_record(report)
