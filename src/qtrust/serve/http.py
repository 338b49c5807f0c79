"""The HTTP face of the guard (FastAPI): a thin shell that parses, calls :class:`~qtrust.serve.guard.Guard`
and renders, plus health, readiness and Prometheus metrics.

``POST /v1/predict`` takes ``{"rows": [{feature: value, ...}, ...], "seed": optional}`` and answers, per
row, the probability, the decision, which model answered and why, the shots used and their seeds, with the
request id. A bad request is a 422 naming the field (``where``) and the fix — never a 500. Metrics carry
counts and latencies by path and reason, never a feature value or a token.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.concurrency import run_in_threadpool

from qtrust.errors import InputError
from qtrust.serve.access import RateLimiter, TokenStore, retry_after_header
from qtrust.serve.feedback import check_labels
from qtrust.serve.guard import Guard
from qtrust.serve.prediction_log import PredictionLog, PredictionRow
from qtrust.serve.routing import AllQuantum, Router

_ANSWERED_BY = ("quantum", "fallback", "classical")
_CONTEXT_KEYS = {"targeting_key", "consent"}


def check_context(context: Any) -> tuple[str | None, dict[str, Any]]:
    """The request's flag context: who is asking (the cohort key) and whether they consented to the quantum
    model; neither is logged."""
    if context is None:
        return None, {}
    if not isinstance(context, dict) or set(context) - _CONTEXT_KEYS:
        raise InputError(
            "unexpected context", where="context", fix='send {"targeting_key": "user id", "consent": true}'
        )
    key, consent = context.get("targeting_key"), context.get("consent", False)
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 256):
        raise InputError(
            "not a targeting key", where="context.targeting_key", fix="a string of 1 to 256 characters"
        )
    if not isinstance(consent, bool):
        raise InputError(f"{consent!r} is not true or false", where="context.consent", fix="true or false")
    return key, {"consent": consent}


def create_app(
    guard: Guard,
    *,
    tokens: TokenStore | None = None,
    limiter: RateLimiter | None = None,
    max_body_bytes: int = 1 << 20,
    log: PredictionLog | None = None,
    router: Router | None = None,
    pad_to_s: float | None = None,
    disclose: bool = True,
) -> FastAPI:
    """The service for one loaded artefact and its guard.

    ``tokens``: requests to /v1/predict need ``Authorization: Bearer <token>`` with the predict scope (401
    without a valid one, 403 without the scope); ``limiter``: per-token (else per-address) rate limit, 429
    with Retry-After; bodies over ``max_body_bytes`` get 413. Health, readiness and metrics stay open.
    ``router``: which model serves each request (a rollout's flag); default: the quantum model for all.

    Side-channel mitigations (see :mod:`qtrust.workflow.side_channels`, which measures what they remove):
    ``pad_to_s`` answers every predict request no sooner than this many seconds after it arrived (constant-time
    padding: response latency no longer tells how many shots a row needed); ``disclose=False`` leaves out which
    model answered, why, and the shots and seeds used — each row carries only its probability and decision
    (the prediction log keeps everything).
    """
    router = router or AllQuantum()
    app = FastAPI(title="qtrust guard", docs_url=None, redoc_url=None, openapi_url=None)
    registry = CollectorRegistry()
    answers = Counter(
        "qtrust_answers", "rows answered, by the model that answered", ["answered_by"], registry=registry
    )
    rejected = Counter("qtrust_rejected_requests", "requests refused as bad input", registry=registry)
    latency = Histogram("qtrust_request_seconds", "time to answer a predict request", registry=registry)
    limited = Counter("qtrust_rate_limited_requests", "requests refused by the rate limit", registry=registry)
    feedback_labels = Counter(
        "qtrust_feedback_labels", "labels received, by what they did", ["outcome"], registry=registry
    )
    breaker_open = Gauge("qtrust_breaker_open", "1 while the circuit breaker is open", registry=registry)
    for name in _ANSWERED_BY:
        answers.labels(name)
    manifest = guard.artefact.manifest

    def refuse(error: InputError, request_id: str) -> JSONResponse:
        rejected.inc()
        return JSONResponse(
            status_code=422,
            content={
                "error": error.problem,
                "where": error.where,
                "fix": error.fix,
                "request_id": request_id,
            },
        )

    async def admit(request: Request, scope: str, request_id: str, shape: str) -> Any:
        """The parsed JSON body of an authenticated, rate-limited, small enough request, or the refusal."""
        client = request.client.host if request.client else "unknown"
        if tokens is not None:
            header = request.headers.get("authorization", "")
            checked = tokens.check(header[7:] if header.lower().startswith("bearer ") else None, scope)
            if isinstance(checked, str):
                status = 403 if checked.startswith("token lacks") else 401
                return JSONResponse(status_code=status, content={"error": checked, "request_id": request_id})
            client = f"token:{checked.id}"
        if limiter is not None:
            wait = limiter.take(client)
            if wait > 0:
                limited.inc()
                return JSONResponse(
                    status_code=429,
                    headers={"Retry-After": retry_after_header(wait)},
                    content={"error": "too many requests", "request_id": request_id},
                )
        if int(request.headers.get("content-length") or 0) > max_body_bytes:
            return JSONResponse(status_code=413, content={"error": f"body over {max_body_bytes} bytes"})
        try:
            return await request.json()
        except ValueError:
            return refuse(InputError("the body is not JSON", where="body", fix=f"send {shape}"), request_id)

    @app.post("/v1/predict")
    async def predict(request: Request) -> Any:
        """Answer, then wait out the padding: refusals (401, 413, 422, 429) are padded like answers, so how
        fast a request comes back says nothing about how it fared."""
        start = time.perf_counter()
        response = await answer(request, start)
        if pad_to_s is not None:
            await asyncio.sleep(max(0.0, pad_to_s - (time.perf_counter() - start)))
        return response

    async def answer(request: Request, start: float) -> Any:
        request_id = uuid.uuid4().hex
        body = await admit(request, "predict", request_id, '{"rows": [...]}')
        if isinstance(body, JSONResponse):
            return body
        if not isinstance(body, dict) or set(body) - {"rows", "seed", "context"}:
            return refuse(
                InputError(
                    "unexpected body", where="body", fix='send {"rows": [...], "seed": N, "context": {...}}'
                ),
                request_id,
            )
        try:
            targeting_key, attributes = check_context(body.get("context"))
        except InputError as error:
            return refuse(error, request_id)
        seed = body.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            return refuse(
                InputError(f"{seed!r} is not a seed", where="seed", fix="an integer in [0, 2^32)"), request_id
            )
        route = router.route(targeting_key, attributes)
        try:
            rows = await run_in_threadpool(guard.predict, body.get("rows") or [], seed=seed, route=route)
        except InputError as error:
            return refuse(error, request_id)
        for row in rows:
            answers.labels(row.answered_by).inc()
        elapsed_ms = (time.perf_counter() - start) * 1000
        if log is not None:
            now = datetime.now(UTC).isoformat(timespec="milliseconds")
            log.add(
                [
                    PredictionRow(
                        request_id,
                        a.row,
                        now,
                        guard.artefact.sha256,
                        a.answered_by,
                        a.reason,
                        a.probability,
                        a.decision,
                        a.shots,
                        a.seeds,
                        guard.backend.name,
                        elapsed_ms,
                        a.egress_sha256,
                        seed,
                        a.group,
                        a.classical_probability,
                        a.rollout,
                    )
                    for a in rows
                ]
            )
        breaker_open.set(1.0 if guard.breaker.snapshot().state == "open" else 0.0)
        latency.observe(time.perf_counter() - start)
        if not disclose:
            return {
                "request_id": request_id,
                "threshold": guard.artefact.threshold,
                "predictions": [
                    {"row": a.row, "probability": a.probability, "decision": a.decision} for a in rows
                ],
            }
        return {
            "request_id": request_id,
            "model": manifest["model"]["name"],
            "fallback": manifest["fallback"]["name"],
            "threshold": guard.artefact.threshold,
            "predictions": [
                {
                    "row": a.row,
                    "probability": a.probability,
                    "decision": a.decision,
                    "answered_by": a.answered_by,
                    "reason": a.reason,
                    "shots": a.shots,
                    "seeds": list(a.seeds),
                }
                for a in rows
            ],
        }

    @app.get("/v1/schema")
    def schema() -> dict[str, Any]:
        """The fields a row must carry, with their audited ranges or categories (what a client builds from)."""
        group = manifest.get("group") or {}
        return {
            "features": manifest["features"],
            "group": {"name": group.get("name"), "values": group.get("values", []), "optional": True},
            "max_rows": guard.settings.max_rows,
        }

    @app.post("/v1/feedback")
    async def feedback(request: Request) -> Any:
        """Labels for earlier predictions: ``{"labels": [{"request_id", "row", "label"}, ...]}``."""
        request_id = uuid.uuid4().hex
        shape = '{"labels": [{"request_id": "...", "row": 0, "label": 1}]}'
        body = await admit(request, "feedback", request_id, shape)
        if isinstance(body, JSONResponse):
            return body
        if log is None:
            return JSONResponse(status_code=503, content={"error": "this service keeps no prediction log"})
        try:
            labels = check_labels(body, guard.settings.max_rows)
        except InputError as error:
            return refuse(error, request_id)
        outcomes: dict[str, list[dict[str, Any]]] = {k: [] for k in ("labelled", "unchanged", "conflict")}
        outcomes["unknown"] = []
        flushed = False
        for item in labels:
            outcome = await run_in_threadpool(log.label, item.request_id, item.row, item.label)
            if outcome == "unknown" and not flushed:  # it may still be queued: write the queue, ask again
                await run_in_threadpool(log.flush)
                flushed = True
                outcome = await run_in_threadpool(log.label, item.request_id, item.row, item.label)
            outcomes[outcome].append({"request_id": item.request_id, "row": item.row})
            feedback_labels.labels(outcome).inc()
        return {
            "request_id": request_id,
            "labelled": len(outcomes["labelled"]),
            "unchanged": len(outcomes["unchanged"]),
            "conflicts": outcomes["conflict"],
            "unknown": outcomes["unknown"],
        }

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        state = guard.breaker.snapshot().state
        # the fallback always answers, so the service is ready even with the quantum backend down; say so
        return JSONResponse({"ready": True, "quantum_backend": "unavailable" if state == "open" else state})

    @app.get("/metrics")
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry).decode(), media_type=CONTENT_TYPE_LATEST)

    return app
