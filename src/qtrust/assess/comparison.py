"""Quantum against classical: paired differences on identical test rows and training seeds.

For every quantum candidate and every baseline (and the no-entanglement control): the difference of each
metric (quantum − classical) with a paired bootstrap interval, a paired permutation p-value, and McNemar's
exact test for accuracy. A significant difference in a fairness metric means the quantum feature map shifts
whom the model is fair to.
"""

from __future__ import annotations

from qtrust.assess.context import AssessmentContext
from qtrust.metrics import DEFAULT_PAIRED_METRICS, paired_comparison
from qtrust.results.schema import ComparisonResult, McNemar, PairedMetric
from qtrust.seeding import derive_seed


def compare_models(ctx: AssessmentContext) -> list[ComparisonResult]:
    pairs = [(q, b) for q in ctx.candidates for b in ctx.references]
    ctx.progress.stage("quantum vs classical", len(pairs))
    stats = ctx.config.statistics
    results = []
    for quantum, baseline in pairs:
        comparison = paired_comparison(
            ctx.data.y_test,
            ctx.data.groups_test,
            ctx.clean[quantum.name],
            ctx.clean[baseline.name],
            metrics=DEFAULT_PAIRED_METRICS,
            threshold=stats.threshold,
            n_boot=stats.n_boot,
            n_permutations=stats.n_permutations,
            random_state=derive_seed(ctx.config.seed, "paired", quantum.name, baseline.name),
            confidence=stats.confidence,
        )
        metrics = [
            PairedMetric(
                metric=key,
                quantum=d.value_a,
                classical=d.value_b,
                difference=d.difference,
                ci_low=d.ci_low,
                ci_high=d.ci_high,
                p_value=d.p_value,
                favours={"a": "quantum", "b": "classical"}.get(d.favours or ""),
            )
            for key, d in comparison.differences.items()
        ]
        m = comparison.mcnemar
        results.append(
            ComparisonResult(
                quantum_model=quantum.name,
                baseline=baseline.name,
                n_seeds=comparison.n_seeds,
                metrics=metrics,
                mcnemar=McNemar(
                    quantum_only_correct=m.n_a_only, classical_only_correct=m.n_b_only, p_value=m.p_value
                ),
            )
        )
        ctx.progress.advance()
    return results
