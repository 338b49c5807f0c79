"""ROC metrics of an attack (AUC, TPR at low FPR) with stratified-bootstrap intervals paired across runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import roc_auc_score, roc_curve

from qtrust.assess.privacy.attacks import AttackScores
from qtrust.assess.privacy.validation import _FPR_TOL, DEFAULT_FPRS, check_fprs
from qtrust.errors import InputError
from qtrust.metrics import percentile_interval
from qtrust.results.schema import Estimate
from qtrust.seeding import derive_rng

_BLOCK_ELEMENTS = 2_000_000  # bound on the (replicates × distinct scores) blocks of the bootstrap ROC


def roc_points(scores: AttackScores, max_points: int = 80) -> dict[str, list[float]]:
    """The ROC curve of the draw-averaged scores, thinned to at most ``max_points`` for a report chart."""
    members = np.asarray(scores.members, dtype=float).mean(axis=0)
    nonmembers = np.asarray(scores.nonmembers, dtype=float).mean(axis=0)
    labels = np.r_[np.ones(members.size), np.zeros(nonmembers.size)]
    fpr, tpr, _ = roc_curve(labels, np.r_[members, nonmembers])
    keep = np.unique(np.linspace(0, fpr.size - 1, min(max_points, fpr.size)).round().astype(int))
    return {"fpr": [round(float(v), 5) for v in fpr[keep]], "tpr": [round(float(v), 5) for v in tpr[keep]]}


def tpr_at_fpr(member_scores: ArrayLike, nonmember_scores: ArrayLike, fpr: float) -> float:
    """The largest TPR on the exact ROC whose FPR ≤ ``fpr`` (members = positives, higher score = member).

    Uses ``roc_curve(..., drop_intermediate=False)``: dropping "collinear" points can drop the very point
    that sits under the FPR limit when scores are tied.
    """
    s1 = np.asarray(member_scores, dtype=float).ravel()
    s0 = np.asarray(nonmember_scores, dtype=float).ravel()
    labels = np.concatenate([np.ones(len(s1)), np.zeros(len(s0))])
    fprs, tprs, _ = roc_curve(labels, np.concatenate([s1, s0]), drop_intermediate=False)
    return float(tprs[fprs <= fpr * (1 + _FPR_TOL)].max())


def _binned(index: NDArray[np.intp], weights: NDArray[np.float64], n_values: int) -> NDArray[np.float64]:
    """(replicates, n_values) sums of each replicate's row weights per distinct score, highest score first."""
    size = weights.shape[0]
    offsets = (np.arange(size) * n_values)[:, np.newaxis]
    flat = np.bincount((index + offsets).ravel(), weights=weights.ravel(), minlength=size * n_values)
    return flat.reshape(size, n_values)[:, ::-1]


