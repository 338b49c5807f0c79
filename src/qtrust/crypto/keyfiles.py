"""Keys and certificates lying in the tree: PEM, DER and OpenSSH files, read with ``cryptography``.

Why parse them rather than match their headers: a header says "PRIVATE KEY" but not whether it is RSA-2048
or ML-DSA-65, nor when a certificate expires. Parsing gives the algorithm and size the readiness model
needs (a certificate reports its public key's algorithm: an EC certificate is ECDSA with its curve) and,
for certificates, subject, issuer, validity and signature algorithm.

What is never kept: key material. A finding's evidence is the PEM header line (``-----BEGIN RSA PRIVATE
KEY-----``), ``DER certificate`` / ``DER private key``, or an OpenSSH public key line with its base64 body
replaced by ``…``; no details field holds key bytes. Encrypted private keys are reported as such
(``("encrypted", "true")``); their algorithm comes from the PEM label (``RSA PRIVATE KEY``) or, for OpenSSH
keys, from the public half the format stores in the clear — and is ``"unknown"`` only for an encrypted
PKCS#8 key, whose algorithm is itself encrypted.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import warnings

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import (
    dh,
    dsa,
    ec,
    ed448,
    ed25519,
    mldsa,
    mlkem,
    rsa,
    x448,
    x25519,
)
from cryptography.utils import CryptographyDeprecationWarning

from qtrust.crypto.findings import AssetType, CryptoUse

#: File names and suffixes read as keys or certificates (any other small file that starts with
#: ``-----BEGIN`` is read too, see :func:`looks_like_pem`).
KEY_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der", ".key", ".pub", ".p8", ".pk8", ".csr"})
KEY_NAMES = frozenset(
    {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk", "authorized_keys"}
)

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 .]+)-----\r?\n(.*?)-----END \1-----", re.S)
_SSH_KEY_TYPES = (
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ssh-ed448",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_SSH_LINE = re.compile(
    r"(?:^|\s)(?P<type>(?:"
    + "|".join(re.escape(t) for t in _SSH_KEY_TYPES)
    + r")(?:-cert-v01@openssh\.com)?)"
    r"\s+(?P<body>AAAA[A-Za-z0-9+/=]+)(?:\s+(?P<comment>.*))?$"
)
_CURVES = {"secp192r1": "P-192", "secp224r1": "P-224", "secp256r1": "P-256", "secp384r1": "P-384",
           "secp521r1": "P-521", "secp256k1": "secp256k1"}  # fmt: skip
_HASHES = {"md5": "MD5", "sha1": "SHA-1", "sha224": "SHA-224", "sha256": "SHA-256", "sha384": "SHA-384",
           "sha512": "SHA-512", "sha3-256": "SHA3-256", "sha3-384": "SHA3-384", "sha3-512": "SHA3-512"}  # fmt: skip
_LABEL_ALGORITHM = {"RSA PRIVATE KEY": "RSA", "EC PRIVATE KEY": "EC", "DSA PRIVATE KEY": "DSA"}
_ML_LEVEL = re.compile(r"ML(DSA|KEM)(\d+)")


def is_key_file(name: str) -> bool:
    """A file whose name says it holds a key or certificate (``*.pem``, ``id_rsa``, ``ssh_host_*_key``)."""
    lower = name.lower()
    dot = lower.rfind(".")
    if dot > 0 and lower[dot:] in KEY_SUFFIXES:
        return True
    return lower in KEY_NAMES or (lower.startswith("ssh_host_") and lower.endswith("_key"))


def looks_like_pem(head: bytes) -> bool:
    """The first bytes of a file are a PEM header (after a byte-order mark or blank space)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"-----BEGIN ")


@dataclasses.dataclass(frozen=True)
class KeyFileResult:
    """The findings of one file, its line count, and why it yielded nothing if it did not."""

    uses: list[CryptoUse]
    lines: int
    problem: str | None = None


def key_algorithm(key: object, *, signing: bool = False) -> tuple[str, str | None]:
    """A ``cryptography`` key → (algorithm, parameter) in the findings vocabulary.

    An EC key on its own is ``EC`` (it may sign or agree keys); ``signing`` (a certificate's key, an SSH
    key) makes it ``ECDSA``.
    """
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RSA", str(key.key_size)
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return ("ECDSA" if signing else "EC"), _CURVES.get(key.curve.name, key.curve.name)
    with warnings.catch_warnings():  # DSA and finite-field DH are deprecated in cryptography: still found
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        if isinstance(key, dsa.DSAPrivateKey | dsa.DSAPublicKey):
            return "DSA", str(key.key_size)
        if isinstance(key, dh.DHParameters):
            return "DH", str(key.parameter_numbers().p.bit_length())
        if isinstance(key, dh.DHPrivateKey | dh.DHPublicKey):
            return "DH", str(key.key_size)
    for module, name in ((ed25519, "Ed25519"), (ed448, "Ed448"), (x25519, "X25519"), (x448, "X448")):
        if isinstance(key, getattr(module, f"{name}PrivateKey") | getattr(module, f"{name}PublicKey")):
            return name, None
    match = _ML_LEVEL.match(type(key).__name__)
    if match and isinstance(key, _ml_classes()):
        return f"ML-{match.group(1)}", match.group(2)
    return "unknown", None


