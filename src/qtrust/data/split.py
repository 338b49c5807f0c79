"""Train/test row positions that keep every (label, group) cell in proportion.

Fairness metrics compare rates per group and per true label, so a split that starves one cell of test
rows makes those metrics noisy or undefined. Stratifying on the label x group cell prevents that; when a
cell is too small to be split (fewer than 2 rows) the split falls back to label-only stratification and
warns, so the fallback is never silent.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.model_selection import train_test_split

from qtrust.data.dataset import Dataset
from qtrust.errors import InputError
from qtrust.seeding import derive_seed


class StratificationWarning(UserWarning):
    """The split could not stratify on label x group and used a coarser stratification."""


def _strata(dataset: Dataset, n_test: int) -> tuple[np.ndarray | None, str]:
    """The finest usable stratification and its name."""
    n_train = dataset.n_rows - n_test
    cells = np.char.add(np.char.add(dataset.y.astype(str), "|"), dataset.group)
    candidates = [(cells, "label x group"), (dataset.y, "label")]
    for strata, what in candidates:
        _, counts = np.unique(strata, return_counts=True)
        if counts.min() >= 2 and min(n_test, n_train) >= len(counts):
            return strata, what
    return None, "none"


def train_test_indices(
    dataset: Dataset, test_size: float = 0.3, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted train and test row positions, stratified on label x group, deterministic for a seed.

    Each cell's test share is within one row of ``test_size`` (scikit-learn's stratified allocation).
    If a cell has fewer than 2 rows, or there are more cells than test rows, the split stratifies on the
    label alone (or, failing that, not at all) and emits a :class:`StratificationWarning`.
    """
    if not 0.0 < test_size < 1.0:
        raise InputError(
            f"test_size={test_size} is outside (0, 1)",
            where="train_test_indices",
            fix="pass the test share as a fraction, e.g. test_size=0.3",
        )
    n_test = math.ceil(test_size * dataset.n_rows)
    if n_test >= dataset.n_rows:
        raise InputError(
            f"test_size={test_size} leaves no training rows out of {dataset.n_rows}",
            where="train_test_indices",
            fix="use a smaller test_size",
        )
    strata, what = _strata(dataset, n_test)
    if what != "label x group":
        warnings.warn(
            f"dataset '{dataset.name}': cannot stratify the split on label x group (a cell has fewer than "
            f"2 rows or there are more cells than test rows); stratified on: {what}",
            StratificationWarning,
            stacklevel=2,
        )
    train, test = train_test_split(
        np.arange(dataset.n_rows),
        test_size=n_test,
        random_state=derive_seed(random_state, "data/split"),
        stratify=strata,
    )
    return np.sort(train), np.sort(test)
