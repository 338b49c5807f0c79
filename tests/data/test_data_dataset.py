"""Dataset: construction-time validation, the content digest and the row/column views."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from qtrust.data import Dataset, Provenance
from qtrust.errors import InputError

PROVENANCE = Provenance(name="toy", source="test", licence="CC0-1.0", sha256="0" * 64)


def _dataset(**changes) -> Dataset:
    n = 40
    features = pd.DataFrame(
        {
            "income": np.linspace(1.0, 40.0, n),
            "city": ["north", "south"] * (n // 2),
            "sex": ["f"] * 20 + ["m"] * 20,
        }
    )
    fields = {
        "name": "toy",
        "features": features,
        "y": np.tile([0, 1, 1, 0], n // 4),
        "group": features["sex"].to_numpy(),
        "sensitive": "sex",
        "label_name": "outcome",
        "positive_label": "1",
        "provenance": PROVENANCE,
        "sensitive_source_columns": ("sex",),
        "feature_types": {"income": "numeric", "city": "categorical", "sex": "categorical"},
    }
    fields.update(changes)
    return Dataset(**fields)


def test_valid_dataset_views() -> None:
    dataset = _dataset()
    assert dataset.n_rows == 40
    assert dataset.group_counts() == {"f": 20, "m": 20}
    assert list(dataset.model_features().columns) == ["income", "city"]
    assert list(dataset.model_features(drop_sensitive=False).columns) == ["income", "city", "sex"]
    assert dataset.y.dtype == np.int64
    with pytest.raises(ValueError, match="read-only"):
        dataset.y[0] = 1


def test_subset_keeps_rows_aligned() -> None:
    dataset = _dataset()
    idx = np.array([39, 0, 5, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])
    part = dataset.subset(idx)
    assert part.n_rows == len(idx)
    np.testing.assert_array_equal(part.y, dataset.y[idx])
    np.testing.assert_array_equal(part.group, dataset.group[idx])
    np.testing.assert_array_equal(part.features["income"], dataset.features["income"].to_numpy()[idx])
    assert list(part.features.index) == list(range(len(idx)))
    with pytest.raises(InputError, match="group 'f' has 3 rows"):
        dataset.subset(np.arange(17, 40))


def test_digest_is_canonical_and_content_sensitive() -> None:
    dataset = _dataset()
    assert dataset.digest() == _dataset().digest()
    reordered = _dataset(features=dataset.features[["sex", "city", "income"]])
    assert reordered.digest() == dataset.digest()
    as_float = _dataset(features=dataset.features.assign(income=dataset.features["income"].astype("float32")))
    assert as_float.digest() == dataset.digest()  # the values 1..40 are exact in float32
    changed = dataset.features.copy()
    changed.loc[3, "income"] += 1e-9
    assert _dataset(features=changed).digest() != dataset.digest()
    assert _dataset(y=1 - dataset.y).digest() != dataset.digest()
    relabelled = np.where(dataset.group == "f", "female", "male")
    assert _dataset(group=relabelled).digest() != dataset.digest()
    rows = np.r_[1:40, 0]
    assert dataset.subset(rows).digest() != dataset.digest()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"y": np.zeros(39, dtype=int)}, "lengths disagree"),
        ({"y": np.tile([0, 1, 2, 1], 10)}, "labels must be 0/1"),
        ({"y": np.ones(40, dtype=int)}, "only class 1 is present"),
        ({"group": np.array(["f"] * 40)}, "single group"),
        ({"group": np.array(["f"] * 31 + ["m"] * 9)}, "group 'm' has 9 rows, fewer than the 10 needed"),
        ({"feature_types": {"income": "numeric", "city": "categorical"}}, "feature_types names"),
        ({"feature_types": {"income": "categorical", "city": "categorical", "sex": "categorical"}}, "typed"),
        ({"sensitive_source_columns": ("gender",)}, "not among the features"),
    ],
)
def test_invalid_datasets_are_refused(changes, message) -> None:
    with pytest.raises(InputError, match=message) as caught:
        _dataset(**changes)
    assert "Fix:" in str(caught.value)


def test_missing_values_are_refused() -> None:
    features = _dataset().features.copy()
    features.loc[[2, 7], "income"] = np.nan
    with pytest.raises(InputError, match=r"'income' \(2 empty\).*drop or impute them first"):
        _dataset(features=features)


def test_provenance_to_dict_is_json_ready() -> None:
    provenance = Provenance("p", "src", "MIT", "ab" * 32, extra={"seed": 3, "shape": (2, 3)})
    record = provenance.to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["extra"] == {"seed": 3, "shape": [2, 3]}
