"""Confidence-based performance estimation (CBPE): the served model's accuracy before the labels arrive.

Labels (did the applicant repay?) come months after a decision, but a drop in accuracy should be seen now.
If the model's probabilities are *calibrated* — among rows served p = 0.8, 80% are positive — then a row
decided positive (p ≥ threshold) is correct with probability P(y=1 | p), one decided negative with
1 − P(y=1 | p), and the expected accuracy of a window is the mean of these per-row probabilities q. The
model's raw probabilities need not be calibrated: a calibration map is learnt on a labelled reference
window with isotonic regression (scikit-learn ``IsotonicRegression``: monotone, no shape assumed), which
is what CBPE's inventors use too (NannyML).

Interval: the realised accuracy is a sum of independent Bernoulli(q_i) outcomes over n rows, a
Poisson-binomial variable with variance Σ q_i(1 − q_i)/n². The calibration map itself is estimated from
n_ref labelled rows; its error adds about mean(q(1 − q))/n_ref (the binomial error of a calibration
histogram, weighted like the current window when the windows are alike). Both are added, and the interval
is the normal approximation ``estimate ± z · sd``; the two variances are recorded separately.

Shots: when the served probabilities are estimates from ``shots`` shots, the decision is taken on p̂, so
the calibration map is learnt from p̂ too: the reference is put through the same shot noise (seeded) first.

Alarm: the estimate is more than ``tolerance`` (default 0.05, five accuracy points) below the reference's
realised accuracy. CBPE estimates a change in accuracy caused by the *inputs* moving (covariate shift); it
cannot see a change in P(y | x) (concept drift) — only labels can.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import norm
from sklearn.isotonic import IsotonicRegression

from qtrust.errors import InputError
from qtrust.monitor import _inputs
from qtrust.monitor.output_drift import simulate_shots
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

TOLERANCE = 0.05
CONFIDENCE = 0.95


def _labels(values: Any, n: int, role: str, subject: str) -> np.ndarray:
    labels = _inputs.numeric(values, role=role, subject=f"{subject} labels")
    if len(labels) != n or not np.isin(labels, (0.0, 1.0)).all():
        raise InputError(
            f"expected {n} labels of 0 or 1, one per probability, got {len(labels)} values "
            f"{sorted(set(labels.tolist()))[:5]}",
            where=_inputs.where(role, f"{subject} labels"),
            fix="pass the outcome (1 favourable, 0 not) of every row of the window",
        )
    return labels


def calibrated_correctness(
    calibration: IsotonicRegression, probabilities: np.ndarray, threshold: float
) -> np.ndarray:
    """Per row, the calibrated probability that the decision ``p >= threshold`` is correct."""
    positive = np.clip(calibration.predict(probabilities), 0.0, 1.0)
    return np.where(probabilities >= threshold, positive, 1.0 - positive)


@register("cbpe")
def cbpe(
    reference: Any,
    current: Any,
    *,
    reference_labels: Any,
    current_labels: Any = None,
    threshold: float = 0.5,
    tolerance: float = TOLERANCE,
    confidence: float = CONFIDENCE,
    shots: int | None = None,
    subject: str = "accuracy",
    seed: int = 0,
) -> DriftResult:
    """Estimated accuracy of ``current`` (served probabilities, no labels) against the reference's realised one.

    ``current_labels``, when some have arrived, only add the realised accuracy to ``detail`` for comparison.
    """
    ref = _inputs.probabilities(reference, role="reference", subject=subject)
    cur = _inputs.probabilities(current, role="current", subject=subject)
    y_ref = _labels(reference_labels, len(ref), "reference", subject)
    shots = _inputs.shots_of(shots, subject=subject)
    served_ref = simulate_shots(ref, shots, seed)
    calibration = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    calibration.fit(served_ref, y_ref)

    reference_accuracy = float(np.mean((served_ref >= threshold) == (y_ref == 1.0)))
    q = calibrated_correctness(calibration, cur, threshold)
    estimate = float(q.mean())
    spread = q * (1.0 - q)
    poisson_binomial = float(spread.sum() / len(q) ** 2)
    calibration_variance = float(spread.mean() / len(ref))
    half_width = float(norm.ppf(0.5 + confidence / 2)) * math.sqrt(poisson_binomial + calibration_variance)
    floor = reference_accuracy - tolerance
    detail: dict[str, Any] = {
        "interval": [estimate - half_width, estimate + half_width],
        "confidence": confidence,
        "reference_accuracy": reference_accuracy,
        "reference_estimate": float(calibrated_correctness(calibration, served_ref, threshold).mean()),
        "tolerance": tolerance,
        "decision_threshold": threshold,
        "variance_poisson_binomial": poisson_binomial,
        "variance_calibration": calibration_variance,
        "current_positive_rate": float(np.mean(cur >= threshold)),
        "shots": shots or 0,
    }
    if current_labels is not None:
        y_cur = _labels(current_labels, len(cur), "current", subject)
        detail["realised_accuracy"] = float(np.mean((cur >= threshold) == (y_cur == 1.0)))
    return DriftResult(
        detector="cbpe",
        subject=subject,
        statistic=estimate,
        p_value=None,
        threshold=floor,
        drifted=estimate < floor,
        reference_n=len(ref),
        current_n=len(cur),
        method=(
            "Expected accuracy from isotonic-calibrated probabilities that each decision is correct, with a "
            "normal interval; alarm when it is more than the tolerance below the reference's realised accuracy."
        ),
        detail=detail,
        seed=seed if shots else None,
    )
