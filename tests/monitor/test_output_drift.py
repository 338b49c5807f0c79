"""Output drift: false alarms from shot noise alone stay at alpha; a real shift is found."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.monitor.output_drift import output_drift

TRIALS = 200
ALPHA = 0.05


def served(rng: np.random.Generator, n: int, shots: int, shift: float = 0.0) -> np.ndarray:
    """A window of served estimates: fresh rows' exact p's (same population as the reference), shifted,
    measured with ``shots`` shots."""
    p = np.clip(rng.beta(2, 3, n) + shift, 0.0, 1.0)
    return rng.binomial(shots, p) / shots


@pytest.mark.parametrize("shots", [100, 1000])
def test_shot_noise_alone_stays_within_alpha(shots):
    alarms = 0
    for trial in range(TRIALS):
        rng = np.random.default_rng([shots, trial])
        reference = rng.beta(2, 3, 400)
        alarms += output_drift(reference, served(rng, 300, shots), shots=shots, seed=trial).drifted
    standard_error = math.sqrt(ALPHA * (1 - ALPHA) / TRIALS)
    assert alarms / TRIALS <= ALPHA + 3 * standard_error


@pytest.mark.parametrize("shots", [100, 1000])
def test_the_same_rows_remeasured_stay_within_alpha(shots):
    alarms = 0
    for trial in range(TRIALS):
        rng = np.random.default_rng([shots, trial, 1])
        reference = rng.beta(2, 3, 300)
        current = rng.binomial(shots, reference) / shots
        alarms += output_drift(reference, current, shots=shots, seed=trial).drifted
    assert alarms / TRIALS <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / TRIALS)


@pytest.mark.parametrize("shots", [100, 1000])
def test_a_shift_of_a_tenth_is_detected(shots):
    detected = 0
    for trial in range(TRIALS):
        rng = np.random.default_rng([shots, trial, 2])
        result = output_drift(rng.beta(2, 3, 400), served(rng, 300, shots, 0.1), shots=shots, seed=trial)
        detected += result.drifted
    assert detected / TRIALS >= 0.98


def test_without_the_shot_term_shot_noise_would_look_like_drift():
    # probabilities spread about as narrowly as 100-shot noise: compared as if the served values were exact,
    # the doubled spread looks like a change; with the shot noise simulated, it does not
    rng = np.random.default_rng(0)
    reference = rng.beta(40, 60, 2000)
    current = rng.binomial(100, rng.beta(40, 60, 2000)) / 100
    assert output_drift(reference, current, shots=None).detail["ks_p_value"] < 1e-6
    assert not output_drift(reference, current, shots=100, seed=1).drifted


def test_reported_numbers():
    rng = np.random.default_rng(1)
    reference = rng.beta(2, 3, 500)
    result = output_drift(reference, served(rng, 400, 100, 0.05), shots=100, seed=7)
    detail = result.detail
    assert result.statistic == pytest.approx(detail["current_mean"] - detail["reference_mean"])
    assert detail["shot_variance"] == pytest.approx(np.mean(reference * (1 - reference)) / 100)
    assert result.p_value == min(detail["holm_adjusted"])
    assert result.p_value == min(1.0, 2 * min(detail["ks_p_value"], detail["z_p_value"]))
    assert result.seed == 7
    assert detail["shots"] == 100


@pytest.mark.parametrize("shots", [None, 0])
def test_exact_mode_has_no_shot_term(shots):
    p = np.linspace(0.1, 0.9, 50)
    result = output_drift(p, p, shots=shots)
    assert result.detail["shot_variance"] == 0.0
    assert result.detail["shots"] == 0
    assert result.statistic == 0.0
    assert not result.drifted


def test_constant_exact_reference():
    same = output_drift(np.full(10, 0.3), np.full(10, 0.3))
    assert same.p_value == 1.0
    assert not same.drifted
    assert output_drift(np.full(10, 0.3), np.full(10, 0.31)).drifted


@pytest.mark.parametrize(
    ("reference", "current", "shots", "message"),
    [
        ([0.1, 0.2], [0.5, 1.2], 100, "outside"),
        ([0.1, np.nan], [0.5, 0.2], 100, "not finite"),
        ([0.1, 0.2], [], 100, "empty"),
        ([0.1, 0.2], [0.1, 0.2], -5, "non-negative"),
        ([0.1, 0.2], [0.1, 0.2], 2.5, "non-negative"),
    ],
)
def test_unusable_input(reference, current, shots, message):
    with pytest.raises(InputError, match=message):
        output_drift(reference, current, shots=shots)
