"""Risk register, impact assessments and incidents: signed records, validated links, timelines."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.data.datasheet import QUESTIONS
from tiny_audit import TINY

runner = CliRunner()
RISK = {
    "id": "R-fairness-drift",
    "title": "Fairness degrades on noisier hardware",
    "description": "The equalised-odds gap grows with depolarizing noise above 1e-2.",
    "who_benefits": ["applicants approved faster"],
    "who_may_be_harmed": ["applicants under 25"],
    "likelihood": "medium",
    "severity": "high",
    "mitigations": ["gate on fairness-under-noise", "classical fallback"],
    "residual_risk": "medium",
    "review_date": "2027-03-01",
    "checklist_items": [],
}


def qtrust(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_a_risk_is_signed_by_its_author_and_a_new_version_supersedes_it(team, tmp_path):
    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(RISK))
    first = qtrust("risk", "record", path, "--as", "alice")
    assert first.exit_code == 0, first.output
    path.write_text(yaml.safe_dump(RISK | {"residual_risk": "low", "review_date": "2020-01-01"}))
    assert qtrust("risk", "record", path, "--as", "olga").exit_code == 0
    listed = json.loads(qtrust("risk", "list", "--json").stdout)
    assert list(listed) == ["R-fairness-drift"]  # the latest version only
    assert listed["R-fairness-drift"]["residual_risk"] == "low"
    assert listed["R-fairness-drift"]["recorded_by"] == "olga"
    assert listed["R-fairness-drift"]["review_overdue"] is True
    assert qtrust("verify").exit_code == 0


def test_bad_records_are_refused_with_the_field_named(team, tmp_path):
    path = tmp_path / "risk.yaml"
    for bad, message in (
        (RISK | {"residual_risk": "tiny"}, "residual_risk"),
        ({k: v for k, v in RISK.items() if k != "who_may_be_harmed"}, "who_may_be_harmed"),
        (RISK | {"checklist_items": ["pre-deployment.no-such-item"]}, "unknown checklist item"),
    ):
        path.write_text(yaml.safe_dump(bad))
        refused = qtrust("risk", "record", path, "--as", "alice")
        assert refused.exit_code == 2
        assert message in refused.output
    path.write_text(yaml.safe_dump(RISK))
    assert qtrust("risk", "record", path, "--as", "nobody").exit_code == 2
    assert json.loads(qtrust("risk", "list", "--json").stdout) == {}


def test_impact_assessment_is_recorded(team, tmp_path):
    impact = {
        "id": "IA-credit-2026",
        "title": "Credit scoring with a quantum kernel",
        "system": "credit-vqc",
        "intended_purpose": "rank loan applications for human review",
        "affected_groups": ["loan applicants"],
        "fundamental_rights": ["non-discrimination"],
        "who_benefits": ["lender", "applicants"],
        "who_may_be_harmed": ["applicants under 25"],
        "mitigations": ["human review of every rejection"],
        "residual_risk": "medium",
        "review_date": "2027-01-31",
        "decision": "proceed_with_conditions",
    }
    path = tmp_path / "impact.yaml"
    path.write_text(yaml.safe_dump(impact))
    done = qtrust("impact", "record", path, "--as", "lena")
    assert done.exit_code == 0, done.output
    assert json.loads(qtrust("impact", "list", "--json").stdout)["IA-credit-2026"]["recorded_by"] == "lena"


def test_an_incident_has_a_timeline_and_closes_with_the_rollback(team, small_audit_config, tmp_path):
    assert qtrust("audit", small_audit_config, "--out", tmp_path / "out", "--no-progress").exit_code == 0
    audit = json.loads((tmp_path / "out" / "evidence.json").read_text())["entries"][0]["seq"]
    not_a_run = qtrust("incident", "open", "--title", "x", "--severity", "high", "--run", 1, "--as", "alice")
    assert not_a_run.exit_code == 2  # entry 1 is the roster, not an audit run
    assert qtrust("incident", "open", "--title", "x", "--severity", "urgent", "--as", "alice").exit_code == 2
    opened = qtrust(
        "incident", "open", "--title", "Flip rate above limit in production", "--severity", "high",
        "--run", audit, "--as", "alice",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert "INC-0001" in opened.output
    # An audit run now carries the governance status into its report: the open incident, the owner.
    assert qtrust("audit", small_audit_config, "--out", tmp_path / "out2", "--no-progress").exit_code == 0
    report = (tmp_path / "out2" / "report.html").read_text()
    assert "Governance status" in report
    assert "Open incident: INC-0001 (high): Flip rate above limit in production" in report
    assert "responsible for quantum safety: Olga" in report
    status = json.loads((tmp_path / "out2" / "results.json").read_text())["governance"]
    assert status["open_incidents"] == ["INC-0001 (high): Flip rate above limit in production"]
    assert (
        qtrust(
            "incident",
            "update",
            "INC-0001",
            "--note",
            "traffic moved to the classical fallback",
            "--as",
            "bob",
        ).exit_code
        == 0
    )
    assert (
        qtrust(
            "incident", "close", "INC-0001", "--rollback", "", "--resolution", "x", "--as", "olga"
        ).exit_code
        == 2
    )
    closed = qtrust(
        "incident",
        "close",
        "INC-0001",
        "--rollback",
        "model v3 → v2",
        "--resolution",
        "raised shots to 4,000",
        "--as",
        "olga",
    )
    assert closed.exit_code == 0
    assert (
        qtrust(
            "incident", "close", "INC-0001", "--rollback", "a", "--resolution", "b", "--as", "olga"
        ).exit_code
        == 2
    )
    listed = json.loads(qtrust("incident", "list", "--json").stdout)["INC-0001"]
    assert listed["closed"] is True
    assert listed["affected_runs"] == [audit]
    assert [e["event"] for e in listed["timeline"]] == ["open", "update", "close"]
    assert [e["by"] for e in listed["timeline"]] == ["alice", "bob", "olga"]
    assert listed["rollback"] == "model v3 → v2"
    assert qtrust("verify").exit_code == 0


def test_docs_fill_annex_iv_from_the_evidence_and_list_what_is_missing(team, small_audit_config, tmp_path):
    empty = qtrust("docs", tmp_path / "before")
    assert empty.exit_code == 0, empty.output
    before = (tmp_path / "before" / "technical-documentation.md").read_text()
    assert "> **Gap:** no recorded audit gives the software versions." in before
    assert "> **Gap:** the risk register is empty" in before
    # Record what the documents rest on: an audit, a risk, an impact assessment, a gate decision.
    assert qtrust("audit", small_audit_config, "--out", tmp_path / "out", "--no-progress").exit_code == 0
    audit = json.loads((tmp_path / "out" / "evidence.json").read_text())["entries"][0]["seq"]
    risk, impact = tmp_path / "risk.yaml", tmp_path / "impact.yaml"
    risk.write_text(yaml.safe_dump(RISK))
    impact.write_text(yaml.safe_dump({
        "id": "IA-1", "title": "Credit scoring", "system": "credit-vqc",
        "intended_purpose": "rank loan applications for human review", "affected_groups": ["applicants"],
        "who_benefits": ["lender"], "who_may_be_harmed": ["applicants under 25"], "mitigations": ["human review"],
        "residual_risk": "medium", "review_date": "2027-01-31", "decision": "proceed_with_conditions",
    }))  # fmt: skip
    assert qtrust("risk", "record", risk, "--as", "alice").exit_code == 0
    assert qtrust("impact", "record", impact, "--as", "lena").exit_code == 0
    gate = qtrust("gate", tmp_path / "out" / "results.json")
    assert gate.exit_code in (0, 1)
    done = qtrust("docs", tmp_path / "docs")
    assert done.exit_code == 0
    pack = (tmp_path / "docs" / "technical-documentation.md").read_text()
    gaps_before = int(before.split("## Gaps (")[1].split(")")[0])
    gaps_after = int(pack.split("## Gaps (")[1].split(")")[0])
    assert gaps_after < gaps_before
    assert "Intended purpose: rank loan applications for human review" in pack
    assert f"*(evidence: #{audit})*" in pack  # claims name the entries they rest on
    assert "Release gate: **" in pack
    assert "R-fairness-drift" in pack
    assert "> **Gap:** the EU declaration of conformity" in pack  # never papered over
    # The provider's own statements fill the points the evidence cannot, marked as such.
    provided = tmp_path / "provided.yaml"
    provided.write_text(yaml.safe_dump({"IV.1(e)": "x86-64 servers; simulation only"}))
    assert qtrust("docs", tmp_path / "docs2", "--provided", provided).exit_code == 0
    filled = (tmp_path / "docs2" / "technical-documentation.md").read_text()
    assert "*Provider's statement (not evidence):* x86-64 servers; simulation only" in filled
    assert int(filled.split("## Gaps (")[1].split(")")[0]) == gaps_after - 1
    provided.write_text(yaml.safe_dump({"IV.99": "x"}))
    assert qtrust("docs", tmp_path / "docs3", "--provided", provided).exit_code == 2
    summary = (tmp_path / "docs" / "transparency-summary.md").read_text()
    assert "Rank loan applications for human review." in summary
    assert "accuracy 0." in summary
    assert "Fairness degrades on noisier hardware" in summary
    # the audit's own failing and unsettled findings reach the public summary from the signed entry
    findings = json.loads((tmp_path / "out" / "results.json").read_text())["findings"]
    for finding in findings:
        if finding["severity"] in ("fail", "warn"):
            assert f"- {finding['title']}" in summary
    assert ("failed" in summary) is any(f["severity"] == "fail" for f in findings)


def test_the_transparency_summary_shows_failing_findings_without_a_risk_register(team, tmp_path):
    """German Credit breaks the demographic-parity limit: the public summary must say so, register or not."""
    config = tmp_path / "tight.yaml"
    config.write_text(yaml.safe_dump({**TINY, "verdicts": {"max_demographic_parity_difference": 0.0001,
                                                           "max_equalized_odds_difference": 0.0001}}))  # fmt: skip
    assert qtrust("audit", config, "--out", tmp_path / "out", "--no-progress").exit_code in (0, 1)
    failing = [f["title"] for f in json.loads((tmp_path / "out" / "results.json").read_text())["findings"]
               if f["severity"] == "fail"]  # fmt: skip
    assert failing
    assert qtrust("docs", tmp_path / "docs").exit_code == 0
    summary = (tmp_path / "docs" / "transparency-summary.md").read_text()
    assert "has not recorded a risk register" in summary
    assert f"The latest audit failed {len(failing)} check(s)" in summary
    assert all(f"- {title}" in summary for title in failing)


def test_an_attestation_signed_by_a_person_satisfies_its_item(team, tmp_path):
    review = tmp_path / "export-review.pdf"
    review.write_bytes(b"%PDF-1.7 export control classification: EAR99")
    item = "policy-legal.export-control"

    def status() -> dict:
        items = json.loads(qtrust("checklist", "status", "--json").stdout)
        rows = items if isinstance(items, list) else items.get("items", [])
        return next(row for row in rows if row["item"] == item)

    assert status()["status"] == "missing"
    done = qtrust(
        "checklist", "attest", item, "--note", "classified EAR99 by counsel", "--attachment", review, "--as", "lena"
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "signed by lena" in done.output
    now = status()
    assert now["status"] == "satisfied"
    assert now["entries"] == [int(done.output.split("as entry ")[1].split(",")[0])]
    refused = qtrust("checklist", "attest", item, "--note", "x", "--attachment", review, "--as", "mallory")
    assert refused.exit_code == 2
    assert qtrust("verify").exit_code == 0


def test_annex_iv_and_the_pre_deployment_item_read_the_datasheet(team, tmp_path):
    def item() -> dict:
        rows = json.loads(qtrust("checklist", "status", "--json").stdout)
        rows = rows if isinstance(rows, list) else rows.get("items", [])
        return next(r for r in rows if r["item"] == "pre-deployment.data-provenance")

    partial, complete = tmp_path / "partial.yaml", tmp_path / "complete.yaml"
    partial.write_text(yaml.safe_dump({**TINY, "data": {**TINY["data"]}}))
    assert qtrust("audit", partial, "--out", tmp_path / "a", "--no-progress").exit_code in (0, 1)
    assert qtrust("docs", tmp_path / "docs").exit_code == 0
    pack = (tmp_path / "docs" / "technical-documentation.md").read_text()
    assert "Datasheet (Gebru et al. 2021, `datasheet.md` with the audit): 7 of 19 questions answered" in pack
    assert "> **Gap:** datasheet questions nobody has answered: motivation.purpose" in pack
    status = item()
    assert status["status"] != "satisfied"
    assert "answers to datasheet question(s) motivation.purpose" in json.dumps(status)
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({q.id: f"owner says: {q.id}" for q in QUESTIONS if not q.fact}))
    complete.write_text(yaml.safe_dump({**TINY, "data": {**TINY["data"], "datasheet": str(answers)}}))
    assert qtrust("audit", complete, "--out", tmp_path / "b", "--no-progress").exit_code in (0, 1)
    assert item()["status"] == "satisfied"
