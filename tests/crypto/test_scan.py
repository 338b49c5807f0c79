"""The crypto scanner against a labelled corpus: precision and recall per library, skips, key hygiene.

The corpus (tests/crypto/corpus/) is small Python files per library, configuration files and a negatives
file, labelled in labels.yaml; key and certificate files are generated here (test-only keys, never
committed) as labels.yaml's ``keys`` section describes.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import os
import re
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, ec, ed25519, mldsa, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from qtrust.crypto.config_scan import cipher_hits
from qtrust.crypto.findings import CryptoUse, Skipped
from qtrust.crypto.scan import scan

CORPUS = Path(__file__).parent / "corpus"
LABELS = yaml.safe_load((CORPUS / "labels.yaml").read_text())
REPO_SRC = Path(__file__).parents[2] / "src" / "qtrust"
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.90

# RFC 3526 group 14 (2048-bit MODP): DH parameters without generating any.
_GROUP14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)


# -- generated keys and certificates ---------------------------------------------------------------------


def _certificate(key, signing_key, digest, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1000)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .sign(signing_key, digest)
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pkcs8(key, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _encrypted_openssh(key) -> bytes:
    """An OpenSSH private key file whose private part is (as far as a reader can tell) encrypted.

    cryptography needs the bcrypt package to write one; the scanner reads only the clear header and public
    key, so the private section here is random bytes, as an encrypted one looks.
    """

    def string(value: bytes) -> bytes:
        return len(value).to_bytes(4, "big") + value

    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(public.split()[1])
    body = (
        b"openssh-key-v1\0"
        + string(b"aes256-ctr")
        + string(b"bcrypt")
        + string(string(os.urandom(16)) + (16).to_bytes(4, "big"))
        + (1).to_bytes(4, "big")
        + string(blob)
        + string(os.urandom(64))
    )
    text = base64.b64encode(body)
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    return (
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + b"\n".join(lines)
        + b"\n-----END OPENSSH PRIVATE KEY-----\n"
    )


def _openssh_public(key, comment: str) -> bytes:
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return line + b" " + comment.encode() + b"\n"


def _dh_parameters() -> bytes:
    with warnings.catch_warnings():  # finite-field DH is deprecated in cryptography, and still met
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        parameters = dh.DHParameterNumbers(_GROUP14, 2).parameters()
    return parameters.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)


def _make_keys(folder: Path) -> dict[str, bytes]:
    """Every file of labels.yaml's ``keys`` section, by its ``make`` recipe."""
    rsa2048 = rsa.generate_private_key(65537, 2048)
    rsa3072 = rsa.generate_private_key(65537, 3072)
    p256 = ec.generate_private_key(ec.SECP256R1())
    p384 = ec.generate_private_key(ec.SECP384R1())
    p521 = ec.generate_private_key(ec.SECP521R1())
    edwards = ed25519.Ed25519PrivateKey.generate()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corpus request")]))
        .sign(p256, hashes.SHA256())
    )
    recipes = {
        "rsa-2048-traditional": lambda: rsa2048.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        "rsa-2048-traditional-encrypted": lambda: rsa2048.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.BestAvailableEncryption(b"test-only"),
        ),
        "rsa-3072-public": lambda: rsa3072.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "ec-p256-pkcs8": lambda: _pkcs8(p256),
        "ed25519-pkcs8-encrypted": lambda: _pkcs8(edwards, b"test-only"),
        "mldsa65-pkcs8": lambda: _pkcs8(mldsa.MLDSA65PrivateKey.generate()),
        "dh-2048-parameters": _dh_parameters,
        "ec-p384-certificate": lambda: _pem(_certificate(p384, p384, hashes.SHA384(), "corpus server")),
        "ed25519-key-then-rsa-certificate": lambda: (
            _pkcs8(edwards) + _pem(_certificate(rsa2048, rsa2048, hashes.SHA256(), "corpus chain"))
        ),
        "rsa-2048-certificate-der": lambda: _certificate(
            rsa2048, rsa2048, hashes.SHA256(), "corpus root"
        ).public_bytes(serialization.Encoding.DER),
        "ec-p256-csr": lambda: csr.public_bytes(serialization.Encoding.PEM),
        "ec-p521-certificate": lambda: _pem(_certificate(p521, p521, hashes.SHA512(), "corpus anchor")),
        "openssh-ed25519": lambda: edwards.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        ),
        "openssh-rsa-2048-encrypted": lambda: _encrypted_openssh(rsa2048),
        "openssh-ecdsa-p256-public": lambda: _openssh_public(p256, "test-only@corpus"),
        "authorized-keys-rsa-ed25519": lambda: (
            b"# test-only keys\n"
            + _openssh_public(rsa2048, "alice@corpus")
            + b'from="10.0.0.0/8" '
            + _openssh_public(edwards, "bob@corpus")
        ),
    }
    written = {}
    for entry in LABELS["keys"]:
        path = folder / entry["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        data = recipes[entry["make"]]()
        path.write_bytes(data)
        written[entry["file"]] = data
    return written


@pytest.fixture(scope="module")
def key_tree(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    written = _make_keys(folder)
    return folder, written, scan([folder])


@pytest.fixture(scope="module")
def corpus_result():
    return scan([CORPUS])


# -- scoring -------------------------------------------------------------------------------------------------


def _labels(key_tree) -> list[dict]:
    labels = [dict(p) for p in LABELS["positives"]]
    for entry in LABELS["keys"]:
        labels += [{"file": entry["file"], "mode": None, **expect} for expect in entry["expect"]]
    return labels


def _score(uses: list[CryptoUse], labels: list[dict]) -> dict[str, dict[str, float]]:
    """Match findings to labels on (file, line, algorithm); per library: TP, FP, FN, parameter / mode hits."""
    open_labels: dict[tuple, list[dict]] = defaultdict(list)
    for label in labels:
        open_labels[(label["file"], label["line"], label["algorithm"])].append(label)
    stats: dict[str, Counter] = defaultdict(Counter)
    for use in uses:
        candidates = open_labels.get((use.file, use.line, use.algorithm), [])
        if not candidates:
            stats[use.library]["fp"] += 1
            continue
        exact = [c for c in candidates if (c["parameter"], c["mode"]) == (use.parameter, use.mode)]
        label = (exact or candidates)[0]
        candidates.remove(label)
        bucket = stats[label["library"]]
        bucket["tp"] += 1
        bucket["parameter_ok"] += label["parameter"] == use.parameter
        bucket["mode_ok"] += label["mode"] == use.mode
        bucket["library_ok"] += label["library"] == use.library
    for remaining in open_labels.values():
        for label in remaining:
            stats[label["library"]]["fn"] += 1
    total = Counter()
    for bucket in stats.values():
        total.update(bucket)
    stats["ALL"] = total
    table = {}
    for library, c in stats.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        table[library] = {
            "labels": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "parameter": c["parameter_ok"] / tp if tp else 1.0,
            "mode": c["mode_ok"] / tp if tp else 1.0,
            "library": c["library_ok"] / tp if tp else 1.0,
        }
    return table


def _format(table: dict[str, dict[str, float]]) -> str:
    head = f"{'library':<16}{'labels':>7}{'TP':>5}{'FP':>4}{'FN':>4}{'precision':>11}{'recall':>8}{'param':>7}{'mode':>6}"
    rows = [head]
    for library in sorted(table, key=lambda name: (name == "ALL", name)):
        r = table[library]
        rows.append(
            f"{library:<16}{r['labels']:>7}{r['tp']:>5}{r['fp']:>4}{r['fn']:>4}"
            f"{r['precision']:>11.3f}{r['recall']:>8.3f}{r['parameter']:>7.3f}{r['mode']:>6.3f}"
        )
    return "\n".join(rows)


def test_precision_and_recall_per_library(corpus_result, key_tree):
    _, _, keys_result = key_tree
    uses = list(corpus_result.uses) + list(keys_result.uses)
    labels = _labels(key_tree)
    assert len(LABELS["positives"]) >= 60
    assert len(LABELS["negatives"]) >= 10
    table = _score(uses, labels)
    report = _format(table)
    print("\n" + report)
    libraries = {label["library"] for label in labels}
    assert libraries >= {"cryptography", "pycryptodome", "hashlib", "hmac", "ssl", "paramiko", "pyjwt",
                         "python-jose", "pem", "der", "openssh", "nginx", "openssh-config"}  # fmt: skip
    for library, row in table.items():
        assert row["precision"] >= PRECISION_FLOOR, f"{library} precision below {PRECISION_FLOOR}\n{report}"
        assert row["recall"] >= RECALL_FLOOR, f"{library} recall below {RECALL_FLOOR}\n{report}"
    overall = table["ALL"]
    assert overall["parameter"] >= 0.95, report
    assert overall["mode"] >= 0.95, report
    assert overall["library"] == 1.0, report


def test_negatives_yield_no_finding(corpus_result):
    reported = {(u.file, u.line) for u in corpus_result.uses}
    for negative in LABELS["negatives"]:
        assert (negative["file"], negative["line"]) not in reported, negative["why"]
    assert [u for u in corpus_result.uses if u.file == "negatives.py"] == []


def test_corpus_scan_is_complete_and_ordered(corpus_result):
    assert corpus_result.skipped == ()
    configurations = 5  # labels.yaml is not one
    assert corpus_result.files_scanned == len(list(CORPUS.rglob("*.py"))) + configurations
    lines = sum(
        len(p.read_text().splitlines()) for p in CORPUS.rglob("*") if p.is_file() and p.name != "labels.yaml"
    )
    assert corpus_result.lines_scanned == lines
    keys = [(u.file, u.line, u.algorithm, u.parameter or "", u.mode or "") for u in corpus_result.uses]
    assert keys == sorted(keys)
    assert corpus_result.roots == (str(CORPUS),)
    assert scan([CORPUS]) == corpus_result


def test_what_the_findings_say(corpus_result):
    by_place = {(u.file, u.line, u.algorithm): u for u in corpus_result.uses}
    pss = next(
        u for (f, _, a), u in by_place.items() if f == "use_cryptography.py" and "padding.PSS" in u.evidence
    )
    assert dict(pss.details) == {"padding": "PSS", "hash": "SHA-256"}
    tls = [u for u in corpus_result.uses if u.algorithm == "TLS" and u.library == "ssl"]
    assert all(u.asset_type == "protocol" for u in tls)
    minimum = next(u for u in tls if "minimum_version" in u.evidence)
    assert (minimum.parameter, dict(minimum.details)["setting"]) == ("1.2", "minimum_version")
    ciphers = next(u for u in tls if "set_ciphers" in u.evidence)
    assert dict(ciphers.details)["ciphers"] == "ECDHE+AESGCM:!aNULL"
    hybrid = next(u for u in corpus_result.uses if u.file == "sshd_config" and u.algorithm == "ML-KEM")
    assert dict(hybrid.details)["hybrid"] == "X25519"
    default_jwt = next(
        u for u in corpus_result.uses if u.evidence.startswith("d = jwt.encode(payload, secret)")
    )
    assert dict(default_jwt.details)["default"] == "true"
    for use in corpus_result.uses:
        assert 0 < len(use.evidence) <= 200
        assert use.evidence == use.evidence.strip()


# -- keys and certificates ------------------------------------------------------------------------------------


def test_certificate_details(key_tree):
    _, _, result = key_tree
    server = next(u for u in result.uses if u.file == "certs/server.crt")
    details = dict(server.details)
    assert (server.asset_type, server.algorithm, server.parameter, server.library) == (
        "certificate",
        "ECDSA",
        "P-384",
        "pem",
    )
    assert details["subject"] == details["issuer"] == "CN=corpus server"
    assert details["not_before"] == "2026-01-01T00:00:00+00:00"
    assert details["not_after"] == "2027-01-01T00:00:00+00:00"
    assert (details["signature_algorithm"], details["signature_hash"]) == ("ecdsa-with-SHA384", "SHA-384")
    der = next(u for u in result.uses if u.file == "certs/root.der")
    assert dict(der.details)["signature_algorithm"] == "sha256WithRSAEncryption"


def test_key_kinds_and_encryption(key_tree):
    _, _, result = key_tree
    by_file = defaultdict(list)
    for use in result.uses:
        by_file[use.file].append(use)
    assert dict(by_file["keys/rsa_traditional.pem"][0].details) == {"kind": "private-key"}
    assert dict(by_file["keys/rsa_encrypted.pem"][0].details) == {"kind": "private-key", "encrypted": "true"}
    assert dict(by_file["keys/ed25519_encrypted.pem"][0].details)["encrypted"] == "true"
    assert dict(by_file["ssh/id_rsa"][0].details) == {"kind": "private-key", "encrypted": "true"}
    assert "encrypted" not in dict(by_file["ssh/id_ed25519"][0].details)
    assert dict(by_file["keys/rsa_public.pem"][0].details) == {"kind": "public-key"}
    assert all(u.asset_type == "related-crypto-material" for u in by_file["keys/ec_p256.key"])
    assert by_file["keys/rsa_traditional.pem"][0].evidence == "-----BEGIN RSA PRIVATE KEY-----"
    assert by_file["ssh/id_ecdsa.pub"][0].evidence == "ecdsa-sha2-nistp256 … test-only@corpus"


def test_key_material_never_reaches_a_finding(key_tree):
    _, written, result = key_tree
    secrets = set()
    for data in written.values():
        if b"-----" in data or data.startswith((b"ssh-", b"ecdsa-", b"#")):
            runs = re.findall(rb"[A-Za-z0-9+/=]{16,}", data)  # PEM bodies, OpenSSH base64 keys
            secrets.update(run[i : i + 16].decode() for run in runs for i in range(0, len(run) - 15, 16))
        else:  # DER: any 16-byte window, raw or as hex
            secrets.update(data[i : i + 16].hex() for i in range(0, len(data) - 15, 16))
    assert len(secrets) > 100
    for use in result.uses:
        text = use.evidence + " " + " ".join(value for _, value in use.details)
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, (use.file, use.evidence)


def test_self_scan_finds_the_evidence_keys_and_hashes():
    result = scan([REPO_SRC])
    assert result.skipped == ()
    found = {(u.algorithm, u.parameter) for u in result.uses}
    assert ("Ed25519", None) in found  # quantum-vulnerable: src/qtrust/evidence/keys.py
    assert ("ML-DSA", "65") in found
    assert ("SHA-256", None) in found
    keys = [u for u in result.uses if u.file == "evidence/keys.py"]
    assert {u.algorithm for u in keys} >= {"Ed25519", "ML-DSA", "SHA-256"}
    assert result.files_scanned > 100
    assert result.lines_scanned > 10_000


# -- what the walk skips, and why ----------------------------------------------------------------------------


def test_skip_reasons(tmp_path):
    (tmp_path / "bad.py").write_text("import hashlib\ndef broken(:\n    pass\n")
    (tmp_path / "plain.py").write_text("def broken(:\n")  # names no crypto library: counted, not parsed
    (tmp_path / "binary.py").write_bytes(b"import hashlib\n\0\0\0")
    (tmp_path / "latin.py").write_bytes(b"import hashlib\nNAME = '\xe9'\n")
    (tmp_path / "cookie.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nimport hashlib\nNAME = '\xe9'\nhashlib.md5()\n"
    )
    (tmp_path / "huge.py").write_text("import hashlib\n" + "x = 1\n" * 50)
    (tmp_path / "junk.key").write_bytes(b"\x01\x02 not a key")
    result = scan([tmp_path], max_bytes=200)
    reasons = {s.file: s.reason for s in result.skipped}
    assert reasons == {
        "bad.py": "syntax error at line 2",
        "binary.py": "binary file (NUL byte) where text was expected",
        "latin.py": "undecodable text (not UTF-8)",
        "huge.py": "larger than 200 bytes (315 bytes)",
        "junk.key": "not a PEM, DER or OpenSSH key or certificate",
    }
    assert [(u.file, u.line, u.algorithm) for u in result.uses] == [("cookie.py", 4, "MD5")]
    assert result.files_scanned == 2  # cookie.py and plain.py


def test_unreadable_file_is_skipped(tmp_path):
    secret = tmp_path / "private.py"
    secret.write_text("import hashlib\nhashlib.sha1()\n")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable")
        result = scan([tmp_path])
    finally:
        secret.chmod(0o600)
    assert result.skipped == (Skipped("private.py", "unreadable: permission denied"),)
    assert result.uses == ()


def test_unreadable_file_is_skipped_even_as_root(tmp_path, monkeypatch):
    """The same path without relying on file modes (root reads a mode-000 file): the read itself fails."""
    (tmp_path / "private.py").write_text("import hashlib\nhashlib.sha1()\n")
    (tmp_path / "open.py").write_text("import hashlib\nhashlib.sha1()\n")
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "private.py":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = scan([tmp_path])
    assert result.skipped == (Skipped("private.py", "unreadable: permission denied"),)
    assert [u.file for u in result.uses] == ["open.py"]


def test_symlink_loops_are_reported_not_followed(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "pkg").mkdir(parents=True)
    outside.mkdir()
    (root / "pkg" / "m.py").write_text("import hashlib\nhashlib.sha256()\n")
    (root / "pkg" / "loop").symlink_to(root, target_is_directory=True)
    (root / "again").symlink_to(root / "pkg", target_is_directory=True)  # under the root: scanned as pkg/
    (root / "self.py").symlink_to(root / "self.py")
    (root / "vendored").symlink_to(outside, target_is_directory=True)  # out of the root: followed
    (outside / "v.py").write_text("import hashlib\nhashlib.md5()\n")
    (outside / "back").symlink_to(outside, target_is_directory=True)
    result = scan([root])
    assert set(result.skipped) == {
        Skipped("pkg/loop", "symlink loop"),
        Skipped("self.py", "symlink loop"),
        Skipped("vendored/back", "symlink loop"),
    }
    assert [(u.file, u.algorithm) for u in result.uses] == [("pkg/m.py", "SHA-256"), ("vendored/v.py", "MD5")]


def test_tool_directories_are_skipped_unless_given(tmp_path):
    site = tmp_path / ".venv" / "lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "lib.py").write_text("import hashlib\nhashlib.md5()\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.py").write_text("import hashlib\nhashlib.md5()\n")
    (tmp_path / "app.py").write_text("import ssl\nssl.create_default_context()\n")
    assert [u.file for u in scan([tmp_path]).uses] == ["app.py"]
    assert [u.file for u in scan([site]).uses] == ["lib.py"]
    both = scan([tmp_path / "app.py", site])
    assert [u.file for u in both.uses] == ["app.py", "site-packages/lib.py"]
    assert both.roots == (str(tmp_path / "app.py"), str(site))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("DES-CBC3-SHA", [("3DES", None, "CBC")]),
        ("TLS_CHACHA20_POLY1305_SHA256", [("ChaCha20-Poly1305", None, None)]),
        ("AES256-SHA:!RC4:-DES", [("AES", "256", "CBC")]),
        ("EECDH+AESGCM", [("ECDH", None, None), ("AES", None, "GCM")]),
        ("HIGH:!aNULL", []),
    ],
)
def test_cipher_lists(spec, expected):
    assert [hit[:3] for hit in cipher_hits(spec)] == expected
