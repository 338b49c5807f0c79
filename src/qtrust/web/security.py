"""Sessions, CSRF tokens and login throttling (OWASP ASVS 5.0 V7 session management, V8 authorization).

* **Sessions** are signed cookies (itsdangerous, HMAC with a per-home secret made on first start and kept
  readable by the server's user only) holding a random session id, the person and a CSRF token; they expire
  after ``max_age`` and are issued anew at every login (rotation: a token seen before login is worthless after).
  Cookies are HttpOnly and SameSite=Strict; Secure when the app is served over HTTPS.
* **CSRF**: every form carries the session's token; a POST whose token is missing or not the session's is
  refused (403) before anything runs.
* **Throttling**: failed logins per person and per client address; after ``limit`` failures within
  ``window_s`` further attempts are refused (429) until the window passes.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from qtrust.files import write_file_atomically

COOKIE = "qtrust_session"
SECRET_FILE = "web-secret"


def home_secret(home: Path) -> bytes:
    """The home's session-signing secret, made on first use (0600)."""
    path = Path(home) / SECRET_FILE
    if not path.is_file():
        write_file_atomically(path, secrets.token_hex(32).encode())
        path.chmod(0o600)
    return path.read_bytes()


@dataclass(frozen=True)
class WebSession:
    session_id: str
    person: str
    csrf: str


class Sessions:
    def __init__(self, secret: bytes, max_age: int = 8 * 3600) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="qtrust-web-session")
        self.max_age = max_age

    def issue(self, person: str) -> tuple[WebSession, str]:
        """A new session (new id, new CSRF token) and its cookie value."""
        session = WebSession(secrets.token_urlsafe(24), person, secrets.token_urlsafe(24))
        return session, self._serializer.dumps([session.session_id, session.person, session.csrf])

    def read(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        try:
            session_id, person, csrf = self._serializer.loads(cookie, max_age=self.max_age)
        except (BadSignature, SignatureExpired, ValueError, TypeError):
            return None
        return WebSession(session_id, person, csrf)


def csrf_ok(session: WebSession, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf, str(token))


class LoginThrottle:
    def __init__(self, limit: int = 5, window_s: float = 900.0, clock=time.monotonic) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque:
        failures, now = self._failures[key], self._clock()
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._clock())

    def succeeded(self, person_key: str) -> None:
        with self._lock:
            self._failures.pop(person_key, None)
