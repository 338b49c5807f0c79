"""Running an audit end to end: the stages in order, and writing their outputs atomically."""

from qtrust.audit.runner import AuditRun, run_audit, write_audit

__all__ = ["AuditRun", "run_audit", "write_audit"]
