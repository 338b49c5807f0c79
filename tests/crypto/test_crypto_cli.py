"""The readiness story from the command line, as the README tells it: scan a code base into a CBOM, record
the data-asset register, write the report and gate on it — each step an entry that verifies; refused input
records nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.crypto.register import EXAMPLE
from qtrust.workflow.session import Session
from qtrust.workflow.verification import verify_local
from team import team_workspace

runner = CliRunner()
APP = """\
import hashlib
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def seal(data: bytes) -> bytes:
    key = AESGCM.generate_key(bit_length=256)
    return AESGCM(key).encrypt(b"0" * 12, data, None) + hashlib.sha256(data).digest()
"""


def _certificate(path: Path) -> None:
    """A throwaway self-signed test certificate (made here; no key is kept)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.invalid")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def qtrust(*args, **env):
    return runner.invoke(app, [str(a) for a in args], env=env or None)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "service"
    (project / "certs").mkdir(parents=True)
    (project / "app.py").write_text(APP)
    (project / "broken.py").write_text("import hashlib\ndef broken(:\n")  # names a library, cannot be parsed
    _certificate(project / "certs" / "api.pem")
    return project


def _log_size(home: Path) -> int:
    return verify_local(Session.at(home)).report.size


def test_scan_register_report_each_recorded_and_verifying(tmp_path, monkeypatch):
    home = Path(os.environ["QTRUST_HOME"])
    team_workspace(home, os.environ["QTRUST_KEY_PASSPHRASE"].encode(), {"olga": ["owner"]}, "credit")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    project, cbom = _project(tmp_path), tmp_path / "cbom.json"

    scanned = qtrust("crypto", "scan", project, "--out", cbom)
    assert scanned.exit_code == 0, scanned.output
    doc = json.loads(cbom.read_text())
    names = {c["name"] for c in doc["components"]}
    assert {"RSA-2048", "AES-256-GCM", "SHA-256", "ECDSA-P-256", "CN=test.invalid"} <= names
    first = cbom.read_bytes()
    assert qtrust("crypto", "scan", project, "--out", cbom, "--no-record").exit_code == 0
    assert cbom.read_bytes() == first  # byte-reproducible

    register = tmp_path / "assets.yaml"
    register.write_text(EXAMPLE)
    olga = {"QTRUST_PERSON_PASSPHRASE": "olga-own-passphrase"}
    recorded = qtrust("crypto", "register", register, "--as", "olga", **olga)
    assert recorded.exit_code == 0, recorded.output
    assert "applicant-records" in qtrust("crypto", "assets").output

    before = _log_size(home)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"assets": [{"id": "x"}]}))
    refused = qtrust("crypto", "register", bad, "--as", "olga", **olga)
    assert refused.exit_code == 2
    assert "title" in refused.output  # the missing field is named
    assert _log_size(home) == before  # nothing recorded

    report = tmp_path / "readiness"
    judged = qtrust("crypto", "report", "--cbom", cbom, "--out", report, "--as-of", "2026-12-07")
    assert judged.exit_code == 1, judged.output  # the example's applicant records are exposed and unplanned
    assert "fail migration-planned" in judged.output
    readiness = json.loads((report / "readiness.json").read_text())
    assert readiness["decision"] == "fail"
    by_id = {a["id"]: a for a in readiness["assets"]}
    assert by_id["applicant-records"]["exposure_probability"] > by_id["model-weights"]["exposure_probability"]
    assert by_id["applicant-records"]["protections"][0]["found"]  # AES-256-GCM is in the scanned CBOM
    assert readiness["inputs"]["cbom"]["sha256"] == __import__("hashlib").sha256(first).hexdigest()
    html = (report / "report.html").read_text()
    assert "applicant-records" in html
    assert "<svg" in html
    assert "NIST IR 8547 (initial public draft" in html
    assert "qtrust evidence log" in html  # qtrust's own keys are checked for their rotation age
    assert "broken.py" in html  # the file the scan could not read is listed, with why
    assert "syntax error" in html

    with Session.at(home).reading() as (_, ledger):
        kinds = [e.predicate_type.rsplit("/", 2)[-2] for e in ledger.verified]
    assert kinds.count("cbom") == 1
    assert kinds.count("data-asset") == 2
    assert kinds.count("crypto-readiness") == 1
    assert verify_local(Session.at(home)).report.ok


def test_bad_input_is_refused_with_the_field_and_exit_2(tmp_path):
    assert qtrust("crypto", "scan", tmp_path / "nowhere", "--out", tmp_path / "c.json").exit_code == 2
    not_cbom = tmp_path / "c.json"
    not_cbom.write_text("{}")
    refused = qtrust("crypto", "report", "--cbom", not_cbom, "--out", tmp_path / "r", "--no-record")
    assert refused.exit_code == 2
    assert "not a CycloneDX BOM" in refused.output
    assert qtrust("crypto", "report", "--cbom", not_cbom, "--as-of", "someday").exit_code == 2
