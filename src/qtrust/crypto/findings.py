"""What a scan finds: one use of cryptography at a place in a file, in a vocabulary the catalog knows.

Why a small fixed vocabulary: a finding is only useful for quantum-safe planning once it says *which*
algorithm with *which* parameter (RSA with a 2048-bit key, ECDSA on P-256, AES-256 in GCM mode), because
that decides whether Shor's algorithm breaks it and which NIST security level it has. Scanners (Python
syntax trees, key and certificate files, TLS and SSH configuration) all speak this vocabulary, so the CBOM
writer and the readiness model never parse library-specific names.

Algorithm names (``CryptoUse.algorithm``) — exactly these strings:

- public key: ``RSA``, ``DSA``, ``DH``, ``EC`` (an elliptic-curve key, use unknown), ``ECDSA``, ``ECDH``,
  ``Ed25519``, ``Ed448``, ``X25519``, ``X448``, ``ML-DSA``, ``ML-KEM``, ``SLH-DSA``
- symmetric: ``AES``, ``ChaCha20-Poly1305``, ``ChaCha20``, ``3DES``, ``DES``, ``Blowfish``, ``RC4``,
  ``Camellia``, ``Fernet`` (AES-128-CBC with HMAC-SHA-256)
- hashes: ``MD5``, ``SHA-1``, ``SHA-224``, ``SHA-256``, ``SHA-384``, ``SHA-512``, ``SHA3-256``,
  ``SHA3-384``, ``SHA3-512``, ``BLAKE2b``, ``BLAKE2s``
- MAC and key derivation: ``HMAC`` (parameter: the hash's name, e.g. ``SHA-256``), ``PBKDF2``, ``scrypt``,
  ``HKDF``, ``Argon2``, ``bcrypt``
- protocols: ``TLS`` (parameter: the version, ``1.0`` … ``1.3``, or None when only "TLS" is stated),
  ``SSH``
- ``none``: an explicit "no algorithm" (a JWT ``alg: none``) — insecure by construction

Parameters (``CryptoUse.parameter``): key size in bits as a decimal string for RSA / DSA / DH / AES
(``"2048"``, ``"256"``), the curve for EC / ECDSA / ECDH (``"P-256"``, ``"P-384"``, ``"P-521"``,
``"secp256k1"``), the level for ML-DSA (``"44"``, ``"65"``, ``"87"``) and ML-KEM (``"512"``, ``"768"``,
``"1024"``), the hash for HMAC, the version for TLS; None when the code does not state it.
Modes (``CryptoUse.mode``): ``GCM``, ``CBC``, ``CTR``, ``ECB``, ``CFB``, ``OFB``, ``CCM``, ``EAX``,
``SIV``, ``OCB``, ``XTS`` for block ciphers; None otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: What kind of cryptographic asset a finding is (CycloneDX 1.6 ``cryptoProperties.assetType``).
AssetType = Literal["algorithm", "certificate", "protocol", "related-crypto-material"]


@dataclass(frozen=True, order=True)
class CryptoUse:
    """One use of cryptography: where (file, line), which library stated it, and what it is.

    ``evidence`` is the source line (or the key / certificate / config line) as written, stripped, at most
    200 characters — what a reviewer reads to confirm the finding.
    """

    file: str  # relative to the scanned root, with forward slashes
    line: int
    algorithm: str
    asset_type: AssetType = "algorithm"
    parameter: str | None = None
    mode: str | None = None
    library: str = ""  # e.g. "cryptography", "pycryptodome", "hashlib", "ssl", "paramiko", "pyjwt", "pem"
    evidence: str = ""
    details: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # e.g. (("not_after", "2027-…"),)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["details"] = dict(self.details)
        return out


@dataclass(frozen=True)
class Skipped:
    """A file the scan did not read, and why (unparsable, binary, unreadable, too large, a symlink loop)."""

    file: str
    reason: str


@dataclass(frozen=True)
class ScanResult:
    """Every finding, in file and line order, and every file skipped with its reason."""

    roots: tuple[str, ...]
    uses: tuple[CryptoUse, ...]
    skipped: tuple[Skipped, ...]
    files_scanned: int
    lines_scanned: int
