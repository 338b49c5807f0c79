"""The evidence commands as a user runs them: keys, plans, audit recording, verify, export, bad input."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest
import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()
PLAN = {
    "name": "credit-release",
    "thresholds": [
        {"metric": "fairness/*/overall/equalized_odds_difference", "max": 0.10, "mode": "bound"},
        {"metric": "reproducibility/*/accuracy/sd", "max": 0.02, "mode": "point"},
    ],
    "noise_budget": {"channels": ["depolarizing"], "max_level": 0.01},
}


def qtrust(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


@pytest.fixture
def files(tmp_path, small_audit_config):
    config = small_audit_config
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(PLAN))
    return config, plan


def home():
    from pathlib import Path

    return Path(os.environ["QTRUST_HOME"])


def test_keys_init_encrypts_keys_with_mode_0600_and_refuses_to_run_twice():
    done = qtrust("keys", "init")
    assert done.exit_code == 0, done.output
    for name in ("ed25519.key", "ml-dsa-65.key"):
        path = home() / "keys" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    again = qtrust("keys", "init")
    assert again.exit_code == 2
    assert "already exist" in again.output
    listed = qtrust("keys", "list")
    assert "ed25519" in listed.output
    assert "ml-dsa-65" in listed.output


def test_audit_under_a_plan_records_it_and_reports_a_loosened_amendment(files, tmp_path):
    config, plan = files
    assert qtrust("keys", "init").exit_code == 0
    registered = qtrust("plan", "register", plan)
    assert registered.exit_code == 0
    assert "as entry 1" in registered.output
    same = qtrust("plan", "register", plan)
    assert same.exit_code == 0
    assert "already registered" in same.output
    # Loosen the fairness threshold: recorded as an amendment that says what got looser.
    loose = dict(PLAN, thresholds=[dict(PLAN["thresholds"][0], max=0.2), PLAN["thresholds"][1]])
    plan.write_text(yaml.safe_dump(loose))
    amended = qtrust("plan", "register", plan)
    assert amended.exit_code == 0
    assert "amendment" in amended.output
    assert "0.1 → 0.2" in amended.output
    out = tmp_path / "out"
    audit = qtrust("audit", config, "--out", out, "--no-progress", "--plan", "credit-release")
    assert audit.exit_code == 0, audit.output
    results = json.loads((out / "results.json").read_text())
    assert results["plan"]["seq"] == 2
    assert results["plan"]["first_seq"] == 1
    assert results["plan"]["amendments"][0]["loosened"] == [
        "max fairness/*/overall/equalized_odds_difference: 0.1 → 0.2"
    ]
    report = (out / "report.html").read_text()
    assert "The pre-registered plan was loosened after registration" in report
    assert "loosened after registration" in (out / "model_card.md").read_text()
    provenance = json.loads(qtrust("log", "show", 3).stdout)
    assert provenance["predicateType"] == "https://slsa.dev/provenance/v1"
    assert provenance["predicate"]["buildDefinition"]["externalParameters"]["plan"]["seq"] == 2
    digests = {s["name"]: s["digest"]["sha256"] for s in provenance["subject"]}
    assert set(digests) == {"results.json", "predictions.csv", "report.html", "model_card.md", "datasheet.md"}
    verified = qtrust("verify", "--outputs", out)
    assert verified.exit_code == 0, verified.output
    plans_only = qtrust("log", "list", "--kind", "plan").output
    assert plans_only.count("plan:credit-release") == 2
    assert "results.json" not in plans_only


def test_an_audit_refuses_a_plan_that_was_never_registered_or_that_its_config_cannot_measure(files, tmp_path):
    config, plan = files
    assert qtrust("keys", "init").exit_code == 0
    missing = qtrust("audit", config, "--out", tmp_path / "o1", "--no-progress", "--plan", "credit-release")
    assert missing.exit_code == 2
    assert "no plan named 'credit-release'" in missing.output
    wide = dict(PLAN, noise_budget={"channels": ["depolarizing"], "max_level": 0.05})
    plan.write_text(yaml.safe_dump(wide))
    assert qtrust("plan", "register", plan).exit_code == 0
    uncovered = qtrust("audit", config, "--out", tmp_path / "o2", "--no-progress", "--plan", str(plan))
    assert uncovered.exit_code == 2
    assert "sweeps only up to 0.01" in uncovered.output
    assert not (tmp_path / "o1").exists()
    assert not (tmp_path / "o2").exists()


def test_tampering_is_reported_with_the_sequence_number_and_exit_1(files, tmp_path):
    config, plan = files
    assert qtrust("keys", "init").exit_code == 0
    assert qtrust("plan", "register", plan).exit_code == 0
    assert qtrust("audit", config, "--out", tmp_path / "out", "--no-progress").exit_code == 0
    assert qtrust("verify").exit_code == 0
    db = sqlite3.connect(home() / "evidence.db")
    db.execute("DROP TRIGGER entries_no_update")
    envelope = bytearray(db.execute("SELECT envelope FROM entries WHERE seq = 2").fetchone()[0])
    envelope[40] = ord("A") if envelope[40] != ord("A") else ord("B")  # one payload byte (base64 text)
    db.execute("UPDATE entries SET envelope = ?, leaf_hash = ? WHERE seq = 2", (bytes(envelope), b"\0" * 32))
    db.commit()
    db.close()
    bad = qtrust("verify")
    assert bad.exit_code == 1
    assert "first bad entry: 2" in bad.output
    as_json = json.loads(qtrust("verify", "--json").stdout)
    assert as_json["ok"] is False
    assert as_json["first_bad_entry"] == 2


def test_bundles_verify_offline_and_pinned_keys_are_enforced(files, tmp_path):
    config, plan = files
    assert qtrust("keys", "init").exit_code == 0
    assert qtrust("plan", "register", plan).exit_code == 0
    assert qtrust("audit", config, "--out", tmp_path / "out", "--no-progress").exit_code == 0
    bundle, trust = tmp_path / "bundle.json", tmp_path / "trust.json"
    assert qtrust("export", bundle).exit_code == 0
    assert qtrust("keys", "export", trust).exit_code == 0
    # The auditor's machine: no keys, no database.
    auditor = {"QTRUST_HOME": str(tmp_path / "auditor-home")}
    ok = qtrust("verify", bundle, "--trusted-keys", trust, "--outputs", tmp_path / "out", env=auditor)
    assert ok.exit_code == 0, ok.output
    assert not (tmp_path / "auditor-home").exists()
    partial = tmp_path / "since.json"
    assert qtrust("export", "--since", 2, partial).exit_code == 0
    assert qtrust("verify", partial, "--trusted-keys", trust, env=auditor).exit_code == 0
    # Another log's keys (a different team) do not vouch for this bundle.
    other = {"QTRUST_HOME": str(tmp_path / "other")}
    assert qtrust("keys", "init", env=other).exit_code == 0
    other_trust = tmp_path / "other-trust.json"
    assert qtrust("keys", "export", other_trust, env=other).exit_code == 0
    refused = qtrust("verify", bundle, "--trusted-keys", other_trust, env=auditor)
    assert refused.exit_code == 1
    assert "first bad entry: 0" in refused.output
    # An output file that is not the recorded one is caught.
    (tmp_path / "out" / "report.html").write_text("<html>edited</html>")
    edited = qtrust("verify", bundle, "--trusted-keys", trust, "--outputs", tmp_path / "out", env=auditor)
    assert edited.exit_code == 1
    assert "report.html does not match" in edited.output


def test_bad_input_exits_2_and_records_nothing(files, tmp_path, monkeypatch):
    config, plan = files
    assert qtrust("keys", "init").exit_code == 0

    def size():
        with sqlite3.connect(home() / "evidence.db") as db:
            return db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    before = size()
    wrong = qtrust("plan", "register", plan, env={"QTRUST_KEY_PASSPHRASE": "not-it"})
    assert wrong.exit_code == 2
    assert "passphrase is wrong" in wrong.output
    out = tmp_path / "out"
    audit = qtrust("audit", config, "--out", out, "--no-progress", env={"QTRUST_KEY_PASSPHRASE": "not-it"})
    assert audit.exit_code == 2
    assert not out.exists()
    monkeypatch.delenv("QTRUST_KEY_PASSPHRASE")
    none = qtrust("plan", "register", plan)
    assert none.exit_code == 2
    assert "QTRUST_KEY_PASSPHRASE" in none.output
    monkeypatch.setenv("QTRUST_KEY_PASSPHRASE", "test-passphrase")
    (home() / "keys" / "ml-dsa-65.key").rename(tmp_path / "moved.key")
    gone = qtrust("plan", "register", plan)
    assert gone.exit_code == 2
    assert "ml-dsa-65.key is missing" in gone.output
    (tmp_path / "moved.key").rename(home() / "keys" / "ml-dsa-65.key")
    unreachable = qtrust(
        "audit", config, "--out", out, "--no-progress", "--store", "postgresql://127.0.0.1:1/test"
    )
    assert unreachable.exit_code == 2
    assert "cannot connect to PostgreSQL" in unreachable.output
    assert not out.exists()
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "https://qtrust.dev/bundle/v1", "origin": "x", "entries": [')
    assert qtrust("verify", corrupt).exit_code == 2
    assert size() == before


def test_key_rotation_is_a_log_entry_and_the_log_still_verifies(files):
    _, plan = files
    assert qtrust("keys", "init").exit_code == 0
    rotated = qtrust("keys", "rotate", "--reason", "annual rotation")
    assert rotated.exit_code == 0
    assert "entry 1" in rotated.output
    assert qtrust("plan", "register", plan).exit_code == 0
    statement = json.loads(qtrust("log", "show", 1).stdout)
    assert statement["predicateType"] == "https://qtrust.dev/evidence/key-rotation/v1"
    assert statement["predicate"]["reason"] == "annual rotation"
    keyring = json.loads((home() / "keys" / "keyring.json").read_text())
    assert sorted(k["status"] for k in keyring["keys"]) == ["active", "active", "retired", "retired"]
    assert not list((home() / "keys" / "pending").glob("*.key"))  # staged keys moved into place
    assert len(list((home() / "keys" / "retired").glob("*.key"))) == 2
    assert qtrust("verify").exit_code == 0
    proof = json.loads(qtrust("log", "proof", 2).stdout)
    assert proof["seq"] == 2
    assert proof["tree_size"] == 3


def test_verify_refuses_an_audit_citing_a_plan_registered_after_it(files, tmp_path):
    """Pre-registration is checked from the log itself: the cited plan must be an earlier entry."""
    from qtrust.evidence import Workspace, statements
    from qtrust.evidence.verify import verify_log
    from qtrust.evidence.view import store_view

    _, plan = files
    assert qtrust("keys", "init").exit_code == 0
    assert qtrust("plan", "register", plan).exit_code == 0
    ws = Workspace.resolve()
    log = ws.open_log(b"test-passphrase")
    with log.store:
        registered = log.statement(1)["predicate"]
        cite = {"name": "credit-release", "digest": registered["digest"]}

        def audit(seq: int) -> dict:
            predicate = {
                "buildDefinition": {"externalParameters": {"config": {}, "plan": cite | {"seq": seq}}}
            }
            return statements.statement(
                [statements.resource("results.json", "ab" * 32)], statements.SLSA_PROVENANCE_V1, predicate
            )

        log.append(audit(1))  # entry 2: cites the plan of entry 1, as the CLI would
        assert verify_log(store_view(log), ws.trusted()).ok
        log.append(audit(5))  # entry 3: cites a plan "registered" at entry 5, i.e. after it
        report = verify_log(store_view(log), ws.trusted())
    assert report.first.seq == 3
    assert "not pre-registered" in report.first.reason


def test_audit_statements_sign_undefined_numbers_as_null(files):
    """A NaN in a model record (an undefined loss, say) must not crash recording: JSON has no NaN."""
    from qtrust.audit import run_audit
    from qtrust.config import load_config
    from qtrust.evidence import Workspace
    from qtrust.evidence.audit_record import audit_statements

    config, _ = files
    run = run_audit(load_config(config))
    model = run.result.models[0]
    broken = model.model_copy(
        update={"fits": [model.fits[0].model_copy(update={"final_loss": float("nan")})]}
    )
    result = run.result.model_copy(update={"models": [broken, *run.result.models[1:]]})
    digests = dict.fromkeys(("results.json", "predictions.csv", "report.html", "model_card.md"), "ab" * 32)
    provenance, findings = audit_statements(result, digests, run.predictions.distribution_digests())
    fits = next(b for b in provenance["predicate"]["runDetails"]["byproducts"] if b["name"] == "model:vqc")
    assert fits["annotations"]["fits"][0]["final_loss"] is None
    log, _ = Workspace.resolve().init(b"test-passphrase")
    with log.store:
        recorded = log.append_many([provenance, findings])
    assert [r.kind for r in recorded] == ["audit", "assessment"]
