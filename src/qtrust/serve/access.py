"""Who may call the guard, and how often: API tokens (hashed at rest, scoped, revocable) and a per-client
token-bucket rate limit.

A token is shown once, when created: ``qt_<id>_<secret>``. Only the sha256 of the secret is stored (the
secret has 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force), in
``<home>/serve-tokens.json`` written atomically; checking compares digests in constant time. A token carries
scopes (``predict``, ``feedback``) and is refused from the moment it is revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from qtrust.errors import InputError
from qtrust.files import write_file_atomically

SCOPES = ("predict", "feedback")
TOKENS_FILE = "serve-tokens.json"


@dataclass(frozen=True)
class TokenRecord:
    id: str
    sha256: str
    scopes: tuple[str, ...]
    created: str
    revoked: str | None = None


class TokenStore:
    """The tokens of one evidence home; nothing secret is ever written."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / TOKENS_FILE
        self._lock = threading.Lock()

    def records(self) -> list[TokenRecord]:
        if not self.path.is_file():
            return []
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return [TokenRecord(**{**item, "scopes": tuple(item["scopes"])}) for item in doc["tokens"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise InputError(
                f"cannot read {self.path}: {error}", where=str(self.path), fix="restore it"
            ) from None

    def _write(self, records: Iterable[TokenRecord]) -> None:
        doc = {"tokens": [asdict(r) | {"scopes": list(r.scopes)} for r in records]}
        write_file_atomically(self.path, (json.dumps(doc, indent=2) + "\n").encode(), mode=0o600)

    def create(self, scopes: Iterable[str]) -> tuple[str, TokenRecord]:
        """A new token (returned once, never stored) and its record."""
        scopes = tuple(sorted(set(scopes)))
        unknown = [s for s in scopes if s not in SCOPES]
        if not scopes or unknown:
            raise InputError(
                f"scopes {list(scopes)}", where="--scope", fix=f"one or more of: {', '.join(SCOPES)}"
            )
        token_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        record = TokenRecord(
            token_id,
            hashlib.sha256(secret.encode()).hexdigest(),
            scopes,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._write([*self.records(), record])
        return f"qt_{token_id}_{secret}", record

    def revoke(self, token_id: str) -> TokenRecord:
        with self._lock:
            records = self.records()
            found = next((r for r in records if r.id == token_id), None)
            if found is None:
                raise InputError(
                    f"no token {token_id!r}", where="ID", fix="list them with `qtrust tokens list`"
                )
            revoked = TokenRecord(
                **{**asdict(found), "revoked": datetime.now(UTC).isoformat(timespec="seconds")}
            )
            self._write([revoked if r.id == token_id else r for r in records])
        return revoked

    def check(self, presented: str | None, scope: str) -> TokenRecord | str:
        """The token's record if it is valid, active and holds ``scope``; else why not (never the token)."""
        if not presented or not presented.startswith("qt_") or presented.count("_") < 2:
            return "missing or malformed token"
        token_id, secret = presented[3:].split("_", 1)
        digest = hashlib.sha256(secret.encode()).hexdigest()
        record = next((r for r in self.records() if r.id == token_id), None)
        if record is None or not hmac.compare_digest(record.sha256, digest):
            return "unknown token"
        if record.revoked:
            return "revoked token"
        if scope not in record.scopes:
            return f"token lacks the {scope} scope"
        return record


class RateLimiter:
    """A token bucket per client: ``rate`` requests per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate > 0 and burst >= 1")
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if the request may go ahead; else the seconds until it may (the Retry-After)."""
        with self._lock:
            now = self._clock()
            level, last = self._buckets.get(client, (float(self.burst), now))
            level = min(float(self.burst), level + (now - last) * self.rate)
            if level >= 1.0:
                self._buckets[client] = (level - 1.0, now)
                return 0.0
            self._buckets[client] = (level, now)
            return (1.0 - level) / self.rate


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
