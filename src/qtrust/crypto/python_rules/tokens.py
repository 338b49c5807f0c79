"""Rules for JSON Web Tokens: PyJWT (``jwt``) and python-jose (``jose.jwt``, ``jose.jws``, ``jose.jwe``,
``jose.jwk``).

What counts as a use: encoding, signing, decoding or verifying a token, encrypting one, and constructing a
key for an algorithm. The algorithm is a string (``"RS256"``), a list of them (``algorithms=[...]``), or a
``jose.constants.ALGORITHMS`` member; it is mapped to what it means (RFC 7518): ``HS256`` is HMAC with
SHA-256, ``RS256`` RSA with PKCS#1 v1.5 and SHA-256, ``ES256`` ECDSA on P-256, ``none`` no signature at all.
An ``encode`` or ``sign`` without ``algorithm=`` uses the libraries' default, HS256, reported with
``default=true``; a ``decode`` without ``algorithms=`` names nothing and is not reported.

What goes where: ``parameter`` is the HMAC hash, the ECDSA curve or the AES key size; ``mode`` the AES mode
of a JWE ``enc``; ``details`` the name the code gives (``jwt_alg`` or ``jwe``) and, for RSA, the padding
and hash.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from qtrust.crypto.python_rules.core import Hit, argument, rule

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan


# JWS / JWA names (RFC 7518) → what they are.
def jws_hits(name: str, *, default: bool = False) -> list[Hit]:
    """A JWT ``alg`` (``HS256``, ``RS256``, ``ES256``, ``EdDSA``, ``none`` …) as a finding; [] if unknown."""
    extra: tuple[tuple[str, str], ...] = (("jwt_alg", name),) + ((("default", "true"),) if default else ())
    bits = name[2:]
    digest = {"256": "SHA-256", "384": "SHA-384", "512": "SHA-512"}.get(bits)
    if name.lower() == "none":
        return [Hit("none", details=extra)]
    if name.startswith("HS") and digest:
        return [Hit("HMAC", digest, details=extra)]
    if name.startswith(("RS", "PS")) and digest:
        padding = "PKCS1v15" if name.startswith("RS") else "PSS"
        return [Hit("RSA", details=(("hash", digest), ("padding", padding), *extra))]
    curve = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}.get(name)
    if curve:
        return [Hit("ECDSA", curve, details=extra)]
    if name in ("EdDSA", "Ed25519"):
        return [Hit("Ed25519", details=extra)]
    if name == "Ed448":
        return [Hit("Ed448", details=extra)]
    return []


def jwe_hits(name: str) -> list[Hit]:
    """A JWE ``enc`` or key-management ``alg`` (RFC 7518 §4–5) as a finding; [] for ``dir`` or unknown."""
    extra = (("jwe", name),)
    match = re.fullmatch(r"A(128|192|256)(GCM|CBC-HS(256|384|512)|KW|GCMKW)", name)
    if match:
        mode = {"GCM": "GCM", "GCMKW": "GCM", "KW": None}.get(match.group(2), "CBC")
        return [Hit("AES", match.group(1), mode, extra)]
    if name.startswith("RSA"):
        return [Hit("RSA", details=(("padding", "PKCS1v15" if name == "RSA1_5" else "OAEP"), *extra))]
    if name.startswith("ECDH-ES"):
        return [Hit("ECDH", details=extra)]
    return []


def _jwt_algorithms(scan: FileScan, node: ast.expr | None) -> list[Hit]:
    value = scan.const(node)
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    scan.consume(node)
    return [hit for name in names if isinstance(name, str) for hit in jws_hits(name)]


def _jwt_encode(scan: FileScan, call: ast.Call | None, position: int) -> list[Hit]:
    node = argument(call, position, "algorithm")
    if node is None:
        return jws_hits("HS256", default=True)  # PyJWT's and python-jose's default
    return _jwt_algorithms(scan, node)


@rule("jwt", "jose.jwt")
def _jwt(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or len(member) != 1:
        return []
    if member[0] == "encode":
        return _jwt_encode(scan, call, 2)
    if member[0] in ("decode", "decode_complete"):
        return _jwt_algorithms(scan, argument(call, 2, "algorithms"))
    return []


@rule("jose.jws")
def _jose_jws(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or len(member) != 1:
        return []
    if member[0] == "sign":
        return _jwt_encode(scan, call, 3)
    if member[0] == "verify":
        return _jwt_algorithms(scan, argument(call, 2, "algorithms"))
    return []


@rule("jose.jwe")
def _jose_jwe(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member != ("encrypt",):
        return []
    hits = []
    for position, keyword, default in ((2, "encryption", "A256GCM"), (3, "algorithm", "dir")):
        node = argument(call, position, keyword)
        value = default if node is None else scan.const(node)
        scan.consume(node)
        if isinstance(value, str):
            hits += jwe_hits(value)
    return hits


@rule("jose.jwk")
def _jose_jwk(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member != ("construct",):
        return []
    return _jwt_algorithms(scan, argument(call, 1, "algorithm"))
