"""The recorded governance workflow as library calls, the way a server would drive it: no CLI, no prompts.

Each person acts under their own passphrase (a server fetches it from its secret store; here a constant per
person), the log key's passphrase comes from the server's vault, and every refusal is an ``InputError`` that
leaves the log as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import yaml

from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.workflow import approaches, checklists, documents, incidents, people, records, signoff
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.gate import gate_results, put_policy_in_force
from qtrust.workflow.session import Session
from tiny_audit import TINY

LOG_SECRET = b"server-vault-secret"
TEAM = {
    "olga": ["legal", "owner"],
    "alice": ["researcher"],
    "bob": ["approver", "reviewer"],
    "lena": ["legal", "reviewer"],
}
RISK = {
    "id": "R-fairness-drift",
    "title": "Fairness degrades on noisier hardware",
    "who_benefits": ["applicants approved faster"],
    "who_may_be_harmed": ["applicants under 25"],
    "likelihood": "medium",
    "severity": "high",
    "mitigations": ["gate on fairness-under-noise"],
    "residual_risk": "medium",
    "review_date": "2027-03-01",
}


def as_person(session: Session, person_id: str) -> Session:
    """The session of ``person_id``: the same workspace, their own passphrase."""
    secret = f"{person_id}-own-passphrase".encode()
    return dataclasses.replace(session, person_passphrase=lambda confirm: secret)


def log_size(session: Session) -> int:
    log = session.workspace.open_log()
    with log.store:
        return log.size()


@pytest.fixture
def server(tmp_path) -> Session:
    """A workspace with log keys and the team on the roster, each with a key made under their passphrase."""
    session = Session.at(tmp_path / "home", log_passphrase=lambda confirm: LOG_SECRET)
    log, _ = session.workspace.init(LOG_SECRET)
    log.store.close()
    for person_id in TEAM:
        made = people.keygen(as_person(session, person_id), person_id)
        assert made.claim_file.is_file()
    for person_id, roles in TEAM.items():
        added = people.add_person(
            as_person(session, "olga"),
            "olga",
            person_id=person_id,
            name=person_id.title(),
            roles=roles,
            project_name="credit-vqc",
        )
        assert added.project_name == "credit-vqc"
    return session


@pytest.fixture
def passing_gate(server, tmp_path) -> int:
    """A recorded audit, judged by the gate under a policy the owner put in force: the passing decision's entry."""
    policy = tmp_path / "policy.yaml"
    check = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point", "max": 1.0}
    policy.write_text(yaml.safe_dump({"name": "release", "checks": [check]}))
    put_policy_in_force(as_person(server, "olga"), "olga", policy)
    audit_and_record(server, config_from_dict(TINY), tmp_path / "out", config_source="api")
    run = gate_results(server, tmp_path / "out" / "results.json")
    assert run.outcome.passed
    return run.recorded.seq


def test_the_roster_is_read_from_entries_that_verify(server):
    roster = people.roster(server)
    assert roster.project is not None
    assert {p.id: p.roles for p in roster.project.people} == TEAM
    assert roster.policy is None
    removed = people.remove_person(as_person(server, "olga"), "olga", "bob", revoke_reason="left")
    assert removed.revoked
    assert people.roster(server).project.find("bob") is None


def test_a_release_is_signed_off_by_two_people_other_than_the_requester(server, passing_gate):
    opened = signoff.request_release(as_person(server, "alice"), "alice", passing_gate, "v3 to production")
    assert opened.needs == ["approver", "owner"]
    first = signoff.approve(as_person(server, "bob"), "bob", opened.seq)
    assert (first.state, first.missing_roles) == ("pending", ["owner"])
    assert not signoff.approvals(server, opened.seq).approved
    last = signoff.approve(as_person(server, "olga"), "olga", opened.seq, note="go")
    assert (last.state, last.missing_roles) == ("approved", [])
    status = signoff.approvals(server, opened.seq)
    assert status.approved
    assert status.requests[0].approvals == {"approver": ("bob", first.seq), "owner": ("olga", last.seq)}
    assert status.not_counted == []


def test_a_requester_cannot_approve_their_own_request_and_nothing_is_recorded(server):
    put_policy_in_force(as_person(server, "olga"), "olga", None)  # the default: reviewer and legal
    lena = as_person(server, "lena")
    opened = signoff.request_experiment(lena, "lena", "prod-loans", "ibm_torino")
    assert opened.needs == ["reviewer", "legal"]
    before = log_size(server)
    with pytest.raises(InputError, match=r"separation of duties") as refused:
        signoff.approve(lena, "lena", opened.seq)  # she holds both roles, and still may not
    assert refused.value.where == "--as"
    with pytest.raises(InputError, match="no personal passphrase"):  # a server never prompts
        signoff.approve(server, "bob", opened.seq)  # this session holds no personal passphrase
    assert log_size(server) == before
    rejected = signoff.approve(as_person(server, "bob"), "bob", opened.seq, reject=True, note="no DPIA")
    assert rejected.state == "rejected"
    assert not signoff.approvals(server, opened.seq).approved


