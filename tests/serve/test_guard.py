"""The guard in every fault mode: each row answered, by the right model, labelled with why."""

from __future__ import annotations

import time

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.serve.backends import EngineBackend
from qtrust.serve.breaker import CircuitBreaker
from qtrust.serve.guard import Guard, GuardSettings


class Failing:
    name = "failing"

    def __init__(self) -> None:
        self.calls = 0

    def probabilities(self, sent):
        self.calls += 1
        raise ConnectionError("backend down")

    counts = probabilities


class Hanging:
    name = "hanging"

    def probabilities(self, sent):
        time.sleep(1.5)
        return np.zeros(len(sent.payload["angles"]))


def test_a_healthy_backend_answers_with_the_audited_probabilities(setup):
    artefact, rows, angles = setup
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    answers = guard.predict(rows)
    assert {a.answered_by for a in answers} == {"quantum"}
    expected = artefact.quantum.probabilities(angles)
    np.testing.assert_allclose([a.probability for a in answers], expected, atol=1e-12)
    assert [a.decision for a in answers] == [int(p >= 0.5) for p in expected]
    assert len(guard.egress_log.digests()) == 1
    guard.close()


def test_a_failing_backend_is_answered_by_the_fallback_and_then_not_called(setup):
    artefact, rows, angles = setup
    backend = Failing()
    guard = Guard(artefact, backend, breaker=CircuitBreaker(failure_threshold=3, reset_after=60))
    for _ in range(3):
        answers = guard.predict(rows[:5])
        assert {a.answered_by for a in answers} == {"fallback"}
        assert "failed: ConnectionError" in answers[0].reason
        assert [a.decision for a in answers] == list(artefact.fallback.predict(angles[:5]))
    start = time.perf_counter()
    answers = guard.predict(rows[:5])
    assert time.perf_counter() - start < 0.5
    assert "circuit breaker open" in answers[0].reason
    assert backend.calls == 3  # an open breaker costs no call
    guard.close()


def test_a_hanging_backend_costs_at_most_the_latency_budget(setup):
    artefact, rows, _ = setup
    guard = Guard(artefact, Hanging(), GuardSettings(latency_budget=0.2))
    start = time.perf_counter()
    answers = guard.predict(rows[:3])
    assert time.perf_counter() - start < 0.2 + 0.5
    assert {a.answered_by for a in answers} == {"fallback"}
    assert "within 0.2 s" in answers[0].reason
    guard.close()


def test_sampled_decisions_settle_or_defer_and_say_so(setup):
    artefact, rows, angles = setup
    guard = Guard(artefact, EngineBackend(artefact.quantum), GuardSettings(shots=100, shot_budget=800))
    answers = guard.predict(rows, seed=5)
    exact = artefact.quantum.probabilities(angles) >= 0.5
    quantum = [a for a in answers if a.answered_by == "quantum"]
    deferred = [a for a in answers if a.answered_by == "fallback"]
    assert quantum
    assert all(a.reason.startswith("deferred:") and a.shots == 800 for a in deferred)
    wrong = sum(a.decision != exact[a.row] for a in quantum)
    assert wrong <= max(1, 0.05 * len(quantum))
    assert all(len(a.seeds) >= 1 for a in quantum)
    assert guard.predict(rows, seed=5) == answers  # seeded: the same request gives the same answers
    guard.close()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda row: row.update(unknown=1), "rows[0]"),
        (lambda row: row.pop(next(iter(row))), "rows[0]"),
        (
            lambda row: row.update({k: "text" for k, v in list(row.items())[:1] if isinstance(v, float)}),
            "rows[0].",
        ),
        (
            lambda row: row.update({k: 1e9 for k, v in list(row.items())[:1] if isinstance(v, float)}),
            "rows[0].",
        ),
    ],
)
def test_bad_rows_name_the_field(setup, change, where):
    artefact, rows, _ = setup
    bad = [dict(rows[0])]
    change(bad[0])
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    with pytest.raises(InputError) as caught:
        guard.predict(bad)
    assert caught.value.where.startswith(where)
    with pytest.raises(InputError, match="at most 2 rows"):
        Guard(artefact, EngineBackend(artefact.quantum), GuardSettings(max_rows=2)).predict(rows[:3])
    guard.close()
