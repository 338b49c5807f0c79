"""The membership-inference attacks (loss threshold, shadow models, offline LiRA) on probability arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qtrust.assess.privacy.validation import _LOGIT_EPS, _labels01, _probabilities, _scores
from qtrust.errors import InputError

LIRA_LOCAL_VARIANCE_MIN_MODELS = 64  # Carlini et al. 2022: below this, a global variance is better
_LOSS_EPS = 1e-12  # clip of the true-label probability before the log (ranking is unaffected)
_SIGMA_FLOOR = 1e-9


@dataclass(frozen=True)
class AttackScores:
    """Membership scores (higher = more likely a member), shape (draws, rows), for members and non-members."""

    attack: str
    members: NDArray[np.float64]
    nonmembers: NDArray[np.float64]
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        members = _scores(self.members, f"{self.attack}.members")
        nonmembers = _scores(self.nonmembers, f"{self.attack}.nonmembers")
        if members.shape[0] != nonmembers.shape[0]:
            raise InputError(
                f"members have {members.shape[0]} draws, non-members {nonmembers.shape[0]}",
                where=self.attack,
            )
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "nonmembers", nonmembers)

    @property
    def n_draws(self) -> int:
        return self.members.shape[0]


def _true_confidence(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.where(y == 1, p, 1.0 - p)


def logit_confidence(p: ArrayLike, y: ArrayLike, shots: int | None = None) -> NDArray[np.float64]:
    """φ = log(c / (1 − c)) of the true label's confidence c (Carlini et al.'s logit scaling).

    Exact probabilities are clipped to [1e-12, 1 − 1e-12]. With ``shots`` = S, outputs that are binomial
    estimates k/S (a variational model's readout) use the empirical logit log((k + ½)/(S − k + ½)): finite
    at 0 and S successes and the least-biased logit of a binomial count. Outputs off that grid (a kernel
    model's shot-noisy kernel passed through its SVM) are continuous and are treated as exact.
    """
    p_arr = np.asarray(p, dtype=float)
    y_arr = np.asarray(y)
    conf = _true_confidence(p_arr, y_arr)
    if shots is not None:
        k = conf * shots
        counts = np.rint(k)
        if np.all(np.abs(k - counts) <= 1e-9 * shots):
            return np.log(counts + 0.5) - np.log(shots - counts + 0.5)
    conf = np.clip(conf, _LOGIT_EPS, 1.0 - _LOGIT_EPS)
    return np.log(conf) - np.log1p(-conf)


def loss_threshold_attack(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
) -> AttackScores:
    """Yeom et al. (2018): score = −cross-entropy of the true label, log P(y | x).

    A member's loss is lower because training minimised it; thresholding the loss is the attack, and its
    ROC is that of the scores. ``p_*`` are P(class 1) per row, shape (rows,) or (draws, rows) for shot
    draws; probabilities are clipped at 1e-12 before the log (only ties at exactly 0 are affected).
    """
    y1 = _labels01(y_members, "loss_threshold_attack(y_members)")
    y0 = _labels01(y_nonmembers, "loss_threshold_attack(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "loss_threshold_attack(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "loss_threshold_attack(p_nonmembers)")
    if p1.shape[0] != p0.shape[0]:
        raise InputError(
            "members and non-members need the same number of draws", where="loss_threshold_attack"
        )

    def score(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.log(np.clip(_true_confidence(p, y), _LOSS_EPS, 1.0))

    return AttackScores("loss", score(p1, y1), score(p0, y0), {"score": "log P(true label)"})


def _reference_draws(p: ArrayLike, k: int | None, n: int, where: str) -> NDArray[np.float64]:
    """Reference outputs as (models, draws, rows)."""
    array = np.asarray(p, dtype=float)
    if array.ndim == 2:
        array = array[:, np.newaxis, :]
    if array.ndim != 3 or (k is not None and array.shape[0] != k) or array.shape[2] != n:
        raise InputError(
            f"expected reference outputs of shape (models, rows) or (models, draws, rows) with {n} rows, "
            f"got {np.shape(p)}",
            where=where,
        )
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise InputError("reference probabilities must be finite and in [0, 1]", where=where)
    return array


def _shadow_features(phi: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
    """[φ, y, φ·y]: a per-class slope and intercept on the true-label logit confidence."""
    yb = np.broadcast_to(y, phi.shape).astype(float)
    return np.column_stack([phi.ravel(), yb.ravel(), (phi * yb).ravel()])


def shadow_attack(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
    *,
    shadow_p: ArrayLike,
    shadow_y: ArrayLike,
    shadow_in: ArrayLike,
    shots: int | None = None,
) -> AttackScores:
    """Shokri et al. (2017): learn "member or not" from shadow models whose training sets are known.

    ``shadow_p`` holds the shadow models' P(class 1) on the shadow pool, shape (models, rows) or
    (models, draws, rows); ``shadow_in[j, i]`` says whether shadow model j trained on pool row i. The attack
    classifier — a class-balanced logistic regression on [φ, y, φ·y] with φ the true-label logit confidence
    (:func:`logit_confidence`) — is fitted on every (model, draw, row) triple and scores the target's
    outputs by its log-odds. Using φ rather than p, and a slope per class, is what makes one linear model
    equivalent to Shokri's per-class attack models on a single output probability.
    """
    y1 = _labels01(y_members, "shadow_attack(y_members)")
    y0 = _labels01(y_nonmembers, "shadow_attack(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "shadow_attack(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "shadow_attack(p_nonmembers)")
    sy = _labels01(shadow_y, "shadow_attack(shadow_y)")
    inside = np.asarray(shadow_in, dtype=bool)
    sp = _reference_draws(shadow_p, None, len(sy), "shadow_attack(shadow_p)")
    if inside.shape != (sp.shape[0], len(sy)):
        raise InputError(
            f"shadow_in has shape {inside.shape}, expected ({sp.shape[0]}, {len(sy)})", where="shadow_attack"
        )
    if inside.all() or not inside.any():
        raise InputError("shadow models need both in and out rows", where="shadow_attack(shadow_in)")
    phi = logit_confidence(sp, sy, shots)  # (k, D, n)
    features = _shadow_features(phi, sy)
    labels = np.broadcast_to(inside[:, np.newaxis, :], phi.shape).ravel()
    classifier = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000))
    classifier.fit(features, labels)

    def score(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
        return classifier.decision_function(_shadow_features(logit_confidence(p, y, shots), y)).reshape(
            p.shape
        )

    coef = classifier[-1].coef_[0]
    return AttackScores(
        "shadow",
        score(p1, y1),
        score(p0, y0),
        {
            "n_shadow_models": int(sp.shape[0]),
            "shadow_draws": int(sp.shape[1]),
            "n_training_examples": len(labels),
            "features": ["phi", "y", "phi*y"],
            "coef_standardised": [float(c) for c in coef],
            "intercept": float(classifier[-1].intercept_[0]),
        },
    )


def lira_offline(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
    *,
    ref_members: ArrayLike,
    ref_nonmembers: ArrayLike,
    out_members: ArrayLike | None = None,
    out_nonmembers: ArrayLike | None = None,
    variance: Literal["auto", "global", "local"] = "auto",
    shots: int | None = None,
) -> AttackScores:
    """Carlini et al. (2022), offline LiRA: a one-sided test against each row's OUT distribution.

    ``ref_members`` / ``ref_nonmembers`` are the reference models' P(class 1) on the target's members and
    non-members, shape (models, rows) or (models, draws, rows); ``out_*[j, i]`` is True when reference j did
    *not* train on row i (default: none did). For each row, φ over its OUT references is fitted with a
    Gaussian N(μ_i, σ²); the score is z = (φ_target − μ_i)/σ, a strictly increasing transform of the paper's
    Λ = Pr[Z < φ_target] = Φ(z), kept as z because Φ saturates to 1.0 in floating point and would turn
    the most confident members into ties. σ is one pooled within-row variance ("global", recommended
    below 64 reference models) or each row's own ("local"); "auto" picks by that rule. A row without any
    OUT reference falls back to the mean of its class's OUT values (counted in ``details``).
    """
    y1 = _labels01(y_members, "lira_offline(y_members)")
    y0 = _labels01(y_nonmembers, "lira_offline(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "lira_offline(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "lira_offline(p_nonmembers)")
    r1 = _reference_draws(ref_members, None, len(y1), "lira_offline(ref_members)")
    r0 = _reference_draws(ref_nonmembers, r1.shape[0], len(y0), "lira_offline(ref_nonmembers)")
    if r1.shape[1] != r0.shape[1]:
        raise InputError("reference draws differ between members and non-members", where="lira_offline")
    k, n_ref_draws = r1.shape[0], r1.shape[1]
    y = np.concatenate([y1, y0])
    phi_ref = logit_confidence(np.concatenate([r1, r0], axis=2), y, shots)  # (k, D, n)
    outs = []
    for name, out, n in (("out_members", out_members, len(y1)), ("out_nonmembers", out_nonmembers, len(y0))):
        mask = np.ones((k, n), dtype=bool) if out is None else np.asarray(out, dtype=bool)
        if mask.shape != (k, n):
            raise InputError(f"{name} has shape {mask.shape}, expected ({k}, {n})", where="lira_offline")
        outs.append(mask)
    out = np.concatenate(outs, axis=1)
    weight = np.broadcast_to(out[:, np.newaxis, :], phi_ref.shape).astype(float)
    count = weight.sum(axis=(0, 1))
    n_out_models = out.sum(axis=0)
    mu = np.empty(len(y))
    has_out = count > 0
    mu[has_out] = (phi_ref * weight).sum(axis=(0, 1))[has_out] / count[has_out]
    for cls in (0, 1):
        missing = ~has_out & (y == cls)
        if missing.any():
            pool = phi_ref[:, :, y == cls][weight[:, :, y == cls] > 0]
            mu[missing] = pool.mean() if pool.size else 0.0
    deviation = ((phi_ref - mu) ** 2 * weight).sum(axis=(0, 1))
    dof = np.maximum(count - 1.0, 0.0)
    if dof.sum() > 0:
        global_var = float(deviation.sum() / dof.sum())
    else:  # one OUT value per row: fall back to the spread of all OUT values (Carlini's np.std(dat_out))
        global_var = float(np.var(phi_ref[weight > 0])) if (weight > 0).any() else 0.0
    if variance not in ("auto", "global", "local"):
        raise InputError(
            f"unknown variance {variance!r}", where="lira_offline", fix="use auto, global or local"
        )
    min_out = int(n_out_models.min())
    use_local = variance == "local" or (variance == "auto" and min_out >= LIRA_LOCAL_VARIANCE_MIN_MODELS)
    var = np.full(len(y), global_var)
    if use_local:
        local = dof > 0
        var[local] = deviation[local] / dof[local]
    sigma = np.sqrt(np.maximum(var, _SIGMA_FLOOR**2))

    n1 = len(y1)
    z1 = (logit_confidence(p1, y1, shots) - mu[:n1]) / sigma[:n1]
    z0 = (logit_confidence(p0, y0, shots) - mu[n1:]) / sigma[n1:]
    return AttackScores(
        "lira",
        z1,
        z0,
        {
            "variant": "offline",
            "variance": "local" if use_local else "global",
            "global_sd": math.sqrt(max(global_var, 0.0)),
            "n_reference_models": int(k),
            "reference_draws": int(n_ref_draws),
            "out_models_per_row": {"min": min_out, "max": int(n_out_models.max())},
            "rows_without_out_models": int((~has_out).sum()),
        },
    )
