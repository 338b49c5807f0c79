"""Noise sweep: the trained quantum models deployed under each noise channel at each strength.

The same fitted weights (one set per training seed) are scored exactly under every setting, so a change is
the noise's doing, not retraining's. Each setting reports every metric with its interval and its change
against the noiseless reference.
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.fairness import estimates
from qtrust.config.schema import VerdictConfig
from qtrust.metrics import FrameSummary
from qtrust.quantum.noise import CONVENTIONS, NoiseModel
from qtrust.results.schema import ChannelTolerance, NoisePoint, NoiseSweepResult


def noise_settings(ctx: AssessmentContext) -> list[tuple[str, float]]:
    return [(c, level) for c in ctx.config.noise.channels for level in ctx.config.noise.levels if level > 0]


def channel_tolerance(
    v: VerdictConfig, channel: str, points: list[NoisePoint], reference_gap: float | None = None
) -> ChannelTolerance:
    """The verdict rules for noise, applied once: where accuracy or the equalised-odds gap first breaks.

    ``reference_gap`` is the noiseless equalised-odds gap; when it already exceeds the limit, no strength is
    blamed for the fairness break. Findings, the report and the model card all read this record instead of
    re-applying the rules.
    """
    ordered = sorted(points, key=lambda p: p.level)
    fails_without_noise = reference_gap is not None and reference_gap > v.max_equalized_odds_difference
    accuracy_break = next(
        (p.level for p in ordered if (p.change.get("accuracy") or 0.0) < -v.max_accuracy_drop), None
    )
    fairness_break = None
    if not fails_without_noise:
        fairness_break = next(
            (
                p.level
                for p in ordered
                if (p.metrics["equalized_odds_difference"].value or 0.0) > v.max_equalized_odds_difference
            ),
            None,
        )
    first_break = min((b for b in (accuracy_break, fairness_break) if b is not None), default=float("inf"))
    tolerated = [p.level for p in ordered if p.level < first_break]
    return ChannelTolerance(
        channel=channel,
        max_level=ordered[-1].level,
        accuracy_break=accuracy_break,
        fairness_break=fairness_break,
        tolerated_up_to=max(tolerated) if tolerated else None,
        fairness_fails_without_noise=fails_without_noise,
    )


def _path(fit: object) -> str:
    return str(getattr(fit, "simulation_path_", "unknown"))


def sweep_noise(ctx: AssessmentContext, reference: dict[str, FrameSummary]) -> list[NoiseSweepResult]:
    settings = noise_settings(ctx)
    ctx.progress.stage("noise sweep", len(ctx.quantum_models) * max(len(settings), 1))
    results = []
    for model in ctx.quantum_models:
        ref = estimates(reference[model.name])
        points = []
        for channel, level in settings:
            noise = NoiseModel.single(channel, level)
            proba = [model.fits[s].probabilities(ctx.data.X_test, noise) for s in ctx.seeds]
            path = _path(model.fits[ctx.seeds[0]])
            stack = np.stack(proba)
            ctx.store.add(model.name, noise.label, stack, ctx.seeds)
            metrics = estimates(ctx.summarise(stack, "noise", model.name, channel, level))
            change = {
                key: (est.value - ref[key].value)
                if est.value is not None and key in ref and ref[key].value is not None
                else None
                for key, est in metrics.items()
            }
            points.append(
                NoisePoint(
                    channel=channel, level=level, label=noise.label, path=path, metrics=metrics, change=change
                )
            )
            ctx.progress.advance()
        tolerance = [
            channel_tolerance(
                ctx.config.verdicts,
                channel,
                [p for p in points if p.channel == channel],
                ref["equalized_odds_difference"].value,
            )
            for channel in dict.fromkeys(p.channel for p in points)
        ]
        results.append(
            NoiseSweepResult(
                model=model.name,
                channels=list(ctx.config.noise.channels),
                levels=list(ctx.config.noise.levels),
                reference=ref,
                points=points,
                tolerance=tolerance,
                conventions=dict(CONVENTIONS),
            )
        )
    return results
