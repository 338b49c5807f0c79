"""Certified fairness of a quantum classifier under its noise (Guan, Fang, Ying, CAV 2022).

A quantum decision model A maps an input state ρ to outcome probabilities p_i = Tr(E†(P_i) ρ). Its
Lipschitz constant with respect to trace distance and total-variation distance is

    K* = max over outcome sets S of  λmax(M_S) − λmin(M_S),   M_S = Σ_{i∈S} E†(P_i)

(the paper's Theorem 1), and A is (ε, δ)-fair — inputs within trace distance ε get outputs within total
variation δ — exactly when δ ≥ K*·ε (its Theorem 2). For a binary classifier the outcome sets are ∅, {0},
{1} and {0, 1}; M_{1} = M and M_{0} = I − M have the same spread, so K* = λmax(M) − λmin(M) with M the
Heisenberg operator the engine already computes (``engine.measurement_operator``). The eigenvectors of the
two extreme eigenvalues are the *bias pair*: the two states the model separates most.

The certificate speaks for every state. What a user can feed the model is narrower — states the encoding
reaches from feature values — so the pair is also searched inside the encoding's input space (the angle box
the preprocessor maps features onto), starting from real rows of different groups, and reported in the
original feature units. Both numbers are reported: the reachable gap is never above K*.

What the certificate covers, exactly: M is built from the *trainable* section only (the operator the
encoded state meets), so K* bounds the outputs of every state that section can receive. Noise acting on the
encoding gates is not part of M — sound, because a noisy encoding still hands the trainable section some
state — but the certificate then says nothing about how noise on the encoding moves particular inputs.
Readout error is part of M (folded into the measurement effect).

Where the noise sits matters: qtrust places each channel after every gate (``noise.placement:
every_gate``); the paper's models carry one noise layer. On the same weights the two give very different K*
(depolarizing 0.01 on a 2-layer model: about 0.78 after every gate, 0.98 as one layer), so a comparison with
published numbers needs ``noise.placement: after_encoding`` or ``before_measurement``.

Facts the tests check: K* = 1 for every noiseless model with a projective measurement and no readout error;
with readout error (P(read 1 | 0) = p01, P(read 0 | 1) = p10) K* = 1 − p01 − p10; for an outcome-table
measurement it is max − min of the table; noise never increases K* (E† is unital and positive); a global
depolarizing channel of strength p scales it to exactly (1 − p)·K*, and one depolarizing layer of strength p
before the measurement of single-qubit Z readouts to exactly (1 − 4p/3)·K*.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.noise import device_noise_models, model_width, noise_settings
from qtrust.errors import InputError
from qtrust.numbers import as_real
from qtrust.quantum.engine import measurement_operator
from qtrust.quantum.noise import NoiseModel
from qtrust.results.schema import BiasPairRecord, CertifiedFairnessResult, CertifiedPoint
from qtrust.seeding import derive_rng


def check_unit_interval(name: str, value: float) -> float:
    """``value`` as a float in (0, 1]; any real number type is taken (``np.float32(0.01)`` included)."""
    number = as_real(value, name)
    if not 0 < number <= 1:
        raise InputError(
            f"{name} = {value!r} is outside (0, 1]", where=name, fix=f"choose {name} with 0 < {name} ≤ 1"
        )
    return number


@dataclass(frozen=True)
class Spectrum:
    """K* and the two extreme eigenpairs of M."""

    lipschitz: float
    lambda_min: float
    lambda_max: float
    state_min: np.ndarray = field(repr=False)
    state_max: np.ndarray = field(repr=False)


def lipschitz_constant(operator: np.ndarray) -> Spectrum:
    """K* = λmax − λmin of the (Hermitian) class-1 operator M, and the bias pair's two eigenvectors."""
    values, vectors = np.linalg.eigh(operator)
    return Spectrum(
        lipschitz=float(values[-1] - values[0]),
        lambda_min=float(values[0]),
        lambda_max=float(values[-1]),
        state_min=vectors[:, 0],
        state_max=vectors[:, -1],
    )


def fairness_verdict(lipschitz: float, epsilon: float, delta: float) -> bool:
    """(ε, δ)-fair iff δ ≥ K*·ε (Guan et al. 2022, Theorem 2)."""
    epsilon = check_unit_interval("epsilon", epsilon)
    delta = check_unit_interval("delta", delta)
    return delta >= float(lipschitz) * epsilon - 1e-12


