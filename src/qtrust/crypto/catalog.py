"""What each algorithm is: its primitive, OID, classical security strength and NIST quantum security level.

Why a table here and not in each scanner: whether a finding is quantum-vulnerable, and how strong it is, is
a property of the algorithm and its parameter, not of the library that called it. One table, with the
sources it rests on, keeps the CBOM and the readiness model consistent:

- classical strength in bits: NIST SP 800-57 Part 1 Rev. 5, Table 2 (RSA / DH / DSA by modulus size, ECC by
  curve size, symmetric by key size; a size between two rows takes the lower row's strength);
- NIST quantum security categories 1–5 (FIPS 203 / 204 / 205 and NIST's PQC call for proposals): 1 is a key
  search on AES-128, 2 a collision on SHA-256, 3 AES-192, 4 a collision on SHA-384, 5 AES-256; category 0
  here means "broken by a cryptographically relevant quantum computer" (Shor: RSA, DSA, DH, every elliptic
  curve) or below category 1 classically (DES, 3DES, RC4, MD5, SHA-1);
- hashes and HMAC take the hash's collision category (conservative for HMAC, whose security rests on the
  key);
- OIDs: RFC 8017 (RSA), RFC 5480 / SEC 2 (EC keys and curves), RFC 8410 (Ed25519, X25519, Ed448, X448),
  NIST CSOR (AES modes, SHA-2, SHA-3, ML-DSA, ML-KEM, SLH-DSA), RFC 8103 (ChaCha20-Poly1305).
"""

from __future__ import annotations

from dataclasses import dataclass

# SP 800-57 Part 1 Rev. 5, Table 2: modulus size → strength; curve size → strength.
_FFC_IFC = ((15360, 256), (7680, 192), (3072, 128), (2048, 112), (1024, 80))
_CURVES = {
    "P-192": (80, "1.2.840.10045.3.1.1"),
    "P-224": (112, "1.3.132.0.33"),
    "P-256": (128, "1.2.840.10045.3.1.7"),
    "P-384": (192, "1.3.132.0.34"),
    "P-521": (256, "1.3.132.0.35"),
    "secp256k1": (128, "1.3.132.0.10"),
}
_ML_DSA = {"44": (2, 128, "2.16.840.1.101.3.4.3.17"), "65": (3, 192, "2.16.840.1.101.3.4.3.18"),
           "87": (5, 256, "2.16.840.1.101.3.4.3.19")}  # fmt: skip
_ML_KEM = {"512": (1, 128, "2.16.840.1.101.3.4.4.1"), "768": (3, 192, "2.16.840.1.101.3.4.4.2"),
           "1024": (5, 256, "2.16.840.1.101.3.4.4.3")}  # fmt: skip
_AES_OID = {  # NIST CSOR 2.16.840.1.101.3.4.1.x
    (128, "ECB"): 1, (128, "CBC"): 2, (128, "OFB"): 3, (128, "CFB"): 4, (128, "GCM"): 6, (128, "CCM"): 7,
    (192, "ECB"): 21, (192, "CBC"): 22, (192, "OFB"): 23, (192, "CFB"): 24, (192, "GCM"): 26, (192, "CCM"): 27,
    (256, "ECB"): 41, (256, "CBC"): 42, (256, "OFB"): 43, (256, "CFB"): 44, (256, "GCM"): 46, (256, "CCM"): 47,
}  # fmt: skip
# hash → (classical collision strength, NIST category, OID, digest bits)
_HASHES = {
    "MD5": (0, 0, "1.2.840.113549.2.5", 128),
    "SHA-1": (0, 0, "1.3.14.3.2.26", 160),
    "SHA-224": (112, 1, "2.16.840.1.101.3.4.2.4", 224),
    "SHA-256": (128, 2, "2.16.840.1.101.3.4.2.1", 256),
    "SHA-384": (192, 4, "2.16.840.1.101.3.4.2.2", 384),
    "SHA-512": (256, 5, "2.16.840.1.101.3.4.2.3", 512),
    "SHA3-256": (128, 2, "2.16.840.1.101.3.4.2.8", 256),
    "SHA3-384": (192, 4, "2.16.840.1.101.3.4.2.9", 384),
    "SHA3-512": (256, 5, "2.16.840.1.101.3.4.2.10", 512),
    "BLAKE2b": (256, 5, "1.3.6.1.4.1.1722.12.2.1.16", 512),
    "BLAKE2s": (128, 2, "1.3.6.1.4.1.1722.12.2.2.8", 256),
}
_HMAC_OID = {"SHA-1": "1.2.840.113549.2.7", "SHA-224": "1.2.840.113549.2.8", "SHA-256": "1.2.840.113549.2.9",
             "SHA-384": "1.2.840.113549.2.10", "SHA-512": "1.2.840.113549.2.11"}  # fmt: skip
