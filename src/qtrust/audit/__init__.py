"""Running an audit end to end: the stages in order, and writing their outputs atomically.

``run_audit`` and ``write_audit`` are imported lazily: the assessments import this package's stage modules
(data preparation, training, predictions), and the runner imports the assessments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qtrust.audit.runner import AuditRun, run_audit, write_audit

__all__ = ["AuditRun", "run_audit", "write_audit"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from qtrust.audit import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'qtrust.audit' has no attribute {name!r}")
