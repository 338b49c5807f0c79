"""load_csv: every refusal names the file/column and the fix; a German Credit round trip is lossless."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qtrust.data import load_csv, load_german_credit
from qtrust.errors import InputError


def _frame(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "income": rng.normal(3000.0, 500.0, n).round(2),
            "city": rng.choice(["north", "south", "east"], n),
            "has_car": np.tile([0, 1], n // 2),
            "sex": ["female"] * (n // 2) + ["male"] * (n // 2),
            "approved": np.tile(["yes", "no"], n // 2),
        }
    )


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "data.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _refused(path, match: str, **kwargs) -> str:
    with pytest.raises(InputError, match=match) as caught:
        load_csv(path, **{"label": "approved", "sensitive": "sex", **kwargs})
    message = str(caught.value)
    assert "Fix:" in message
    assert "\n" not in message
    return message


def test_loads_and_infers(tmp_path) -> None:
    path = _write(tmp_path, _frame())
    dataset = load_csv(path, label="approved", sensitive="sex")
    assert dataset.positive_label == "yes"
    np.testing.assert_array_equal(dataset.y, np.tile([1, 0], 20))
    assert dataset.group_counts() == {"female": 20, "male": 20}
    assert dataset.feature_types == {
        "age": "numeric",
        "income": "numeric",
        "city": "categorical",
        "has_car": "categorical",  # a numeric column with two values is a flag
        "sex": "categorical",
    }
    assert dataset.features["has_car"].tolist()[:2] == ["0", "1"]
    assert "approved" not in dataset.features.columns
    assert dataset.name == "data"
    assert dataset.provenance.source == str(path.resolve())
    assert dataset.provenance.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert dataset.provenance.licence == "unknown (user supplied)"


def test_zero_one_label_is_inferred(tmp_path) -> None:
    frame = _frame().assign(approved=np.tile([0, 1], 20))
    dataset = load_csv(_write(tmp_path, frame), label="approved", sensitive="sex")
    assert dataset.positive_label == "1"
    np.testing.assert_array_equal(dataset.y, np.tile([0, 1], 20))


def test_missing_empty_and_unreadable_files(tmp_path) -> None:
    _refused(tmp_path / "nope.csv", r"nope\.csv: file not found")
    (tmp_path / "empty.csv").write_text("")
    _refused(tmp_path / "empty.csv", "the file is empty")
    (tmp_path / "header.csv").write_text("approved,sex\n")
    _refused(tmp_path / "header.csv", "header but no data rows")
    (tmp_path / "binary.csv").write_bytes(b"a,b\n\xff\xfe\x00,1\n")
    _refused(tmp_path / "binary.csv", "not a readable CSV")
    _refused(tmp_path, "is a directory")


def test_misspelt_column_suggests_the_closest(tmp_path) -> None:
    path = _write(tmp_path, _frame())
    message = _refused(path, "sensitive column 'sexx' not found", sensitive="sexx")
    assert "did you mean 'sex'" in message
    assert "available columns: age, income, city" in message
    _refused(path, "label column 'aproved' not found.*did you mean 'approved'", label="aproved")


def test_label_with_many_values_needs_positive(tmp_path) -> None:
    path = _write(tmp_path, _frame().assign(approved=np.tile(["low", "mid", "high", "mid"], 10)))
    message = _refused(path, "the label has 3 values")
    assert "pass positive=" in message
    dataset = load_csv(path, label="approved", sensitive="sex", positive="high")
    np.testing.assert_array_equal(dataset.y, np.tile([0, 0, 1, 0], 10))


@pytest.mark.parametrize("values", [["A", "B"], [1, 2], ["yes", "good"]])
def test_ambiguous_two_valued_label_needs_positive(tmp_path, values) -> None:
    path = _write(tmp_path, _frame().assign(approved=np.tile(values, 20)))
    _refused(path, "cannot tell which label value is favourable.*pass positive=")
    dataset = load_csv(path, label="approved", sensitive="sex", positive=values[1])
    np.testing.assert_array_equal(dataset.y, np.tile([0, 1], 20))
    assert dataset.positive_label == str(values[1])


def test_positive_value_must_occur(tmp_path) -> None:
    path = _write(tmp_path, _frame())
    message = _refused(path, "positive value 'maybe' does not occur", positive="maybe")
    assert "no, yes" in message


def test_missing_cells_are_named_and_counted(tmp_path) -> None:
    frame = _frame().astype({"income": float})
    frame.loc[[1, 4, 9], "income"] = np.nan
    frame.loc[[2], "city"] = None
    message = _refused(_write(tmp_path, frame), r"'income' \(3 empty\), 'city' \(1 empty\)")
    assert "drop or impute them first" in message


def test_numeric_sensitive_needs_threshold(tmp_path) -> None:
    path = _write(tmp_path, _frame())
    _refused(path, r"has \d+ distinct values.*pass sensitive_threshold=", sensitive="age")
    dataset = load_csv(path, label="approved", sensitive="age", sensitive_threshold=40)
    ages = _frame()["age"].to_numpy()
    np.testing.assert_array_equal(dataset.group, np.where(ages < 40, "age < 40", "age >= 40"))
    _refused(path, "needs a numeric sensitive column", sensitive="city", sensitive_threshold=1.5)


def test_small_group_is_refused(tmp_path) -> None:
    frame = _frame().assign(sex=["female"] * 32 + ["male"] * 8)
    _refused(_write(tmp_path, frame), "sensitive group.*'male' has 8 rows")


def test_label_as_sensitive_is_refused(tmp_path) -> None:
    _refused(_write(tmp_path, _frame()), "both the label and the sensitive column", sensitive="approved")


def test_german_credit_round_trip(tmp_path) -> None:
    for sensitive in ("sex", "age"):
        german = load_german_credit(sensitive)
        frame = german.features.assign(
            sex=np.where(load_german_credit("sex").group == "female", "female", "male"),
            credit_risk=np.where(german.y == 1, "good", "bad"),
        )
        path = _write(tmp_path, frame, f"german_{sensitive}.csv")
        if sensitive == "sex":
            loaded = load_csv(path, label="credit_risk", sensitive="sex", positive="good")
            np.testing.assert_array_equal(loaded.group, german.group)
        else:
            loaded = load_csv(path, label="credit_risk", sensitive="age_years", sensitive_threshold=25)
            np.testing.assert_array_equal(loaded.group == "age_years < 25", german.group == "under_25")
        np.testing.assert_array_equal(loaded.y, german.y)
        assert loaded.positive_label == "good"
        for column in german.features.columns:
            assert (
                loaded.features[column].astype(str).tolist() == german.features[column].astype(str).tolist()
            )


@pytest.mark.parametrize(("column", "cell"), [("income", np.inf), ("income", -np.inf), ("age", 1e120)])
def test_infinite_and_huge_numbers_are_named_by_column_and_row(tmp_path, column, cell) -> None:
    frame = _frame()
    frame[column] = frame[column].astype(float)
    frame.loc[4, column] = cell
    message = _refused(_write(tmp_path, frame), f"column '{column}', row 5 after the header")
    assert repr(float(cell)) in message


def test_an_infinite_label_or_group_value_is_refused_too(tmp_path) -> None:
    frame = _frame()
    frame["approved"] = np.tile([0.0, 1.0], 20)
    frame.loc[0, "approved"] = np.inf
    _refused(_write(tmp_path, frame), "column 'approved', row 1 after the header: inf is not a finite")


def test_repeated_column_names_are_refused_not_renamed(tmp_path) -> None:
    path = _write(tmp_path, _frame())
    header, body = path.read_text().split("\n", 1)
    path.write_text(header.replace("city", "sex") + "\n" + body)  # pandas would read sex, sex.1
    _refused(path, "names column\\(s\\) 'sex' more than once")


def test_unnamed_columns_are_refused(tmp_path) -> None:
    path = tmp_path / "data.csv"
    _frame().to_csv(path)  # pandas' index: an unnamed first column
    _refused(path, "column\\(s\\) 1 of the header have no name")
    header, body = path.read_text().split("\n", 1)
    path.write_text(header[1:].replace("city", " ") + ",extra\n" + body)
    _refused(path, "column\\(s\\) 3 of the header have no name")


@pytest.mark.parametrize("threshold", [float("nan"), float("inf")])
def test_a_non_finite_threshold_is_refused(tmp_path, threshold) -> None:
    _refused(
        _write(tmp_path, _frame()), "is not a finite number", sensitive="age", sensitive_threshold=threshold
    )
