"""The privacy red-team inside an audit: attacks on every model, on the audit's own train / test split.

Members are the training rows, non-members the test rows, identical for every model; reference models are
built by the same factories as the audited ones (see :mod:`qtrust.assess.privacy`). The verdict per model
reads the most informative attack (the highest exact, noiseless AUC) against ``verdicts.max_membership_auc``
with its 95% interval, and a quantum model gets a note on how much its shot budgets lowered that attack.
"""

from __future__ import annotations

from typing import Any

from qtrust.assess.privacy import (
    DEFAULT_FPRS,
    MembershipDesign,
    assess_privacy,
    audit_noise_models,
    check_fprs,
    measurable_fprs,
    targets_from_audit,
)
from qtrust.results.schema import Finding
from qtrust.seeding import derive_seed


def privacy_fprs(config: Any, n_nonmembers: int) -> tuple[float, ...]:
    """The FPRs to report: the configured ones (all must be measurable), else the standard ones that are."""
    if config.privacy.fprs is not None:
        return check_fprs(config.privacy.fprs, n_nonmembers)
    return measurable_fprs(n_nonmembers, DEFAULT_FPRS)


def check_privacy_config(config: Any, n_nonmembers: int) -> None:
    """Fail before any training when the FPRs asked for need more non-members than the split has."""
    if config.privacy.enabled:
        privacy_fprs(config, n_nonmembers)


def _best_exact(model: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    exact = next((s for s in model["settings"] if s["shots"] is None and s["noise"] == "noiseless"), None)
    if exact is None or not exact["attacks"]:
        return None
    name, attack = max(exact["attacks"].items(), key=lambda kv: kv[1]["auc"]["value"] or 0.0)
    return name, attack


def assess_audit_privacy(ctx: Any) -> tuple[dict[str, Any] | None, list[Finding]]:
    cfg, config = ctx.config.privacy, ctx.config
    if not cfg.enabled:
        return None, []
    report = assess_privacy(
        targets_from_audit(config, ctx.models, ctx.seeds[0]),
        MembershipDesign.from_prepared(ctx.data),
        seed=derive_seed(config.seed, "privacy"),
        noises=audit_noise_models(config) if cfg.noise else (),
        shots=config.shots.budgets if cfg.shots else (),
        attacks=cfg.attacks,
        n_references=cfg.n_references,
        reference_noise=cfg.reference_noise,
        fprs=privacy_fprs(config, len(ctx.data.test_idx)),
        confidence=config.statistics.confidence,
        n_boot=config.statistics.n_boot,
        attribute_rows="all" if cfg.attribute_inference else None,
    )
    doc = report.to_dict()
    # wall-clock timings vary run to run; the audit keeps its own (result.timings["privacy"])
    doc.pop("timings", None)
    doc.pop("seconds", None)
    for model in doc["models"]:
        model.pop("timings", None)
        model.get("references", {}).pop("train_seconds", None)
    limit = config.verdicts.max_membership_auc
    findings = []
    for model in doc["models"]:
        best = _best_exact(model)
        if best is None:
            continue
        name, attack = best
        auc = attack["auc"]
        low, high = auc["ci_low"], auc["ci_high"]
        if low is not None and low > limit:
            severity = "fail"
        elif high is not None and high > limit:
            severity = "warn"
        else:
            severity = "pass"
        detail = (
            f"The strongest membership-inference attack ({name}) separates training rows from test rows with "
            f"AUC {auc['value']:.3f} (95% CI {low:.3f}–{high:.3f}); 0.5 is chance, the limit is {limit:.2f}."
        )
        drops = [
            (s["shots"], s["attacks"][name]["auc_drop"])
            for s in model["settings"]
            if s["shots"] is not None
            and s["noise"] == "noiseless"
            and s["attacks"].get(name, {}).get("auc_drop")
        ]
        if drops:
            detail += (
                " Shot noise lowers it by "
                + ", ".join(f"{d['value']:+.3f} at {shots:,} shots" for shots, d in sorted(drops))
                + "."
            )
        attribute = model.get("attribute_inference")
        if attribute:
            detail += (
                f" The sensitive attribute is recovered from the outputs with AUC {attribute['auc']['value']:.3f} "
                f"(chance {attribute['chance_auc']:.2f})."
            )
        findings.append(
            Finding(
                id=f"privacy-{model['model']}",
                severity=severity,
                topic="privacy",
                model=model["model"],
                title=f"{model['model']}: membership inference AUC {auc['value']:.3f} ({name})",
                detail=detail,
                evidence={"attack": name, "auc": auc["value"], "ci": [low, high], "limit": limit},
            )
        )
    return doc, findings
