"""Run time: a guarded quantum model in production (issue 13, in progress).

So far the guard's decision pieces, each usable and tested on its own: the circuit breaker that makes a
dead backend cost no latency (:mod:`~qtrust.serve.breaker`), the shot-aware decision rule
(:mod:`~qtrust.serve.shot_rule`) and the data-egress guard (:mod:`~qtrust.serve.egress`). The artefact,
the backends, the HTTP server and the prediction log are still to come.
"""
