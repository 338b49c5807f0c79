"""Rules for the standard library's ``hashlib``, ``hmac`` and ``ssl``.

What counts as a use: a ``hashlib`` constructor (``hashlib.sha256()``, ``hashlib.new("md5")``, a bare
``hashlib.md5`` passed as a hash argument), ``pbkdf2_hmac``, ``scrypt`` and ``file_digest``; ``hmac.new``,
``hmac.HMAC`` and ``hmac.digest``; and for ``ssl`` the places a TLS connection's version is decided:
``SSLContext(...)``, ``wrap_socket(...)``, ``create_default_context()``, a ``PROTOCOL_*`` constant and an
``ssl.TLSVersion`` member. (The walker adds two ``ssl`` cases that are not calls of an ``ssl`` name:
``ctx.minimum_version = ssl.TLSVersion.TLSv1_2`` and ``ctx.set_ciphers("...")``.)

What goes where: a hash's name is the algorithm; ``details`` says ``usedforsecurity=false`` when the code
says so (a checksum, not a security use), and carries PBKDF2's hash and iteration count. HMAC's
``parameter`` is its hash. TLS is reported with asset type ``protocol``, ``parameter`` the version
(``1.2``; ``SSLv3``; None where the protocol constant leaves it to negotiation) and ``details`` the
constant the code names.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from qtrust.crypto.python_rules.core import TLS_VERSIONS, Hit, argument, hash_name, rule

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan


# == hashlib and hmac ==================================================================================


@rule("hashlib")
def _hashlib(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if len(member) != 1:
        return []
    head = member[0]
    details: tuple[tuple[str, str], ...] = ()
    if call is not None and scan.const(argument(call, None, "usedforsecurity")) is False:
        details = (("usedforsecurity", "false"),)
    if head == "new":
        name = scan.const(argument(call, 0, "name"))
        algorithm = hash_name(name) if isinstance(name, str) else None
        return [Hit(algorithm, details=details)] if algorithm else []
    if head == "pbkdf2_hmac":
        name = scan.const(argument(call, 0, "hash_name"))
        digest = hash_name(name) if isinstance(name, str) else None
        iterations = scan.int_text(argument(call, 3, "iterations"))
        extra = ((("hash", digest),) if digest else ()) + (
            (("iterations", iterations),) if iterations else ()
        )
        return [Hit("PBKDF2", details=extra)]
    if head == "scrypt":
        return [Hit("scrypt")]
    if head == "file_digest":
        node = argument(call, 1, "digest")
        digest = scan.hash_of(node)
        scan.consume(node)
        return [Hit(digest)] if digest else []
    algorithm = hash_name(head)
    return [Hit(algorithm, details=details)] if algorithm else []


@rule("hmac")
def _hmac(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member not in (("new",), ("HMAC",), ("digest",)):
        return []
    node = argument(call, 2, "digest" if member == ("digest",) else "digestmod")
    scan.consume(node)
    return [Hit("HMAC", scan.hash_of(node))]


# == ssl ===============================================================================================

_TLS_PROTOCOLS = {
    "PROTOCOL_TLSv1": "1.0",
    "PROTOCOL_TLSv1_1": "1.1",
    "PROTOCOL_TLSv1_2": "1.2",
    "PROTOCOL_SSLv2": "SSLv2",
    "PROTOCOL_SSLv3": "SSLv3",
    "PROTOCOL_SSLv23": None,
    "PROTOCOL_TLS": None,
    "PROTOCOL_TLS_CLIENT": None,
    "PROTOCOL_TLS_SERVER": None,
}


def _tls(version: str | None, *details: tuple[str, str]) -> list[Hit]:
    return [Hit("TLS", version, details=tuple(details), asset_type="protocol")]


@rule("ssl")
def _ssl(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head in ("SSLContext", "wrap_socket") and len(member) == 1:
        node = argument(
            call, 0 if head == "SSLContext" else 5, "protocol" if head == "SSLContext" else "ssl_version"
        )
        name = scan.qualname(node)
        constant = name.rsplit(".", 1)[1] if name and name.startswith("ssl.PROTOCOL_") else None
        if constant in _TLS_PROTOCOLS:
            scan.consume(node)
            return _tls(_TLS_PROTOCOLS[constant], ("protocol", constant))
        return _tls(None)
    if head == "create_default_context":
        return _tls(None)
    if head in _TLS_PROTOCOLS:
        return _tls(_TLS_PROTOCOLS[head], ("protocol", head))
    if head == "TLSVersion" and len(member) == 2 and TLS_VERSIONS.get(member[1]):  # not MINIMUM_SUPPORTED
        return _tls(TLS_VERSIONS[member[1]], ("constant", "ssl.TLSVersion." + member[1]))
    return []
