"""PennyLane itself, imported only when the adapter is used, and what every step of the adapter shares.

The import is optional so that ``import qtrust`` never needs PennyLane; :func:`_require_pennylane` turns its
absence into an :class:`~qtrust.errors.InputError` with the install hint. The helpers here print PennyLane
objects the same way in every error and note, and seed the random probes so a translation is reproducible.
"""

from __future__ import annotations

from typing import Any

from qtrust.errors import InputError

try:  # an optional dependency: this package is imported only when the adapter is used
    import pennylane as qml
    from pennylane.operation import Channel, StatePrepBase
except ImportError:  # pragma: no cover - exercised only without PennyLane
    qml = None  # type: ignore[assignment]
    Channel = StatePrepBase = None  # type: ignore[assignment,misc]

WHERE = "from_pennylane"

#: Seed of the random probe inputs and weights (+1: the self-check, +2: the angle fit).
_PROBE_SEED = 20240611


class _UntranslatableError(Exception):
    """The QNode runs, but its circuit has no exact translation (the message says why)."""


def _require_pennylane() -> None:
    if qml is None:
        raise InputError(
            "PennyLane is not installed", where=WHERE, fix="pip install 'qtrust[pennylane]'"
        )  # pragma: no cover


def _describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def _text(obj: Any) -> str:
    """A PennyLane object's repr on one line (observables with matrices print over several)."""
    return " ".join(repr(obj).split())


def _label(wire: Any) -> Any:
    return wire if isinstance(wire, int | str) else str(wire)
