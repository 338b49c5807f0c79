"""Helpers of the rollout tests: the team and how each person acts (their own passphrase)."""

from __future__ import annotations

import dataclasses

from qtrust.workflow.session import Session

LOG_SECRET = b"rollout-log-secret"
TEAM = {"olga": ["owner", "legal"], "bob": ["approver"], "alice": ["researcher"]}


def as_person(session: Session, person_id: str) -> Session:
    """The session of ``person_id``: the same workspace, their own passphrase."""
    secret = f"{person_id}-own-passphrase".encode()
    return dataclasses.replace(session, person_passphrase=lambda confirm: secret)
