"""The TLS pair is checked before the service starts: each wrong file is named with the reason."""

from __future__ import annotations

import pytest

from qtrust.errors import InputError
from qtrust.serve.tls import check_tls
from tls_certificates import make_certificate


def test_a_matching_current_pair_is_accepted(tmp_path):
    cert, key = make_certificate(tmp_path)
    checked = check_tls(cert, key)
    assert checked is not None
    assert checked.subject == "CN=qtrust test"
    assert check_tls(None, None) is None


def test_each_wrong_file_is_named(tmp_path):
    cert, key = make_certificate(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _, other_key = make_certificate(other)
    expired = tmp_path / "expired"
    expired.mkdir()
    old_cert, old_key = make_certificate(expired, days=10, start_days_ago=40)
    locked = tmp_path / "locked"
    locked.mkdir()
    _, locked_key = make_certificate(locked, password=b"secret")
    cases = [
        ((cert, None), "--tls-key", "needs a certificate and its key"),
        ((None, key), "--tls-cert", "needs a certificate and its key"),
        ((cert, other_key), "--tls-key", "is not the key of the certificate"),
        ((old_cert, old_key), "--tls-cert", "not now"),
        ((cert, locked_key), "--tls-key", "is encrypted"),
        ((key, key), "--tls-cert", "no PEM certificate"),
        ((cert, cert), "--tls-key", "no PEM private key"),
        ((tmp_path / "missing.pem", key), "--tls-cert", "cannot read"),
    ]
    for (certfile, keyfile), where, problem in cases:
        with pytest.raises(InputError, match=problem) as caught:
            check_tls(certfile, keyfile)
        assert caught.value.where == where
