"""make_synthetic: the bias and the proxy it promises are the ones the data has."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qtrust.data import make_synthetic
from qtrust.errors import InputError


def _dp_difference(dataset) -> float:
    privileged = dataset.group == "privileged"
    return float(dataset.y[privileged].mean() - dataset.y[~privileged].mean())


@pytest.mark.parametrize("group_bias", [0.0, 0.1, 0.3, 0.6, -0.2])
def test_label_dp_difference_matches_group_bias(group_bias: float) -> None:
    n_rows, minority, noise = 4000, 0.3, 0.05
    dataset = make_synthetic(
        n_rows, group_bias=group_bias, minority_fraction=minority, label_noise=noise, random_state=11
    )
    # Label noise is the only randomness in the rates: binomial flips in each group.
    n_groups = np.array([n_rows * (1 - minority), n_rows * minority])
    se = math.sqrt(float(np.sum(noise * (1 - noise) / n_groups)))
    assert abs(_dp_difference(dataset) - group_bias) < 4 * se


@pytest.mark.parametrize("group_bias", [0.0, 0.25, 0.8])
def test_without_noise_the_rates_are_exact(group_bias: float) -> None:
    dataset = make_synthetic(1000, group_bias=group_bias, label_noise=0.0, random_state=3)
    privileged = dataset.group == "privileged"
    assert dataset.y[privileged].mean() == pytest.approx(0.5 + group_bias / 2, abs=1 / 700)
    assert dataset.y[~privileged].mean() == pytest.approx(0.5 - group_bias / 2, abs=1 / 300)


@pytest.mark.parametrize("strength", [0.0, 0.5, 0.9])
def test_proxy_correlates_with_group_at_proxy_strength(strength: float) -> None:
    n_rows = 4000
    dataset = make_synthetic(n_rows, proxy_strength=strength, random_state=5)
    unprivileged = (dataset.group == "unprivileged").astype(float)
    correlation = np.corrcoef(dataset.features["proxy"], unprivileged)[0, 1]
    assert abs(correlation - strength) < 4 * (1 - strength**2) / math.sqrt(n_rows) + 1e-12


def test_shape_types_and_groups() -> None:
    dataset = make_synthetic(500, n_features=5, minority_fraction=0.2, random_state=1)
    assert dataset.group_counts() == {"privileged": 400, "unprivileged": 100}
    assert list(dataset.model_features().columns) == ["proxy", "segment", "x1", "x2", "x3"]
    kinds = set(dataset.feature_types.values())
    assert kinds == {"numeric", "categorical"}
    assert dataset.feature_types["segment"] == "categorical"
    np.testing.assert_array_equal(dataset.features["group"], dataset.group)


def test_seed_determinism_and_provenance() -> None:
    first = make_synthetic(random_state=42)
    assert first.digest() == make_synthetic(random_state=42).digest()
    assert first.digest() != make_synthetic(random_state=43).digest()
    assert first.digest() != make_synthetic(random_state=42, group_bias=0.3).digest()
    record = first.provenance.to_dict()
    assert record["licence"] == "CC0-1.0"
    assert record["sha256"] == first.digest()
    assert record["extra"]["random_state"] == 42
    assert record["extra"]["params"]["group_bias"] == 0.2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_features": 1}, "n_features=1 is below 2"),
        ({"group_bias": 0.95, "label_noise": 0.05}, "exceeds 1 - 2\\*label_noise"),
        ({"proxy_strength": 1.5}, "proxy_strength=1.5"),
        ({"minority_fraction": 0.0}, "minority_fraction=0.0"),
        ({"label_noise": 0.5}, "label_noise=0.5"),
        ({"n_rows": 30}, "groups of 9 and 21 rows"),
    ],
)
def test_invalid_parameters(kwargs, message) -> None:
    with pytest.raises(InputError, match=message) as caught:
        make_synthetic(**kwargs)
    assert "Fix:" in str(caught.value)
