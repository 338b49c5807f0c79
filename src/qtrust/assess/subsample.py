"""A seeded, stratified sample of rows: how the red team and the robustness search stay affordable on large data.

Why stratified by label × group: every interval these stages report is about a group's or a class's rate, and
a plain random sample of a small group can leave it nearly empty. Each stratum keeps its share (at least one
row), the sample is drawn from the audit's seed and a label naming the stage, and the rows come back sorted,
so the same audit always attacks the same rows; the record says how many of how many.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.seeding import derive_rng, derive_seed


def stratified_sample(
    labels: ArrayLike, groups: ArrayLike, size: int, seed: int, *stage: object
) -> NDArray[np.int64]:
    """Indices of about ``size`` rows (every row if there are no more), each label × group in proportion."""
    y = np.asarray(labels).astype(str)
    g = np.asarray(groups).astype(str)
    n = len(y)
    if size >= n:
        return np.arange(n)
    strata = np.unique(np.char.add(np.char.add(y, "|"), g), return_inverse=True)[1]
    rng = derive_rng(seed, "subsample", *stage)
    chosen = []
    for stratum in range(int(strata.max()) + 1):
        rows = np.flatnonzero(strata == stratum)
        keep = max(1, round(size * len(rows) / n))
        chosen.append(rng.permutation(rows)[:keep])
    return np.sort(np.concatenate(chosen))


def training_sample(
    labels: ArrayLike, groups: ArrayLike, cap: int | None, root_seed: int
) -> NDArray[np.int64] | None:
    """The training rows a capped model fits on (indices into the training split), or None for every row.

    Drawn from the audit's root seed by the label ``training/sample``, so it is the same for every training
    seed and every model with the same cap (paired comparisons stay paired).

    Every cap draws from one seeded permutation per stratum and keeps its first rows, so a smaller cap's
    sample lies inside a larger one's: the rows every capped model saw are the smallest cap's sample, which
    is what the privacy red team needs to call a row a member of every model.
    """
    n = len(np.asarray(labels))
    if cap is None or cap >= n:
        return None
    return stratified_sample(labels, groups, cap, derive_seed(root_seed, "training", "sample"), "training")


def smallest_training_cap(specs: Iterable[object]) -> int | None:
    """The smallest ``max_train_rows`` of the configured models (None: every model sees every row)."""
    caps = [cap for spec in specs if (cap := getattr(spec, "max_train_rows", None)) is not None]
    return min(caps) if caps else None
