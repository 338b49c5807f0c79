"""People, roles and sign-offs: separation of duties enforced before anything is recorded, and checked by
the verifier against the roster at each point of the log."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import yaml
from people_support import add_person
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()
CHECK = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point"}


def qtrust(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def entries() -> int:
    with sqlite3.connect(Path(os.environ["QTRUST_HOME"]) / "evidence.db") as db:
        return db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def put_policy_in_force(tmp_path, limit: float) -> None:
    policy = tmp_path / f"policy-{limit}.yaml"
    policy.write_text(yaml.safe_dump({"name": f"p-{limit}", "checks": [CHECK | {"max": limit}]}))
    done = qtrust("policy", "register", policy, "--as", "olga")
    assert done.exit_code == 0, done.output


def gate_entry(tmp_path, config) -> int:
    """Audit, then gate under the policy in force; the gate decision's entry."""
    out = tmp_path / f"out-{entries()}"
    assert qtrust("audit", config, "--out", out, "--no-progress").exit_code == 0
    decision = json.loads(qtrust("gate", out / "results.json", "--json").stdout)
    return decision["entry"]


def test_release_sign_off_needs_every_role_from_someone_other_than_the_requester(
    team, tmp_path, small_audit_config
):
    put_policy_in_force(tmp_path, 0.0)  # sd ≤ 0 fails
    failed = gate_entry(tmp_path, small_audit_config)
    refused = qtrust("request", "release", "--gate", failed, "--as", "alice")
    assert refused.exit_code == 2
    assert "a release needs a passing gate" in refused.output
    put_policy_in_force(tmp_path, 1.0)
    # a passing decision judged by the policy no longer in force does not count either
    refused = qtrust("request", "release", "--gate", failed, "--as", "alice")
    assert refused.exit_code == 2
    passed = gate_entry(tmp_path, small_audit_config)
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
    assert "QTRUST_PERSON_PASSPHRASE" in bad_passphrase.output  # blamed on the right passphrase
    assert "bob's personal key" in bad_passphrase.output
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


def test_requests_need_a_policy_the_owner_put_in_force(tmp_path):
    assert qtrust("keys", "init").exit_code == 0
    for person in ("olga", "alice", "bob"):
        assert qtrust("people", "keygen", person).exit_code == 0
    assert add_person("olga", "Olga", ["owner", "reviewer"], as_="olga").exit_code == 0
    assert add_person("alice", "Alice", ["researcher"]).exit_code == 0
    assert add_person("bob", "Bob", ["legal"]).exit_code == 0
    refused = qtrust("request", "experiment", "--dataset", "d", "--backend", "b", "--as", "alice")
    assert refused.exit_code == 2
    assert "no release policy is in force" in refused.output
    not_owner = qtrust("policy", "register", "--as", "alice")
    assert not_owner.exit_code == 2
    assert "only the project's owner (olga)" in not_owner.output
    assert qtrust("policy", "register", "--as", "olga").exit_code == 0
    shown = json.loads(qtrust("policy", "show").stdout)
    assert shown["registered_by"] == "olga"
    assert shown["policy"]["approvals"]["experiment"] == ["reviewer", "legal"]
    assert qtrust("request", "experiment", "--dataset", "d", "--backend", "b", "--as", "alice").exit_code == 0


def test_someone_taken_off_the_roster_can_no_longer_sign(team):
    """The verifier trusts a person's key only while the roster (signed by the owner) lists them."""
    from qtrust.evidence import Workspace, statements
    from qtrust.evidence.verify import verify_log
    from qtrust.evidence.view import store_view
    from qtrust.governance.people import PersonKeys
    from qtrust.governance.rules import GovernanceRule

    ws = Workspace.resolve()
    bob = PersonKeys(ws.home).load("bob", b"person-passphrase")
    note = statements.statement(
        [statements.resource("note", "ab" * 32)], "https://qtrust.dev/evidence/note/v1", {}
    )
    log = ws.open_log(b"test-passphrase")
    with log.store:
        log.append(note, signers=[bob])  # while on the roster: fine
        assert verify_log(store_view(log), ws.trusted(), rules=[GovernanceRule()]).ok
    assert qtrust("people", "remove", "bob", "--as", "alice").exit_code == 2  # only the owner
    assert qtrust("people", "remove", "bob", "--as", "olga").exit_code == 0
    log = ws.open_log(b"test-passphrase")
    with log.store:
        late = log.append(note, signers=[bob])
        report = verify_log(store_view(log), ws.trusted(), rules=[GovernanceRule()])
    assert report.first.seq == late.seq
    assert "outside the trusted set" in report.first.reason
    assert qtrust("verify").exit_code == 1


