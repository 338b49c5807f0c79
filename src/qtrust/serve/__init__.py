"""Run time: a guarded quantum model in production (issue 13, in progress).

Built so far, each usable and tested on its own: the deployable artefact (:mod:`~qtrust.serve.artefact`:
the audited quantum model, its classical fallback persisted with skops, the feature schema and the digests
that tie it to the audit), the circuit breaker that makes a dead backend cost no latency
(:mod:`~qtrust.serve.breaker`), the shot-aware decision rule (:mod:`~qtrust.serve.shot_rule`) and the
data-egress guard (:mod:`~qtrust.serve.egress`), qtrust's engine as the first backend
(:mod:`~qtrust.serve.backends`) and the guard that combines them per request (:mod:`~qtrust.serve.guard`).
Over HTTP, :mod:`~qtrust.serve.http` serves predict, schema, health, readiness and Prometheus metrics behind
API tokens and a rate limit (:mod:`~qtrust.serve.access`), writing every answer to the prediction log
(:mod:`~qtrust.serve.prediction_log`). Still to come: the Qiskit and PennyLane backends, TLS, feedback over
HTTP, PostgreSQL for the prediction log, and recording the deployment in the evidence log.
"""
