"""Uncertainty of metrics computed on stacks of prediction draws.

A quantum classifier's metric moves for three reasons: the test rows are a sample (data), the circuit is
read out with finitely many shots or on noisy hardware (shot), and training depends on the seed (seed).
This module turns stacks of metric values into intervals that say so, and splits the variance by source
so a report can say *which* of the three a number's wobble comes from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from qtrust.errors import InputError
from qtrust.metrics._engine import TestSet, check_metric
from qtrust.metrics._numeric import RowWeights, mean_defined, std_defined
from qtrust.metrics._validation import as_stack, check_confidence, check_count, check_threshold
from qtrust.seeding import derive_rng

__all__ = [
    "Estimate",
    "VarianceDecomposition",
    "bootstrap_counts",
    "percentile_interval",
    "t_interval",
    "variance_decomposition",
]

# Bound on the (replicates x rows) blocks materialised at once, in elements.
_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class Estimate:
    """A metric value with its uncertainty.

    ``value`` is the point estimate (the mean over prediction draws of the metric on all rows, for the
    frame); ``ci_low``/``ci_high`` bound it at level ``confidence``; ``sd`` is the spread of the metric
    *between draws* (how much one run differs from the next — not a standard error; NaN with fewer than
    two defined draws). ``n_draws`` counts the draws the value averages (those where the metric is
    defined). ``n_boot`` is the number of bootstrap replicates drawn and ``n_undefined`` how many of them
    were dropped because the metric was undefined there (e.g. a resample left a group without positives).
    ``method`` names how the interval was made.
    """

    value: float
    ci_low: float
    ci_high: float
    confidence: float
    sd: float
    n_draws: int
    n_boot: int
    n_undefined: int
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of Python scalars (NaN stays ``float('nan')``)."""
        return asdict(self)


def percentile_interval(
    replicates: ArrayLike, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Percentile bootstrap interval of each column of ``replicates`` (B, ...), ignoring NaN replicates.

    Returns ``(low, high, n_undefined)`` with the trailing shape of ``replicates``. Quantiles use NumPy's
    default linear interpolation; a column with no defined replicate has a NaN interval.
    """
    confidence = check_confidence(confidence)
    values = np.asarray(replicates, dtype=np.float64)
    n_boot = values.shape[0]
    flat = np.sort(values.reshape(n_boot, -1), axis=0)  # NaN sorts last
    defined = (~np.isnan(flat)).sum(axis=0)
    alpha = (1.0 - confidence) / 2.0
    bounds = [_sorted_quantile(flat, defined, q) for q in (alpha, 1.0 - alpha)]
    shape = values.shape[1:]
    return bounds[0].reshape(shape), bounds[1].reshape(shape), (n_boot - defined).reshape(shape)


def _sorted_quantile(
    ordered: NDArray[np.float64], defined: NDArray[np.int64], q: float
) -> NDArray[np.float64]:
    """Linear-interpolation quantile ``q`` of each column's first ``defined`` (sorted) entries."""
    position = q * np.maximum(defined - 1, 0)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, np.maximum(defined - 1, 0))
    columns = np.arange(ordered.shape[1])
    low, high = ordered[below, columns], ordered[above, columns]
    value = low + (position - below) * np.where(above > below, high - low, 0.0)
    return np.where(defined > 0, value, np.nan)


