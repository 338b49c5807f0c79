"""The guard's hand-written encoder reproduces scikit-learn's fitted chain on German Credit, every reduction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qtrust.audit.data_prep import load_dataset
from qtrust.config import config_from_dict
from qtrust.data.preprocess import QubitPreprocessor
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.row_encoder import row_encoder


@pytest.fixture(scope="module")
def german():
    dataset = load_dataset(config_from_dict({}))
    features = dataset.model_features()
    return features, dataset.y


@pytest.mark.parametrize(
    ("reduction", "n_qubits", "clip"),
    [("pls", 6, True), ("pca", 4, True), ("pca", 3, False), ("none", None, True)],
)
def test_the_row_encoder_equals_the_fitted_chain(german, reduction, n_qubits, clip):
    features, y = german
    train, rest = features.iloc[:600], features.iloc[600:]
    if n_qubits is None:  # reduction none: as many qubits as encoded columns
        n_qubits = QubitPreprocessor(n_qubits=4, reduction="pca").fit(train).n_encoded_
    preprocessor = QubitPreprocessor(n_qubits=n_qubits, reduction=reduction, clip=clip).fit(train, y[:600])
    encoder = row_encoder(preprocessor)
    assert encoder is not None
    rows = json.loads(rest.to_json(orient="records"))  # as they arrive over HTTP
    rows[0] = rows[0] | {"duration_months": 10 * float(features["duration_months"].max())}  # beyond training
    expected = preprocessor.transform(rest.assign(duration_months=[r["duration_months"] for r in rows]))
    got = encoder.encode(rows)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert preprocessor.last_clip_fraction_ > 0  # the far value is outside the training range
    if clip:
        assert got.max() <= np.pi
    unknown = {**rows[1], "purpose": "a category never seen"}
    np.testing.assert_allclose(
        encoder.encode([unknown]),
        preprocessor.transform(rest.iloc[[1]].assign(purpose="a category never seen")),
        rtol=0,
        atol=1e-12,
    )


def test_the_guard_uses_it_and_answers_as_through_scikit_learn(setup):
    artefact, rows, _ = setup
    fast = Guard(artefact, EngineBackend(artefact.quantum))
    slow = Guard(artefact, EngineBackend(artefact.quantum))
    slow.encoder = None
    try:
        assert fast.encoder is not None
        for a, b in zip(fast.predict(rows), slow.predict(rows), strict=True):
            assert (a.answered_by, a.decision) == (b.answered_by, b.decision)
            assert a.probability == pytest.approx(b.probability, abs=1e-12)
    finally:
        fast.close()
        slow.close()
    assert row_encoder(object()) is None  # any other shape goes through scikit-learn
