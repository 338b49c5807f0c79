"""DSSE envelopes (Dead Simple Signing Envelope, secure-systems-lab/dsse v1).

The signature covers the pre-authentication encoding PAE(type, body) = "DSSEv1 <len(type)> <type>
<len(body)> <body>", never the JSON around it, so an envelope cannot be re-interpreted by changing how it
is serialised. qtrust stores the exact envelope bytes it wrote and verifies those bytes as stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qtrust.encoding import b64decode, b64encode, canonical_json
from qtrust.evidence.keys import SigningKey

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"


class EnvelopeError(ValueError):
    """The bytes are not a well-formed DSSE envelope."""


def pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    raw: bytes
    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    @property
    def signed_bytes(self) -> bytes:
        return pae(self.payload_type, self.payload)

    def statement(self) -> dict[str, Any]:
        try:
            value = json.loads(self.payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EnvelopeError(f"payload is not JSON: {error}") from None
        if not isinstance(value, dict):
            raise EnvelopeError("payload is not a JSON object")
        return value


def sign_envelope(
    payload: bytes, signers: list[SigningKey], payload_type: str = IN_TOTO_PAYLOAD_TYPE
) -> bytes:
    """Sign ``payload`` with every key in ``signers`` and return the envelope's bytes (canonical JSON)."""
    message = pae(payload_type, payload)
    return canonical_json(
        {
            "payload": b64encode(payload),
            "payloadType": payload_type,
            "signatures": [{"keyid": key.keyid, "sig": b64encode(key.sign(message))} for key in signers],
        }
    )


def parse_envelope(raw: bytes) -> Envelope:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EnvelopeError(f"not JSON: {error}") from None
    if not isinstance(doc, dict):
        raise EnvelopeError("not a JSON object")
    try:
        payload = b64decode(doc["payload"])
        payload_type = doc["payloadType"]
        sigs = doc["signatures"]
        if not isinstance(payload_type, str) or not isinstance(sigs, list) or not sigs:
            raise EnvelopeError("payloadType must be a string and signatures a non-empty list")
        signatures = tuple(Signature(keyid=str(s.get("keyid", "")), sig=b64decode(s["sig"])) for s in sigs)
    except KeyError as error:
        raise EnvelopeError(f"missing field {error}") from None
    except (TypeError, AttributeError, ValueError) as error:
        raise EnvelopeError(str(error)) from None
    return Envelope(raw=raw, payload=payload, payload_type=payload_type, signatures=signatures)