@dataclass
class BiasPair:
    """Two inputs in the encoding's reach, from different groups, whose outputs differ the most."""

    reachable_gap: float
    p_high: float
    p_low: float
    group_high: str
    group_low: str
    angles_high: list[float]
    angles_low: list[float]
    features_high: dict[str, Any]
    features_low: dict[str, Any]
    evaluations: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _ascend(
    f, starts: np.ndarray, low: float, high: float, sign: float, steps: int, step_size: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Batched projected gradient ascent of sign·f inside the box, central differences in one call per step."""
    x = starts.copy()
    n, d = x.shape
    h = 1e-4 * (high - low)
    evaluations = 0
    best_x, best_v = x.copy(), sign * f(x)
    evaluations += n
    lr = np.full(n, step_size * (high - low))
    for _ in range(steps):
        probes = np.concatenate(
            [x[:, None, :] + h * np.eye(d)[None], x[:, None, :] - h * np.eye(d)[None]], axis=1
        )
        values = f(probes.reshape(-1, d)).reshape(n, 2 * d)
        evaluations += n * 2 * d
        grad = sign * (values[:, :d] - values[:, d:]) / (2 * h)
        norm = np.linalg.norm(grad, axis=1, keepdims=True)
        candidate = np.clip(x + lr[:, None] * grad / np.maximum(norm, 1e-12), low, high)
        v = sign * f(candidate)
        evaluations += n
        better = v > best_v
        best_x[better], best_v[better] = candidate[better], v[better]
        x = np.where(better[:, None], candidate, x)
        lr = np.where(better, lr * 1.2, lr * 0.5)  # grow on success, shrink on failure
        if np.all(lr < 1e-6 * (high - low)):
            break
    return best_x, sign * best_v, evaluations


def reachable_bias_pair(
    probabilities,
    X: np.ndarray,
    groups: np.ndarray,
    angle_range: tuple[float, float],
    rng: np.random.Generator,
    *,
    inverse_transform=None,
    starts_per_group: int = 6,
    steps: int = 60,
) -> BiasPair:
    """Search the encoding's input box for the largest output gap between inputs of two different groups.

    ``probabilities(X)`` is the model's class-1 probability under whichever noise the caller means; the audit
    passes the first training seed's noiseless probabilities and records ``noise: none`` beside the pair,
    to be read against the noiseless K*. Each search starts
    from real rows of one group (maximising) and of another (minimising); both directions are tried for
    every pair of groups, and the widest gap wins. ``inverse_transform(angles)`` maps back to features.
    """
    low, high = (float(v) for v in angle_range)
    labels = [str(g) for g in np.unique(groups)]
    if len(labels) < 2:
        raise InputError(
            "a bias pair needs at least two groups", where="sensitive", fix="check the sensitive column"
        )
    picks = {}
    for g in labels:
        rows = np.flatnonzero(groups.astype(str) == g)
        picks[g] = X[rng.choice(rows, size=min(starts_per_group, len(rows)), replace=False)]
    best: BiasPair | None = None
    evaluations = 0
    for g_high in labels:
        x_hi, v_hi, n_hi = _ascend(probabilities, picks[g_high], low, high, +1.0, steps, 0.1)
        evaluations += n_hi
        i = int(np.argmax(v_hi))
        for g_low in labels:
            if g_low == g_high:
                continue
            x_lo, v_lo, n_lo = _ascend(probabilities, picks[g_low], low, high, -1.0, steps, 0.1)
            evaluations += n_lo
            j = int(np.argmin(v_lo))
            gap = float(v_hi[i] - v_lo[j])
            if best is None or gap > best.reachable_gap:
                features = (
                    inverse_transform(np.vstack([x_hi[i], x_lo[j]])).to_dict(orient="records")
                    if inverse_transform is not None
                    else [{}, {}]
                )
                best = BiasPair(
                    reachable_gap=gap,
                    p_high=float(v_hi[i]),
                    p_low=float(v_lo[j]),
                    group_high=g_high,
                    group_low=g_low,
                    angles_high=x_hi[i].tolist(),
                    angles_low=x_lo[j].tolist(),
                    features_high={k: _plain(v) for k, v in features[0].items()},
                    features_low={k: _plain(v) for k, v in features[1].items()},
                    evaluations=0,
                )
    assert best is not None
    best.evaluations = evaluations
    return best


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class FairnessCertificate:
    model: str
    noise: str
    lipschitz: float
    lambda_min: float
    lambda_max: float
    epsilon: float
    delta: float
    fair: bool
    seconds: float
    n_qubits: int
    bias_pair: BiasPair | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "bias_pair"}
        out["bias_pair"] = self.bias_pair.to_dict() if self.bias_pair else None
        return out


def certify(
    model: Any,
    name: str,
    *,
    noise: NoiseModel | None,
    noise_label: str,
    epsilon: float,
    delta: float,
) -> tuple[FairnessCertificate, Spectrum]:
    """K* and the (ε, δ) verdict of a fitted variational classifier under ``noise``."""
    epsilon = check_unit_interval("epsilon", epsilon)
    delta = check_unit_interval("delta", delta)
    circuit = getattr(model, "circuit_", None)
    if circuit is None:
        raise InputError(
            f"{name} is not a circuit classifier with a measurement operator",
            where="certified fairness",
            fix="certify variational classifiers; a kernel SVM is a classical model over kernel values",
        )
    start = time.perf_counter()
    spectrum = lipschitz_constant(measurement_operator(circuit, model.weights_, noise))
    seconds = time.perf_counter() - start
    certificate = FairnessCertificate(
        model=name,
        noise=noise_label,
        lipschitz=spectrum.lipschitz,
        lambda_min=spectrum.lambda_min,
        lambda_max=spectrum.lambda_max,
        epsilon=epsilon,
        delta=delta,
        fair=fairness_verdict(spectrum.lipschitz, epsilon, delta),
        seconds=seconds,
        n_qubits=circuit.n_qubits,
    )
    return certificate, spectrum


def certify_candidates(ctx: AssessmentContext) -> list[CertifiedFairnessResult]:
    """K* of every variational candidate, noiseless and at every swept noise setting, with the bias pair."""
    cfg = ctx.config.certification
    results = []
    settings = [("none", 0.0), *noise_settings(ctx)]
    for model in ctx.candidates:
        fits = [model.fits[s] for s in ctx.seeds]
        if not all(
            hasattr(f, "weights_") and hasattr(f, "circuit_") and f.circuit_.is_encode_first for f in fits
        ):
            continue  # kernel SVMs and re-uploading circuits have no single measurement operator
        start = time.perf_counter()
        points = []
        for channel, level in settings:
            noise = None if channel == "none" else ctx.config.noise.model(channel, level)
            values = [
                lipschitz_constant(measurement_operator(f.circuit_, f.weights_, noise)).lipschitz
                for f in fits
            ]
            points.append(
                CertifiedPoint(
                    channel=channel,
                    level=level,
                    lipschitz=values[0],
                    lipschitz_max=max(values),
                    fair=all(fairness_verdict(v, cfg.epsilon, cfg.delta) for v in values),
                )
            )
        for spec, noise in device_noise_models(ctx, model_width(fits[0], ctx.config.encoding.n_qubits)):
            values = [
                lipschitz_constant(measurement_operator(f.circuit_, f.weights_, noise)).lipschitz
                for f in fits
            ]
            points.append(
                CertifiedPoint(
                    channel="device",
                    level=0.0,
                    device=spec.label,
                    lipschitz=values[0],
                    lipschitz_max=max(values),
                    fair=all(fairness_verdict(v, cfg.epsilon, cfg.delta) for v in values),
                )
            )
        seconds = time.perf_counter() - start
        pair = None
        if cfg.bias_pair:
            reference = fits[0]
            found = reachable_bias_pair(
                reference.probabilities,
                ctx.data.X_train,
                ctx.data.groups_train,
                ctx.config.encoding.angle_range,
                derive_rng(ctx.config.seed, "certified/bias_pair", model.name),
                inverse_transform=ctx.data.preprocessor.inverse_transform,
            )
            pair = BiasPairRecord(
                **{k: v for k, v in found.to_dict().items() if k != "evaluations"}, noise="none"
            )
        result = CertifiedFairnessResult(
            model=model.name,
            epsilon=cfg.epsilon,
            delta=cfg.delta,
            n_qubits=fits[0].circuit_.n_qubits,
            points=points,
            bias_pair=pair,
            seconds=round(seconds, 4),
            placement=ctx.config.noise.placement,
        )
        results.append(result)
    return results
