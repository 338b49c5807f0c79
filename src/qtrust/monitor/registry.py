"""Detectors by name: each detector module registers its function here when it is imported.

Importing :mod:`qtrust.monitor` imports every built-in detector module, so :data:`DETECTORS` is complete
as soon as any part of the package is used. A detector outside qtrust (or a test's toy) registers itself
the same way, with :func:`register`; a name can be taken once, so a typo cannot silently replace a
built-in detector.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from qtrust.monitor.result import DriftResult

#: A detector: ``detector(reference, current, **options) -> DriftResult``.
Detector = Callable[..., DriftResult]
D = TypeVar("D", bound=Callable[..., Any])

#: Every registered detector, by the name it writes into :attr:`DriftResult.detector`.
DETECTORS: dict[str, Detector] = {}


def register(name: str) -> Callable[[D], D]:
    """Register the decorated function as detector ``name``; the function itself is returned unchanged."""

    def decorate(function: D) -> D:
        if name in DETECTORS:
            raise ValueError(f"a drift detector named {name!r} is already registered")
        DETECTORS[name] = function
        return function

    return decorate
