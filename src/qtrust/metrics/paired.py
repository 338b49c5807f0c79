"""Quantum vs classical on the same test rows: paired differences, intervals and tests.

Comparing two models' metrics with two independent intervals wastes most of the evidence: both models
see the same rows, so most row-to-row variation cancels in the difference. Everything here is paired —
the bootstrap resamples the same rows for both models, and the permutation test swaps the two models'
predictions row by row — so a small but consistent advantage is detectable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from qtrust.errors import InputError
from qtrust.metrics._engine import TestSet, check_metric
from qtrust.metrics._numeric import RowWeights, mean_defined
from qtrust.metrics._validation import as_stack, check_confidence, check_count, check_threshold
from qtrust.metrics.catalogue import SCORE_METRICS, Better
from qtrust.metrics.uncertainty import bootstrap_counts, percentile_interval
from qtrust.seeding import derive_rng

__all__ = [
    "DEFAULT_PAIRED_METRICS",
    "McNemarResult",
    "PairedComparison",
    "PairedDifference",
    "paired_comparison",
]

DEFAULT_PAIRED_METRICS: tuple[str, ...] = (
    "accuracy",
    "auc",
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)

# Permuted statistics within this distance of the observed one count as "at least as extreme": the metrics
# are ratios of counts, and an exact tie must not be lost to rounding.
_TIE_TOLERANCE = 1e-12
# Bound on the (permutations x seeds x rows) block materialised at once, in elements.
_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class PairedDifference:
    """Model a minus model b on one metric, each averaged over its seed draws.

    ``ci_low``/``ci_high`` are a paired percentile bootstrap over rows (the same resample for both
    models; seeds are averaged, not resampled, so seed-to-seed variation is not in the interval).
    ``p_value`` is the two-sided paired permutation p-value of "a and b are exchangeable", computed as
    ``(1 + #extreme) / (1 + #defined permutations)``. Undefined replicates/permutations are dropped and
    counted.
    """

    metric: str
    value_a: float
    value_b: float
    difference: float
    ci_low: float
    ci_high: float
    confidence: float
    p_value: float
    n_boot: int
    n_boot_undefined: int
    n_permutations: int
    n_permutations_undefined: int
    better: Better | None

    @property
    def favours(self) -> Literal["a", "b"] | None:
        """Which model the point estimate favours given the metric's better direction (None: tie/unknown)."""
        a, b = self.value_a, self.value_b
        if self.better is None or np.isnan(a) or np.isnan(b):
            return None
        if self.better == "closer_to_1":
            a, b = -abs(1.0 - a), -abs(1.0 - b)
        elif self.better == "lower":
            a, b = -a, -b
        return "a" if a > b else ("b" if b > a else None)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, including ``favours``."""
        return {**asdict(self), "favours": self.favours}


@dataclass(frozen=True)
class McNemarResult:
    """Exact McNemar test of equal accuracy on the seed-pooled predictions.

    Each model's prediction for a row is its mean probability over the seeds, thresholded (for hard 0/1
    inputs that is a majority vote, ties going to 1). ``n_a_only`` rows are right only under a,
    ``n_b_only`` only under b; under H0 a discordant row is equally likely to go either way, so the
    p-value is the two-sided exact binomial test of ``n_a_only`` out of the discordant rows at p = 1/2
    (``scipy.stats.binomtest``); 1.0 when there is no discordant row.
    """

    n_a_only: int
    n_b_only: int
    n_both: int
    n_neither: int
    p_value: float
    pooling: str = "mean probability over seeds, then threshold"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class PairedComparison:
    """Result of :func:`paired_comparison`: one :class:`PairedDifference` per metric, and McNemar."""

    differences: Mapping[str, PairedDifference]
    mcnemar: McNemarResult
    n_rows: int
    n_seeds: int
    n_boot: int
    n_permutations: int
    confidence: float
    random_state: int
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict, for JSON reports."""
        return {
            "differences": {key: diff.to_dict() for key, diff in self.differences.items()},
            "mcnemar": self.mcnemar.to_dict(),
            "n_rows": self.n_rows,
            "n_seeds": self.n_seeds,
            "n_boot": self.n_boot,
            "n_permutations": self.n_permutations,
            "confidence": self.confidence,
            "random_state": self.random_state,
            "threshold": self.threshold,
        }


