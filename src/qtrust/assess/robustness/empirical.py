"""Empirical robustness of any model to perturbed features: Gaussian noise and an L∞-bounded attack."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.assess.robustness.records import _plain
from qtrust.assess.robustness.validation import _binary_labels
from qtrust.errors import InputError
from qtrust.metrics import accuracy as accuracy_metric
from qtrust.metrics import group_confusion
from qtrust.quantum.inputs import check_features
from qtrust.quantum.noise import NoiseModel
from qtrust.seeding import derive_seed

ProbabilitiesFn = Callable[[np.ndarray], np.ndarray]


def probabilities_fn(model: Any, noise: NoiseModel | None = None) -> ProbabilitiesFn:
    """P(class 1 | X) of a qtrust quantum model (``probabilities``, under ``noise``) or a scikit-learn one."""
    if hasattr(model, "probabilities"):
        return lambda X: np.asarray(model.probabilities(X, noise), dtype=float)
    if hasattr(model, "predict_proba"):
        return lambda X: np.asarray(model.predict_proba(X), dtype=float)[:, 1]
    raise InputError(
        "the model exposes neither probabilities(X) nor predict_proba(X)",
        where="model",
        fix="pass a fitted qtrust or scikit-learn classifier, or a function X -> P(class 1)",
    )


@dataclass(frozen=True)
class GaussianPerturbation:
    """Metrics over ``n_draws`` draws of X + σ·N(0, I) in feature space."""

    sigma: float
    seed: int
    n_draws: int
    accuracy: np.ndarray = field(repr=False)  # per draw
    equalized_odds_difference: np.ndarray = field(repr=False)  # per draw (NaN: a group lacks a class)
    flip_rate: float  # share of (draw, row) whose decision differs from the clean one

    def to_dict(self) -> dict[str, Any]:
        return {
            "sigma": self.sigma,
            "seed": self.seed,
            "n_draws": self.n_draws,
            "accuracy_mean": float(np.mean(self.accuracy)),
            "accuracy_sd": float(np.std(self.accuracy, ddof=1)) if self.n_draws > 1 else 0.0,
            "equalized_odds_difference_mean": _nanmean(self.equalized_odds_difference),
            "equalized_odds_difference_sd": _nansd(self.equalized_odds_difference),
            "flip_rate": self.flip_rate,
            "accuracy": _plain(self.accuracy),
            "equalized_odds_difference": _plain(self.equalized_odds_difference),
        }


@dataclass(frozen=True)
class LinfAttack:
    """The worst case found inside ||δ||∞ ≤ ε by projected sign-gradient descent on the margin."""

    epsilon: float
    steps: int
    step_size: float
    restarts: int
    seed: int
    accuracy: float  # on the attacked inputs
    equalized_odds_difference: float
    flip_rate: float  # share of rows whose decision changed
    attack_success_rate: float  # share of correctly classified rows made wrong (NaN: none correct)
    n_flipped: int
    max_perturbation: float  # max |x_adv − x|, ≤ ε by construction
    adversarial_inputs: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)  # recomputed at adversarial_inputs

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "epsilon": self.epsilon,
                "steps": self.steps,
                "step_size": self.step_size,
                "restarts": self.restarts,
                "seed": self.seed,
                "accuracy": self.accuracy,
                "equalized_odds_difference": self.equalized_odds_difference,
                "flip_rate": self.flip_rate,
                "attack_success_rate": self.attack_success_rate,
                "n_flipped": self.n_flipped,
                "max_perturbation": self.max_perturbation,
            }
        )


@dataclass(frozen=True)
class PerturbationRobustness:
    """Accuracy and fairness under Gaussian feature noise and under an L∞-bounded attack."""

    n_rows: int
    threshold: float
    clean_accuracy: float
    clean_equalized_odds_difference: float
    gaussian: tuple[GaussianPerturbation, ...]
    linf: tuple[LinfAttack, ...]
    seeds: dict[str, Any]
    settings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "n_rows": self.n_rows,
                "threshold": self.threshold,
                "clean_accuracy": self.clean_accuracy,
                "clean_equalized_odds_difference": self.clean_equalized_odds_difference,
                "gaussian": [g.to_dict() for g in self.gaussian],
                "linf": [a.to_dict() for a in self.linf],
                "seeds": self.seeds,
                "settings": self.settings,
            }
        )


def _nanmean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def _nansd(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.std(ddof=1)) if finite.size > 1 else None


def _levels(values: Sequence[float], where: str) -> tuple[float, ...]:
    out = tuple(float(v) for v in values)
    if any(not (math.isfinite(v) and v > 0) for v in out):
        raise InputError(f"perturbation sizes must be positive and finite, got {list(out)}", where=where)
    return out


def _evaluate(fn: ProbabilitiesFn, X: np.ndarray) -> np.ndarray:
    p = np.asarray(fn(X), dtype=float).reshape(-1)
    if p.shape[0] != X.shape[0] or not np.all(np.isfinite(p)):
        raise InputError(
            f"the probability function returned shape {p.shape} for {X.shape[0]} rows, or non-finite values",
            where="model_probabilities_fn",
            fix="return P(class 1) as a 1-D array with one value per row",
        )
    return p


def _eod(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> np.ndarray:
    return group_confusion(y, pred, sensitive_features=groups).equalized_odds_difference()


def _attack(
    fn: ProbabilitiesFn,
    X: np.ndarray,
    y: np.ndarray,
    eps: float,
    *,
    threshold: float,
    steps: int,
    step: float,
    fd_step: float,
    bounds: tuple[float, float] | None,
    start: np.ndarray,
) -> np.ndarray:
    """Projected sign-gradient descent on the margin (p − t)(2y − 1), one batched call per step.

    Gradients are central finite differences, all features and rows in one batch of (2F + 1)·N rows; a row
    stops at the first iterate that is misclassified, else keeps its lowest-margin iterate.
    """
    n, f = X.shape
    low, high = X - eps, X + eps
    if bounds is not None:
        low, high = np.maximum(low, bounds[0]), np.minimum(high, bounds[1])
    sign = np.where(y == 1, 1.0, -1.0)
    x = np.clip(start, low, high)
    best = x.copy()
    best_margin = np.full(n, np.inf)
    done = np.zeros(n, dtype=bool)
    offsets = np.concatenate([np.zeros((1, f)), fd_step * np.eye(f), -fd_step * np.eye(f)])
    for it in range(steps + 1):
        batch = (x[None, :, :] + offsets[:, None, :]).reshape(-1, f)
        p = _evaluate(fn, batch).reshape(2 * f + 1, n)
        centre = p[0]
        margin = sign * (centre - threshold)
        wrong = np.where(y == 1, centre < threshold, centre >= threshold)
        better = ~done & ((margin < best_margin) | wrong)
        best[better] = x[better]
        best_margin[better] = margin[better]
        done |= wrong
        if it == steps or done.all():
            break
        grad = sign[:, None] * (p[1 : f + 1] - p[f + 1 :]).T / (2 * fd_step)
        moved = np.clip(x - step * np.sign(grad), low, high)
        x = np.where(done[:, None], x, moved)
    return best


def perturbation_robustness(
    model_probabilities_fn: ProbabilitiesFn,
    X: Any,
    y: Any,
    groups: Any,
    *,
    sigma_list: Sequence[float],
    linf_eps_list: Sequence[float],
    rng: int | np.random.Generator,
    threshold: float = 0.5,
    n_draws: int = 20,
    attack_steps: int = 10,
    step_fraction: float = 2.5,
    restarts: int = 0,
    fd_step: float = 1e-4,
    bounds: tuple[float, float] | None = None,
) -> PerturbationRobustness:
    """Accuracy and equalised-odds gap under Gaussian feature noise and an L∞ attack, for any model.

    ``model_probabilities_fn`` maps a feature matrix to P(class 1) (see :func:`probabilities_fn`).
    ``rng`` is a root seed (each setting's seed is derived from it by label, so adding a level never
    changes another's draws) or a generator (each setting's seed is drawn from it); every seed used is
    recorded. The L∞ attack pushes each row away from its *true* label with step ``step_fraction·ε/steps``
    from the clean input and from ``restarts`` random starts in the box; a row counts as broken only if the
    model, re-run on the returned input, misclassifies it — so reported flips are real, while a missed
    flip is possible (this is an attack, not a certificate). ``bounds`` clips perturbed features (e.g. the
    preprocessor's angle range).
    """
    X = check_features(X, where="X")
    n = X.shape[0]
    y01 = _binary_labels(y, None, n).astype(float)
    groups = np.asarray(groups)
    if not math.isfinite(threshold):
        raise InputError(f"threshold must be finite, got {threshold!r}", where="threshold")
    sigmas = _levels(sigma_list, "sigma_list")
    radii = _levels(linf_eps_list, "linf_eps_list")
    for name, value in (("n_draws", n_draws), ("attack_steps", attack_steps)):
        if not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}", where=name)
    if not isinstance(restarts, int) or restarts < 0:
        raise InputError(f"restarts must be a non-negative integer, got {restarts!r}", where="restarts")

    if isinstance(rng, np.random.Generator):
        source: dict[str, Any] = {"source": "drawn in order from the caller's generator"}

        def seed_for(*labels: object) -> int:
            return int(rng.integers(2**32))
    else:
        root = int(rng)
        source = {"source": "derive_seed(root, 'perturbation', kind, level)", "root": root}

        def seed_for(*labels: object) -> int:
            return derive_seed(root, "perturbation", *labels)

    clean = _evaluate(model_probabilities_fn, X)
    clean_pred = (clean >= threshold).astype(float)
    clean_accuracy = float(accuracy_metric(y01, clean_pred)[0])
    clean_eod = float(_eod(y01, clean_pred, groups)[0])

    gaussian = []
    for sigma in sigmas:
        seed = seed_for("gaussian", repr(sigma))
        noise = np.random.default_rng(seed).normal(0.0, sigma, (n_draws, *X.shape))
        noisy = X[None] + noise
        if bounds is not None:
            noisy = np.clip(noisy, *bounds)
        p = _evaluate(model_probabilities_fn, noisy.reshape(-1, X.shape[1])).reshape(n_draws, n)
        pred = (p >= threshold).astype(float)
        gaussian.append(
            GaussianPerturbation(
                sigma=sigma,
                seed=seed,
                n_draws=n_draws,
                accuracy=accuracy_metric(y01, pred),
                equalized_odds_difference=_eod(y01, pred, groups),
                flip_rate=float(np.mean(pred != clean_pred[None, :])),
            )
        )

    attacks = []
    correct_clean = clean_pred == y01
    for eps in radii:
        seed = seed_for("linf", repr(eps))
        step = step_fraction * eps / attack_steps
        starts = [X] + [
            X + np.random.default_rng([seed, r]).uniform(-eps, eps, X.shape) for r in range(restarts)
        ]
        best = X.copy()
        best_margin = np.full(n, np.inf)
        sign = np.where(y01 == 1, 1.0, -1.0)
        for start in starts:
            candidate = _attack(
                model_probabilities_fn,
                X,
                y01,
                eps,
                threshold=threshold,
                steps=attack_steps,
                step=step,
                fd_step=fd_step,
                bounds=bounds,
                start=start,
            )
            margin = sign * (_evaluate(model_probabilities_fn, candidate) - threshold)
            wrong = np.where(y01 == 1, margin < 0, margin <= 0)
            margin = np.where(wrong, -np.inf, margin)
            better = margin < best_margin
            best[better] = candidate[better]
            best_margin[better] = margin[better]
        p_adv = _evaluate(model_probabilities_fn, best)  # the evidence: re-run on the returned inputs
        pred = (p_adv >= threshold).astype(float)
        broken = correct_clean & (pred != y01)
        attacks.append(
            LinfAttack(
                epsilon=eps,
                steps=attack_steps,
                step_size=step,
                restarts=restarts,
                seed=seed,
                accuracy=float(accuracy_metric(y01, pred)[0]),
                equalized_odds_difference=float(_eod(y01, pred, groups)[0]),
                flip_rate=float(np.mean(pred != clean_pred)),
                attack_success_rate=float(broken.sum() / correct_clean.sum())
                if correct_clean.any()
                else math.nan,
                n_flipped=int(np.sum(pred != clean_pred)),
                max_perturbation=float(np.max(np.abs(best - X))) if n else 0.0,
                adversarial_inputs=best,
                probabilities=p_adv,
            )
        )
    seeds = {
        **source,
        "gaussian": {repr(g.sigma): g.seed for g in gaussian},
        "linf": {repr(a.epsilon): a.seed for a in attacks},
    }
    settings = {
        "n_draws": n_draws,
        "attack": "projected sign-gradient descent on the margin, central finite differences",
        "attack_steps": attack_steps,
        "step_fraction": step_fraction,
        "restarts": restarts,
        "fd_step": fd_step,
        "bounds": list(bounds) if bounds is not None else None,
        "fairness_metric": "equalized_odds_difference (qtrust.metrics, fairlearn definition)",
    }
    return PerturbationRobustness(
        n_rows=n,
        threshold=float(threshold),
        clean_accuracy=clean_accuracy,
        clean_equalized_odds_difference=clean_eod,
        gaussian=tuple(gaussian),
        linf=tuple(attacks),
        seeds=seeds,
        settings=settings,
    )
