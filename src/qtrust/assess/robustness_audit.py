"""Robustness inside an audit: certified (every quantum candidate) and empirical (every model).

Certified: Guan, Fang & Ying's robust bound and exact check (``qtrust.assess.robustness``) for each test
input of the first training seed's variational candidates, at the configured ε. Empirical: accuracy and the
equalised-odds gap under Gaussian noise and under a worst-case search inside an L∞ ball in the angle space,
for every model on the same test rows and seeds. Adversarial states are counted and verified, not stored:
they are as large as the register.
"""

from __future__ import annotations

from typing import Any

from qtrust.assess.robustness import perturbation_robustness, probabilities_fn, robust_accuracy
from qtrust.results.schema import Finding
from qtrust.seeding import derive_seed


def assess_audit_robustness(ctx: Any) -> tuple[dict[str, Any] | None, list[Finding]]:
    cfg = ctx.config.robustness
    if not cfg.enabled:
        return None, []
    data, seed0 = ctx.data, ctx.seeds[0]
    certified, empirical, findings = {}, {}, []
    for model in ctx.models:
        fit = model.fits[seed0]
        if model.role == "candidate" and hasattr(fit, "weights_") and fit.circuit_.is_encode_first:
            result = robust_accuracy(fit, data.X_test, data.y_test, epsilons=cfg.epsilons)
            doc = result.to_dict()
            for point in doc["epsilons"]:
                point.pop("adversarial", None)  # counted (n_adversarial, n_unverified), not stored
            certified[model.name] = doc
            worst = result.points[-1]
            findings.append(
                Finding(
                    id=f"certified-robustness-{model.name}",
                    severity="info" if worst.n_unverified == 0 else "warn",
                    topic="noise",
                    model=model.name,
                    title=(
                        f"{model.name}: {worst.robust_accuracy:.1%} of test inputs are correct and certified robust "
                        f"at ε = {worst.epsilon:g} (clean accuracy {result.clean_accuracy:.1%})"
                    ),
                    detail=(
                        "Certified robustness (Guan, Fang & Ying, CAV 2021): an input is ε-robust when no state "
                        f"within infidelity ε of it changes the decision. The bound certified "
                        f"{worst.bound_certified_fraction:.1%} of inputs; the exact check of the rest found "
                        f"{len(worst.adversarial)} adversarial states, every one re-verified."
                    ),
                    evidence={"epsilon": worst.epsilon, "robust accuracy": round(worst.robust_accuracy, 4)},
                )
            )
        fn = probabilities_fn(fit, None)
        empirical[model.name] = perturbation_robustness(
            fn,
            data.X_test,
            data.y_test,
            data.groups_test,
            sigma_list=cfg.gaussian_sigmas,
            linf_eps_list=cfg.linf_epsilons,
            rng=derive_seed(ctx.config.seed, "robustness", model.name),
            threshold=ctx.config.statistics.threshold,
            n_draws=cfg.n_draws,
            attack_steps=cfg.attack_steps,
            bounds=tuple(ctx.config.encoding.angle_range),
        ).to_dict()
    return {"certified": certified, "empirical": empirical}, findings
