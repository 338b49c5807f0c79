"""Reproducibility across training seeds, and where the variance of each metric comes from.

Per model: every metric's value for each seed, their mean, sd and 95% t-interval. Per quantum model, at the
reference shot budget: the variance of the key metrics split into a seed part, a shot part and a data
(test-set sampling) part — the law of total variance over the nested design (see
:func:`qtrust.metrics.variance_decomposition`).
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.metrics import t_interval, variance_decomposition
from qtrust.results.schema import ReproducibilityResult, SeedSummary, VarianceSplit
from qtrust.seeding import derive_seed

VARIANCE_METRICS = ("accuracy", "auc", "demographic_parity_difference", "equalized_odds_difference")


FIXED_NOTE = (
    "one supplied fitted model stands for every training seed: the spread over seeds is not measured (it is "
    "not zero); supply one fit per seed or retrain=True to measure it"
)


def _seed_summaries(ctx: AssessmentContext, proba: np.ndarray, fixed: bool = False) -> list[SeedSummary]:
    out = []
    for key, values in ctx.frame(proba).overall.items():
        finite = values[np.isfinite(values)]
        if fixed:  # the same artefact for every seed: a spread of 0 would claim a stability never measured
            out.append(
                SeedSummary(
                    metric=key,
                    values=[float(v) for v in values],
                    mean=float(finite.mean()) if len(finite) else None,
                    sd=None,
                    ci_low=None,
                    ci_high=None,
                )
            )
            continue
        est = t_interval(finite, ctx.config.statistics.confidence) if len(finite) >= 2 else None
        out.append(
            SeedSummary(
                metric=key,
                values=[float(v) for v in values],
                mean=float(finite.mean()) if len(finite) else None,
                sd=float(finite.std(ddof=1)) if len(finite) >= 2 else None,
                ci_low=est.ci_low if est else None,
                ci_high=est.ci_high if est else None,
            )
        )
    return out


def assess_reproducibility(
    ctx: AssessmentContext, reference_draws: dict[str, np.ndarray]
) -> list[ReproducibilityResult]:
    ctx.progress.stage("reproducibility", len(ctx.models))
    shots = ctx.config.shots.reference
    results = []
    for model in ctx.models:
        variance = []
        draws = reference_draws.get(model.name)
        if draws is not None and not model.fixed:
            for metric in VARIANCE_METRICS:
                split = variance_decomposition(
                    ctx.data.y_test,
                    draws,
                    metric=metric,
                    sensitive_features=ctx.data.groups_test,
                    threshold=ctx.config.statistics.threshold,
                    n_boot=min(ctx.config.statistics.n_boot, 200),
                    random_state=derive_seed(ctx.config.seed, "variance", model.name, metric),
                )
                variance.append(
                    VarianceSplit(
                        metric=metric,
                        shots=shots,
                        mean=split.mean,
                        seed=split.seed,
                        shot=split.shot,
                        data=split.data,
                        total=split.total,
                        fraction_seed=split.fraction_seed,
                        fraction_shot=split.fraction_shot,
                        fraction_data=split.fraction_data,
                    )
                )
        results.append(
            ReproducibilityResult(
                model=model.name,
                seeds=list(ctx.seeds),
                metrics=_seed_summaries(ctx, ctx.clean[model.name], model.fixed),
                variance=variance,
                note=FIXED_NOTE if model.fixed else None,
            )
        )
        ctx.progress.advance()
    return results
