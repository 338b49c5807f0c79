"""QubitPreprocessor and make_tabular_encoder against hand-built and scikit-learn references."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA

from qtrust.data import QubitPreprocessor, load_german_credit, make_synthetic, make_tabular_encoder
from qtrust.errors import InputError


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    features = make_synthetic(600, n_features=6, random_state=2).model_features()
    return features.iloc[:400].reset_index(drop=True), features.iloc[400:].reset_index(drop=True)


def _reference_encoding(train: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Standardise numerics with training mean/std (ddof=0); one-hot categoricals in sorted order."""
    parts = []
    for column in [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])]:
        parts.append(((frame[column] - train[column].mean()) / train[column].std(ddof=0)).to_numpy()[:, None])
    for column in [c for c in train.columns if not pd.api.types.is_numeric_dtype(train[c])]:
        categories = sorted(train[column].unique())
        parts.append(np.stack([(frame[column] == c).to_numpy(float) for c in categories], axis=1))
    return np.hstack(parts)


def test_encoder_matches_hand_built_encoding(frames) -> None:
    train, test = frames
    encoder = make_tabular_encoder(train).fit(train)
    np.testing.assert_allclose(encoder.transform(test), _reference_encoding(train, test), atol=1e-12)
    assert list(encoder.get_feature_names_out()) == [
        "proxy", "x1", "x2", "x3", "x4", "segment=a", "segment=b", "segment=c",
    ]  # fmt: skip


def test_train_output_spans_angle_range(frames) -> None:
    train, _ = frames
    low, high = -math.pi / 2, math.pi / 2
    angles = QubitPreprocessor(n_qubits=4, angle_range=(low, high)).fit_transform(train)
    assert angles.shape == (400, 4)
    assert angles.dtype == np.float64
    np.testing.assert_allclose(angles.min(axis=0), low, atol=1e-12)
    np.testing.assert_allclose(angles.max(axis=0), high, atol=1e-12)


def test_pca_agrees_with_sklearn_on_the_encoded_matrix(frames) -> None:
    train, test = frames
    pre = QubitPreprocessor(n_qubits=3).fit(train)
    reference = PCA(n_components=3, svd_solver="full").fit(_reference_encoding(train, train))
    np.testing.assert_allclose(pre.pca_.components_, reference.components_, atol=1e-10)
    reduced_train = reference.transform(_reference_encoding(train, train))
    low, high = reduced_train.min(axis=0), reduced_train.max(axis=0)
    expected = math.pi * (reference.transform(_reference_encoding(train, test)) - low) / (high - low)
    np.testing.assert_allclose(pre.transform(test), np.clip(expected, 0.0, math.pi), atol=1e-10)

    described = pre.describe()
    np.testing.assert_allclose(described["explained_variance_ratio"], reference.explained_variance_ratio_)
    assert described["explained_variance_total"] == pytest.approx(reference.explained_variance_ratio_.sum())
    assert described["angle_range"] == [0.0, math.pi]
    names = list(pre.encoded_feature_names_)
    for i, component in enumerate(described["components"]):
        top = np.argsort(-np.abs(reference.components_[i]))[:3]
        assert [t["feature"] for t in component["top_loadings"]] == [names[j] for j in top]


def test_fit_uses_training_extremes_only(frames) -> None:
    train, test = frames
    pre = QubitPreprocessor(n_qubits=3).fit(train)
    data_min, data_max = pre.data_min_.copy(), pre.data_max_.copy()
    shifted = test.assign(proxy=test["proxy"] + 5.0, x1=test["x1"] * 3.0)
    angles = pre.transform(shifted)
    np.testing.assert_array_equal(pre.data_min_, data_min)
    np.testing.assert_array_equal(pre.data_max_, data_max)
    assert pre.last_clip_fraction_ > 0.0
    assert angles.min() >= 0.0
    assert angles.max() <= math.pi


def test_clip_fraction_counts_values_beyond_training_range() -> None:
    # One numeric column per qubit: each map to angles is increasing and affine, so a test value is clipped
    # exactly when it lies outside that column's training range.
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"a": rng.uniform(0, 10, 200), "b": rng.normal(0, 1, 200)})
    test = pd.DataFrame({"a": [-1.0, 5.0, 11.0, 12.0, 3.0], "b": [0.0, 0.1, -9.0, 0.2, 9.0]})
    outside = (test < train.min()) | (test > train.max())
    for clip in (True, False):
        pre = QubitPreprocessor(n_qubits=2, reduction="none", clip=clip).fit(train)
        angles = pre.transform(test)
        assert pre.last_clip_fraction_ == pytest.approx(outside.to_numpy().mean())
        beyond = (angles < 0.0) | (angles > math.pi)
        np.testing.assert_array_equal(beyond, outside.to_numpy() & (not clip))
    pre.transform(train)
    assert pre.last_clip_fraction_ == 0.0


@pytest.mark.parametrize("reduction", ["pca", "none"])
def test_inverse_transform_recovers_features_when_nothing_is_dropped(frames, reduction) -> None:
    train, test = frames
    pre = QubitPreprocessor(n_qubits=8, reduction=reduction, clip=False).fit(train)
    restored = pre.inverse_transform(pre.transform(test))
    assert list(restored.columns) == list(test.columns)
    for column in ["proxy", "x1", "x2", "x3", "x4"]:
        np.testing.assert_allclose(restored[column], test[column], rtol=1e-8, atol=1e-8)
    assert restored["segment"].tolist() == test["segment"].tolist()


def test_inverse_transform_on_german_credit_returns_valid_categories() -> None:
    german = load_german_credit()
    features = german.model_features()
    pre = QubitPreprocessor(n_qubits=6).fit(features)
    restored = pre.inverse_transform(pre.transform(features.iloc[:50]))
    for column, kind in german.feature_types.items():
        if kind == "categorical" and column in restored:
            assert set(restored[column]) <= set(features[column])


def test_unknown_category_and_missing_column(frames) -> None:
    train, test = frames
    pre = QubitPreprocessor(n_qubits=3).fit(train)
    assert np.isfinite(pre.transform(test.assign(segment="z"))).all()
    with pytest.raises(InputError, match=r"columns \['x4'\] seen in fit are missing"):
        pre.transform(test.drop(columns=["x4"]))
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        pre.transform(test.to_numpy())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_qubits": 0}, "n_qubits=0 is below 1"),
        ({"n_qubits": 9}, "n_qubits=9 exceeds the 8 encoded columns"),
        (
            {"n_qubits": 4, "reduction": "none"},
            "needs exactly n_qubits=4 encoded columns, the data encode to 8",
        ),
        ({"reduction": "umap"}, "unknown reduction"),
        ({"angle_range": (1.0, 1.0)}, "angle_range"),
    ],
)
def test_invalid_parameters(frames, params, message) -> None:
    with pytest.raises(InputError, match=message) as caught:
        QubitPreprocessor(**params).fit(frames[0])
    assert "Fix:" in str(caught.value)


def test_estimator_conventions(frames) -> None:
    train, test = frames
    pre = QubitPreprocessor(n_qubits=3, angle_range=(0.0, 2.0))
    assert clone(pre).get_params() == pre.get_params()
    assert not hasattr(pre, "scaler_")
    pre.fit(train)
    again = pickle.loads(pickle.dumps(pre))
    np.testing.assert_array_equal(again.transform(test), pre.transform(test))
