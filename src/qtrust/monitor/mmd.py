"""Maximum Mean Discrepancy between two samples of encoded angles: did what the circuit sees move?

Per-feature tests miss a change in how features move *together*, and the circuit sees neither raw features
nor their marginals but a vector of rotation angles, shape (n, d). MMD compares two multivariate samples
through a kernel: with a characteristic kernel such as the Gaussian, MMD = 0 exactly when the two
distributions are equal, so it detects any change, joint ones included (Gretton et al., "A kernel
two-sample test", JMLR 2012).

What is computed:

* the **unbiased** estimate of MMD² (Gretton et al., Lemma 6): within-sample kernel sums over i ≠ j, so
  its mean under no change is exactly 0 (it can be slightly negative);
* a Gaussian kernel ``exp(−‖x − y‖² / (2σ²))`` with σ the **median heuristic**: the median pairwise
  distance within the *reference* — a scale fixed by the baseline, so the current window cannot move the
  ruler it is measured with; σ is recorded;
* a **permutation p-value**, ``(1 + #{permuted ≥ observed}) / (n_permutations + 1)``: the pooled rows are
  relabelled at random (seeded) and the statistic recomputed; the +1 counts the observed labelling, so the
  p-value is never 0 and its smallest value is ``1 / (n_permutations + 1)``;
* each window larger than ``max_n`` rows is **subsampled** without replacement (seeded; recorded) because
  the kernel matrix is quadratic in the rows.

Vectorised: one pairwise-distance matrix of the pooled rows; every labelling's three kernel sums come from
one matrix product of the kernel with the (rows × permutations) indicator matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.distance import pdist, squareform

from qtrust.errors import InputError
from qtrust.monitor import _inputs
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult

ALPHA = 0.05
N_PERMUTATIONS = 200
MAX_N = 1_000


def median_bandwidth(reference: NDArray[np.float64]) -> float:
    """The median pairwise Euclidean distance within ``reference`` (i < j)."""
    return float(np.median(pdist(reference)))


def gaussian_kernel(pooled: NDArray[np.float64], bandwidth: float) -> NDArray[np.float64]:
    """The Gaussian kernel matrix of the pooled rows."""
    return np.exp(-squareform(pdist(pooled, "sqeuclidean")) / (2.0 * bandwidth**2))


def unbiased_mmd2(kernel: NDArray[np.float64], in_first: NDArray[np.float64], m: int) -> NDArray[np.float64]:
    """Unbiased MMD² for each labelling: ``in_first`` is (N, P), 1 where a pooled row is in the first sample.

    With K₀ the kernel with a zero diagonal and s one labelling: S_xx = sᵀK₀s, S_xy = sᵀK₀1 − S_xx,
    S_yy = 1ᵀK₀1 − S_xx − 2S_xy; MMD² = S_xx/(m(m−1)) + S_yy/(n(n−1)) − 2S_xy/(mn).
    """
    k0 = kernel.copy()
    np.fill_diagonal(k0, 0.0)
    n = kernel.shape[0] - m
    row_sums = k0.sum(axis=1)
    total = row_sums.sum()
    s_xx = np.einsum("ip,ip->p", in_first, k0 @ in_first)
    s_xy = in_first.T @ row_sums - s_xx
    s_yy = total - s_xx - 2.0 * s_xy
    return s_xx / (m * (m - 1)) + s_yy / (n * (n - 1)) - 2.0 * s_xy / (m * n)


def _subsample(
    rows: NDArray[np.float64], max_n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], bool]:
    if len(rows) <= max_n:
        return rows, False
    return rows[np.sort(rng.choice(len(rows), size=max_n, replace=False))], True


@register("mmd")
def mmd(
    reference: Any,
    current: Any,
    *,
    subject: str = "angles",
    alpha: float = ALPHA,
    n_permutations: int = N_PERMUTATIONS,
    max_n: int = MAX_N,
    seed: int = 0,
) -> DriftResult:
    """Permutation test of unbiased MMD² (Gaussian kernel, median-heuristic σ); alarm when ``p < alpha``."""
    ref_all = _inputs.matrix(reference, role="reference", subject=subject)
    cur_all = _inputs.matrix(current, role="current", subject=subject)
    if ref_all.shape[1] != cur_all.shape[1]:
        raise InputError(
            f"the reference has {ref_all.shape[1]} angle columns, the current window {cur_all.shape[1]}",
            where=_inputs.where("current", subject),
            fix="compare windows encoded by the same circuit",
        )
    if n_permutations < 1 or max_n < 2:
        raise ValueError("need n_permutations >= 1 and max_n >= 2")
    rng = np.random.default_rng(seed)
    ref, ref_subsampled = _subsample(ref_all, max_n, rng)
    cur, cur_subsampled = _subsample(cur_all, max_n, rng)
    bandwidth, source = median_bandwidth(ref), "median pairwise distance within the reference"
    if not bandwidth > 0:  # over half the reference rows coincide: take the pooled scale, else any scale
        bandwidth, source = median_bandwidth(np.vstack([ref, cur])), "median pairwise distance, pooled"
        if not bandwidth > 0:
            bandwidth, source = 1.0, "1.0 (every row identical)"
    m, n = len(ref), len(cur)
    kernel = gaussian_kernel(np.vstack([ref, cur]), bandwidth)
    labels = np.zeros((m + n, n_permutations + 1))
    labels[:m, 0] = 1.0
    chosen = rng.random((n_permutations, m + n)).argsort(axis=1)[:, :m]
    labels[chosen, np.arange(1, n_permutations + 1)[:, None]] = 1.0
    values = unbiased_mmd2(kernel, labels, m)
    observed, permuted = float(values[0]), values[1:]
    tolerance = 1e-12 * max(1.0, abs(observed))  # equal labellings must count as "at least as large"
    p_value = float((1 + np.sum(permuted >= observed - tolerance)) / (n_permutations + 1))
    return DriftResult(
        detector="mmd",
        subject=subject,
        statistic=observed,
        p_value=p_value,
        threshold=alpha,
        drifted=p_value < alpha,
        reference_n=len(ref_all),
        current_n=len(cur_all),
        method=(
            "Unbiased MMD^2 with a Gaussian kernel (median-heuristic bandwidth on the reference) and a "
            "seeded permutation p-value; alarm when p < alpha."
        ),
        detail={
            "bandwidth": bandwidth,
            "bandwidth_source": source,
            "n_permutations": n_permutations,
            "p_value_floor": 1.0 / (n_permutations + 1),
            "max_n": max_n,
            "reference_used": m,
            "current_used": n,
            "reference_subsampled": ref_subsampled,
            "current_subsampled": cur_subsampled,
            "permuted_mean": float(permuted.mean()),
        },
        seed=seed,
    )
