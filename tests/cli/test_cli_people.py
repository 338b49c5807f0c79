"""People, roles and sign-offs: separation of duties enforced before anything is recorded."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()
CHECK = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point"}


def qtrust(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def entries() -> int:
    with sqlite3.connect(Path(os.environ["QTRUST_HOME"]) / "evidence.db") as db:
        return db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def gate_entry(tmp_path, config, limit: float) -> int:
    policy = tmp_path / f"policy-{limit}.yaml"
    policy.write_text(yaml.safe_dump({"name": "p", "checks": [CHECK | {"max": limit}]}))
    out = tmp_path / f"out-{limit}"
    assert qtrust("audit", config, "--out", out, "--no-progress").exit_code == 0
    decision = json.loads(qtrust("gate", out / "results.json", "--policy", policy, "--json").stdout)
    return decision["entry"]


def test_release_sign_off_needs_every_role_from_someone_other_than_the_requester(
    team, tmp_path, small_audit_config
):
    failed = gate_entry(tmp_path, small_audit_config, limit=0.0)  # sd ≤ 0 fails
    refused = qtrust("request", "release", "--gate", failed, "--as", "alice")
    assert refused.exit_code == 2
    assert "a release needs a passing gate" in refused.output
    passed = gate_entry(tmp_path, small_audit_config, limit=1.0)
    done = qtrust("request", "release", "--gate", passed, "--as", "alice")
    assert done.exit_code == 0, done.output
    request = passed + 1
    before = entries()
    own = qtrust("approve", request, "--as", "alice")
    assert own.exit_code == 2
    assert "separation of duties" in own.output
    wrong_role = qtrust("approve", request, "--as", "rui")
    assert wrong_role.exit_code == 2
    assert "still needs approver, owner" in wrong_role.output
    stranger = qtrust("approve", request, "--as", "mallory")
    assert stranger.exit_code == 2
    bad_passphrase = qtrust("approve", request, "--as", "bob", env={"QTRUST_PERSON_PASSPHRASE": "not-bobs"})
    assert bad_passphrase.exit_code == 2
    assert entries() == before  # nothing refused was recorded
    first = qtrust("approve", request, "--as", "bob")
    assert first.exit_code == 0
    assert "still needs: owner" in first.output
    assert qtrust("approve", request, "--as", "bob").exit_code == 2  # one signature per person
    assert qtrust("approvals", request).exit_code == 1  # not approved yet
    last = qtrust("approve", request, "--as", "olga")
    assert last.exit_code == 0
    assert "is approved" in last.output
    assert qtrust("approvals", request).exit_code == 0
    signed = json.loads(qtrust("log", "show", request + 2).stdout)
    assert signed["predicate"] == {
        "request": request,
        "decision": "approve",
        "role": "owner",
        "approved_by": "olga",
        "note": "",
    }
    assert qtrust("verify").exit_code == 0  # the people's keys are trusted through the roster


def test_an_experiment_needs_reviewer_and_legal_and_a_rejection_ends_it(team):
    done = qtrust(
        "request", "experiment", "--dataset", "prod-loans", "--backend", "ibm_torino", "--as", "alice"
    )
    assert done.exit_code == 0
    request = entries() - 1
    assert qtrust("approve", request, "--as", "rui").exit_code == 0  # reviewer
    rejected = qtrust("approve", request, "--as", "lena", "--reject", "--note", "no DPIA yet")
    assert rejected.exit_code == 0
    assert "is rejected" in rejected.output
    assert qtrust("approvals", request).exit_code == 1


def test_someone_taken_off_the_roster_can_no_longer_sign(team):
    """The verifier trusts a person's key only while a roster (signed by the log key) lists them."""
    from qtrust.evidence import Workspace, statements
    from qtrust.evidence.verify import verify_log
    from qtrust.evidence.view import store_view
    from qtrust.governance.people import PersonKeys, current_project, record_project

    ws = Workspace.resolve()
    log = ws.open_log(b"test-passphrase")
    with log.store:
        project, _ = current_project(log)
        bob = PersonKeys(ws.home).load("bob", b"person-passphrase")
        note = statements.statement(
            [statements.resource("note", "ab" * 32)], "https://qtrust.dev/evidence/note/v1", {}
        )
        log.append(note, signers=[bob])  # while on the roster: fine
        assert verify_log(store_view(log), ws.trusted()).ok
        record_project(
            log, project.model_copy(update={"people": [p for p in project.people if p.id != "bob"]})
        )
        late = log.append(note, signers=[bob])
        report = verify_log(store_view(log), ws.trusted())
    assert report.first.seq == late.seq
    assert "outside the trusted set" in report.first.reason
