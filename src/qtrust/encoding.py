"""Byte-level helpers shared by every layer: canonical JSON, strict base64, digests (a ground-layer leaf).

Why canonical JSON: a statement is serialised once, signed, and from then on only its stored bytes are
used; canonical form (sorted keys, no spaces, UTF-8) makes those bytes the same on every machine, so two
parties who build the same statement get the same digest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Strict standard base64: refuses stray characters instead of silently skipping them."""
    if not isinstance(text, str):
        raise ValueError("expected a base64 string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"not valid base64: {error}") from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
