"""Rules for pycryptodome (``Crypto.*``, and ``Cryptodome.*``, which the walker rewrites to ``Crypto.*``).

What counts as a use: ``new(...)`` of a cipher module (``AES.new(key, AES.MODE_GCM)``), of an RSA padding
or signature scheme (``PKCS1_OAEP``, ``pss``, ``pkcs1_15``, ``DSS``, ``eddsa``), of ``HMAC``; a hash
module, called through ``new()`` or named bare (a bare ``SHA256`` is the hash argument of another call, and
still names the hash); a public-key module's functions (``RSA.generate(2048)``, ``RSA.import_key(…)``,
``ECC.generate(curve="P-256")``); and the KDFs of ``Crypto.Protocol.KDF``.

What goes where: ``parameter`` is the AES key size in bits (from the key's byte length when the code states
it), the RSA / DSA size given to ``generate``, or the curve; ``mode`` is the cipher mode, read from a
``MODE_*`` constant or its number (``MODE_OPENPGP`` is CFB); ``details`` carries the RSA padding and the
OAEP hash, the KDF's hash, and ``default=true`` where the code leaves a weak default in force
(``HMAC.new`` without ``digestmod`` is HMAC-MD5, ``PBKDF2`` without ``hmac_hash_module`` is SHA-1).
``DSS.new`` signs with DSA or ECDSA by its key: the key's construction is read when the code shows it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from qtrust.crypto.python_rules.core import MODES, RULES, Handler, Hit, argument, hash_name, kdf_hash, rule

if TYPE_CHECKING:
    from qtrust.crypto.python_scan import FileScan

#: pycryptodome ``ECC`` curve names (lower case, without spaces and dashes) → (algorithm, curve).
_PYC_CURVES = {
    **{n: ("EC", "P-192") for n in ("p192", "nistp192", "prime192v1", "secp192r1")},
    **{n: ("EC", "P-224") for n in ("p224", "nistp224", "prime224v1", "secp224r1")},
    **{n: ("EC", "P-256") for n in ("p256", "nistp256", "prime256v1", "secp256r1")},
    **{n: ("EC", "P-384") for n in ("p384", "nistp384", "prime384v1", "secp384r1")},
    **{n: ("EC", "P-521") for n in ("p521", "nistp521", "prime521v1", "secp521r1")},
    "ed25519": ("Ed25519", None),
    "ed448": ("Ed448", None),
    "curve25519": ("X25519", None),
    "curve448": ("X448", None),
}
#: The numbers behind pycryptodome's ``MODE_*`` constants → the mode (a mode passed as a bare number).
_PYC_MODE_NUMBERS = {1: "ECB", 2: "CBC", 3: "CFB", 5: "OFB", 6: "CTR", 7: "CFB", 8: "CCM", 9: "EAX",
                     10: "SIV", 11: "GCM", 12: "OCB"}  # fmt: skip


def _pyc_mode(scan: FileScan, node: ast.expr | None) -> str | None:
    node = scan.resolve(node)
    name = scan.qualname(node)
    if name and ".MODE_" in name:
        mode = name.rsplit(".MODE_", 1)[1]
        return "CFB" if mode == "OPENPGP" else (mode if mode in MODES else None)
    value = scan.const(node)
    return _PYC_MODE_NUMBERS.get(value) if isinstance(value, int) else None


_PYC_CIPHERS = {
    "AES": "AES",
    "DES3": "3DES",
    "DES": "DES",
    "Blowfish": "Blowfish",
    "ARC4": "RC4",
    "ChaCha20": "ChaCha20",
    "ChaCha20_Poly1305": "ChaCha20-Poly1305",
}


def _pyc_cipher(algorithm: str) -> Handler:
    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if member != ("new",) or call is None:
            return []
        mode = None
        if algorithm in ("AES", "3DES", "DES", "Blowfish"):
            mode_node = argument(call, 1, "mode")
            mode = _pyc_mode(scan, mode_node)
            scan.consume(mode_node)
        bits = scan.aes_bits(argument(call, 0, "key"), mode) if algorithm == "AES" else None
        return [Hit(algorithm, bits, mode)]

    return handler


for _module, _algorithm in _PYC_CIPHERS.items():
    RULES[f"Crypto.Cipher.{_module}"] = _pyc_cipher(_algorithm)


def _pyc_rsa(padding: str) -> Handler:
    """``PKCS1_OAEP.new(key, hashAlgo=SHA256)``, ``pss.new(key)``, ``pkcs1_15.new(key)``: RSA, padded so."""

    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if member != ("new",) or call is None:
            return []
        details = [("padding", padding)]
        if padding == "OAEP":
            node = argument(call, 1, "hashAlgo")
            digest = scan.hash_of(node)
            if digest:
                scan.consume(node)
                details.append(("hash", digest))
        return [Hit("RSA", details=tuple(details))]

    return handler


for _module, _padding in (("Cipher.PKCS1_OAEP", "OAEP"), ("Cipher.PKCS1_v1_5", "PKCS1v15"),
                          ("Signature.pss", "PSS"), ("Signature.PKCS1_PSS", "PSS"),
                          ("Signature.pkcs1_15", "PKCS1v15"), ("Signature.PKCS1_v1_5", "PKCS1v15")):  # fmt: skip
    RULES[f"Crypto.{_module}"] = _pyc_rsa(_padding)


def _pyc_key(family: str) -> Handler:
    """``RSA.generate(2048)``, ``DSA.generate(bits=2048)``, ``RSA.import_key(…)``, ``RSA.construct(…)``."""

    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        if not member:
            return []
        return [Hit(family, scan.int_text(argument(call, 0, "bits")) if member[0] == "generate" else None)]

    return handler


RULES["Crypto.PublicKey.RSA"] = _pyc_key("RSA")
RULES["Crypto.PublicKey.DSA"] = _pyc_key("DSA")


@rule("Crypto.PublicKey.ECC")
def _pyc_ecc(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if not member:
        return []
    curve = scan.const(argument(call, None, "curve"))
    if isinstance(curve, str):
        family, parameter = _PYC_CURVES.get(curve.lower().replace(" ", "").replace("-", ""), ("EC", None))
        return [Hit(family, parameter)]
    return [Hit("EC")]


def _pyc_hash(algorithm: str) -> Handler:
    def handler(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
        # The module itself is the hash parameter of other pycryptodome calls; a bare use still names it.
        return [Hit(algorithm)] if member in ((), ("new",)) else []

    return handler


for _module in ("MD5", "SHA", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3_256", "SHA3_384",
                "SHA3_512", "BLAKE2b", "BLAKE2s"):  # fmt: skip
    RULES[f"Crypto.Hash.{_module}"] = _pyc_hash(hash_name(_module) or _module)


@rule("Crypto.Hash.HMAC")
def _pyc_hmac(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("new",) or call is None:
        return []
    node = argument(call, 2, "digestmod")
    if node is None:
        return [Hit("HMAC", "MD5", details=(("default", "true"),))]  # pycryptodome's default digestmod
    scan.consume(node)
    return [Hit("HMAC", scan.hash_of(node))]


@rule("Crypto.Signature.DSS")
def _pyc_dss(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    if member != ("new",) or call is None:
        return []
    key = scan.resolve(argument(call, 0, "key"))
    name = scan.qualname(key.func) if isinstance(key, ast.Call) else None
    if name and name.startswith("Crypto.PublicKey.DSA."):
        return [Hit("DSA", scan.int_text(argument(key, 0, "bits")) if name.endswith(".generate") else None)]
    if name and name.startswith("Crypto.PublicKey.ECC."):
        curve = scan.const(argument(key, None, "curve"))
        if isinstance(curve, str):
            return [
                Hit("ECDSA", _PYC_CURVES.get(curve.lower().replace(" ", "").replace("-", ""), ("", None))[1])
            ]
        return [Hit("ECDSA")]
    return [
        Hit("ECDSA", details=(("note", "DSS signs with a DSA or an ECC key; the code does not say which"),))
    ]


@rule("Crypto.Signature.eddsa")
def _pyc_eddsa(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    return [Hit("Ed25519", details=(("note", "or Ed448, by the key"),))] if member == ("new",) else []


@rule("Crypto.Protocol.KDF")
def _pyc_kdf(scan: FileScan, member: tuple[str, ...], call: ast.Call | None) -> list[Hit]:
    head = member[0] if member else ""
    if head == "PBKDF2":
        details = kdf_hash(scan, call, 5, "hmac_hash_module")
        return [Hit("PBKDF2", details=details or (("hash", "SHA-1"), ("default", "true")))]
    if head == "HKDF":
        return [Hit("HKDF", details=kdf_hash(scan, call, 3, "hashmod"))]
    if head == "scrypt":
        return [Hit("scrypt")]
    if head in ("bcrypt", "bcrypt_check"):
        return [Hit("bcrypt")]
    return []
