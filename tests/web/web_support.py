"""Helpers of the web tests: the one password every test login uses, and each person's own passphrase."""

from __future__ import annotations

PASSWORD = "correct horse battery"


def passphrase(person_id: str) -> str:
    """The passphrase ``team.as_person`` gives ``person_id``'s key: what they type to sign (step-up)."""
    return f"{person_id}-own-passphrase"
