"""Keep database credentials out of everything qtrust prints or records.

A store URL can carry a secret in every form libpq accepts: the password of ``user:password@host``, the
``password`` and ``sslpassword`` query parameters of a URI, and ``password=`` / ``sslpassword=`` in a
``key=value`` connection string (quoted or not). :func:`redact` rewrites each to ``***`` (the URL stays
usable as a description of where the log lives); :func:`scrub` removes the literal secrets, percent-encoded
or decoded, from any other text, such as a driver's error message that quotes the connection string.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

SECRET_KEYS = ("password", "sslpassword")
MASK = "***"
_KEYWORD = re.compile(
    r"(?P<key>\b(?:" + "|".join(SECRET_KEYS) + r")\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE
)


def secrets_in(location: str) -> list[str]:
    """The literal secret values in a store URL or connection string (raw and percent-decoded)."""
    found: set[str] = set()
    if "://" in location:
        parts = urlsplit(location)
        userinfo = parts.netloc.rpartition("@")[0]
        if ":" in userinfo:
            found.add(userinfo.partition(":")[2])
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key.lower() in SECRET_KEYS:
                found.add(value)
                found.add(quote(value, safe=""))
    for match in _KEYWORD.finditer(location):
        found.add(match.group("value").strip("'"))
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if s), key=len, reverse=True)


def redact(location: str) -> str:
    """``location`` with every secret replaced by ``***``."""
    text = location
    if "://" in text:
        parts = urlsplit(text)
        user, at, host = parts.netloc.rpartition("@")
        if at and ":" in user:
            netloc = f"{user.partition(':')[0]}:{MASK}@{host}"
            text = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    text = _KEYWORD.sub(lambda m: m.group("key") + MASK, text)
    return scrub(text, location)


def scrub(text: str, location: str) -> str:
    """``text`` with the secrets of ``location`` removed wherever they appear."""
    for secret in secrets_in(location):
        text = text.replace(secret, MASK)
    return text
