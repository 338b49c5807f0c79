"""Robustness inside an audit: certified (every quantum candidate) and empirical (every model).

On large data both work on a seeded sample of at most ``robustness.max_rows`` test rows, stratified by label ×
group, and the result says how many of how many. Certified: Guan, Fang & Ying's robust bound and exact check (``qtrust.assess.robustness``) for each test
input of the first training seed's variational candidates, at the configured ε. Empirical: accuracy and the
equalised-odds gap under Gaussian noise and under a worst-case search inside an L∞ ball in the angle space,
for every model on the same test rows and seeds. Adversarial states are counted and verified, not stored:
they are as large as the register. The result is the typed
:class:`~qtrust.results.sections.robustness.RobustnessResult`; its findings and report section are in
:mod:`qtrust.assess.builtin.robustness`.
"""

from __future__ import annotations

from qtrust.assess.context import AssessmentContext
from qtrust.assess.robustness import perturbation_robustness, probabilities_fn, robust_accuracy
from qtrust.assess.subsample import stratified_sample
from qtrust.results.sections.robustness import (
    CertifiedRobustnessRecord,
    EmpiricalRobustnessRecord,
    RobustnessResult,
)
from qtrust.seeding import derive_seed


def run_robustness(ctx: AssessmentContext) -> RobustnessResult | None:
    """Certified and empirical robustness as ``config.robustness`` asks; ``None`` when it is off."""
    cfg = ctx.config.robustness
    if not cfg.enabled:
        return None
    data, seed0 = ctx.data, ctx.seeds[0]
    rows = stratified_sample(data.y_test, data.groups_test, cfg.max_rows or len(data.y_test),
                             ctx.config.seed, "robustness")  # fmt: skip
    X, y, groups = data.X_test[rows], data.y_test[rows], data.groups_test[rows]
    certified, empirical = [], []
    for model in ctx.models:
        fit = model.fits[seed0]
        if model.role == "candidate" and hasattr(fit, "weights_") and fit.circuit_.is_encode_first:
            doc = robust_accuracy(fit, X, y, epsilons=cfg.epsilons).to_dict()
            doc.pop("seeds", None)  # deterministic: no random draws
            for point in doc["epsilons"]:
                point.pop("adversarial", None)  # counted (n_adversarial, n_unverified), not stored
            certified.append(CertifiedRobustnessRecord.model_validate({"model": model.name, **doc}))
        fn = probabilities_fn(fit, None)
        doc = perturbation_robustness(
            fn,
            X,
            y,
            groups,
            sigma_list=cfg.gaussian_sigmas,
            linf_eps_list=cfg.linf_epsilons,
            rng=derive_seed(ctx.config.seed, "robustness", model.name),
            threshold=ctx.config.statistics.threshold,
            n_draws=cfg.n_draws,
            attack_steps=cfg.attack_steps,
            bounds=tuple(ctx.config.encoding.angle_range),
        ).to_dict()
        empirical.append(EmpiricalRobustnessRecord.model_validate({"model": model.name, **doc}))
    sampled = len(rows) < len(data.y_test)
    return RobustnessResult(
        certified=certified,
        empirical=empirical,
        rows=len(rows) if sampled else None,
        rows_available=len(data.y_test) if sampled else None,
    )
