"""The other pages: gates, an audit with its inclusion proof, checklists with an attestation, documents to
download, and an incident updated and closed — each action an entry that verifies."""

from __future__ import annotations

import hashlib
import json
import re

from fastapi.testclient import TestClient
from web_support import PASSWORD, passphrase

from qtrust.evidence import statements
from qtrust.governance.records import incidents
from qtrust.web.app import create_web_app
from qtrust.workflow import checklists
from qtrust.workflow.verification import verify_local

VERDICTS = ("pass", "warn", "fail")


def _logged_in(session, person: str) -> TestClient:
    client = TestClient(create_web_app(session), follow_redirects=False)
    assert client.post("/login", data={"person": person, "password": PASSWORD}).status_code == 303
    return client


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def test_the_overview_shows_each_model_with_its_latest_verdicts_and_the_checklist_coverage(
    workspace, web_template
):
    session, _ = workspace
    page = _logged_in(session, "olga").get("/").text
    with session.reading() as (_, ledger):
        audit = ledger.of("audits")[-1]
        findings = ledger.entry(audit.seq + 1).predicate  # the audit's findings entry follows it
        gate_seq = max(ledger.rule.gates)
    results = json.loads((web_template[0] / "out" / "results.json").read_text())
    counts = [sum(f["model"] == "vqc" and f["severity"] == s for f in results["findings"]) for s in VERDICTS]
    assert sum(counts) > 0
    assert findings["modelCounts"]["vqc"] == dict(zip(VERDICTS, counts, strict=True))  # as signed
    row = re.search(r"<tr><td>vqc</td>.*?</tr>", page, re.S).group(0)
    assert "candidate" in row
    assert f'href="/audits/{audit.seq}"' in row
    assert f"{counts[0]} pass</span>, " in row
    assert f"{counts[1]} warn</span>, " in row
    assert f"{counts[2]} fail</span>" in row
    assert f'<span class="pass">pass</span> (entry {gate_seq})' in row
    assert "<tr><td>logistic</td><td>baseline" in page
    status = checklists.status(session)
    by_list: dict[str, list[int]] = {}
    for item in status.items:
        by_list.setdefault(item.checklist, [0, 0])
        by_list[item.checklist][0] += item.ok
        by_list[item.checklist][1] += 1
    assert len(by_list) > 1
    for name, (satisfied, total) in by_list.items():
        assert re.search(rf"<b class=\"\w+\">{satisfied} / {total}</b>{re.escape(name)}</a>", page)


def test_gates_and_an_audit_with_its_proof(workspace):
    session, _ = workspace
    client = _logged_in(session, "vera")
    with session.reading() as (_, ledger):
        audit = ledger.of("audits")[-1]
        gate_seq = max(ledger.rule.gates)
    gates = client.get("/gates").text
    assert f"Entry {gate_seq}:" in gates
    assert 'class="pass">pass' in gates
    page = client.get(f"/audits/{audit.seq}")
    assert page.status_code == 200
    for subject in audit.statement["subject"]:
        assert subject["digest"]["sha256"] in page.text  # the signed digests of the outputs
    assert "Merkle tree of size" in page.text
    assert client.get(f"/audits/{gate_seq}").status_code == 404  # a gate entry is no audit


def test_an_attestation_with_its_document_from_the_checklist_page(workspace):
    session, _ = workspace
    before = checklists.status(session)
    item = next(s for s in before.items if s.satisfied_by == "attestation" and not s.ok)
    client = _logged_in(session, "olga")
    document = b"%PDF-1.4\n% threat model, reviewed 2026-12-07\n"
    form = {
        "csrf": _csrf(client, "/checklists"),
        "item": item.item,
        "note": "reviewed with legal",
        "passphrase": passphrase("olga"),
    }
    wrong_type = client.post(
        "/checklists/attest",
        data=form,
        files={"attachment": ("model.bin", b"\x00\x01\x02binary", "application/pdf")},
    )
    assert wrong_type.status_code == 403  # recognised by its bytes, not by the browser's claim
    oversized = client.post(
        "/checklists/attest",
        data=form,
        files={"attachment": ("big.txt", b"a" * (11 * 1024 * 1024), "text/plain")},
    )
    assert oversized.status_code == 413
    assert checklists.status(session).satisfied == before.satisfied  # neither recorded anything
    made = client.post(
        "/checklists/attest",
        data=form,
        files={"attachment": ("../../keys/evil.pdf", document, "application/pdf")},
    )
    assert made.status_code == 303, made.text
    after = checklists.status(session)
    assert after.satisfied == before.satisfied + 1
    assert next(s for s in after.items if s.item == item.item).ok
    digest = hashlib.sha256(document).hexdigest()
    stored = session.workspace.home / "attachments"
    assert (stored / digest).read_bytes() == document  # stored by content, under its digest
    assert json.loads((stored / f"{digest}.json").read_text())["name"] == "evil.pdf"  # no path kept
    download = client.get(f"/attachments/{digest}")
    assert download.content == document
    assert download.headers["content-disposition"] == f'attachment; filename="{digest}"'
    assert download.headers["content-security-policy"].startswith("sandbox")
    assert client.get("/attachments/..%2F..%2Fweb-secret").status_code == 404
    assert verify_local(session).report.ok


