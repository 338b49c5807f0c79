"""Time the full privacy assessment on the default German Credit audit against its 3-minute budget.

What runs is what the audit would add: for every default model (quantum models, classical baselines and
the no-entanglement control, the first training seed's fits), the loss-threshold, shadow-model and offline
LiRA attacks with ``--references`` reference models per model, at exact outputs, at each shot budget of
the default config and under every noise setting of the default noise sweep (each channel at each non-zero
level), plus attribute inference. The target fits are *not* counted: the audit trains them anyway (their
time is printed for context). Members are the audit's 700 training rows, non-members its 300 test rows,
so only the TPR at 1% FPR is measurable (0.1% needs ≥ 1000 non-members).

Usage: python bench/bench_privacy.py [--references 8] [--reference-noise matched|noiseless] [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import _common
from qtrust.assess.privacy import (
    MembershipDesign,
    assess_privacy,
    audit_noise_models,
    measurable_fprs,
    targets_from_audit,
)
from qtrust.assess.progress import NullProgress
from qtrust.audit.data_prep import prepare
from qtrust.audit.training import fit_all
from qtrust.config.schema import AuditConfig

TARGET_SECONDS = 180.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--references", type=int, default=8, help="reference (shadow / LiRA OUT) models")
    parser.add_argument("--reference-noise", choices=("matched", "noiseless"), default="matched")
    parser.add_argument(
        "--quick", action="store_true", help="the `--quick` audit config (fewer noise settings)"
    )
    args = parser.parse_args()
    _common.print_environment("privacy assessment on the default German Credit audit", ("scikit-learn",))

    config = AuditConfig()
    if args.quick:
        config = config.quick()
    with _common.limit_threads():
        start = time.perf_counter()
        data = prepare(config)
        seed = config.reproducibility.seeds[0]
        models = fit_all(config, data.X_train, data.y_train, [seed], NullProgress())
        setup = time.perf_counter() - start
        design = MembershipDesign.from_prepared(data)
        targets = targets_from_audit(config, models, seed)
        noises = audit_noise_models(config)
        fprs = measurable_fprs(design.split.n_nonmembers)
        start = time.perf_counter()
        report = assess_privacy(
            targets,
            design,
            seed=config.seed,
            noises=noises,
            shots=config.shots.budgets,
            n_references=args.references,
            reference_noise=args.reference_noise,
            fprs=fprs,
            confidence=config.statistics.confidence,
            n_boot=config.statistics.n_boot,
        )
        total = time.perf_counter() - start

    print(
        f"design: {design.split.n_members} members / {design.split.n_nonmembers} non-members; "
        f"{len(targets)} models; {args.references} reference models each; "
        f"{len(noises)} noise settings × shots {list(config.shots.budgets)} (quantum models only); "
        f"FPRs {list(fprs)}; n_boot {config.statistics.n_boot}; reference noise {args.reference_noise}"
    )
    print(f"not counted (the audit does it anyway): data + target fits {setup:.1f} s")
    print()
    parts: dict[str, float] = defaultdict(float)
    for m in report.models:
        for part, seconds in m.timings.items():
            parts[part] += seconds
        line = ", ".join(f"{k} {v:.1f}" for k, v in sorted(m.timings.items(), key=lambda kv: -kv[1]))
        print(f"{m.model:16s} {sum(m.timings.values()):6.1f} s  ({line})")
    print()
    print(
        "by part (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    )
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(f"total {total:.1f} s — target: adds < {TARGET_SECONDS:.0f} s to the default audit: {verdict}")
    print()

    print(
        "membership AUC [95% CI] (TPR at 1% FPR) at exact noiseless outputs and by shot budget; under noise: "
        "the AUC range over all settings and the largest AUC drop vs exact [paired 95% CI]"
    )
    for m in report.models:
        for attack in report.attacks:
            cells = []
            for s in m.settings:
                if s.noise != "noiseless":
                    continue
                a = s.attacks[attack].metrics
                name = "exact" if s.shots is None else f"{s.shots} shots"
                tpr = f" ({a.tpr_at_fpr[fprs[0]].value:.3f})" if fprs else ""
                drop = s.attacks[attack].auc_drop
                change = f", drop {drop.value:+.3f} [{drop.ci_low:+.3f}, {drop.ci_high:+.3f}]" if drop else ""
                cells.append(
                    f"{name} {a.auc.value:.3f} [{a.auc.ci_low:.3f}, {a.auc.ci_high:.3f}]{tpr}{change}"
                )
            noisy = [s for s in m.settings if s.noise != "noiseless"]
            if noisy:
                aucs = [s.attacks[attack].metrics.auc.value for s in noisy]
                most = max(noisy, key=lambda s: s.attacks[attack].auc_drop.value)
                drop = most.attacks[attack].auc_drop
                cells.append(
                    f"noise {min(aucs):.3f}–{max(aucs):.3f}, largest drop {drop.value:+.3f} "
                    f"[{drop.ci_low:+.3f}, {drop.ci_high:+.3f}] at {most.noise}"
                )
            print(f"  {m.model:16s} {attack:6s} " + "; ".join(cells))
    print()
    print("attribute inference (sensitive attribute from P(favourable)): AUC vs 0.5; accuracy vs majority")
    for m in report.models:
        a = m.attribute
        if a is not None:
            print(
                f"  {m.model:16s} AUC {a.auc.value:.3f} [{a.auc.ci_low:.3f}, {a.auc.ci_high:.3f}]; "
                f"accuracy {a.accuracy.value:.3f} vs majority {a.majority_accuracy:.3f}"
            )


if __name__ == "__main__":
    main()