def _weighted_roc(
    s1: NDArray[np.float64],
    s0: NDArray[np.float64],
    w1: NDArray[np.float64],
    w0: NDArray[np.float64],
    fprs: Sequence[float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """AUC (B,) and TPR at each FPR (B, F) for B row weightings (bootstrap counts) at once.

    Scores are binned on their distinct values, each replicate's member / non-member weights summed per bin
    (one bincount), and the ROC read off cumulative sums from the highest score down — the same ROC
    ``roc_curve`` builds, ties counted half in the AUC as ``roc_auc_score`` does.
    """
    values, inverse = np.unique(np.concatenate([s1, s0]), return_inverse=True)
    n_values = len(values)
    i1, i0 = inverse[: len(s1)], inverse[len(s1) :]
    n_rep = w1.shape[0]
    auc = np.empty(n_rep)
    tpr = np.empty((n_rep, len(fprs)))
    block = max(1, _BLOCK_ELEMENTS // max(n_values, 1))
    for start in range(0, n_rep, block):
        stop = min(start + block, n_rep)
        b1 = _binned(i1, w1[start:stop], n_values)
        b0 = _binned(i0, w0[start:stop], n_values)
        c1 = np.cumsum(b1, axis=1)
        c0 = np.cumsum(b0, axis=1)
        t1 = c1[:, -1:]
        t0 = c0[:, -1:]
        auc[start:stop] = (b1 * (t0 - c0 + 0.5 * b0)).sum(axis=1) / (t1 * t0)[:, 0]
        rate1, rate0 = c1 / t1, c0 / t0
        for f, target in enumerate(fprs):
            tpr[start:stop, f] = np.where(rate0 <= target * (1 + _FPR_TOL), rate1, 0.0).max(axis=1)
    return auc, tpr


def _stratified_counts(n: int, n_boot: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """(n_boot, n) resample counts of ``n`` rows drawn with replacement."""
    rows = rng.integers(0, n, size=(n_boot, n))
    offsets = (np.arange(n_boot) * n)[:, np.newaxis]
    return np.bincount((rows + offsets).ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _estimate(
    per_draw: NDArray[np.float64], replicates: NDArray[np.float64], confidence: float, method: str
) -> Estimate:
    low, high, undefined = percentile_interval(replicates, confidence)
    return Estimate(
        value=float(per_draw.mean()),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        sd=float(per_draw.std(ddof=1)) if len(per_draw) > 1 else None,
        n_draws=len(per_draw),
        n_boot=len(replicates),
        n_undefined=int(undefined),
        method=method,
    )


@dataclass(frozen=True)
class MembershipMetrics:
    """ROC AUC and TPR at low FPRs of one attack, with stratified-bootstrap intervals.

    ``auc_replicates`` / ``tpr_replicates`` are the bootstrap replicates (not serialised): with the same
    ``bootstrap_seed`` and split they are paired across attacks, models and settings, so differences
    between any two get a paired interval (:meth:`auc_difference`).
    """

    auc: Estimate
    tpr_at_fpr: dict[float, Estimate]
    n_members: int
    n_nonmembers: int
    n_draws: int
    bootstrap_seed: int
    auc_per_draw: NDArray[np.float64] = field(repr=False)
    auc_replicates: NDArray[np.float64] = field(repr=False)
    tpr_replicates: NDArray[np.float64] = field(repr=False)

    def auc_difference(self, other: MembershipMetrics, confidence: float | None = None) -> Estimate:
        """``other.auc − self.auc`` (e.g. exact − shots: how much the shots lowered the AUC), paired."""
        if self.bootstrap_seed != other.bootstrap_seed or len(self.auc_replicates) != len(
            other.auc_replicates
        ):
            raise InputError("paired differences need metrics from the same bootstrap seed", where="metrics")
        confidence = self.auc.confidence if confidence is None else confidence
        diff = other.auc_replicates - self.auc_replicates
        low, high, undefined = percentile_interval(diff, confidence)
        return Estimate(
            value=float(other.auc_per_draw.mean() - self.auc_per_draw.mean()),
            ci_low=float(low),
            ci_high=float(high),
            confidence=confidence,
            sd=None,
            n_draws=self.n_draws,
            n_boot=len(diff),
            n_undefined=int(undefined),
            method="paired stratified bootstrap over rows (same resamples for both)",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "auc": self.auc.model_dump(),
            "tpr_at_fpr": {f"{fpr:g}": est.model_dump() for fpr, est in self.tpr_at_fpr.items()},
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "n_draws": self.n_draws,
            "bootstrap_seed": self.bootstrap_seed,
        }


def membership_metrics(
    scores: AttackScores,
    *,
    fprs: Sequence[float] = DEFAULT_FPRS,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> MembershipMetrics:
    """AUC and TPR at each FPR of ``scores``, averaged over draws, with bootstrap intervals.

    Point values: per draw, ``roc_auc_score`` and :func:`tpr_at_fpr`, then the mean over draws (``sd`` is
    their spread between draws). Intervals: replicate b resamples members and non-members separately
    (``derive_rng(seed, "privacy", "bootstrap", "members" | "nonmembers")``; the counts of each class stay
    fixed, so the FPR grid is the same in every replicate) and is evaluated on draw b mod D, so the
    interval covers both row sampling and shot / draw variability.
    """
    n1, n0 = scores.members.shape[1], scores.nonmembers.shape[1]
    fprs = check_fprs(fprs, n0)
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 2:
        raise InputError(f"n_boot={n_boot!r} must be an integer ≥ 2", where="n_boot")
    if not 0.5 < confidence < 1.0:
        raise InputError(f"confidence={confidence} must be in (0.5, 1)", where="confidence")
    labels = np.concatenate([np.ones(n1), np.zeros(n0)])
    n_draws = scores.n_draws
    auc_draw = np.empty(n_draws)
    tpr_draw = np.empty((n_draws, len(fprs)))
    for d in range(n_draws):
        s1, s0 = scores.members[d], scores.nonmembers[d]
        auc_draw[d] = roc_auc_score(labels, np.concatenate([s1, s0]))
        tpr_draw[d] = [tpr_at_fpr(s1, s0, f) for f in fprs]
    w1 = _stratified_counts(n1, n_boot, derive_rng(seed, "privacy", "bootstrap", "members"))
    w0 = _stratified_counts(n0, n_boot, derive_rng(seed, "privacy", "bootstrap", "nonmembers"))
    auc_rep = np.empty(n_boot)
    tpr_rep = np.empty((n_boot, len(fprs)))
    for d in range(n_draws):
        reps = np.arange(d, n_boot, n_draws)
        auc_rep[reps], tpr_rep[reps] = _weighted_roc(
            scores.members[d], scores.nonmembers[d], w1[reps], w0[reps], fprs
        )
    method = "stratified bootstrap over members and non-members" + (
        f" × {n_draws} prediction draws" if n_draws > 1 else ""
    )
    return MembershipMetrics(
        auc=_estimate(auc_draw, auc_rep, confidence, method),
        tpr_at_fpr={
            f: _estimate(tpr_draw[:, i], tpr_rep[:, i], confidence, method) for i, f in enumerate(fprs)
        },
        n_members=n1,
        n_nonmembers=n0,
        n_draws=n_draws,
        bootstrap_seed=seed,
        auc_per_draw=auc_draw,
        auc_replicates=auc_rep,
        tpr_replicates=tpr_rep,
    )
