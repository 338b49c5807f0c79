"""The window check composed on German Credit: two halves of one population do not drift; a stretched
duration is found on that feature alone, by the numeric detectors alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qtrust.audit.data_prep import load_dataset
from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.monitor import CurrentWindow, ReferenceWindow, check_window
from qtrust.serve.artefact import feature_schema

SEED = 0


@pytest.fixture(scope="module")
def german_credit() -> pd.DataFrame:
    return load_dataset(config_from_dict({})).model_features()


@pytest.fixture(scope="module")
def schema(german_credit) -> list[dict]:
    return feature_schema(german_credit, german_credit)  # the serving artefact's own schema format


@pytest.fixture(scope="module")
def halves(german_credit) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(SEED).permutation(len(german_credit))
    half = len(order) // 2
    return (
        german_credit.iloc[order[:half]].reset_index(drop=True),
        german_credit.iloc[order[half:]].reset_index(drop=True),
    )


def alarms(results) -> set[tuple[str, str]]:
    return {(result.detector, result.subject) for result in results if result.drifted}


def test_two_halves_of_one_population_do_not_drift(halves, schema):
    reference, current = halves
    results = check_window(ReferenceWindow(reference), CurrentWindow(current), features_schema=schema)
    assert alarms(results) == set()
    numeric = sum(entry["type"] == "number" for entry in schema)
    assert len(results) == 2 * len(schema) == 2 * 19
    assert [r.detector for r in results].count("ks") == numeric
    assert [r.detector for r in results].count("chi2") == len(schema) - numeric
    assert [r.subject for r in results[::2]] == [entry["name"] for entry in schema]


def test_a_stretched_duration_alarms_on_that_feature_and_only_its_numeric_detectors(halves, schema):
    reference, current = halves
    stretched = current.assign(duration_months=current["duration_months"] * 1.5)
    results = check_window(ReferenceWindow(reference), CurrentWindow(stretched), features_schema=schema)
    assert alarms(results) == {("psi", "duration_months"), ("ks", "duration_months")}
    psi = next(r for r in results if (r.detector, r.subject) == ("psi", "duration_months"))
    assert psi.statistic > 0.2
    assert psi.detail["out_of_range_fraction"] > 0  # beyond the training maximum of 72 months


def test_feature_tests_are_holm_corrected_as_one_family(halves, schema):
    reference, current = halves
    results = check_window(ReferenceWindow(reference), CurrentWindow(current), features_schema=schema)
    tests = [r for r in results if r.p_value is not None]
    assert len(tests) == 19
    for result in tests:
        assert result.detail["correction"] == "holm"
        assert result.detail["family_size"] == 19
        assert result.p_value >= result.detail["p_value_raw"]
    smallest = min(tests, key=lambda r: r.detail["p_value_raw"])
    assert smallest.p_value == pytest.approx(min(1.0, 19 * smallest.detail["p_value_raw"]))
    assert all(r.detail.get("correction") is None for r in results if r.detector == "psi")


def test_unknown_categories_are_reported(halves, schema):
    reference, current = halves
    odd = current.assign(housing=["boat"] * 10 + list(current["housing"][10:]))
    results = check_window(ReferenceWindow(reference), CurrentWindow(odd), features_schema=schema)
    psi = next(r for r in results if (r.detector, r.subject) == ("psi", "housing"))
    assert psi.detail["unknown_values"] == ["boat"]
    chi2 = next(r for r in results if (r.detector, r.subject) == ("chi2", "housing"))
    assert chi2.detail["only_in_current"] == ["boat"]


def test_every_detector_runs_on_a_full_window(halves, schema):
    reference, current = halves
    rng = np.random.default_rng(3)
    n_ref, n_cur = len(reference), len(current)
    p_ref, p_cur = rng.beta(2, 3, n_ref), rng.beta(2, 3, n_cur)
    ref = ReferenceWindow(
        reference,
        angles=rng.uniform(0, np.pi, (n_ref, 4)),
        probabilities=p_ref,
        labels=(rng.random(n_ref) < p_ref).astype(int),
    )
    cur = CurrentWindow(
        current,
        angles=rng.uniform(0, np.pi, (n_cur, 4)),
        probabilities=rng.binomial(100, p_cur) / 100,
        shots=100,
    )
    results = check_window(ref, cur, features_schema=schema[:3], seed=11, n_permutations=50)
    assert [r.detector for r in results[-3:]] == ["mmd", "output_shot_noise", "cbpe"]
    seeds = [r.seed for r in results[-3:]]
    assert len(set(seeds)) == 3
    assert all(isinstance(seed, int) for seed in seeds)
    assert results == check_window(ref, cur, features_schema=schema[:3], seed=11, n_permutations=50)
    assert not any(r.drifted for r in results)
    without_labels = ReferenceWindow(reference, angles=ref.angles, probabilities=p_ref)
    assert "cbpe" not in {r.detector for r in check_window(without_labels, cur, features_schema=[])}


def test_unusable_windows(halves, schema):
    reference, current = halves
    with pytest.raises(InputError, match="'age_years' of the schema is not a column") as raised:
        check_window(
            ReferenceWindow(reference),
            CurrentWindow(current.drop(columns="age_years")),
            features_schema=schema,
        )
    assert "current window features" in str(raised.value)
    with pytest.raises(InputError, match="only one window has angles"):
        check_window(
            ReferenceWindow(reference, angles=np.zeros((len(reference), 2))),
            CurrentWindow(current),
            features_schema=[],
        )
    with pytest.raises(InputError, match="features_schema"):
        check_window(
            ReferenceWindow(reference), CurrentWindow(current), features_schema=[{"name": "age_years"}]
        )
    nan_ages = current.assign(age_years=np.where(np.arange(len(current)) == 3, np.nan, current["age_years"]))
    with pytest.raises(InputError, match="current window, 'age_years'"):
        check_window(ReferenceWindow(reference), CurrentWindow(nan_ages), features_schema=schema)