def bootstrap_counts(n_rows: int, n_boot: int, rng: np.random.Generator) -> Iterator[NDArray[np.float64]]:
    """Multinomial row counts of ``n_boot`` resamples-with-replacement, in blocks of (b, n_rows).

    A replicate's counts are the weights under which a weighted metric equals the metric on the
    resampled rows; blocks keep memory bounded on large test sets. The blocking depends only on
    ``n_rows`` and ``n_boot``, so the draws are reproducible from the generator's seed.
    """
    block = max(1, _BLOCK_ELEMENTS // max(n_rows, 1))
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        rows = rng.integers(0, n_rows, size=(size, n_rows))
        offsets = (np.arange(size) * n_rows)[:, np.newaxis]
        yield (
            np.bincount((rows + offsets).ravel(), minlength=size * n_rows)
            .reshape(size, n_rows)
            .astype(np.float64)
        )


def t_interval(values: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean of ``values`` ± t·sd/√n — for a metric summarised over independent training seeds.

    Use this when each value is one independent run (seeds) and the question is the expected metric of
    the training procedure. NaN values (undefined runs) are dropped and counted in ``n_undefined``; with
    fewer than two defined values the interval is NaN.
    """
    confidence = check_confidence(confidence)
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.shape[0] == 0:
        raise InputError(f"expected a non-empty 1-D array, got shape {array.shape}", where="values")
    defined = array[~np.isnan(array)]
    n = int(defined.shape[0])
    mean = float(mean_defined(array))
    sd = float(std_defined(array))
    if n >= 2:
        half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * sd / np.sqrt(n)
        low, high = mean - half, mean + half
    else:
        low = high = float("nan")
    return Estimate(
        value=mean,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        sd=sd,
        n_draws=n,
        n_boot=0,
        n_undefined=int(array.shape[0] - n),
        method="t interval over draws",
    )


@dataclass(frozen=True)
class VarianceDecomposition:
    """Variance of a metric split into seed, shot and data parts (see :func:`variance_decomposition`).

    ``seed_corrected`` is ``seed - shot / n_shots``, the method-of-moments estimate of the seed variance
    with the shot noise that leaks into per-seed means removed; it can be negative when the true seed
    part is small. Fractions use the uncorrected parts so that they sum to 1.
    """

    metric: str
    mean: float
    seed: float
    shot: float
    data: float
    total: float
    fraction_seed: float
    fraction_shot: float
    fraction_data: float
    seed_corrected: float
    n_seeds: int
    n_shots: int
    n_rows: int
    n_boot: int
    n_undefined: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of Python scalars."""
        return asdict(self)


def variance_decomposition(
    y_true: ArrayLike,
    proba: ArrayLike,
    *,
    metric: str = "accuracy",
    sensitive_features: ArrayLike | None = None,
    threshold: float = 0.5,
    n_boot: int = 200,
    random_state: int = 0,
) -> VarianceDecomposition:
    """Split the variance of ``metric`` into training-seed, shot-noise and test-data parts.

    ``proba`` has shape (S, R, N): S training seeds, R shot/readout draws per seed, N test rows (hard 0/1
    predictions work too with the default threshold). With ``m[s, r]`` the metric of draw (s, r) on all
    rows and ``m_b[s, r]`` the same under bootstrap resample ``b`` of the rows (one shared set of B
    resamples for every draw, so the data part is not confounded with the draws):

    * **seed** = Var_s( mean_r m[s, r] )
    * **shot** = mean_s Var_r m[s, r]
    * **data** = mean_{s,r} Var_b m_b[s, r]

    and ``total = seed + shot + data``. This is the law of total variance for a nested design — shot draws
    nested in seeds, both evaluated on a random test set — under the working assumption that the data
    part adds to the others (the test-set sampling is independent of the seed and shot noise). Variances
    use ddof = 1. Estimator bias: the mean over R draws still carries shot noise, so ``seed`` estimates
    σ²_seed + σ²_shot / R and overstates the seed part by about ``shot / R``; ``seed_corrected`` removes
    that. The bootstrap variance of the data part is itself slightly biased for small N (it is the
    plug-in variance with divisor N) and has Monte-Carlo error of roughly sqrt(2 / B) relative.
    Undefined metric values (NaN) are left out of each mean/variance and counted.
    """
    info = check_metric(metric)
    key = info.key
    n_boot = check_count(n_boot, where="n_boot", minimum=2)
    threshold = check_threshold(threshold)
    test_set = TestSet.build(y_true, sensitive_features, metrics=(key,))
    values = np.asarray(proba)
    if values.ndim != 3 or values.shape[0] < 2 or values.shape[1] < 2:
        raise InputError(
            f"expected shape (seeds, shot_draws, rows) with at least 2 seeds and 2 draws, got {values.shape}",
            where="proba",
            fix="stack the predictions as proba[seed, draw, row]",
        )
    n_seeds, n_shots, n_rows = values.shape
    stack = as_stack(values.reshape(n_seeds * n_shots, n_rows), test_set.n_rows, where="proba", kind="proba")
    pred = (stack >= threshold).astype(np.float64)

    full = test_set.evaluate((key,), pred, stack, RowWeights("none", None))[key].reshape(n_seeds, n_shots)
    rng = derive_rng(random_state, "metrics", "variance_decomposition", "rows")
    replicate_blocks = [
        test_set.evaluate((key,), pred, stack, RowWeights("crossed", counts))[key]
        for counts in bootstrap_counts(n_rows, n_boot, rng)
    ]
    replicates = np.concatenate(replicate_blocks, axis=0).reshape(n_boot, n_seeds, n_shots)

    seed_part = float(std_defined(mean_defined(full, axis=1)) ** 2)
    shot_part = float(mean_defined(std_defined(full, axis=1) ** 2))
    data_part = float(mean_defined((std_defined(replicates, axis=0) ** 2).ravel()))
    total = seed_part + shot_part + data_part
    fractions = [part / total if total > 0 else float("nan") for part in (seed_part, shot_part, data_part)]
    return VarianceDecomposition(
        metric=key,
        mean=float(mean_defined(full.ravel())),
        seed=seed_part,
        shot=shot_part,
        data=data_part,
        total=total,
        fraction_seed=fractions[0],
        fraction_shot=fractions[1],
        fraction_data=fractions[2],
        seed_corrected=seed_part - shot_part / n_shots,
        n_seeds=n_seeds,
        n_shots=n_shots,
        n_rows=n_rows,
        n_boot=n_boot,
        n_undefined=int(np.isnan(replicates).sum()),
    )