def test_documents_download(workspace):
    session, _ = workspace
    client = _logged_in(session, "vera")
    assert "transparency summary" in client.get("/documents").text.lower()
    download = client.get("/documents/transparency-summary.md")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="transparency-summary.md"'
    assert download.text.startswith("#")
    assert client.get("/documents/..%2Fweb-secret").status_code == 404  # only the two documents


def test_an_incident_is_updated_and_closed_by_people(workspace):
    session, _ = workspace
    client = _logged_in(session, "bob")
    csrf = _csrf(client, "/incidents")
    opened = client.post(
        "/incidents",
        data={"csrf": csrf, "title": "latency spike", "severity": "low", "passphrase": passphrase("bob")},
    )
    assert opened.status_code == 303
    with session.reading() as (_, ledger):
        incident_id = next(iter(incidents(ledger)))
    for event, extra in (("update", {}), ("close", {"rollback": "none"})):
        done = client.post(
            f"/incidents/{incident_id}",
            data={
                "csrf": csrf,
                "event": event,
                "note": f"{event}d from the web",
                "passphrase": passphrase("bob"),
            }
            | extra,
        )
        assert done.status_code == 303, done.text
    with session.reading() as (_, ledger):
        incident = incidents(ledger)[incident_id]
        assert [e["event"] for e in incident.timeline] == ["open", "update", "close"]
        assert incident.closed
        assert all(e.predicate_type != statements.INCIDENT_V1 for e, _ in ledger.rejected)
    again = client.post(
        f"/incidents/{incident_id}",
        data={"csrf": csrf, "event": "update", "note": "late", "passphrase": passphrase("bob")},
    )
    assert again.status_code == 403  # a closed incident takes no update


def test_a_risk_and_an_impact_assessment_from_their_forms(workspace):
    from qtrust.workflow import records

    session, _ = workspace
    client = _logged_in(session, "olga")
    csrf = _csrf(client, "/records")
    risk = {
        "csrf": csrf,
        "id": "R-drift",
        "title": "Fairness drifts on noisier hardware",
        "likelihood": "medium",
        "severity": "high",
        "residual_risk": "medium",
        "review_date": "2027-03-01",
        "who_benefits": "applicants approved faster\nthe bank",
        "who_may_be_harmed": "applicants under 25",
        "mitigations": "gate on fairness under noise",
        "passphrase": passphrase("olga"),
    }
    assert client.post("/records/risk", data=risk).status_code == 303
    impact = {
        "csrf": csrf,
        "id": "IA-credit",
        "title": "Credit scoring with a quantum model",
        "system": "credit-vqc",
        "intended_purpose": "rank loan applications",
        "affected_groups": "applicants",
        "who_benefits": "lenders",
        "who_may_be_harmed": "applicants",
        "mitigations": "human review of refusals",
        "decision": "proceed_with_conditions",
        "residual_risk": "medium",
        "review_date": "2027-06-01",
        "passphrase": passphrase("olga"),
    }
    assert client.post("/records/impact", data=impact).status_code == 303
    bad = client.post("/records/risk", data=risk | {"likelihood": "certain"})
    assert bad.status_code == 403  # the library's check names the field
    assert "likelihood" in bad.text
    stored = records.latest(session, "risk")["R-drift"]
    assert stored.item.who_benefits == ["applicants approved faster", "the bank"]
    assert stored.recorded_by == "olga"
    assert records.latest(session, "impact")["IA-credit"].item.decision == "proceed_with_conditions"
    page = client.get("/records").text
    assert "Fairness drifts on noisier hardware" in page
    assert "credit-vqc" in page
    assert verify_local(session).report.ok


