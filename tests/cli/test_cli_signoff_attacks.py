"""The sign-off attacks of issue 11, each as the log operator would mount them: holding the log key and the
database, but no one else's personal key. Each one was accepted before (``qtrust verify`` passed and the
request counted as approved); now the verifier names the entry and ``qtrust approvals`` does not count it."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.evidence import Workspace, statements
from qtrust.governance.people import Person, PersonKeys, Project, make_claim, roster_statement

runner = CliRunner()
LOG_PASSPHRASE = b"test-passphrase"
PERSON_PASSPHRASE = b"person-passphrase"


def qtrust(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def pending_request(team):
    """An experiment request by alice (researcher), still waiting for reviewer and legal."""
    done = qtrust("request", "experiment", "--dataset", "prod", "--backend", "ibm_torino", "--as", "alice")
    assert done.exit_code == 0, done.output
    ws = Workspace.resolve()
    log = ws.open_log()
    with log.store:
        seq = log.size() - 1
    return ws, seq


def roster(ws: Workspace) -> Project:
    from qtrust.governance.entries import read_log

    log = ws.open_log()
    with log.store:
        return read_log(log, ws.trusted()).rule.project


def approval(request: int, who: str, role: str, decision: str = "approve") -> dict:
    return statements.statement(
        [statements.resource(f"entry:{request}", "cd" * 32)],
        statements.APPROVAL_V1,
        {"request": request, "decision": decision, "role": role, "approved_by": who, "note": ""},
    )


def append(ws: Workspace, doc: dict, signers) -> int:
    log = ws.open_log(LOG_PASSPHRASE)
    with log.store:
        return log.append(doc, signers=signers(log)).seq


def assert_refused(seq: int, *reason: str) -> None:
    report = json.loads(qtrust("verify", "--json").stdout)
    assert not report["ok"]
    assert report["first_bad_entry"] == seq, report["problems"]
    for text in reason:
        assert text in report["reason"]


def test_a_second_roster_id_holding_the_requesters_key_does_not_count(pending_request):
    ws, request = pending_request
    alice = PersonKeys(ws.home).load("alice", PERSON_PASSPHRASE)
    project = roster(ws)
    shadow = Person(
        id="alice2",
        name="Alice's shadow",
        roles=["reviewer", "legal"],
        public_key_pem=alice.public.pem(),
        key_claim=make_claim("alice2", alice),  # even alice signing her own shadow's claim does not help
    )
    forged = Project(name=project.name, people=[*project.people]).model_copy()
    forged.people.append(shadow)  # bypass the validator, as a hand-written entry would
    doc = roster_statement(forged, changed_by="olga")
    olga = PersonKeys(ws.home).load("olga", PERSON_PASSPHRASE)
    seq = append(ws, doc, lambda log: [log.keys.ed25519, olga])  # even signed by the owner
    for role in ("reviewer", "legal"):
        append(ws, approval(request, "alice2", role), lambda log: [alice])
    assert_refused(seq, "one key belongs to one person")
    listed = qtrust("approvals", request)
    assert listed.exit_code == 1
    assert "pending" in listed.output
    assert "not counted" in listed.output


def test_re_keying_the_owner_to_the_requesters_key_does_not_count(team, tmp_path):
    ws = Workspace.resolve()
    alice = PersonKeys(ws.home).load("alice", PERSON_PASSPHRASE)
    project = roster(ws)
    people = [
        p.model_copy(update={"public_key_pem": alice.public.pem(), "key_claim": make_claim("olga", alice)})
        if p.id == "olga"
        else p
        for p in project.people
        if p.id != "alice"
    ]
    rekeyed = Project.model_construct(name=project.name, people=people)
    seq = append(ws, roster_statement(rekeyed, changed_by="olga"), lambda log: [log.keys.ed25519])
    assert_refused(seq, "a roster change must be signed by the owner in force (olga")
    # and as the owner 'olga' (alice's key) alice approves her own experiment request
    done = qtrust("request", "experiment", "--dataset", "prod", "--backend", "b", "--as", "alice")
    assert done.exit_code == 0  # the forged roster changed nothing: alice is still a researcher
    request = int(done.output.split()[1])
    append(ws, approval(request, "olga", "reviewer"), lambda log: [alice])
    assert qtrust("approvals", request).exit_code == 1
    assert roster(ws).find("olga").key.keyid != alice.keyid


def test_an_approval_signed_only_by_the_log_key_naming_another_approver_is_refused(pending_request):
    ws, request = pending_request
    seq = append(ws, approval(request, "rui", "reviewer"), lambda log: [log.keys.ed25519])
    append(ws, approval(request, "lena", "legal"), lambda log: [log.keys.ed25519])
    assert_refused(seq, "names rui but is not signed by rui's key")
    listed = qtrust("approvals", request)
    assert listed.exit_code == 1
    assert "rui" not in listed.output.split("not counted")[0].split("pending")[1]


def test_relabelling_a_rejection_in_the_store_does_not_hide_it(pending_request):
    _, request = pending_request
    rejected = qtrust("approve", request, "--as", "lena", "--reject", "--note", "no DPIA")
    assert rejected.exit_code == 0
    with sqlite3.connect(Path(os.environ["QTRUST_HOME"]) / "evidence.db") as db:
        db.execute("DROP TRIGGER entries_no_update")
        db.execute("UPDATE entries SET kind = 'note' WHERE seq = ?", (request + 1,))
    assert qtrust("verify").exit_code == 0  # the kind column is not signed: the log itself is intact
    listed = qtrust("approvals", request)
    assert listed.exit_code == 1
    assert "rejected" in listed.output
    # and nobody can sign after the rejection
    assert qtrust("approve", request, "--as", "rui").exit_code == 2
