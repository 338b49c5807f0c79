"""A task that runs beside ``qtrust serve`` every few seconds: the rollout controller, the drift monitor.

Both must never take the service down: a tick that fails (the store unreachable, a passphrase gone) is
reported through ``on_error`` and the loop goes on with its last state; ``stop`` ends it at the next wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Self


class Periodic:
    def __init__(self, name: str, interval_s: float, on_error: Callable[[Exception], None]) -> None:
        self.interval_s = interval_s
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.tick()
            except Exception as error:  # the service keeps answering; the operator is told
                self._on_error(error)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
