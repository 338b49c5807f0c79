"""Only encoded angles leave for the backend: a recording backend sees exactly that, and its digest."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from qtrust.data import QubitPreprocessor, load_german_credit
from qtrust.errors import InputError
from qtrust.serve.egress import EgressLog, EgressPolicy, outbound


class RecordingBackend:
    """Stands in for a remote quantum backend: keeps every body it receives."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def call(self, body: bytes) -> None:
        self.received.append(body)


def test_the_backend_receives_only_the_angles_never_raw_columns_or_the_group():
    data = load_german_credit()
    features = data.model_features()
    encoder = QubitPreprocessor(n_qubits=4).fit(features.iloc[:800], data.y[:800])
    rows = data.features.iloc[800:805]  # what a request carries: raw columns, the sensitive one included
    angles = encoder.transform(rows[features.columns])
    backend, log = RecordingBackend(), EgressLog()
    sent = outbound(EgressPolicy.angles_only(4), {"angles": angles})
    backend.call(sent.body)
    log.record(sent)
    body = backend.received[0]
    assert json.loads(body) == {"angles": angles.tolist()}
    assert log.digests() == (hashlib.sha256(body).hexdigest(),)
    text = body.decode()
    for column in data.features.columns:
        assert column not in text
    for value in rows.select_dtypes(exclude="number").to_numpy().ravel():
        assert str(value) not in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"angles": np.zeros((1, 4)), "personal_status_sex": np.zeros((1, 1))},
            "refusing to send personal_status_sex",
        ),
        ({"raw": np.zeros((1, 4))}, "refusing to send raw"),
        ({"angles": np.zeros((1, 5))}, "not the declared 4-column matrix"),
    ],
)
def test_anything_else_is_refused_before_a_call(fields, message):
    with pytest.raises(InputError, match=message):
        outbound(EgressPolicy.angles_only(4), fields)
