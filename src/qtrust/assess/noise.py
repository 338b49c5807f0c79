"""Noise sweep: the trained quantum models deployed under each noise channel at each strength.

The same fitted weights (one set per training seed) are scored exactly under every setting, so a change is
the noise's doing, not retraining's. Each setting reports every metric with its interval and its change
against the noiseless reference.

Besides one channel at a time, ``noise.devices`` scores every quantum model under real devices' calibration
snapshots (:mod:`qtrust.quantum.devices`): every channel and readout error of the chosen physical qubits at
once — "how does this model behave on the calibration of device X?".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.fairness import estimates
from qtrust.config.schema import VerdictConfig
from qtrust.metrics import FrameSummary
from qtrust.models.base import simulate_model
from qtrust.quantum.noise import CONVENTIONS, NoiseModel
from qtrust.results.schema import ChannelTolerance, DevicePoint, NoisePoint, NoiseSweepResult


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


def score_fits(fits: list[Any], X: np.ndarray, noise: NoiseModel) -> tuple[np.ndarray, str]:
    """P(class 1) of each fit under ``noise``, shape (fits, rows), and the path the first fit took.

    The unit of work the noise sweep maps over its executor: one model under one setting, every seed.
    """
    runs = [simulate_model(fit, X, noise) for fit in fits]
    return np.stack([r.probabilities for r in runs]), runs[0].path or "unknown"


def _scored(model: Any, X: np.ndarray, noise: NoiseModel, seeds: list[int]) -> tuple[np.ndarray, str]:
    """P(class 1) of every seed's fit under ``noise``, shape (seeds, rows), and the path the first seed took."""
    return score_fits([model.fits[s] for s in seeds], X, noise)


def _scored_settings(
    ctx: AssessmentContext, settings: list[tuple[str, float]]
) -> dict[tuple[str, str, float], tuple[np.ndarray, str]]:
    """Every (model, channel, level) scored: independent, so on the executor when the audit has one.

    A model whose predictions read a process-wide memo (the quantum kernel's encoded states, see
    ``shares_process_cache``) is scored here, in the serial run's order, so the memo every later stage reads
    is the one a serial run builds; the others go to ``ctx.mapper`` and come back in the items' order.
    """
    mapped = [
        m for m in ctx.quantum_models if not getattr(m.fits[ctx.seeds[0]], "shares_process_cache", False)
    ]
    keys = [(m.name, channel, level) for m in mapped for channel, level in settings]
    fits = {m.name: [m.fits[s] for s in ctx.seeds] for m in mapped}
    jobs = [
        (fits[name], ctx.data.X_test, ctx.config.noise.model(channel, level)) for name, channel, level in keys
    ]
    return dict(zip(keys, ctx.mapper.map(score_fits, jobs), strict=True))


def model_width(fit: object, default: int) -> int:
    """The register a fitted quantum model runs on (a translated circuit may have more qubits than features)."""
    circuit = getattr(fit, "circuit_", None)
    return int(getattr(circuit, "n_qubits", None) or getattr(fit, "n_qubits_", None) or default)


def device_noise_models(ctx: AssessmentContext, n_qubits: int) -> list[tuple[object, NoiseModel]]:
    """(spec, noise model) for every configured device at this width (built once per width and layout)."""
    if not ctx.config.noise.devices:
        return []
    from qtrust.quantum.devices import device_noise

    out = []
    for spec in ctx.config.noise.devices:
        key = (spec.name, n_qubits, spec.layout)
        if key not in ctx.device_noise:
            ctx.device_noise[key] = device_noise(spec.name, n_qubits, spec.layout)
        out.append((spec, ctx.device_noise[key]))
    return out


def _device_points(ctx: AssessmentContext, model, ref) -> list[DevicePoint]:
    points = []
    width = model_width(model.fits[ctx.seeds[0]], ctx.config.encoding.n_qubits)
    for spec, noise in device_noise_models(ctx, width):
        stack, path = _scored(model, ctx.data.X_test, noise, ctx.seeds)
        ctx.store.add(model.name, noise.label, stack, ctx.seeds)
        metrics = estimates(ctx.summarise(stack, "device", model.name, spec.label))
        source = dict(noise.source)
        points.append(
            DevicePoint(
                device=spec.name,
                layout=spec.label.split(":", 1)[1],
                label=noise.label,
                physical_qubits=[
                    int(q) for q in str(source.get("layout", "")).split(",") if q.strip().isdigit()
                ],
                calibration_date=source.get("calibration_date"),
                path=path,
                metrics=metrics,
                change={
                    key: (est.value - ref[key].value)
                    if est.value is not None and key in ref and ref[key].value is not None
                    else None
                    for key, est in metrics.items()
                },
                source=source,
            )
        )
        ctx.progress.advance()
    return points


def sweep_noise(ctx: AssessmentContext, reference: dict[str, FrameSummary]) -> list[NoiseSweepResult]:
    settings = noise_settings(ctx)
    devices = len(ctx.config.noise.devices)
    ctx.progress.stage("noise sweep", len(ctx.quantum_models) * max(len(settings) + devices, 1))
    results = []
    mapped = _scored_settings(ctx, settings)
    for model in ctx.quantum_models:
        ref = estimates(reference[model.name])
        points = []
        for channel, level in settings:
            noise = ctx.config.noise.model(channel, level)
            done = mapped.get((model.name, channel, level))
            stack, path = done if done is not None else _scored(model, ctx.data.X_test, noise, ctx.seeds)
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
                devices=_device_points(ctx, model, ref),
            )
        )
    return results
