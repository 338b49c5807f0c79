"""Run time: a guarded quantum model in production (issue 13, in progress).

Built so far, each usable and tested on its own: the deployable artefact (:mod:`~qtrust.serve.artefact`:
the audited quantum model, its classical fallback persisted with skops, the feature schema and the digests
that tie it to the audit), the circuit breaker that makes a dead backend cost no latency
(:mod:`~qtrust.serve.breaker`), the shot-aware decision rule (:mod:`~qtrust.serve.shot_rule`) and the
data-egress guard (:mod:`~qtrust.serve.egress`), qtrust's engine as the first backend
(:mod:`~qtrust.serve.backends`) and the guard that combines them per request (:mod:`~qtrust.serve.guard`).
Over HTTP, :mod:`~qtrust.serve.http` serves predict, health, readiness and Prometheus metrics. Still to come:
the Qiskit and PennyLane backends, the ``qtrust serve`` command, tokens, rate limits and TLS, feedback, and
the prediction log.
"""
