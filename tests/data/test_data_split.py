"""train_test_indices: stratified on label x group, deterministic, loud when it must fall back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qtrust.data import Dataset, Provenance, load_german_credit, make_synthetic, train_test_indices
from qtrust.data.split import StratificationWarning
from qtrust.errors import InputError


@pytest.mark.parametrize(
    "dataset",
    [load_german_credit("sex"), load_german_credit("age"), make_synthetic(777, random_state=4)],
    ids=["german-sex", "german-age", "synthetic"],
)
@pytest.mark.parametrize("test_size", [0.2, 0.3, 0.5])
def test_cells_keep_their_proportion(dataset, test_size) -> None:
    train, test = train_test_indices(dataset, test_size=test_size, random_state=9)
    assert np.all(np.diff(train) > 0)
    assert np.all(np.diff(test) > 0)
    np.testing.assert_array_equal(np.union1d(train, test), np.arange(dataset.n_rows))
    assert len(np.intersect1d(train, test)) == 0
    assert abs(len(test) - test_size * dataset.n_rows) <= 1
    for label in (0, 1):
        for group in np.unique(dataset.group):
            cell = (dataset.y == label) & (dataset.group == group)
            assert abs(cell[test].sum() - test_size * cell.sum()) <= 1


def test_deterministic_for_a_seed() -> None:
    dataset = make_synthetic(300, random_state=1)
    first = train_test_indices(dataset, random_state=5)
    second = train_test_indices(dataset, random_state=5)
    other = train_test_indices(dataset, random_state=6)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


def test_falls_back_to_label_stratification_with_a_warning() -> None:
    # Group "b" has a single unfavourable row: the (0, b) cell cannot be split.
    y = np.array([0, 1] * 20 + [1] * 19 + [0])
    group = np.array(["a"] * 40 + ["b"] * 20)
    dataset = Dataset(
        name="tiny",
        features=pd.DataFrame({"x": np.arange(60.0), "g": group}),
        y=y,
        group=group,
        sensitive="g",
        label_name="y",
        positive_label="1",
        provenance=Provenance("tiny", "test", "CC0-1.0", "0" * 64),
        sensitive_source_columns=("g",),
        feature_types={"x": "numeric", "g": "categorical"},
    )
    with pytest.warns(StratificationWarning, match="stratified on: label"):
        train, test = train_test_indices(dataset, test_size=0.25)
    for label in (0, 1):
        assert abs((y[test] == label).sum() - 0.25 * (y == label).sum()) <= 1
    assert len(train) + len(test) == 60


@pytest.mark.parametrize("test_size", [0.0, 1.0, -0.1, 0.9999])
def test_invalid_test_size(test_size) -> None:
    with pytest.raises(InputError, match="test_size"):
        train_test_indices(make_synthetic(100, random_state=0), test_size=test_size)
