"""Helpers of the rollout tests: the team and how each person acts (their own passphrase)."""

from __future__ import annotations

from team import as_person

LOG_SECRET = b"rollout-log-secret"
TEAM = {"olga": ["owner", "legal"], "bob": ["approver"], "alice": ["researcher"]}

__all__ = ["LOG_SECRET", "TEAM", "as_person"]
