"""Independent pieces of one audit, mapped over an executor: here by default, on Dask workers when asked.

Why a tiny protocol in the ground layer: training seeds and the privacy red team's reference models are
independent fits, each seeded by its own identity, so they may run anywhere and in any order and still give
the same numbers. The audit's code calls ``mapper.map(fn, items)`` and never learns where they ran; the Dask
implementation lives with the sweep (:mod:`qtrust.sweep.executors`), above the audit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol


class Mapper(Protocol):
    def map(self, fn: Callable[..., Any], items: Iterable[tuple[Any, ...]]) -> list[Any]:
        """``[fn(*item) for item in items]``, in the items' order."""
        ...


class SerialMapper:
    """Here, one after the other."""

    def map(self, fn: Callable[..., Any], items: Iterable[tuple[Any, ...]]) -> list[Any]:
        return [fn(*item) for item in items]


SERIAL = SerialMapper()


def timed_fit(factory: Callable[[int], Any], state: int, X: Any, y: Any) -> tuple[Any, float]:
    """``factory(state).fit(X, y)`` and its wall time: the unit of work a mapper ships (picklable by name)."""
    start = time.perf_counter()
    fitted = factory(state).fit(X, y)
    return fitted, time.perf_counter() - start