def _ml_classes() -> tuple[type, ...]:
    return tuple(getattr(module, n) for module in (mldsa, mlkem) for n in dir(module) if _ML_LEVEL.match(n))


def _use(
    file: str,
    line: int,
    evidence: str,
    algorithm: str,
    parameter: str | None,
    *,
    library: str,
    asset_type: AssetType = "related-crypto-material",
    details: tuple[tuple[str, str], ...] = (),
) -> CryptoUse:
    return CryptoUse(
        file=file,
        line=line,
        algorithm=algorithm,
        asset_type=asset_type,
        parameter=parameter,
        library=library,
        evidence=evidence[:200],
        details=details,
    )


def certificate_use(cert: x509.Certificate, file: str, line: int, evidence: str, library: str) -> CryptoUse:
    """A certificate: its public key's algorithm, and who, until when and signed how."""
    try:
        algorithm, parameter = key_algorithm(cert.public_key(), signing=True)
    except (ValueError, UnsupportedAlgorithm):
        algorithm, parameter = "unknown", None
    oid = cert.signature_algorithm_oid
    details = [
        ("subject", cert.subject.rfc4514_string()),
        ("issuer", cert.issuer.rfc4514_string()),
        ("not_before", cert.not_valid_before_utc.isoformat()),
        ("not_after", cert.not_valid_after_utc.isoformat()),
        ("signature_algorithm", getattr(oid, "_name", None) or oid.dotted_string),
    ]
    try:
        digest = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        digest = None
    if digest is not None:
        details.append(("signature_hash", _HASHES.get(digest.name, digest.name)))
    if algorithm == "unknown":
        details.append(("public_key_oid", cert.public_key_algorithm_oid.dotted_string))
    return _use(file, line, evidence, algorithm, parameter, library=library, asset_type="certificate",
                details=tuple(details))  # fmt: skip


def _private_key(
    block: bytes, label: str, loader, file: str, line: int, evidence: str, library: str
) -> CryptoUse:
    try:
        key = loader(block, password=None)
    except TypeError:  # "Password was not given but private key is encrypted"
        details = (("kind", "private-key"), ("encrypted", "true"))
        return _use(
            file,
            line,
            evidence,
            _LABEL_ALGORITHM.get(label, "unknown"),
            None,
            library=library,
            details=details,
        )
    algorithm, parameter = key_algorithm(key)
    return _use(
        file, line, evidence, algorithm, parameter, library=library, details=(("kind", "private-key"),)
    )


def _openssh_private(block: bytes) -> tuple[object, bool]:
    """The public key an OpenSSH private key file stores in the clear, and whether the private part is
    encrypted (PROTOCOL.key: magic, cipher name, KDF name, KDF options, key count, public key blob)."""
    lines = block.strip().splitlines()
    raw = base64.b64decode(b"".join(lines[1:-1]))
    magic = b"openssh-key-v1\0"
    if not raw.startswith(magic):
        raise ValueError("not an openssh-key-v1 file")
    position = len(magic)

    def field() -> bytes:
        nonlocal position
        size = int.from_bytes(raw[position : position + 4], "big")
        value = raw[position + 4 : position + 4 + size]
        if len(value) != size:
            raise ValueError("truncated")
        position += 4 + size
        return value

    cipher = field()
    field()  # KDF name
    field()  # KDF options
    position += 4  # number of keys
    blob = field()
    key_type = blob[4 : 4 + int.from_bytes(blob[:4], "big")]
    public = serialization.load_ssh_public_key(key_type + b" " + base64.b64encode(blob))
    return public, cipher != b"none"