def test_the_report_is_shown_only_when_it_is_the_signed_one(workspace, web_template, tmp_path):
    session, _ = workspace
    template, _ = web_template
    with session.reading() as (_, ledger):
        audit = ledger.of("audits")[-1].seq
    client = TestClient(create_web_app(session, outputs=[template / "out"]), follow_redirects=False)
    client.post("/login", data={"person": "vera", "password": PASSWORD})
    shown = client.get(f"/audits/{audit}/report")
    assert shown.status_code == 200
    assert shown.content == (template / "out" / "report.html").read_bytes()
    assert shown.headers["content-security-policy"].startswith("sandbox")  # no script of it runs
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / "report.html").write_bytes(shown.content.replace(b"</body>", b"<p>all fine</p></body>"))
    other = TestClient(create_web_app(session, outputs=[edited]), follow_redirects=False)
    other.post("/login", data={"person": "vera", "password": PASSWORD})
    assert other.get(f"/audits/{audit}/report").status_code == 404  # an edited report is never shown


def test_the_bundle_an_auditor_verifies_offline(workspace, tmp_path):
    from typer.testing import CliRunner

    from qtrust.cli.app import app

    session, _ = workspace
    client = _logged_in(session, "vera")
    assert "/log/bundle" in client.get("/log").text
    bundle = client.get("/log/bundle")
    assert bundle.headers["content-disposition"] == 'attachment; filename="evidence-bundle.json"'
    path = tmp_path / "evidence-bundle.json"
    path.write_bytes(bundle.content)
    keys = tmp_path / "trusted.json"
    from qtrust.workflow.evidence import export_trust

    export_trust(session, keys)
    verified = CliRunner().invoke(app, ["verify", str(path), "--trusted-keys", str(keys)])
    assert verified.exit_code == 0, verified.output


def test_the_owner_adds_a_person_with_the_claim_they_made(workspace, tmp_path):
    from qtrust.workflow import people
    from qtrust.workflow.session import Session
    from team import as_person

    session, _ = workspace
    dans_machine = Session.at(tmp_path / "dan-home")
    made = people.keygen(as_person(dans_machine, "dan"), "dan")  # on Dan's machine, under his passphrase
    claim = made.claim_file.read_bytes()
    bob = _logged_in(session, "bob")
    form = {"person_id": "dan", "name": "Dan", "roles": "reviewer", "passphrase": passphrase("bob")}
    refused = bob.post(
        "/people", data=form | {"csrf": _csrf(bob, "/people")}, files={"claim": ("dan.claim.json", claim)}
    )
    assert refused.status_code == 403  # only the owner signs roster changes
    assert "Sign the roster change" not in bob.get("/people").text
    olga = _logged_in(session, "olga")
    done = olga.post(
        "/people",
        data=form | {"csrf": _csrf(olga, "/people"), "passphrase": passphrase("olga")},
        files={"claim": ("dan.claim.json", claim)},
    )
    assert done.status_code == 303, done.text
    with session.reading() as (_, ledger):
        assert ledger.rule.project.find("dan").roles == ["reviewer"]
    assert verify_local(session).report.ok


def test_an_entry_signed_without_per_model_counts_shows_the_audits_own_marked_as_such():
    from qtrust.web.views import _model_verdicts

    old = {"audit": {"pass": 3, "warn": 2, "fail": 1}, "models": None}
    assert _model_verdicts(old, "vqc") == {"pass": 3, "warn": 2, "fail": 1, "scope": "whole audit"}
    new = {"audit": {"pass": 3, "warn": 2, "fail": 1}, "models": {"vqc": {"pass": 2, "warn": 0, "fail": 1}}}
    assert _model_verdicts(new, "vqc") == {"pass": 2, "warn": 0, "fail": 1, "scope": None}
    assert _model_verdicts(new, "mlp") == {"pass": 0, "warn": 0, "fail": 0, "scope": None}  # no finding on it
