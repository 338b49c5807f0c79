"""TLS at the server: the certificate and key are checked before the service starts, not at the first client.

uvicorn would accept a mismatched pair or an expired certificate and fail (or serve it) later; a guard that
will not start says which file is wrong and why. The key must be unencrypted PEM readable by the service
alone (a passphrase would have to sit in a file or the environment anyway); behind a proxy that terminates
TLS, pass neither and bind 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from qtrust.errors import InputError


@dataclass(frozen=True)
class TLSFiles:
    certfile: str
    keyfile: str
    subject: str
    not_after: datetime


def _read(path: Path, option: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read {path}: {error.strerror}", where=option, fix="give a PEM file"
        ) from None


def check_tls(certfile: Path | None, keyfile: Path | None, *, now: datetime | None = None) -> TLSFiles | None:
    """The checked pair, or None when neither is given; an InputError naming the file otherwise."""
    if certfile is None and keyfile is None:
        return None
    if certfile is None or keyfile is None:
        missing = "--tls-cert" if certfile is None else "--tls-key"
        raise InputError(
            "TLS needs a certificate and its key", where=missing, fix="give both --tls-cert and --tls-key"
        )
    cert_data = _read(certfile, "--tls-cert")
    try:
        chain = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise InputError(
            f"{certfile} holds no PEM certificate",
            where="--tls-cert",
            fix="give the certificate (chain) as PEM",
        ) from None
    key_data = _read(keyfile, "--tls-key")
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise InputError(
            f"{keyfile} is encrypted",
            where="--tls-key",
            fix="give the key unencrypted, readable only by the service's user (chmod 600)",
        ) from None
    except ValueError:
        raise InputError(
            f"{keyfile} holds no PEM private key", where="--tls-key", fix="give the key as PEM"
        ) from None
    leaf = chain[0]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(serialization.Encoding.DER, public) != key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise InputError(
            f"{keyfile} is not the key of the certificate in {certfile}",
            where="--tls-key",
            fix="give the private key the certificate was issued for",
        )
    now = now or datetime.now(UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise InputError(
            f"the certificate in {certfile} is valid from {leaf.not_valid_before_utc:%Y-%m-%d} to "
            f"{leaf.not_valid_after_utc:%Y-%m-%d}, not now",
            where="--tls-cert",
            fix="renew the certificate",
        )
    return TLSFiles(str(certfile), str(keyfile), leaf.subject.rfc4514_string(), leaf.not_valid_after_utc)
