"""The circuit breaker's states against a controlled clock: no sleeping, every transition observed."""

from __future__ import annotations

import pytest

from qtrust.serve.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_refuses_at_once():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=10.0, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    breaker.record_success()  # a success resets the count: failures must be consecutive
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.snapshot().state == "open"
    assert not any(breaker.allow() for _ in range(100))  # a dead backend costs no call
    assert breaker.snapshot().times_opened == 1


@pytest.mark.parametrize(("probe_succeeds", "state"), [(True, "closed"), (False, "open")])
def test_half_open_admits_bounded_probes_then_closes_or_reopens(probe_succeeds, state):
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after=5.0, half_open_probes=2, clock=clock)
    breaker.record_failure()
    clock.now = 4.9
    assert not breaker.allow()
    clock.now = 5.0
    assert breaker.snapshot().state == "half-open"  # what /readyz reports before the next request arrives
    admitted = [breaker.allow() for _ in range(5)]
    assert admitted == [True, True, False, False, False]
    assert breaker.snapshot().state == "half-open"
    if probe_succeeds:
        breaker.record_success()
    else:
        breaker.record_failure()
    assert breaker.snapshot().state == state
    assert breaker.allow() is probe_succeeds
    if not probe_succeeds:
        assert breaker.snapshot().opened_at == 5.0  # the reset window restarts at the failed probe
        assert breaker.snapshot().times_opened == 2


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(failure_threshold=0)
