"""The data every assessment reads: one split of one dataset, encoded to qubit angles.

Defined in the assessment layer, which reads it; the audit's data stage (:mod:`qtrust.audit.data_prep`)
builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qtrust.data import Dataset, QubitPreprocessor
from qtrust.data.datasheet import OwnerAnswers


@dataclass
class PreparedData:
    dataset: Dataset
    train_idx: np.ndarray
    test_idx: np.ndarray
    preprocessor: QubitPreprocessor
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    groups_train: np.ndarray
    groups_test: np.ndarray
    split_seed: int
    notes: list[str] = field(default_factory=list)
    test_clip_fraction: float = 0.0  # share of test angles clipped to the training range
    datasheet_answers: OwnerAnswers | None = None  # the data owner's (or the built-in data's) answers
