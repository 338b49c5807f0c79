"""Qiskit and its companions (Aer, qiskit-machine-learning) are optional: imported when an adapter runs.

One error for a missing package, so every adapter function gives the same install hint.
"""

from __future__ import annotations

from typing import Any

from qtrust.errors import InputError


def _not_installed(package: str, where: str) -> InputError:
    """The refusal for a missing optional dependency; all of them come with ``qtrust[qiskit]``."""
    return InputError(
        f"{package} is not installed",
        where=where,
        fix="install the optional dependencies: pip install 'qtrust[qiskit]'",
    )


def _qiskit() -> Any:
    try:
        import qiskit
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise _not_installed("Qiskit", "qtrust.adapters.qiskit") from exc
    return qiskit
