"""German Credit: the packaged bytes, the decoding and the sensitive groups, checked against the raw text."""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np
import pytest

from qtrust.data import GERMAN_CREDIT_CODEBOOK, load_german_credit
from qtrust.data import german_credit as gc
from qtrust.errors import InputError

PUBLISHED_SHA256 = "e2bc10785808eeb5e30462f0805edb73a672f295bc671dec0bca6e2fb5c8e1ca"
NAMES = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount", "savings",
    "employment_since", "installment_rate_pct", "personal_status_sex", "other_debtors", "residence_since",
    "property", "age_years", "other_installment_plans", "housing", "existing_credits", "job",
    "num_dependents", "telephone", "foreign_worker",
]  # fmt: skip


def _raw_bytes() -> bytes:
    return resources.files("qtrust.data").joinpath("german_credit", "german.data").read_bytes()


@pytest.fixture(scope="module")
def raw_rows() -> list[list[str]]:
    """The packaged file parsed by hand: 21 whitespace-separated fields per line."""
    rows = [line.split() for line in _raw_bytes().decode("ascii").splitlines() if line.strip()]
    assert all(len(r) == 21 for r in rows)
    return rows


@pytest.fixture(scope="module")
def by_sex():
    return load_german_credit("sex")


def test_packaged_file_matches_published_sha256() -> None:
    assert hashlib.sha256(_raw_bytes()).hexdigest() == PUBLISHED_SHA256


def test_rows_and_labels_match_raw_file(raw_rows, by_sex) -> None:
    classes = np.array([int(r[20]) for r in raw_rows])
    assert len(raw_rows) == by_sex.n_rows == 1000
    assert (classes == 1).sum() == 700
    assert (classes == 2).sum() == 300
    np.testing.assert_array_equal(by_sex.y, (classes == 1).astype(int))
    assert by_sex.label_name == "credit_risk"
    assert by_sex.positive_label == "good"


def test_sex_groups_match_raw_attribute_9(raw_rows, by_sex) -> None:
    codes = np.array([r[8] for r in raw_rows])
    female = np.isin(codes, ["A92", "A95"])
    assert female.sum() == (codes == "A92").sum() == 310
    assert by_sex.group_counts() == {"female": 310, "male": 690}
    np.testing.assert_array_equal(by_sex.group, np.where(female, "female", "male"))
    assert by_sex.sensitive_source_columns == ("personal_status_sex",)
    assert "personal_status_sex" not in by_sex.model_features().columns
    assert "personal_status_sex" in by_sex.model_features(drop_sensitive=False).columns


def test_age_groups_match_raw_attribute_13(raw_rows) -> None:
    ages = np.array([int(r[12]) for r in raw_rows])
    under = int((ages < 25).sum())
    dataset = load_german_credit("age")
    assert dataset.group_counts() == {"under_25": under, "25_and_over": 1000 - under}
    np.testing.assert_array_equal(dataset.group == "under_25", ages < 25)
    assert "age_years" not in dataset.model_features().columns


def test_every_raw_code_is_decoded(raw_rows, by_sex) -> None:
    assert list(by_sex.features.columns) == NAMES
    categorical = [i for i, name in enumerate(NAMES) if by_sex.feature_types[name] == "categorical"]
    assert len(categorical) == 13
    assert sum(len(c) for c in GERMAN_CREDIT_CODEBOOK.values()) == 56
    for i in categorical:
        codebook = GERMAN_CREDIT_CODEBOOK[NAMES[i]]
        raw_codes = [r[i] for r in raw_rows]
        assert set(raw_codes) <= set(codebook)
        assert all(code.startswith(f"A{i + 1}") for code in codebook)
        assert by_sex.features[NAMES[i]].tolist() == [codebook[c] for c in raw_codes]
    for i in set(range(20)) - set(categorical):
        assert by_sex.features[NAMES[i]].tolist() == [int(r[i]) for r in raw_rows]


@pytest.mark.parametrize(
    ("column", "code", "meaning"),
    [
        ("checking_status", "A11", "... < 0 DM"),
        ("checking_status", "A13", "... >= 200 DM / salary assignments for at least 1 year"),
        ("purpose", "A47", "(vacation - does not exist?)"),
        ("purpose", "A410", "others"),
        ("savings", "A65", "unknown/ no savings account"),
        ("personal_status_sex", "A92", "female : divorced/separated/married"),
        ("personal_status_sex", "A95", "female : single"),
        ("property", "A123", "if not A121/A122 : car or other, not in attribute 6"),
        ("job", "A174", "management/ self-employed/ highly qualified employee/ officer"),
        ("foreign_worker", "A202", "no"),
    ],
)
def test_codebook_follows_german_doc(column: str, code: str, meaning: str) -> None:
    assert GERMAN_CREDIT_CODEBOOK[column][code] == meaning


def test_provenance(by_sex) -> None:
    record = by_sex.provenance.to_dict()
    assert record["sha256"] == PUBLISHED_SHA256
    assert record["licence"] == "CC BY 4.0"
    assert "10.24432/C5NC77" in record["citation"]
    assert record["source"] == "https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data"


def test_tampered_bytes_are_refused(monkeypatch) -> None:
    with pytest.raises(gc.DataIntegrityError, match="sha256 mismatch"):
        gc.verify_sha256(_raw_bytes() + b"\n", PUBLISHED_SHA256, where="german.data")
    meta = gc._metadata()
    altered = {**meta, "provenance": {**meta["provenance"], "sha256": "0" * 64}}
    monkeypatch.setattr(gc, "_metadata", lambda: altered)
    with pytest.raises(InputError, match="reinstall qtrust"):
        load_german_credit()


def test_unknown_sensitive_attribute() -> None:
    with pytest.raises(InputError, match="use 'sex' or 'age'"):
        load_german_credit("race")  # type: ignore[arg-type]
