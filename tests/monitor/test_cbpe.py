"""CBPE: the interval covers the realised accuracy on calibrated-by-construction data; a covariate shift
toward the threshold lowers the estimate and raises the alarm."""

from __future__ import annotations

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.monitor.cbpe import cbpe

TRIALS = 200


def true_probability(score: np.ndarray) -> np.ndarray:
    """P(y = 1 | score): known, monotone, deliberately not the score itself (the model is miscalibrated)."""
    return score**1.5


def window(rng: np.random.Generator, n: int, a: float = 2.0, b: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    score = rng.beta(a, b, n)
    return score, (rng.random(n) < true_probability(score)).astype(int)


def test_the_interval_covers_the_realised_accuracy():
    covered = 0
    for trial in range(TRIALS):
        rng = np.random.default_rng(trial)
        reference, labels = window(rng, 1000)
        current, current_labels = window(rng, 500)
        result = cbpe(reference, current, reference_labels=labels, current_labels=current_labels)
        low, high = result.detail["interval"]
        covered += low <= result.detail["realised_accuracy"] <= high
    assert covered / TRIALS >= 0.9


def test_no_shift_no_alarm_and_the_estimate_is_close():
    rng = np.random.default_rng(1)
    reference, labels = window(rng, 2000)
    current, current_labels = window(rng, 2000)
    result = cbpe(reference, current, reference_labels=labels, current_labels=current_labels)
    assert not result.drifted
    assert result.statistic == pytest.approx(result.detail["reference_accuracy"], abs=0.03)
    assert result.threshold == pytest.approx(result.detail["reference_accuracy"] - 0.05)
    assert result.p_value is None


def test_a_covariate_shift_toward_the_threshold_lowers_the_estimate():
    rng = np.random.default_rng(2)
    reference, labels = window(rng, 1000)
    near, near_labels = window(rng, 500, a=12.0, b=12.0)  # scores crowd around 0.5
    result = cbpe(reference, near, reference_labels=labels, current_labels=near_labels)
    assert result.statistic < result.detail["reference_accuracy"] - 0.1
    assert result.drifted
    low, high = result.detail["interval"]
    assert low <= result.detail["realised_accuracy"] <= high


def test_estimates_on_exact_calibrated_probabilities():
    # q is known exactly when the calibration map is the identity: the estimate is mean(max(p, 1 - p))
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 20_000)
    labels = (rng.random(20_000) < p).astype(int)
    current = rng.uniform(0, 1, 500)
    result = cbpe(p, current, reference_labels=labels)
    assert result.statistic == pytest.approx(np.mean(np.maximum(current, 1 - current)), abs=0.01)


def test_shots_put_the_reference_through_the_same_noise():
    rng = np.random.default_rng(4)
    reference, labels = window(rng, 800)
    current = rng.binomial(100, rng.beta(2, 2, 400)) / 100
    result = cbpe(reference, current, reference_labels=labels, shots=100, seed=5)
    assert result.seed == 5
    assert result.detail["shots"] == 100
    assert result == cbpe(reference, current, reference_labels=labels, shots=100, seed=5)
    assert cbpe(reference, current, reference_labels=labels).seed is None


@pytest.mark.parametrize("labels", [[0, 1, 1], [0, 1, 2, 1], [0, 1, np.nan, 1]])
def test_unusable_labels(labels):
    with pytest.raises(InputError, match="labels"):
        cbpe([0.1, 0.4, 0.6, 0.9], [0.5, 0.5], reference_labels=labels)
