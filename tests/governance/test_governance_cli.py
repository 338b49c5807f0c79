"""The checklist and governance commands as a user runs them: output, entry numbers and exit codes."""

from __future__ import annotations

import hashlib
import json

import yaml
from governance_support import AUDIT_SEQ, governance, qtrust, start_roster


def test_checklist_list_shows_items_with_their_mappings_and_extends_with_user_files(tmp_path):
    listed = governance("checklist", "list")
    assert listed.exit_code == 0, listed.output
    assert "pre-deployment.noise-sensitivity" in listed.output
    assert "MEASURE 2.11" in listed.output
    as_json = json.loads(governance("checklist", "list", "--json").stdout)
    assert [c["id"] for c in as_json] == ["research-to-prototype", "pre-deployment", "policy-legal"]
    fairness = next(i for i in as_json[1]["items"] if i["id"] == "pre-deployment.fairness")
    assert fairness["mappings"]["nist_ai_rmf"] == ["MEASURE 2.11"]
    assert as_json[0]["sources"][0]["version"] == "1.0, January 2023"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "checklist": {"id": "pre-deployment"},
                "items": [
                    {
                        "id": "pre-deployment.red-team",
                        "title": "Red team",
                        "description": "d",
                        "mappings": {"nist_ai_rmf": ["MEASURE 2.14"]},
                        "satisfied_by": {"attestation": {}},
                    }
                ],
            }
        )
    )
    refused = governance("checklist", "list", "--extra", bad)
    assert refused.exit_code == 2
    assert "MEASURE 2.14" in refused.output
    assert "pre-deployment.red-team" in refused.output


def test_checklist_status_and_attest_on_an_audited_log(audited, tmp_path):
    status = governance("checklist", "status", "--json")
    assert status.exit_code == 0, status.output
    doc = json.loads(status.stdout)
    by_id = {i["item"]: i for i in doc["items"]}
    assert by_id["pre-deployment.noise-sensitivity"]["status"] == "satisfied"
    assert by_id["pre-deployment.noise-sensitivity"]["entries"] == [AUDIT_SEQ]
    assert by_id["policy-legal.privacy-impact-assessment"]["status"] == "missing"
    before = doc["satisfied"]

    pia = tmp_path / "dpia.pdf"
    pia.write_bytes(b"data protection impact assessment")
    start_roster(audited)
    attested = governance(
        "checklist",
        "attest",
        "policy-legal.privacy-impact-assessment",
        "--note",
        "DPO signed off",
        "--attachment",
        pia,
        "--as",
        "olga",
    )
    assert attested.exit_code == 0, attested.output
    size = json.loads(qtrust("verify", "--json").stdout)["entries"]
    assert f"as entry {size - 1}" in attested.output
    shown = json.loads(qtrust("log", "show", size - 1).stdout)
    assert shown["subject"][0]["digest"]["sha256"] == hashlib.sha256(pia.read_bytes()).hexdigest()
    after = json.loads(governance("checklist", "status", "--json").stdout)
    assert after["satisfied"] == before + 1
    table = governance("checklist", "status")
    assert table.exit_code == 0
    assert f"satisfied pre-deployment.noise-sensitivity  [evidence]  (entry {AUDIT_SEQ})" in table.output
    assert f"{before + 1} of {len(doc['items'])} items satisfied" in table.output


def test_bad_input_exits_2_and_writes_nothing(empty, tmp_path):
    start_roster(empty)
    document = tmp_path / "doc.pdf"
    document.write_bytes(b"consent forms")
    size = json.loads(qtrust("verify", "--json").stdout)["entries"]
    cases = [
        (
            "checklist",
            "attest",
            "policy-legal.export-control",
            "--note",
            "ok",
            "--attachment",
            tmp_path / "nope.pdf",
            "--as",
            "olga",
        ),
        ("checklist", "attest", "policy-legal.export-control", "--note", "ok", "--as", "olga"),
        ("checklist", "attest", "pre-deployment.fairness", "--note", "we checked", "--as", "olga"),
        ("checklist", "attest", "no-such.item", "--note", "ok", "--as", "olga"),
        ("checklist", "attest", "policy-legal.export-control", "--as", "olga"),  # --note is required
        ("checklist", "attest", "policy-legal.export-control", "--note", "ok"),  # --as is required
        (
            "checklist",
            "attest",
            "research-to-prototype.informed-consent",
            "--note",
            "ok",
            "--attachment",
            document,
            "--as",
            "bob",
        ),
        ("checklist", "list", "--extra", tmp_path / "missing.yaml"),
        ("governance", "adopt", "industry-standard", "--note", "x"),
        ("governance", "adopt", "research-norms", "--note", " "),
    ]
    for args in cases:
        result = governance(*args)
        assert result.exit_code == 2, (args, result.output)
    assert "did you mean 'industry-standards'" in governance(*cases[8]).output
    assert "no private key for bob" in governance(*cases[6]).output
    assert json.loads(qtrust("verify", "--json").stdout)["entries"] == size


def test_status_without_a_log_exits_2():
    result = governance("checklist", "status")
    assert result.exit_code == 2
    assert "no evidence log" in result.output or "no signing keys" in result.output


def test_governance_approaches_and_adopt(empty):
    listed = governance("governance", "approaches")
    assert listed.exit_code == 0, listed.output
    assert "Government regulation (government-regulation)" in listed.output
    assert "No approach adopted yet" in listed.output
    adopted = governance(
        "governance", "adopt", "industry-standards", "research-norms", "--note", "CTO, 2026-01"
    )
    assert adopted.exit_code == 0, adopted.output
    assert "as entry 1" in adopted.output
    doc = json.loads(governance("governance", "approaches", "--json").stdout)
    assert doc["adopted"]["approaches"] == ["industry-standards", "research-norms"]
    assert doc["adopted"]["seq"] == 1
    assert len(doc["approaches"]) == 5
    assert (
        "Industry standards (industry-standards) (adopted)" in governance("governance", "approaches").output
    )
