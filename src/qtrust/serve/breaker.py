"""A circuit breaker for the quantum backend: after repeated failures stop calling it for a while.

Why: a backend that hangs or errors would otherwise make every request wait for its timeout before the
guard falls back to the classical model. Open, the breaker answers "do not call" at once, so a dead backend
costs no latency; after ``reset_after`` seconds it lets ``half_open_probes`` requests through, and closes
again if they succeed (re-opens at the first failure). The clock is injectable so tests need no sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "half-open"]


@dataclass(frozen=True)
class BreakerSnapshot:
    state: State
    consecutive_failures: int
    opened_at: float | None
    times_opened: int


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` consecutive failures → half-open after ``reset_after`` s."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after: float = 30.0,
        half_open_probes: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or half_open_probes < 1 or reset_after <= 0:
            raise ValueError("failure_threshold and half_open_probes must be >= 1, reset_after > 0")
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.half_open_probes = half_open_probes
        self._clock = clock
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._failures = 0
        self._opened_at: float | None = None
        self._probes_left = 0
        self._times_opened = 0

    def allow(self) -> bool:
        """Whether this request may call the backend (a half-open breaker admits a bounded number of probes)."""
        with self._lock:
            if self._state == "open" and self._clock() - (self._opened_at or 0.0) >= self.reset_after:
                self._state, self._probes_left = "half-open", self.half_open_probes
            if self._state == "closed":
                return True
            if self._state == "half-open" and self._probes_left > 0:
                self._probes_left -= 1
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            if self._state == "half-open":
                self._state, self._opened_at = "closed", None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state == "half-open" or self._failures >= self.failure_threshold:
                if self._state != "open":
                    self._times_opened += 1
                self._state, self._opened_at, self._probes_left = "open", self._clock(), 0

    def snapshot(self) -> BreakerSnapshot:
        """The state as the next request would find it (an open breaker past its reset window is half-open)."""
        with self._lock:
            state = self._state
            if state == "open" and self._clock() - (self._opened_at or 0.0) >= self.reset_after:
                state = "half-open"
            return BreakerSnapshot(state, self._failures, self._opened_at, self._times_opened)