def test_each_person_makes_their_own_key_under_their_own_passphrase(tmp_path):
    """Nobody else's passphrase (not the log's, not a colleague's) opens a person's key."""
    assert qtrust("keys", "init").exit_code == 0
    made = qtrust("people", "keygen", "bob", env={"QTRUST_PERSON_PASSPHRASE": "bobs-own"})
    assert made.exit_code == 0
    assert "bob.claim.json" in made.output
    key_file = Path(os.environ["QTRUST_HOME"]) / "people" / "bob.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    claim = json.loads((key_file.parent / "bob.claim.json").read_text())
    assert set(claim) == {"format", "id", "public_key_pem", "key_claim"}  # nothing secret
    assert "PRIVATE" not in json.dumps(claim)
    for wrong in ("person-passphrase", "test-passphrase"):  # a colleague's, the log's
        refused = qtrust("people", "keygen", "bob", "--replace", env={"QTRUST_PERSON_PASSPHRASE": wrong})
        assert refused.exit_code == 2
        assert "QTRUST_PERSON_PASSPHRASE" in refused.output
        assert "QTRUST_KEY_PASSPHRASE" not in refused.output
    assert qtrust("people", "keygen", "bob").exit_code == 2  # never overwritten


def test_a_key_claim_binds_a_key_to_the_id_its_holder_chose(team, tmp_path):
    """One key, one person: alice's key cannot join the roster again under another id."""
    claim = Path(os.environ["QTRUST_HOME"]) / "people" / "alice.claim.json"
    refused = add_person("alice2", "Alice's shadow", ["approver"], "--key", claim)
    assert refused.exit_code == 2
    assert "the key claim is for 'alice', not 'alice2'" in refused.output
    forged = json.loads(claim.read_text()) | {"id": "alice2"}  # renamed by hand: the claim no longer verifies
    path = tmp_path / "alice2.claim.json"
    path.write_text(json.dumps(forged))
    refused = add_person("alice2", "Alice's shadow", ["approver"], "--key", path)
    assert refused.exit_code == 2
    assert "not signed by the key it names" in refused.output


def test_re_keying_needs_the_old_key_or_a_revocation(team, tmp_path):
    home = Path(os.environ["QTRUST_HOME"])
    # bob replaces his key on his machine: the old key endorses the new one, the owner records it
    assert qtrust("people", "keygen", "bob", "--replace").exit_code == 0
    assert add_person("bob", "Bob", ["approver"]).exit_code == 0
    # lena lost her laptop: a key made elsewhere, without the old one's endorsement, is refused ...
    elsewhere = tmp_path / "lena-new-laptop"
    assert qtrust("people", "keygen", "lena", "--home", elsewhere).exit_code == 0
    new_claim = elsewhere / "people" / "lena.claim.json"
    refused = add_person("lena", "Lena", ["legal", "reviewer"], "--key", new_claim)
    assert refused.exit_code == 2
    assert "re-keyed without their old key's endorsement" in refused.output
    # ... until the owner revokes the lost key; then she joins again with the new one
    assert qtrust("people", "remove", "lena", "--revoke", "laptop lost", "--as", "olga").exit_code == 0
    assert add_person("lena", "Lena", ["legal", "reviewer"], "--key", new_claim).exit_code == 0
    # the revoked key never comes back
    old_claim = home / "people" / "lena.claim.json"
    refused = add_person("lena", "Lena", ["legal"], "--key", old_claim)
    assert refused.exit_code == 2
    assert "revoked" in refused.output
    assert qtrust("verify").exit_code == 0
