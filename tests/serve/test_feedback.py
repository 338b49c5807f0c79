"""Feedback over HTTP, and the caller's group: kept in the prediction log, never sent to the backend."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from qtrust.encoding import canonical_json
from qtrust.serve.access import TokenStore
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.http import create_app
from qtrust.serve.prediction_log import PredictionLog


class Recording(EngineBackend):
    """The engine, keeping the exact bytes of every call."""

    def __init__(self, model):
        super().__init__(model, name="recording")
        self.sent: list[bytes] = []

    def probabilities(self, sent):
        self.sent.append(sent.body)
        return super().probabilities(sent)


@pytest.fixture
def served(setup, tmp_path):
    artefact, rows, _ = setup
    store = TokenStore(tmp_path)
    predict, _ = store.create(["predict"])
    feedback, _ = store.create(["feedback"])
    backend = Recording(artefact.quantum)
    guard = Guard(artefact, backend)
    log = PredictionLog(home=tmp_path)
    with TestClient(create_app(guard, tokens=store, log=log)) as client:
        yield client, rows, artefact, backend, log, tmp_path, predict, feedback
    guard.close()
    log.close()


def test_labels_reach_the_rows_they_name_once(served):
    client, rows, _, _, log, home, predict, feedback = served
    as_predict, as_feedback = {"Authorization": f"Bearer {predict}"}, {"Authorization": f"Bearer {feedback}"}
    answered = client.post("/v1/predict", json={"rows": rows[:3], "seed": 9}, headers=as_predict).json()
    request_id = answered["request_id"]
    labels = {"labels": [{"request_id": request_id, "row": r, "label": r % 2} for r in range(3)]}
    assert client.post("/v1/feedback", json=labels, headers=as_predict).status_code == 403  # scoped tokens
    first = client.post(
        "/v1/feedback", json=labels, headers=as_feedback
    ).json()  # at once: rows may be queued
    assert (first["labelled"], first["unchanged"], first["conflicts"], first["unknown"]) == (3, 0, [], [])
    again = client.post(
        "/v1/feedback",
        json={
            "labels": [
                {"request_id": request_id, "row": 0, "label": 0},
                {"request_id": request_id, "row": 1, "label": 0},
                {"request_id": "0" * 32, "row": 0, "label": 1},
            ]
        },
        headers=as_feedback,
    ).json()
    assert again["unchanged"] == 1
    assert again["conflicts"] == [{"request_id": request_id, "row": 1}]
    assert again["unknown"] == [{"request_id": "0" * 32, "row": 0}]
    log.flush()
    with sqlite3.connect(home / "predictions.db") as db:
        stored = db.execute('SELECT "row", label, seed FROM predictions ORDER BY "row"').fetchall()
    assert stored == [(0, 0, 9), (1, 1, 9), (2, 0, 9)]
    metrics = client.get("/metrics").text
    assert 'qtrust_feedback_labels_total{outcome="labelled"} 3.0' in metrics
    assert 'qtrust_feedback_labels_total{outcome="conflict"} 1.0' in metrics


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"labels": []}, "labels"),
        ({"labels": [{"request_id": "x", "row": 0, "label": 1}]}, "labels[0].request_id"),
        ({"labels": [{"request_id": "a" * 32, "row": -1, "label": 1}]}, "labels[0].row"),
        ({"labels": [{"request_id": "a" * 32, "row": 0, "label": 2}]}, "labels[0].label"),
        ({"labels": [{"request_id": "a" * 32, "row": 0, "label": True}]}, "labels[0].label"),
        ({"labels": [{"request_id": "a" * 32, "row": 0}]}, "labels[0]"),
        ({"rows": []}, "body"),
    ],
)
def test_bad_feedback_names_the_field(served, body, where):
    client, *_, feedback = served
    reply = client.post("/v1/feedback", json=body, headers={"Authorization": f"Bearer {feedback}"})
    assert reply.status_code == 422
    assert reply.json()["where"] == where


def test_the_group_is_logged_on_the_server_and_never_sent(served):
    client, rows, artefact, backend, log, home, predict, _ = served
    group = artefact.manifest["group"]
    assert group["values"] == ["privileged", "unprivileged"]
    schema = client.get("/v1/schema").json()
    assert schema["group"] == {"name": group["name"], "values": group["values"], "optional": True}
    sent = [{**rows[0], group["name"]: "unprivileged"}, rows[1]]
    as_predict = {"Authorization": f"Bearer {predict}"}
    reply = client.post("/v1/predict", json={"rows": sent}, headers=as_predict)
    assert reply.status_code == 200
    without = client.post("/v1/predict", json={"rows": rows[:2]}, headers=as_predict).json()
    assert [p["probability"] for p in reply.json()["predictions"]] == [
        p["probability"] for p in without["predictions"]
    ]  # the group changes nothing the model sees
    assert len(backend.sent) == 2
    assert backend.sent[0] == backend.sent[1]  # byte for byte the same call with or without the group
    assert b"unprivileged" not in backend.sent[0]
    angles = artefact.preprocessor.transform(
        pd.DataFrame(rows[:2])[[f["name"] for f in artefact.manifest["features"]]]
    )
    assert backend.sent[0] == canonical_json({"angles": angles.tolist()})
    log.flush()
    with sqlite3.connect(home / "predictions.db") as db:
        groups = db.execute('SELECT "group" FROM predictions ORDER BY time, "row"').fetchall()
    assert groups[:2] == [("unprivileged",), (None,)]
    unknown = client.post(
        "/v1/predict", json={"rows": [{**rows[0], group["name"]: "nobody"}]}, headers=as_predict
    )
    assert unknown.status_code == 422
    assert unknown.json()["where"] == f"rows[0].{group['name']}"