def _pem_block(label: str, block: bytes, file: str, line: int) -> CryptoUse | None:
    evidence = f"-----BEGIN {label}-----"
    library = "pem"
    try:
        if label in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
            if label != "CERTIFICATE":
                block = block.replace(label.encode(), b"CERTIFICATE")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                cert = x509.load_pem_x509_certificate(block)
            use = certificate_use(cert, file, line, evidence, library)
            if caught:  # e.g. a negative serial number, which RFC 5280 forbids
                use = dataclasses.replace(
                    use, details=(*use.details, ("warning", str(caught[0].message)[:200]))
                )
            return use
        if label in ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", *_LABEL_ALGORITHM):
            return _private_key(
                block, label, serialization.load_pem_private_key, file, line, evidence, library
            )
        if label in ("PUBLIC KEY", "RSA PUBLIC KEY"):
            algorithm, parameter = key_algorithm(serialization.load_pem_public_key(block))
            return _use(
                file, line, evidence, algorithm, parameter, library=library, details=(("kind", "public-key"),)
            )
        if label in ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"):
            csr = x509.load_pem_x509_csr(block.replace(b"NEW CERTIFICATE REQUEST", b"CERTIFICATE REQUEST"))
            algorithm, parameter = key_algorithm(csr.public_key(), signing=True)
            details = (("kind", "certificate-request"), ("subject", csr.subject.rfc4514_string()))
            return _use(file, line, evidence, algorithm, parameter, library=library, details=details)
        if label in ("DH PARAMETERS", "X9.42 DH PARAMETERS"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                parameters = serialization.load_pem_parameters(block)
            algorithm, parameter = key_algorithm(parameters)
            return _use(
                file, line, evidence, algorithm, parameter, library=library, details=(("kind", "parameters"),)
            )
        if label == "OPENSSH PRIVATE KEY":
            public, encrypted = _openssh_private(block)
            algorithm, parameter = key_algorithm(public, signing=True)
            details = (("kind", "private-key"),) + ((("encrypted", "true"),) if encrypted else ())
            return _use(file, line, evidence, algorithm, parameter, library="openssh", details=details)
    except (ValueError, TypeError, UnsupportedAlgorithm, IndexError) as error:
        kind = "certificate" if "CERTIFICATE" in label and "REQUEST" not in label else "key"
        details = (("kind", kind), ("error", f"not parsed: {type(error).__name__}"))
        asset: AssetType = "certificate" if kind == "certificate" else "related-crypto-material"
        algorithm = _LABEL_ALGORITHM.get(label, "unknown")
        return _use(file, line, evidence, algorithm, None, library=library, asset_type=asset, details=details)
    return None  # a PEM block that is not a key or certificate (PGP, EC PARAMETERS, …)


def _ssh_public_lines(text: str, file: str) -> list[CryptoUse]:
    uses = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _SSH_LINE.search(line.strip())
        if not match:
            continue
        key_type, comment = match.group("type"), (match.group("comment") or "").strip()
        evidence = f"{key_type} … {comment}".strip()
        details: tuple[tuple[str, str], ...] = (("kind", "public-key"),)
        try:
            if key_type.endswith("-cert-v01@openssh.com"):
                public = serialization.load_ssh_public_identity(f"{key_type} {match.group('body')}".encode())
                public = public.public_key() if hasattr(public, "public_key") else public
                details += (("ssh_certificate", "true"),)
            else:
                public = serialization.load_ssh_public_key(f"{key_type} {match.group('body')}".encode())
            algorithm, parameter = key_algorithm(public, signing=True)
        except (ValueError, UnsupportedAlgorithm):
            algorithm, parameter = _ssh_type_algorithm(key_type), None
        uses.append(_use(file, number, evidence, algorithm, parameter, library="openssh", details=details))
    return uses


def _ssh_type_algorithm(key_type: str) -> str:
    for prefix, algorithm in (("ssh-rsa", "RSA"), ("ssh-dss", "DSA"), ("ssh-ed25519", "Ed25519"),
                              ("sk-ssh-ed25519", "Ed25519"), ("ssh-ed448", "Ed448")):  # fmt: skip
        if key_type.startswith(prefix):
            return algorithm
    return "ECDSA" if "ecdsa" in key_type else "unknown"


def _der(data: bytes, file: str) -> CryptoUse | None:
    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError:
        pass
    else:
        return certificate_use(cert, file, 1, "DER certificate", "der")
    try:
        return _private_key(data, "", serialization.load_der_private_key, file, 1, "DER private key", "der")
    except (ValueError, UnsupportedAlgorithm):
        pass
    try:
        algorithm, parameter = key_algorithm(serialization.load_der_public_key(data))
    except (ValueError, UnsupportedAlgorithm):
        pass
    else:
        return _use(
            file, 1, "DER public key", algorithm, parameter, library="der", details=(("kind", "public-key"),)
        )
    try:
        csr = x509.load_der_x509_csr(data)
        algorithm, parameter = key_algorithm(csr.public_key(), signing=True)
    except (ValueError, UnsupportedAlgorithm):
        return None
    details = (("kind", "certificate-request"), ("subject", csr.subject.rfc4514_string()))
    return _use(file, 1, "DER certificate request", algorithm, parameter, library="der", details=details)


def scan_key_file(data: bytes, file: str) -> KeyFileResult:
    """Every key, certificate and parameter set in one file's bytes (PEM blocks, OpenSSH lines, or DER)."""
    is_text = b"\0" not in data
    text = None
    if is_text:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is not None:
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        uses = []
        for match in _PEM_BLOCK.finditer(data):
            label = match.group(1).decode("ascii")
            line = data.count(b"\n", 0, match.start()) + 1
            use = _pem_block(label, match.group(0), file, line)
            if use is not None:
                uses.append(use)
        if not uses:
            uses = _ssh_public_lines(text, file)
        if uses:
            return KeyFileResult(uses, lines)
        if "-----BEGIN" in text:
            return KeyFileResult([], lines)  # PEM, but nothing cryptographic we read (a PGP block, …)
    der = _der(data, file)
    if der is not None:
        return KeyFileResult([der], 0)
    return KeyFileResult(
        [], 0 if text is None else text.count("\n"), "not a PEM, DER or OpenSSH key or certificate"
    )
