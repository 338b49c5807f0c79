"""qtrust: make AI systems built on quantum computing safe to ship.

The names below are imported lazily, so ``import qtrust`` stays fast and never needs PennyLane or Qiskit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtrust._version import __version__

if TYPE_CHECKING:
    from qtrust.adapters import from_pennylane, from_qiskit, from_qiskit_ml
    from qtrust.audit.byo import audit_models, prepare_data
    from qtrust.audit.runner import run_audit, write_audit
    from qtrust.audit.supplied import Supplied
    from qtrust.config.schema import AuditConfig

_LAZY = {
    "AuditConfig": "qtrust.config.schema",
    "Supplied": "qtrust.audit.supplied",
    "audit_models": "qtrust.audit.byo",
    "prepare_data": "qtrust.audit.byo",
    "run_audit": "qtrust.audit.runner",
    "write_audit": "qtrust.audit.runner",
    "from_pennylane": "qtrust.adapters",
    "from_qiskit": "qtrust.adapters",
    "from_qiskit_ml": "qtrust.adapters",
}

__all__ = [  # noqa: RUF022 (the order follows the data flow)
    "__version__",
    "AuditConfig",
    "prepare_data",
    "from_pennylane",
    "from_qiskit",
    "from_qiskit_ml",
    "Supplied",
    "audit_models",
    "run_audit",
    "write_audit",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qtrust' has no attribute {name!r}")