_PK_OID = {
    "RSA": "1.2.840.113549.1.1.1",
    "DSA": "1.2.840.10040.4.1",
    "DH": "1.2.840.113549.1.3.1",
    "EC": "1.2.840.10045.2.1",
    "ECDSA": "1.2.840.10045.2.1",
    "ECDH": "1.2.840.10045.2.1",
    "X25519": "1.3.101.110",
    "X448": "1.3.101.111",
    "Ed25519": "1.3.101.112",
    "Ed448": "1.3.101.113",
}
# symmetric / other: name → (primitive, classical bits or None, NIST category, OID or None)
_OTHER = {
    "ChaCha20-Poly1305": ("ae", 256, 5, "1.2.840.113549.1.9.16.3.18"),
    "ChaCha20": ("stream-cipher", 256, 5, None),
    "3DES": ("block-cipher", 112, 0, "1.2.840.113549.3.7"),
    "DES": ("block-cipher", 56, 0, "1.3.14.3.2.7"),
    "Blowfish": ("block-cipher", None, 0, None),
    "RC4": ("stream-cipher", 0, 0, "1.2.840.113549.3.4"),
    "Camellia": ("block-cipher", 128, 1, None),
    "Fernet": ("ae", 128, 1, None),
    "PBKDF2": ("kdf", None, 1, "1.2.840.113549.1.5.12"),
    "scrypt": ("kdf", None, 1, "1.3.6.1.4.1.11591.4.11"),
    "HKDF": ("kdf", None, 1, None),
    "Argon2": ("kdf", None, 1, None),
    "bcrypt": ("kdf", None, 1, None),
    "TLS": ("other", None, None, None),
    "SSH": ("other", None, None, None),
    "none": ("other", 0, 0, None),
}


@dataclass(frozen=True)
class AlgorithmInfo:
    """One algorithm with its parameter: what the CBOM and the readiness model say about it."""

    name: str  # e.g. "RSA-2048", "ECDSA-P-256", "AES-256-GCM", "ML-DSA-65", "SHA-256", "HMAC-SHA-256"
    family: str  # the finding's algorithm
    primitive: str  # CycloneDX 1.6 cryptoProperties.algorithmProperties.primitive
    parameter_set: str | None
    mode: str | None
    oid: str | None
    classical_bits: int | None  # None: the code does not state enough to say
    nist_level: int | None  # 0 = broken by a quantum computer (or classically weak); None: not applicable
    quantum_vulnerable: bool  # Shor breaks it: the asset needs migrating, whatever its size

    @property
    def quantum_safe(self) -> bool:
        return not self.quantum_vulnerable and (self.nist_level or 0) >= 1


def _modulus_strength(bits: int) -> int:
    return next((strength for size, strength in _FFC_IFC if bits >= size), 0)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def describe(family: str, parameter: str | None = None, mode: str | None = None) -> AlgorithmInfo:
    """The catalog's entry for ``family`` with ``parameter`` (key size, curve, level, hash) and ``mode``."""
    if family in ("RSA", "DSA", "DH"):
        bits = _int(parameter)
        primitive = {"RSA": "pke", "DSA": "signature", "DH": "key-agree"}[family]
        return AlgorithmInfo(
            f"{family}-{bits}" if bits else family, family, primitive, str(bits) if bits else None, None,
            _PK_OID[family], _modulus_strength(bits) if bits else None, 0, True,
        )  # fmt: skip
    if family in ("EC", "ECDSA", "ECDH"):
        strength, curve_oid = _CURVES.get(parameter or "", (None, None))
        primitive = {"EC": "signature", "ECDSA": "signature", "ECDH": "key-agree"}[family]
        name = f"{family}-{parameter}" if parameter else family
        return AlgorithmInfo(
            name, family, primitive, parameter, None, curve_oid or _PK_OID[family], strength, 0, True
        )
    if family in ("Ed25519", "X25519", "Ed448", "X448"):
        primitive = "signature" if family.startswith("Ed") else "key-agree"
        strength = 128 if family.endswith("25519") else 224
        return AlgorithmInfo(family, family, primitive, None, None, _PK_OID[family], strength, 0, True)
    if family in ("ML-DSA", "ML-KEM"):
        table = _ML_DSA if family == "ML-DSA" else _ML_KEM
        level, strength, oid = table.get(parameter or "", (None, None, None))
        primitive = "signature" if family == "ML-DSA" else "kem"
        name = f"{family}-{parameter}" if parameter else family
        return AlgorithmInfo(name, family, primitive, parameter, None, oid, strength, level, False)
    if family == "SLH-DSA":
        level = {"128": 1, "192": 3, "256": 5}.get((parameter or "")[-3:])
        name = f"SLH-DSA-{parameter}" if parameter else "SLH-DSA"
        return AlgorithmInfo(name, family, "signature", parameter, None, None, None, level, False)
    if family == "AES":
        bits = _int(parameter)
        level = {128: 1, 192: 3, 256: 5}.get(bits or 0)
        oid_arc = _AES_OID.get((bits or 0, mode or ""))
        name = "-".join(str(p) for p in ("AES", bits, mode) if p)
        primitive = "ae" if mode in ("GCM", "CCM", "EAX", "SIV", "OCB") else "block-cipher"
        return AlgorithmInfo(
            name, family, primitive, str(bits) if bits else None, mode,
            f"2.16.840.1.101.3.4.1.{oid_arc}" if oid_arc else None, bits, level, False,
        )  # fmt: skip
    if family in _HASHES:
        strength, level, oid, _ = _HASHES[family]
        return AlgorithmInfo(family, family, "hash", None, None, oid, strength, level, False)
    if family == "HMAC":
        strength, level, _, _ = _HASHES.get(parameter or "", (None, None, None, None))
        name = f"HMAC-{parameter}" if parameter else "HMAC"
        return AlgorithmInfo(
            name, family, "mac", parameter, None, _HMAC_OID.get(parameter or ""), strength, level, False
        )
    if family in _OTHER:
        primitive, strength, level, oid = _OTHER[family]
        name = f"{family}-{mode}" if mode and family in ("3DES", "DES", "Blowfish", "Camellia") else family
        return AlgorithmInfo(name, family, primitive, parameter, mode, oid, strength, level, False)
    return AlgorithmInfo(family, family, "unknown", parameter, mode, None, None, None, False)