def test_a_sign_off_the_log_operator_forged_is_not_counted_and_says_why(server):
    put_policy_in_force(as_person(server, "olga"), "olga", None)
    opened = signoff.request_experiment(as_person(server, "alice"), "alice", "prod-loans", "ibm_torino")
    forged = statements.statement(
        [statements.resource(f"entry:{opened.seq}", "cd" * 32)],
        statements.APPROVAL_V1,
        {"request": opened.seq, "decision": "approve", "role": "reviewer", "approved_by": "bob", "note": ""},
    )
    log = server.workspace.open_log(LOG_SECRET)
    with log.store:
        seq = log.append(forged).seq  # signed by the log key alone, naming bob
    status = signoff.approvals(server)
    assert [r.state for r in status.requests] == ["pending"]
    assert [n.seq for n in status.not_counted] == [seq]
    assert "not signed by bob's key" in status.not_counted[0].reason


def test_a_risk_is_recorded_from_a_form_and_listed_with_its_review_state(server, tmp_path):
    alice = as_person(server, "alice")
    made = records.record(alice, "alice", "risk", RISK)  # the fields as a web form posts them
    assert (made.id, made.signed_by) == ("R-fairness-drift", "alice")
    listed = records.latest(server, "risk", today=dt.date(2026, 1, 1))
    assert list(listed) == ["R-fairness-drift"]
    entry = listed["R-fairness-drift"]
    assert (entry.seq, entry.recorded_by, entry.review_overdue) == (made.seq, "alice", False)
    assert entry.to_dict()["entry"] == made.seq
    # a YAML file records a new version; the register shows the latest
    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(RISK | {"residual_risk": "low"}))
    again = records.record(as_person(server, "olga"), "olga", "risk", path)
    latest = records.latest(server, "risk", today=dt.date(2028, 1, 1))["R-fairness-drift"]
    assert (latest.seq, latest.item.residual_risk, latest.review_overdue) == (again.seq, "low", True)
    before = log_size(server)
    with pytest.raises(InputError, match="residual_risk"):
        records.record(alice, "alice", "risk", RISK | {"residual_risk": "tiny"})
    with pytest.raises(InputError, match="unknown checklist item"):
        records.record(alice, "alice", "risk", RISK | {"checklist_items": ["no.such-item"]})
    assert log_size(server) == before
    assert records.latest(server, "impact") == {}


def test_an_incident_opens_updates_and_closes_with_its_timeline(server):
    opened = incidents.open_incident(
        as_person(server, "alice"), "alice", title="Flip rate above limit", severity="high"
    )
    assert opened.incident_id == "INC-0001"
    incidents.update_incident(as_person(server, "bob"), "bob", "INC-0001", "moved to the fallback")
    closed = incidents.close_incident(
        as_person(server, "olga"), "olga", "INC-0001", rollback="v3 → v2", resolution="more shots"
    )
    known = incidents.incidents(server)["INC-0001"]
    assert known.closed
    assert [e["by"] for e in known.timeline] == ["alice", "bob", "olga"]
    assert known.timeline[-1]["seq"] == closed.seq
    with pytest.raises(InputError, match="already closed"):
        incidents.update_incident(as_person(server, "bob"), "bob", "INC-0001", "late")


def test_checklists_attest_an_item_and_count_it(server, tmp_path):
    item = "policy-legal.export-control"
    before = {s.item: s for s in checklists.status(server).items}[item]
    assert before.status == "missing"
    review = tmp_path / "review.pdf"
    review.write_bytes(b"classified EAR99")
    with pytest.raises(InputError, match="requires the attested document"):
        checklists.attest(as_person(server, "lena"), "lena", item, "classified by counsel")
    attested = checklists.attest(as_person(server, "lena"), "lena", item, "classified by counsel", review)
    after = checklists.status(server)
    now = {s.item: s for s in after.items}[item]
    assert (now.status, now.entries) == ("satisfied", (attested.seq,))
    assert after.to_dict()["satisfied"] == after.satisfied >= 1
    assert [c.id for c in checklists.checklists()] == [
        "research-to-prototype",
        "pre-deployment",
        "policy-legal",
    ]


def test_approaches_are_adopted_and_documents_rendered(server, tmp_path):
    assert approaches.approaches(server).adopted is None
    with pytest.raises(InputError, match="did you mean 'industry-standards'"):
        approaches.adopt(server, ["industry-standard"], "x")
    adopted = approaches.adopt(server, ["industry-standards", "research-norms"], "CTO, 2026-01")
    found = approaches.approaches(server)
    assert found.adopted.seq == adopted.seq
    assert found.to_dict()["adopted"]["approaches"] == ["industry-standards", "research-norms"]
    rendered = documents.render(server, {"IV.1(e)": "x86-64 servers"})
    assert "*Provider's statement (not evidence):* x86-64 servers" in rendered.technical_documentation
    assert rendered.gaps
    with pytest.raises(InputError, match="unknown Annex IV point"):
        documents.render(server, {"IV.99": "x"})
    written = documents.write(server, tmp_path / "docs")
    assert written.technical_documentation.read_text() == written.documents.technical_documentation
    assert written.transparency_summary.name == "transparency-summary.md"
