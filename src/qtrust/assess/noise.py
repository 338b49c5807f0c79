"""Noise sweep: the trained quantum models deployed under each noise channel at each strength.

The same fitted weights (one set per training seed) are scored exactly under every setting, so a change is
the noise's doing, not retraining's. Each setting reports every metric with its interval and its change
against the noiseless reference.
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.fairness import estimates
from qtrust.metrics import FrameSummary
from qtrust.quantum.noise import NoiseModel
from qtrust.results.schema import NoisePoint, NoiseSweepResult


def noise_settings(ctx: AssessmentContext) -> list[tuple[str, float]]:
    return [(c, level) for c in ctx.config.noise.channels for level in ctx.config.noise.levels if level > 0]


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
        results.append(
            NoiseSweepResult(
                model=model.name,
                channels=list(ctx.config.noise.channels),
                levels=list(ctx.config.noise.levels),
                reference=ref,
                points=points,
            )
        )
    return results