def paired_comparison(
    y_true: ArrayLike,
    groups: ArrayLike | None,
    proba_a: ArrayLike,
    proba_b: ArrayLike,
    *,
    metrics: Iterable[str] = DEFAULT_PAIRED_METRICS,
    threshold: float = 0.5,
    n_boot: int = 1000,
    n_permutations: int = 1000,
    random_state: int = 0,
    confidence: float = 0.95,
) -> PairedComparison:
    """Compare model a (e.g. quantum) with model b (e.g. classical) on identical rows and seeds.

    ``proba_a`` and ``proba_b`` are (S, N): the probability of class 1 from each of S training seeds (the
    same seeds for both models) on the same N test rows. For each metric the difference is
    ``mean_s metric(a_s) - mean_s metric(b_s)``. The permutation null swaps a's and b's predictions on a
    random half of the rows — the same rows for every seed, so each row's pair of predictions moves
    together — which is exact under "the two models are exchangeable on each row". ``groups`` may be None
    when no fairness metric is asked for. Randomness comes from
    ``derive_rng(random_state, "metrics", "paired", ...)``.
    """
    keys = tuple(dict.fromkeys(check_metric(key).key for key in metrics))
    if not keys:
        raise InputError("no metric requested", where="metrics", fix="e.g. metrics=('accuracy',)")
    threshold = check_threshold(threshold)
    confidence = check_confidence(confidence)
    n_boot = check_count(n_boot, where="n_boot")
    n_permutations = check_count(n_permutations, where="n_permutations")
    test_set = TestSet.build(y_true, groups, metrics=keys)
    scores_a = as_stack(proba_a, test_set.n_rows, where="proba_a", kind="proba", leading="seeds")
    scores_b = as_stack(proba_b, test_set.n_rows, where="proba_b", kind="proba", leading="seeds")
    if scores_a.shape != scores_b.shape:
        raise InputError(
            f"proba_a has shape {scores_a.shape} but proba_b has {scores_b.shape}",
            where="proba_b",
            fix="evaluate both models with the same seeds on the same test rows",
        )
    n_seeds = scores_a.shape[0]

    def seed_means(scores: NDArray[np.float64], weights: RowWeights) -> dict[str, NDArray[np.float64]]:
        return _seed_means(test_set, keys, scores, n_seeds, threshold, weights)

    observed_a = seed_means(scores_a, RowWeights("none", None))
    observed_b = seed_means(scores_b, RowWeights("none", None))

    boot: dict[str, list[NDArray[np.float64]]] = {key: [] for key in keys}
    for counts in bootstrap_counts(
        test_set.n_rows, n_boot, derive_rng(random_state, "metrics", "paired", "rows")
    ):
        boot_a = seed_means(scores_a, RowWeights("crossed", counts))
        boot_b = seed_means(scores_b, RowWeights("crossed", counts))
        for key in keys:
            boot[key].append((boot_a[key] - boot_b[key])[:, 0])

    perm: dict[str, list[NDArray[np.float64]]] = {key: [] for key in keys}
    perm_rng = derive_rng(random_state, "metrics", "paired", "permutations")
    for perm_a, perm_b in _swapped_pairs(scores_a, scores_b, n_permutations, perm_rng):
        means_a = seed_means(perm_a, RowWeights("none", None))
        means_b = seed_means(perm_b, RowWeights("none", None))
        for key in keys:
            perm[key].append(means_a[key] - means_b[key])

    differences = {}
    for key in keys:
        value_a, value_b = float(observed_a[key][0]), float(observed_b[key][0])
        diff = value_a - value_b
        low, high, boot_undefined = percentile_interval(np.concatenate(boot[key]), confidence)
        permuted = np.concatenate(perm[key])
        defined = permuted[~np.isnan(permuted)]
        if np.isnan(diff) or defined.shape[0] == 0:
            p_value = float("nan")
        else:
            extreme = int((np.abs(defined) >= abs(diff) - _TIE_TOLERANCE).sum())
            p_value = (1.0 + extreme) / (1.0 + defined.shape[0])
        differences[key] = PairedDifference(
            metric=key,
            value_a=value_a,
            value_b=value_b,
            difference=diff,
            ci_low=float(low),
            ci_high=float(high),
            confidence=confidence,
            p_value=p_value,
            n_boot=n_boot,
            n_boot_undefined=int(boot_undefined),
            n_permutations=n_permutations,
            n_permutations_undefined=int(permuted.shape[0] - defined.shape[0]),
            better=check_metric(key).better,
        )
    return PairedComparison(
        differences=differences,
        mcnemar=mcnemar_pooled(test_set.y, scores_a, scores_b, threshold),
        n_rows=test_set.n_rows,
        n_seeds=int(scores_a.shape[0]),
        n_boot=n_boot,
        n_permutations=n_permutations,
        confidence=confidence,
        random_state=int(random_state),
        threshold=threshold,
    )


