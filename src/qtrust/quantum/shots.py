"""Seeded shot sampling: what a finite measurement budget does to exact probabilities.

Each shot of a two-outcome measurement is a Bernoulli trial, so the estimate of a probability p from S shots
is Binomial(S, p) / S. Draws are independent across rows and across repeated draws; the generator is passed
in (derived from the audit's root seed) so every draw is reproducible.
"""

from __future__ import annotations

import numpy as np

from qtrust.errors import InputError


def check_shots(shots: int) -> int:
    if isinstance(shots, bool) or int(shots) != shots or shots < 1:
        raise InputError(
            f"shot budget {shots!r} is not a positive integer", where="shots", fix="use e.g. 1000"
        )
    return int(shots)


def sample_probabilities(
    probabilities: np.ndarray, shots: int, n_draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Shot estimates of each probability, shape (n_draws, N)."""
    shots = check_shots(shots)
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    return rng.binomial(shots, p, size=(n_draws, *p.shape)) / shots


def sample_signed(values: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Shot estimate of an expectation value in [−1, 1] (one ±1 outcome per shot): 1 − 2·Binomial(S, (1−v)/2)/S."""
    shots = check_shots(shots)
    p_minus = np.clip((1.0 - np.asarray(values, dtype=float)) / 2.0, 0.0, 1.0)
    return 1.0 - 2.0 * rng.binomial(shots, p_minus) / shots
