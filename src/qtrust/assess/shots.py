"""Shot noise: exact probabilities against finite measurement budgets.

For each budget every training seed's exact probabilities are re-estimated ``repeats`` times from that many
shots (seeded draws). Reported: the prediction flip rate (share of rows whose decision differs from the
exact-probability decision), every metric over all draws, and each metric's spread over shot draws.
"""

from __future__ import annotations

import math

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.fairness import estimates
from qtrust.metrics import percentile_interval
from qtrust.results.schema import Estimate, ShotPoint, ShotsResult
from qtrust.seeding import derive_rng


def _flip_rate(draws: np.ndarray, exact: np.ndarray, threshold: float, confidence: float) -> Estimate:
    """Per-draw share of flipped decisions; the interval is the spread across shot draws."""
    rates = ((draws >= threshold) != (exact >= threshold)).mean(axis=1)
    low, high, _ = percentile_interval(rates, confidence)
    return Estimate(
        value=float(rates.mean()),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        sd=float(rates.std(ddof=1)) if len(rates) > 1 else None,
        n_draws=len(rates),
        method="percentile over shot draws",
    )


def shot_advice(points: list[ShotPoint], limit: float) -> tuple[int | None, int | None]:
    """(smallest tested budget whose flip-rate upper bound meets ``limit``, else an extrapolated budget).

    Flips come from rows whose probability lies within about 1/sqrt(shots) of the threshold, so the flip
    rate falls roughly as 1/sqrt(shots); the extrapolation scales the largest budget by (upper/limit)^2 and
    rounds up to two significant digits. It is marked as an extrapolation wherever it is shown.
    """
    ordered = sorted(points, key=lambda p: p.shots)
    enough = next(
        (p for p in ordered if p.flip_rate.ci_high is not None and p.flip_rate.ci_high <= limit), None
    )
    if enough is not None:
        return enough.shots, None
    if not ordered or limit <= 0:
        return None, None
    last = ordered[-1]
    upper = last.flip_rate.ci_high
    if upper is None or upper <= 0:
        return None, None
    needed = last.shots * (upper / limit) ** 2
    magnitude = 10 ** max(0, math.floor(math.log10(needed)) - 1)
    return None, int(math.ceil(needed / magnitude) * magnitude)


def assess_shots(ctx: AssessmentContext) -> tuple[list[ShotsResult], dict[str, np.ndarray]]:
    """Results per quantum model, and the (seeds, repeats, rows) draws at the reference budget."""
    cfg = ctx.config.shots
    budgets = sorted(set(cfg.budgets) | {cfg.reference})
    ctx.progress.stage("shot noise", len(ctx.quantum_models) * len(budgets))
    threshold = ctx.config.statistics.threshold
    confidence = ctx.config.statistics.confidence
    results, reference_draws = [], {}
    for model in ctx.quantum_models:
        exact = ctx.clean[model.name]
        points = []
        for shots in budgets:
            per_seed = np.stack(
                [
                    model.fits[s].sample_probabilities(
                        ctx.data.X_test,
                        shots,
                        cfg.repeats,
                        derive_rng(ctx.config.seed, "shots", model.name, s, shots),
                    )
                    for s in ctx.seeds
                ]
            )  # (S, R, N)
            if shots == cfg.reference:
                reference_draws[model.name] = per_seed
            ctx.progress.advance()
            if shots not in cfg.budgets:
                continue
            flat = per_seed.reshape(-1, per_seed.shape[-1])
            seeds_of_draws = np.repeat(ctx.seeds, cfg.repeats)
            ctx.store.add(model.name, "none", flat, list(seeds_of_draws), shots=shots)
            frame = ctx.frame(flat)
            overall = frame.overall
            shot_sd = {
                key: float(np.nanmean(np.nanstd(values.reshape(len(ctx.seeds), cfg.repeats), axis=1, ddof=1)))
                for key, values in overall.items()
            }
            points.append(
                ShotPoint(
                    shots=shots,
                    n_draws=flat.shape[0],
                    flip_rate=_flip_rate(flat, np.repeat(exact, cfg.repeats, axis=0), threshold, confidence),
                    metrics=estimates(ctx.summarise(flat, "shots", model.name, shots)),
                    shot_sd=shot_sd,
                )
            )
        limit = ctx.config.verdicts.max_flip_rate
        minimum, extrapolated = shot_advice(points, limit)
        results.append(
            ShotsResult(
                model=model.name,
                repeats=cfg.repeats,
                exact=estimates(ctx.summarise(exact, "fairness", model.name)),
                points=points,
                flip_limit=limit,
                minimum_shots=minimum,
                extrapolated_shots=extrapolated,
            )
        )
    return results, reference_draws
