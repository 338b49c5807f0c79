"""Did the served probabilities move by more than shot noise explains?

A served quantum model does not return its exact probability p but an estimate p̂ = k/shots from a finite
number of measurements, so even an unchanged model on unchanged inputs serves values that differ from the
audit's exact ones. Comparing served estimates with exact reference probabilities directly would call that
shot noise "drift" — most of all at 100 shots. The reference is therefore put through the same noise first:

* **distribution**: a *parametric bootstrap* of the reference, p̃ = Binomial(shots, p)/shots per reference row
  (seeded), compared with the current estimates by a two-sample KS test (scipy ``ks_2samp``): both samples
  then carry the same shot noise, and only a change of the underlying p's remains to be found;
* **mean**: a z-test of mean(p̂) − mean(p) with variance Var_ref(p)/n_ref + Var(p̂)/n_cur, where under no
  change Var(p̂) = Var_ref(p) + E_ref[p(1 − p)]/shots — the spread of the p's plus the binomial shot variance
  (law of total variance), both taken from the reference because that is the null being tested. The mean
  test is the more powerful of the two against a uniform shift; KS also sees a change of shape.

The two p-values are Holm-adjusted (:mod:`qtrust.monitor._holm`) and the alarm is
``min(adjusted) < alpha``, so using two tests does not double the false-alarm rate. ``shots`` None or 0
means the current values are exact: no simulation and no shot term. The statistic is the mean difference,
the number a reader wants first ("served probabilities rose by 0.05").
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy.stats import ks_2samp, norm

from qtrust.monitor import _inputs
from qtrust.monitor._holm import holm
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

ALPHA = 0.05


def simulate_shots(probabilities: np.ndarray, shots: int | None, seed: int) -> np.ndarray:
    """``Binomial(shots, p) / shots`` per probability, seeded; the probabilities themselves when exact."""
    if not shots:
        return probabilities.copy()
    return np.random.default_rng(seed).binomial(shots, probabilities) / shots


@register("output_shot_noise")
def output_drift(
    reference: Any,
    current: Any,
    *,
    shots: int | None = None,
    subject: str = "probability",
    alpha: float = ALPHA,
    seed: int = 0,
) -> DriftResult:
    """Shot-noise-aware test of served probabilities ``current`` against exact ``reference`` ones."""
    ref = _inputs.probabilities(reference, role="reference", subject=subject)
    cur = _inputs.probabilities(current, role="current", subject=subject)
    shots = _inputs.shots_of(shots, subject=subject)
    simulated = simulate_shots(ref, shots, seed)
    with warnings.catch_warnings():  # ties: scipy's exact p-value gives way to the asymptotic one (see ks.py)
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = ks_2samp(simulated, cur)
    difference = float(cur.mean() - ref.mean())
    spread = float(ref.var(ddof=1))
    shot_variance = float(np.mean(ref * (1.0 - ref)) / shots) if shots else 0.0
    standard_error = math.sqrt(spread / len(ref) + (spread + shot_variance) / len(cur))
    if standard_error > 0:
        z = difference / standard_error
        z_p = float(2.0 * norm.sf(abs(z)))
    else:  # a constant, exact reference: any difference at all is a change
        z, z_p = (0.0, 1.0) if difference == 0 else (math.copysign(math.inf, difference), 0.0)
    raw = [float(ks.pvalue), z_p]
    adjusted = holm(raw)
    p_value = float(adjusted.min())
    return DriftResult(
        detector="output_shot_noise",
        subject=subject,
        statistic=difference,
        p_value=p_value,
        threshold=alpha,
        drifted=p_value < alpha,
        reference_n=len(ref),
        current_n=len(cur),
        method=(
            "Served minus reference mean probability; KS test against the reference resampled through the same "
            "shot noise, and a z-test of the mean with the shot variance included; alarm when the smaller "
            "Holm-adjusted p-value < alpha."
        ),
        detail={
            "shots": shots or 0,
            "reference_mean": float(ref.mean()),
            "current_mean": float(cur.mean()),
            "ks_statistic": float(ks.statistic),
            "ks_p_value": raw[0],
            "z": z,
            "z_p_value": z_p,
            "standard_error": standard_error,
            "shot_variance": shot_variance,
            "holm_adjusted": adjusted.tolist(),
        },
        seed=seed,
    )
