"""What every Python rule module shares: the registry, :class:`Hit`, and the helpers and tables that more
than one module (or the walker in :mod:`qtrust.crypto.python_scan`) reads.

Why a module of its own: the rule modules register into :data:`RULES` and the package ``__init__`` imports
the rule modules; if the registry lived in ``__init__`` each rule module would import the package that
imports it, a cycle. Here the rule modules import this module, the package imports them, and the walker
imports the package, so the import graph stays a tree.

How a rule is found: the walker resolves a use to its fully qualified name and looks up the longest
registered prefix; the handler gets the walker (:class:`~qtrust.crypto.python_scan.FileScan`, which reads
literals and marks argument nodes as consumed), the rest of the name as ``member`` (``("generate",)`` for
``Crypto.PublicKey.RSA.generate``; ``()`` for the registered name itself), and the call, or None for a
bare reference.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qtrust.crypto.findings import AssetType

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan

#: pyca/cryptography's primitives and asymmetric packages: the prefixes of most of its rule names.
PRIMITIVES = "cryptography.hazmat.primitives"
ASYMMETRIC = PRIMITIVES + ".asymmetric"

_HASH_NAMES = {
    "md5": "MD5",
    "sha": "SHA-1",
    "sha1": "SHA-1",
    "sha224": "SHA-224",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "sha3256": "SHA3-256",
    "sha3384": "SHA3-384",
    "sha3512": "SHA3-512",
    "blake2b": "BLAKE2b",
    "blake2s": "BLAKE2s",
}

#: pyca/cryptography curve classes → the vocabulary's curve names.
EC_CURVES = {
    "SECP192R1": "P-192",
    "SECP224R1": "P-224",
    "SECP256R1": "P-256",
    "SECP384R1": "P-384",
    "SECP521R1": "P-521",
    "SECP256K1": "secp256k1",
    "BrainpoolP224R1": "brainpoolP224r1",
    "BrainpoolP256R1": "brainpoolP256r1",
    "BrainpoolP320R1": "brainpoolP320r1",
    "BrainpoolP384R1": "brainpoolP384r1",
    "BrainpoolP512R1": "brainpoolP512r1",
}

#: The block-cipher modes a finding may name (pyca ``modes.*`` and pycryptodome ``MODE_*``).
MODES = {"GCM", "CBC", "CTR", "ECB", "CFB", "OFB", "CCM", "EAX", "SIV", "OCB", "XTS"}

#: ``ssl.TLSVersion`` members → the TLS version a finding reports (None: no fixed version).
TLS_VERSIONS = {
    "SSLv3": "SSLv3",
    "TLSv1": "1.0",
    "TLSv1_1": "1.1",
    "TLSv1_2": "1.2",
    "TLSv1_3": "1.3",
    "MINIMUM_SUPPORTED": None,
    "MAXIMUM_SUPPORTED": None,
}


@dataclass(frozen=True, slots=True)
class Hit:
    """What one rule says about one use; the scanner adds where it is and which library said it."""

    algorithm: str
    parameter: str | None = None
    mode: str | None = None
    details: tuple[tuple[str, str], ...] = ()
    asset_type: AssetType = "algorithm"


Handler = Callable[["FileScan", tuple[str, ...], ast.Call | None], list[Hit]]
#: Registered name → the handler for it and every name under it.
RULES: dict[str, Handler] = {}


def rule(*keys: str) -> Callable[[Handler], Handler]:
    """Register a handler for every name under ``keys`` (the handler sees the rest of the name)."""

    def register(handler: Handler) -> Handler:
        for key in keys:
            RULES[key] = handler
        return handler

    return register


def hash_name(text: str) -> str | None:
    """``"sha256"``, ``"SHA-256"``, ``"sha3_256"``, ``SHA256`` … → the vocabulary's hash name."""
    return _HASH_NAMES.get(text.lower().replace("-", "").replace("_", ""))


def argument(call: ast.Call | None, position: int | None, keyword: str) -> ast.expr | None:
    """The expression passed as ``keyword=`` or at ``position`` (before any ``*args``); None if absent."""
    if call is None:
        return None
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args):
        if any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
        return call.args[position]
    return None


def kdf_hash(
    scan: FileScan, call: ast.Call | None, position: int, keyword: str
) -> tuple[tuple[str, str], ...]:
    """A KDF's hash argument as ``(("hash", name),)`` (and consumed), or ``()`` when the code does not say."""
    node = argument(call, position, keyword)
    digest = scan.hash_of(node)
    if digest:
        scan.consume(node)
        return (("hash", digest),)
    return ()