def _seed_means(
    test_set: TestSet,
    keys: tuple[str, ...],
    scores: NDArray[np.float64],
    n_seeds: int,
    threshold: float,
    weights: RowWeights,
) -> dict[str, NDArray[np.float64]]:
    """Each metric averaged over seeds: ``scores`` (m·S, N), m stacks of S seeds → (m,) or (B, m)."""
    pred = (scores >= threshold).astype(np.float64)
    needs_scores = any(key in SCORE_METRICS for key in keys)
    values = test_set.evaluate(keys, pred, scores if needs_scores else None, weights)
    return {key: mean_defined(v.reshape(*v.shape[:-1], -1, n_seeds), axis=-1) for key, v in values.items()}


def _swapped_pairs(
    scores_a: NDArray[np.float64],
    scores_b: NDArray[np.float64],
    n_permutations: int,
    rng: np.random.Generator,
) -> Iterator[tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Stacks (p·S, N) of a and b with a random half of the rows swapped — the same rows for every seed."""
    n_seeds, n_rows = scores_a.shape
    block = max(1, _BLOCK_ELEMENTS // (n_seeds * n_rows))
    for start in range(0, n_permutations, block):
        size = min(block, n_permutations - start)
        swap = rng.random((size, 1, n_rows)) < 0.5
        yield (
            np.where(swap, scores_b, scores_a).reshape(size * n_seeds, n_rows),
            np.where(swap, scores_a, scores_b).reshape(size * n_seeds, n_rows),
        )


def mcnemar_pooled(
    y: NDArray[np.float64], scores_a: NDArray[np.float64], scores_b: NDArray[np.float64], threshold: float
) -> McNemarResult:
    """Exact McNemar test on seed-pooled predictions (see :class:`McNemarResult`)."""
    correct_a = (scores_a.mean(axis=0) >= threshold) == (y == 1)
    correct_b = (scores_b.mean(axis=0) >= threshold) == (y == 1)
    a_only = int((correct_a & ~correct_b).sum())
    b_only = int((~correct_a & correct_b).sum())
    discordant = a_only + b_only
    p_value = float(stats.binomtest(a_only, discordant, 0.5).pvalue) if discordant else 1.0
    return McNemarResult(
        n_a_only=a_only,
        n_b_only=b_only,
        n_both=int((correct_a & correct_b).sum()),
        n_neither=int((~correct_a & ~correct_b).sum()),
        p_value=p_value,
    )
