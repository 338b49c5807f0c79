"""The catalog's levels against their sources, and the CBOM: schema-valid CycloneDX 1.6, reproducible to
the byte, every occurrence kept, and certificates and keys linked to their algorithms."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from qtrust.crypto.catalog import describe
from qtrust.crypto.cbom import cbom_json, source_timestamp, summary
from qtrust.crypto.findings import CryptoUse, ScanResult
from qtrust.errors import InputError


@pytest.mark.parametrize(
    ("family", "parameter", "mode", "name", "bits", "level", "vulnerable"),
    [
        ("RSA", "2048", None, "RSA-2048", 112, 0, True),  # SP 800-57 Table 2
        ("RSA", "4096", None, "RSA-4096", 128, 0, True),  # between rows: the lower row's strength
        ("RSA", "1024", None, "RSA-1024", 80, 0, True),
        ("ECDSA", "P-384", None, "ECDSA-P-384", 192, 0, True),
        ("Ed25519", None, None, "Ed25519", 128, 0, True),
        ("ML-DSA", "65", None, "ML-DSA-65", 192, 3, False),  # FIPS 204: ML-DSA-65 is category 3
        ("ML-KEM", "768", None, "ML-KEM-768", 192, 3, False),  # FIPS 203
        ("AES", "256", "GCM", "AES-256-GCM", 256, 5, False),
        ("AES", "128", "CBC", "AES-128-CBC", 128, 1, False),
        ("SHA-256", None, None, "SHA-256", 128, 2, False),  # category 2 is defined by a SHA-256 collision
        ("SHA-384", None, None, "SHA-384", 192, 4, False),
        ("MD5", None, None, "MD5", 0, 0, False),
        ("HMAC", "SHA-256", None, "HMAC-SHA-256", 128, 2, False),
    ],
)
def test_the_catalog_gives_the_published_strengths(family, parameter, mode, name, bits, level, vulnerable):
    info = describe(family, parameter, mode)
    assert (info.name, info.classical_bits, info.nist_level, info.quantum_vulnerable) == (
        name,
        bits,
        level,
        vulnerable,
    )
    assert info.quantum_safe == (level >= 1 and not vulnerable)


def test_oids_are_the_registered_ones():
    assert describe("RSA", "2048").oid == "1.2.840.113549.1.1.1"  # rsaEncryption, RFC 8017
    assert describe("Ed25519").oid == "1.3.101.112"  # RFC 8410
    assert describe("ML-DSA", "65").oid == "2.16.840.1.101.3.4.3.18"  # NIST CSOR id-ml-dsa-65
    assert describe("AES", "256", "GCM").oid == "2.16.840.1.101.3.4.1.46"  # id-aes256-GCM
    assert describe("SHA-256").oid == "2.16.840.1.101.3.4.2.1"
    assert describe("ECDSA", "P-256").oid == "1.2.840.10045.3.1.7"  # prime256v1


CERT_DETAILS = (
    ("subject", "CN=api.example.test"),
    ("issuer", "CN=Example Test CA"),
    ("not_before", "2026-01-01T00:00:00+00:00"),
    ("not_after", "2027-01-01T00:00:00+00:00"),
    ("signature_algorithm", "ecdsa-with-SHA256"),
)
USES = (
    CryptoUse("app/keys.py", 3, "RSA", parameter="2048", library="cryptography", evidence="rsa.generate_private_key(65537, 2048)"),
    CryptoUse("app/keys.py", 9, "RSA", parameter="2048", library="cryptography", evidence="rsa.generate_private_key(65537, 2048)"),
    CryptoUse("app/store.py", 5, "AES", parameter="256", mode="GCM", library="cryptography", evidence="AESGCM(key)"),
    CryptoUse("app/store.py", 8, "SHA-256", library="hashlib", evidence="hashlib.sha256(blob)"),
    CryptoUse("app/sign.py", 2, "ML-DSA", parameter="65", library="cryptography", evidence="MLDSA65PrivateKey.generate()"),
    CryptoUse("certs/api.pem", 1, "ECDSA", asset_type="certificate", parameter="P-256", library="pem",
              evidence="-----BEGIN CERTIFICATE-----", details=CERT_DETAILS),
    CryptoUse("keys/svc.pem", 1, "RSA", asset_type="related-crypto-material", parameter="3072", library="pem",
              evidence="-----BEGIN PRIVATE KEY-----", details=(("kind", "private-key"),)),
    CryptoUse("app/net.py", 4, "TLS", asset_type="protocol", parameter="1.2", library="ssl",
              evidence="ctx.minimum_version = ssl.TLSVersion.TLSv1_2"),
)  # fmt: skip
SCAN = ScanResult(("app",), USES, (), 6, 400)
WHEN = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_the_cbom_is_valid_cyclonedx_1_6_with_every_occurrence():
    text = cbom_json(SCAN, name="app", timestamp=WHEN)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text.decode()) is None
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6"
    assert doc["metadata"]["timestamp"].startswith("2026-12-01T00:00:00")
    by_ref = {c["bom-ref"]: c for c in doc["components"]}
    rsa = by_ref["crypto/algorithm/RSA-2048"]
    assert sorted(o["line"] for o in rsa["evidence"]["occurrences"]) == [3, 9]
    assert rsa["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"] == 0
    assert {"name": "qtrust:quantum-vulnerable", "value": "true"} in rsa["properties"]
    aes = by_ref["crypto/algorithm/AES-256-GCM"]["cryptoProperties"]
    assert aes["algorithmProperties"]["mode"] == "gcm"
    assert aes["oid"] == "2.16.840.1.101.3.4.1.46"
    cert = by_ref["crypto/certificate/certs-api.pem/1"]["cryptoProperties"]["certificateProperties"]
    assert cert["subjectPublicKeyRef"] == "crypto/algorithm/ECDSA-P-256"
    assert cert["notValidAfter"].startswith("2027-01-01")
    key = by_ref["crypto/key/keys-svc.pem/1"]["cryptoProperties"]["relatedCryptoMaterialProperties"]
    assert (key["type"], key["size"], key["algorithmRef"]) == (
        "private-key",
        3072,
        "crypto/algorithm/RSA-3072",
    )
    tls = by_ref["crypto/protocol/TLS-1.2"]["cryptoProperties"]["protocolProperties"]
    assert (tls["type"], tls["version"]) == ("tls", "1.2")
    depends = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert depends["crypto/certificate/certs-api.pem/1"] == ["crypto/algorithm/ECDSA-P-256"]
    assert summary(doc) == {
        "components": 9,
        "quantum_vulnerable": 5,
        "occurrences": 8,
    }  # + RSA-3072, ECDSA-P-256


def test_the_cbom_is_reproducible_and_its_serial_number_follows_its_content():
    first, again = cbom_json(SCAN, name="app", timestamp=WHEN), cbom_json(SCAN, name="app", timestamp=WHEN)
    assert first == again
    fewer = ScanResult(("app",), USES[1:], (), 6, 400)
    assert (
        json.loads(cbom_json(fewer, name="app", timestamp=WHEN))["serialNumber"]
        != json.loads(first)["serialNumber"]
    )
    assert "timestamp" not in json.loads(cbom_json(SCAN, name="app", timestamp=None))["metadata"]


def test_the_timestamp_comes_from_source_date_epoch_or_the_commit(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert source_timestamp([tmp_path]) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        source_timestamp([tmp_path])
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert source_timestamp([tmp_path]) is None  # not a git work tree, no epoch: no timestamp at all


def test_qtrust_itself_and_the_labelled_corpus_give_schema_valid_cboms():
    from pathlib import Path

    from qtrust.crypto.scan import scan

    root = Path(__file__).resolve().parents[2]
    itself = json.loads(cbom_json(scan([root / "src" / "qtrust"]), name="qtrust", timestamp=None))
    corpus = cbom_json(scan([root / "tests" / "crypto" / "corpus"]), name="corpus", timestamp=None)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(itself)) is None
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(corpus.decode()) is None
    by_name = {c["name"]: c for c in itself["components"]}
    mldsa = by_name["ML-DSA-65"]["cryptoProperties"]["algorithmProperties"]
    assert mldsa["nistQuantumSecurityLevel"] == 3
    assert {"name": "qtrust:quantum-vulnerable", "value": "false"} in by_name["ML-DSA-65"]["properties"]
    assert {"name": "qtrust:quantum-vulnerable", "value": "true"} in by_name["Ed25519"]["properties"]
    occurrences = {o["location"] for o in by_name["Ed25519"]["evidence"]["occurrences"]}
    assert "evidence/keys.py" in occurrences
    assert len(by_name["SHA-256"]["evidence"]["occurrences"]) > 10
