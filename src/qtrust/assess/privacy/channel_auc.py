"""How well one observable separates two sets of requests: AUC with a stratified bootstrap interval.

The unit of the side-channel red team (:mod:`qtrust.workflow.side_channels`): the observable (a response's
latency, the shots it reports, whether the fallback answered, whether it was an error) is the attacker's
score, the two sets are members against non-members, one group against another, or rows near the decision
threshold against rows far from it. AUC 0.5 is no signal; the interval says whether 0.5 is still plausible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from qtrust.metrics import percentile_interval


@dataclass(frozen=True)
class ChannelAUC:
    auc: float
    ci_low: float
    ci_high: float
    n_positive: int
    n_negative: int

    @property
    def leaks(self) -> bool:
        """The interval excludes 0.5: the observable separates the two sets (in either direction)."""
        return self.ci_low > 0.5 or self.ci_high < 0.5

    def text(self) -> str:
        """``0.87 [0.83, 0.92]*``: the AUC, its interval, and a star when it leaks (tables print this)."""
        return f"{self.auc:.2f} [{self.ci_low:.2f}, {self.ci_high:.2f}]{'*' if self.leaks else ''}"

    def to_dict(self) -> dict[str, float | int | bool]:
        return {**self.__dict__, "leaks": self.leaks}


def _auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Mann–Whitney AUC with ties counted half (average ranks)."""
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def channel_auc(
    scores: ArrayLike, positive: ArrayLike, *, n_boot: int = 1000, confidence: float = 0.95, seed: int = 0
) -> ChannelAUC:
    """AUC of ``scores`` for telling ``positive`` rows from the rest, and its percentile bootstrap interval
    (positives and negatives resampled separately, so every replicate has both)."""
    s = np.asarray(scores, dtype=float)
    pos = np.asarray(positive, dtype=bool)
    if s.shape != pos.shape or pos.all() or not pos.any():
        raise ValueError("channel_auc needs one score per row and rows on both sides")
    rng = np.random.default_rng(seed)
    i_pos, i_neg = np.flatnonzero(pos), np.flatnonzero(~pos)
    labels = np.concatenate([np.ones(len(i_pos), bool), np.zeros(len(i_neg), bool)])
    replicates = np.array(
        [
            _auc(np.concatenate([s[rng.choice(i_pos, len(i_pos))], s[rng.choice(i_neg, len(i_neg))]]), labels)
            for _ in range(n_boot)
        ]
    )
    low, high, _ = percentile_interval(replicates, confidence)
    return ChannelAUC(_auc(s, pos), float(low), float(high), len(i_pos), len(i_neg))
