"""Rules for pyca/cryptography (``cryptography.hazmat.primitives``, ``cryptography.fernet``,
``cryptography.x509``).

What counts as a use: a call of, or a reference to, a class or function that fixes an algorithm: a key
module's functions and classes (``rsa.generate_private_key``, ``ec.SECP256R1``, ``ed25519.Ed25519PrivateKey``,
an ``isinstance`` check against ``rsa.RSAPublicKey``), a cipher (``Cipher(algorithms.AES(key), modes.GCM(iv))``,
``AESGCM(key)``), a padding, a hash, HMAC, a KDF, Fernet, and loading or building a certificate.

What goes where: ``parameter`` is the key size in bits (``key_size=``, or the byte length of an AES key
when the code states it, halved for SIV / XTS which carry two keys), the curve (``P-256``) or the ML-DSA /
ML-KEM parameter set; ``mode`` is the block-cipher mode; ``details`` carries the padding and its hash, the
KDF's hash and iteration count, the Argon2 variant, ``aead=AES-GCM-SIV``, and for a certificate the
operation. A certificate's own key algorithm is in the certificate, not in the code: it is reported as
``unknown`` with asset type ``certificate`` (:mod:`qtrust.crypto.keyfiles` reads the files themselves).

``Cipher(...)`` and ``ECDSA(...)``, ``OAEP(...)``, ``HMAC(...)`` consume the argument nodes they read, so
``algorithms.AES(key)`` inside a ``Cipher`` is one finding (AES-256-GCM), not two.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from qtrust.crypto.python_rules.core import (
    ASYMMETRIC,
    EC_CURVES,
    MODES,
    PRIMITIVES,
    RULES,
    Handler,
    Hit,
    argument,
    hash_name,
    kdf_hash,
    rule,
)

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan


def _fixed(algorithm: str) -> Handler:
    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        return [Hit(algorithm)] if member else []

    return handler


for _module, _algorithm in (
    ("ed25519", "Ed25519"),
    ("ed448", "Ed448"),
    ("x25519", "X25519"),
    ("x448", "X448"),
):
    RULES[f"{ASYMMETRIC}.{_module}"] = _fixed(_algorithm)


@rule(ASYMMETRIC + ".rsa")
def _rsa(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    bits = scan.int_text(argument(call, 1, "key_size")) if member[-1] == "generate_private_key" else None
    return [Hit("RSA", bits)]


def _finite_field(family: str, size_position: int) -> Handler:
    """DSA / DH: ``generate_private_key(key_size)`` / ``generate_parameters([generator,] key_size)``."""

    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if not member:
            return []
        bits = None
        if member[-1] in ("generate_private_key", "generate_parameters"):
            bits = scan.int_text(argument(call, size_position, "key_size"))
        return [Hit(family, bits)]

    return handler


RULES[ASYMMETRIC + ".dsa"] = _finite_field("DSA", 0)
RULES[ASYMMETRIC + ".dh"] = _finite_field("DH", 1)


@rule(ASYMMETRIC + ".ec")
def _ec(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    curve = EC_CURVES.get(member[0]) or EC_CURVES.get(member[-1])
    if curve:
        return [Hit("EC", curve)]
    if member[0] == "ECDSA":
        digest = scan.hash_of(argument(call, 0, "algorithm"))
        if call is not None:
            scan.consume(*call.args, *(kw.value for kw in call.keywords))
        return [Hit("ECDSA", details=(("hash", digest),) if digest else ())]
    if member[0] == "ECDH":
        return [Hit("ECDH")]
    if call is not None:
        for expr in (*call.args, *(kw.value for kw in call.keywords)):
            curve = scan.curve_of(expr)
            if curve:
                if not isinstance(expr, ast.Name):
                    scan.consume(expr)
                break
    return [Hit("EC", curve)]


@rule(ASYMMETRIC + ".mldsa", ASYMMETRIC + ".mlkem")
def _ml(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    match = re.match(r"ML(DSA|KEM)(\d+)", member[0])
    if match:
        return [Hit(f"ML-{match.group(1)}", match.group(2))]
    return [Hit("ML-DSA" if "DSA" in member[0] else "ML-KEM")] if member[0].startswith("ML") else []


@rule(ASYMMETRIC + ".padding")
def _rsa_padding(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member or member[0] not in ("OAEP", "PSS", "PKCS1v15", "MGF1"):
        return []
    details = [("padding", member[0])]
    if call is not None:
        digest = scan.hash_of(argument(call, 1 if member[0] == "OAEP" else 0, "algorithm"))
        mgf = argument(call, 0, "mgf")
        if digest is None and isinstance(mgf, ast.Call):
            digest = scan.hash_of(argument(mgf, 0, "algorithm"))
        if digest:
            details.append(("hash", digest))
        scan.consume(*call.args, *(kw.value for kw in call.keywords))
    return [Hit("RSA", details=tuple(details))]


_SYMMETRIC = {
    "AES": "AES",
    "AES128": "AES",
    "AES256": "AES",
    "Camellia": "Camellia",
    "TripleDES": "3DES",
    "ChaCha20": "ChaCha20",
    "ARC4": "RC4",
    "Blowfish": "Blowfish",
}


def _symmetric(scan: FileScan, node: ast.expr | None, mode: str | None = None) -> Hit | None:
    """``algorithms.AES(key)`` (directly, or through a name assigned once) → the cipher and key size."""
    node = scan.resolve(node)
    target = node.func if isinstance(node, ast.Call) else node
    name = scan.qualname(target)
    prefix = PRIMITIVES + ".ciphers.algorithms."
    if not name or not name.startswith(prefix):
        return None
    cls = name[len(prefix) :]
    algorithm = _SYMMETRIC.get(cls)
    if algorithm is None:
        return None
    bits = {"AES128": "128", "AES256": "256"}.get(cls)
    if cls == "AES" and isinstance(node, ast.Call):
        bits = scan.aes_bits(argument(node, 0, "key"), mode)
    return Hit(algorithm, bits, mode)


def _mode(scan: FileScan, node: ast.expr | None) -> str | None:
    node = scan.resolve(node)
    target = node.func if isinstance(node, ast.Call) else node
    name = scan.qualname(target)
    prefix = PRIMITIVES + ".ciphers.modes."
    if name and name.startswith(prefix):
        mode = name[len(prefix) :].rstrip("0123456789")  # CFB8 → CFB
        return mode if mode in MODES else None
    return None


@rule(PRIMITIVES + ".ciphers.Cipher")
def _cipher(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if call is None or member:
        return []
    algorithm_node, mode_node = argument(call, 0, "algorithm"), argument(call, 1, "mode")
    mode = _mode(scan, mode_node)
    hit = _symmetric(scan, algorithm_node, mode)
    if hit is None:
        return []
    scan.consume(algorithm_node, mode_node)
    return [hit]


@rule(PRIMITIVES + ".ciphers.algorithms")
def _algorithm(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if len(member) != 1:
        return []
    hit = _symmetric(scan, call) if call is not None else None
    if hit is None and member[0] in _SYMMETRIC:
        hit = Hit(_SYMMETRIC[member[0]], {"AES128": "128", "AES256": "256"}.get(member[0]))
    return [hit] if hit else []


_AEAD = {
    "AESGCM": ("AES", "GCM"),
    "AESCCM": ("AES", "CCM"),
    "AESOCB3": ("AES", "OCB"),
    "AESSIV": ("AES", "SIV"),
    "AESGCMSIV": ("AES", "SIV"),
    "ChaCha20Poly1305": ("ChaCha20-Poly1305", None),
}


@rule(PRIMITIVES + ".ciphers.aead")
def _aead(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member or member[0] not in _AEAD:
        return []
    algorithm, mode = _AEAD[member[0]]
    details = (("aead", "AES-GCM-SIV"),) if member[0] == "AESGCMSIV" else ()
    bits = None
    if algorithm == "AES" and call is not None:
        if len(member) == 1:
            bits = scan.aes_bits(argument(call, 0, "key"), mode)
        elif member[1] == "generate_key":
            value = scan.const(argument(call, 0, "bit_length"))
            if isinstance(value, int) and mode == "SIV":
                value //= 2
            bits = str(value) if value in (128, 192, 256) else None
    return [Hit(algorithm, bits, mode, details)]


@rule("cryptography.fernet")
def _fernet(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    return [Hit("Fernet")] if member and member[0] in ("Fernet", "MultiFernet") else []


@rule(PRIMITIVES + ".hashes")
def _hashes(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    name = hash_name(member[0]) if member else None
    return [Hit(name)] if name else []


@rule(PRIMITIVES + ".hmac")
def _pyca_hmac(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("HMAC",):
        return []
    algorithm = argument(call, 1, "algorithm")
    scan.consume(algorithm)
    return [Hit("HMAC", scan.hash_of(algorithm))]


@rule(
    PRIMITIVES + ".kdf.pbkdf2",
    PRIMITIVES + ".kdf.scrypt",
    PRIMITIVES + ".kdf.hkdf",
    PRIMITIVES + ".kdf.argon2",
)
def _pyca_kdf(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head == "PBKDF2HMAC":
        details = kdf_hash(scan, call, 0, "algorithm")
        iterations = scan.int_text(argument(call, 3, "iterations"))
        return [Hit("PBKDF2", details=details + ((("iterations", iterations),) if iterations else ()))]
    if head == "Scrypt":
        return [Hit("scrypt")]
    if head in ("HKDF", "HKDFExpand"):
        return [Hit("HKDF", details=kdf_hash(scan, call, 0, "algorithm"))]
    if head in ("Argon2id", "Argon2i", "Argon2d"):
        return [Hit("Argon2", details=(("variant", head),))]
    return []


_X509_CERTIFICATE = {
    "load_pem_x509_certificate",
    "load_der_x509_certificate",
    "load_pem_x509_certificates",
    "CertificateBuilder",
}


@rule("cryptography.x509")
def _x509(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    # The certificate's key algorithm is in the certificate, not the code: reported as "unknown".
    if member and member[0] in _X509_CERTIFICATE:
        return [Hit("unknown", details=(("operation", member[0]),), asset_type="certificate")]
    return []
