"""Cohorts by a documented, versioned hash of the targeting key: the same user is in the same cohort across
restarts, replicas, upgrades and flag providers.

``qtrust-cohort/v1``: bucket = the first 8 bytes of SHA-256(``"qtrust-cohort/v1" NUL salt NUL key``), read
big-endian, modulo 10,000 — a position in basis points. A user is in the canary at a step of ``p`` percent
when ``bucket < 100·p``. So raising the percentage only adds users (nobody who saw the quantum model is
moved back by a promotion), and two rollouts with different salts draw independent cohorts. The hash is
part of the evidence (each rollout records ``COHORT_HASH``); a future change gets a new version name and
never silently reshuffles users, the failure flagd users met when a provider upgrade changed its hashing
(open-feature/flagd #1909).
"""

from __future__ import annotations

import hashlib

COHORT_HASH = "qtrust-cohort/v1"
BUCKETS = 10_000


def bucket(key: str, salt: str) -> int:
    """The key's position in [0, 10,000) for this salt (the rollout id)."""
    digest = hashlib.sha256(f"{COHORT_HASH}\0{salt}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def in_canary(key: str, salt: str, percent: float) -> bool:
    """Whether ``key`` sees the new model at a step of ``percent`` (0–100)."""
    return bucket(key, salt) < round(percent * BUCKETS / 100)
