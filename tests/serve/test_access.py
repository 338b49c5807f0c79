"""API tokens and the rate limit, alone and through the HTTP app."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from qtrust.errors import InputError
from qtrust.serve.access import RateLimiter, TokenStore
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.http import create_app


def test_tokens_are_hashed_at_rest_scoped_and_revocable(tmp_path):
    store = TokenStore(tmp_path)
    token, record = store.create(["predict"])
    assert token.startswith(f"qt_{record.id}_")
    assert token.split("_", 2)[2] not in store.path.read_text()  # only the digest is written
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"
    assert store.check(token, "predict") == record
    assert store.check(token, "feedback") == "token lacks the feedback scope"
    assert store.check(token[:-1] + ("A" if token[-1] != "A" else "B"), "predict") == "unknown token"
    assert store.check(None, "predict") == "missing or malformed token"
    store.revoke(record.id)
    assert store.check(token, "predict") == "revoked token"
    with pytest.raises(InputError, match="scopes"):
        store.create(["admin"])


def test_the_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)  # one token at 2/s
    assert limiter.take("b") == 0.0  # per client
    now[0] = 0.5
    assert limiter.take("a") == 0.0


def test_the_app_answers_401_403_and_429_with_retry_after(setup, tmp_path):
    artefact, rows, _ = setup
    store = TokenStore(tmp_path)
    token, _ = store.create(["predict"])
    feedback_only, _ = store.create(["feedback"])
    now = [0.0]
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    app = create_app(
        guard, tokens=store, limiter=RateLimiter(1.0, 2, clock=lambda: now[0]), max_body_bytes=10_000
    )
    with TestClient(app) as client:
        body = {"rows": rows[:1]}
        assert client.post("/v1/predict", json=body).status_code == 401
        assert (
            client.post(
                "/v1/predict", json=body, headers={"Authorization": f"Bearer {feedback_only}"}
            ).status_code
            == 403
        )
        ok = {"Authorization": f"Bearer {token}"}
        assert [client.post("/v1/predict", json=body, headers=ok).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        limited = client.post("/v1/predict", json=body, headers=ok)
        assert limited.headers["Retry-After"] == "1"
        now[0] = 1.0
        assert client.post("/v1/predict", json=body, headers=ok).status_code == 200
        now[0] = 10.0  # a full bucket again: the size check alone decides
        big = client.post(
            "/v1/predict",
            content=json.dumps({"rows": rows * 50}),
            headers=ok | {"content-type": "application/json"},
        )
        assert big.status_code == 413
        assert token not in client.get("/metrics").text
    guard.close()
