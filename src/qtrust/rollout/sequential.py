"""Anytime-valid confidence sequences: a step may be judged after every interval without inflating its
false-rollback rate.

Why not a fixed-sample test: the controller looks at a step again and again as traffic arrives. A fixed-n
test (or a fixed threshold, as Argo and Flagger check one) re-run at every look rolls back healthy canaries
far more often than its nominal rate. A confidence sequence holds at every sample size at once
(P(∃n: θ ∉ CSₙ) ≤ α, Ville's inequality), so "roll back when the whole interval lies beyond the SLO" keeps
the false-rollback rate at α however often the step is looked at.

* :func:`bernoulli_cs` — for a rate (errors, fallbacks, slow requests, positive decisions, TPR/FPR): the
  beta-binomial mixture martingale (Robbins), M(p) = B(a+k, b+n−k)/B(a,b) / (pᵏ(1−p)ⁿ⁻ᵏ), with a Jeffreys
  prior a = b = ½; the sequence is {p : M(p) < 1/α}, found by root finding on each side of k/n.
* :func:`bounded_mean_cs` — for a mean of values in [lo, hi] (the paired accuracy difference of the quantum
  and classical models on the same labelled rows, in [−1, 1]): the two-sided normal-mixture boundary for
  sub-Gaussian increments (Howard, Ramdas, McAuliffe & Sekhon 2021), |Sₙ − nμ| < √((v+ρ)·log((v+ρ)/(ρα²)))
  with v = nσ², σ = (hi−lo)/2, ρ tuned to a planned sample size.

Each decision per row already includes the shot noise of its measurement (a sampled decision is a Bernoulli
trial whose randomness is the shots'), so these sequences cover shot noise without a separate model of it.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq
from scipy.special import betaln

PRIOR = 0.5  # Jeffreys


def _log_mixture(p: float, k: int, n: int) -> float:
    return (
        betaln(PRIOR + k, PRIOR + n - k) - betaln(PRIOR, PRIOR) - k * math.log(p) - (n - k) * math.log1p(-p)
    )


def bernoulli_cs(k: int, n: int, alpha: float) -> tuple[float, float]:
    """The (1−α) anytime-valid interval for a rate after ``k`` events in ``n`` trials; (0, 1) when n = 0."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    level = math.log(1 / alpha)
    tiny = 1e-12
    centre = min(max(k / n, tiny), 1 - tiny)

    def excess(p: float) -> float:
        return _log_mixture(p, k, n) - level

    # the mixture is at most 1 at k/n (an average of likelihood ratios against the best fit), so each side
    # has one crossing of the level, or none when the sequence reaches the end of [0, 1]
    low = 0.0 if excess(tiny) < 0 else brentq(excess, tiny, centre)
    high = 1.0 if excess(1 - tiny) < 0 else brentq(excess, centre, 1 - tiny)
    return float(low), float(high)


def bounded_mean_cs(
    total: float, n: int, alpha: float, *, low: float = -1.0, high: float = 1.0, planned_n: int = 100
) -> tuple[float, float]:
    """The (1−α) anytime-valid interval for the mean of ``n`` values in [low, high] summing to ``total``."""
    if n == 0:
        return low, high
    sigma2 = ((high - low) / 2) ** 2
    rho = sigma2 * max(planned_n, 1)
    v = n * sigma2
    radius = math.sqrt((v + rho) * math.log((v + rho) / (rho * alpha**2))) / n
    mean = total / n
    return max(low, mean - radius), min(high, mean + radius)
