"""The ``--store`` URL convention, shared by the evidence store and the prediction log.

``postgresql://user@host:port/db?schema=name`` names a database and a schema in it (default ``qtrust``);
the ``schema`` parameter is qtrust's own and is removed before the URL reaches the driver.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from qtrust.errors import InputError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def split_url(url: str) -> tuple[str, str]:
    """(conninfo URL without qtrust's own ``schema`` parameter, schema name)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), "qtrust")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise InputError(
            f"schema {schema!r} is not a plain lower-case identifier",
            where="--store",
            fix="use letters, digits and _",
        )
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), schema
