"""Fairness (and performance) of every model on its exact, noiseless predictions, over training seeds.

Each metric carries a 95% interval from a bootstrap that resamples the test rows and picks a training seed
at random per replicate, so the interval covers both the finite test set and the seed lottery.
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.metrics import FrameSummary
from qtrust.results.schema import Estimate, FairnessResult, GroupMetrics


def estimates(summary: FrameSummary) -> dict[str, Estimate]:
    return {key: Estimate.of(value) for key, value in summary.overall.items()}


def to_result(model: str, summary: FrameSummary, y_true=None, groups=None) -> FairnessResult:
    by_group = []
    for group in summary.groups:
        in_group = None if groups is None else np.asarray(groups) == group
        by_group.append(
            GroupMetrics(
                group=str(group),
                n_test=int(summary.group_sizes[group]),
                n_positive=None if in_group is None else int(np.sum(np.asarray(y_true)[in_group] == 1)),
                n_negative=None if in_group is None else int(np.sum(np.asarray(y_true)[in_group] == 0)),
                metrics={key: Estimate.of(per_group[group]) for key, per_group in summary.by_group.items()},
            )
        )
    return FairnessResult(model=model, n_draws=summary.n_draws, overall=estimates(summary), by_group=by_group)


def assess_fairness(ctx: AssessmentContext) -> tuple[list[FairnessResult], dict[str, FrameSummary]]:
    """One result per model, and the summaries (the noiseless reference of the noise sweep)."""
    ctx.progress.stage("fairness", len(ctx.models))
    results, summaries = [], {}
    for model in ctx.models:
        summary = ctx.summarise(ctx.clean[model.name], "fairness", model.name)
        summaries[model.name] = summary
        results.append(to_result(model.name, summary, ctx.data.y_test, ctx.data.groups_test))
        ctx.progress.advance()
    return results, summaries
