"""The shot-aware rule against scipy's exact interval and against the exact decision it protects."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from qtrust.serve.shot_rule import decide_with_shots, exact_interval


def binomial_sampler(p: float):
    calls = []

    def sample(shots: int, seed: int) -> int:
        calls.append((shots, seed))
        return int(np.random.default_rng(seed).binomial(shots, p))

    sample.calls = calls
    return sample


@pytest.mark.parametrize(("ones", "shots"), [(37, 100), (0, 100), (100, 100), (1, 7), (499, 1000), (3, 3200)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_the_interval_is_scipys_clopper_pearson(ones, shots, confidence):
    ci = binomtest(ones, shots).proportion_ci(confidence, method="exact")
    assert exact_interval(ones, shots, confidence) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_the_interval_matches_the_textbook_value():
    low, high = exact_interval(37, 100, 0.95)
    assert low == pytest.approx(0.2755, abs=1e-4)  # the textbook value for 37/100
    assert high == pytest.approx(0.4723, abs=1e-4)


def test_a_probability_far_from_the_threshold_settles_on_the_first_draw():
    sample = binomial_sampler(0.9)
    result = decide_with_shots(sample, first_shots=100, budget=1000, seed=7)
    assert result.settled
    assert result.decision == 1
    assert result.shots == 100
    assert len(sample.calls) == 1
    assert result.seeds == (sample.calls[0][1],)


def test_a_probability_on_the_threshold_spends_the_budget_and_defers():
    sample = binomial_sampler(0.5)
    result = decide_with_shots(sample, first_shots=100, budget=1000, seed=3)
    assert not result.settled
    assert result.shots == 1000
    assert [shots for shots, _ in sample.calls] == [100, 100, 200, 400, 200]  # doubling, capped at the budget
    assert "could be shot noise" in result.reason
    assert len(set(result.seeds)) == len(result.seeds)  # a fresh, recorded seed per draw


def test_the_same_seed_gives_the_same_decision():
    first = decide_with_shots(binomial_sampler(0.53), seed=11)
    again = decide_with_shots(binomial_sampler(0.53), seed=11)
    assert first == again


def test_settled_decisions_are_wrong_less_often_than_the_interval_allows():
    """Near the threshold (p = 0.47) a plain 100-shot decision is wrong about 27% of the time; the rule's
    settled decisions must be wrong at most about (1 - confidence) of the time."""
    rng = np.random.default_rng(0)
    settled_wrong = settled = plain_wrong = 0
    for seed in rng.integers(0, 2**31, size=400):
        result = decide_with_shots(binomial_sampler(0.47), first_shots=100, budget=3200, seed=int(seed))
        plain_wrong += np.random.default_rng(int(seed)).binomial(100, 0.47) >= 50
        if result.settled:
            settled += 1
            settled_wrong += result.decision == 1
    assert plain_wrong / 400 > 0.2
    assert settled > 200
    assert settled_wrong / settled < 0.05
