"""The recorded audit as a library call (what a server runs), and a new user's first use from the shell."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.config import config_from_dict
from qtrust.evidence.verify import verify_log
from qtrust.evidence.view import store_view
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.session import Session
from tiny_audit import TINY

runner = CliRunner()


def test_a_server_audits_and_records_through_the_library(tmp_path):
    session = Session.at(tmp_path / "home", log_passphrase=lambda confirm: b"server-vault-secret")
    outcome = audit_and_record(session, config_from_dict(TINY), tmp_path / "out", config_source="api")
    recording = outcome.recording
    assert recording.status == "recorded"
    assert recording.created_log
    assert [e.seq for e in recording.entries] == [1, 2]  # after the log's first entry
    receipt = json.loads((tmp_path / "out" / "evidence.json").read_text())
    assert [e["seq"] for e in receipt["entries"]] == [1, 2]
    log = session.workspace.open_log()
    with log.store:
        report = verify_log(store_view(log), session.trusted())
        provenance = log.statement(1)
    assert report.ok, report.problems
    assert report.entries == 3
    # the signed provenance names the results.json just written, by its digest
    subjects = {s["name"]: s["digest"]["sha256"] for s in provenance["subject"]}
    assert subjects["results.json"] == outcome.digests["results.json"]


def test_first_use_without_a_passphrase_audits_and_says_how_to_start_recording(tmp_path, monkeypatch):
    monkeypatch.delenv("QTRUST_KEY_PASSPHRASE")
    home = Path(os.environ["QTRUST_HOME"])
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    done = runner.invoke(app, ["audit", str(config), "--out", str(tmp_path / "out"), "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "Not recorded: there is no evidence log yet" in done.output
    assert "qtrust keys init" in done.output
    assert (tmp_path / "out" / "results.json").is_file()
    assert not (tmp_path / "out" / "evidence.json").exists()
    assert not home.exists() or not any(home.iterdir())  # no keys, no log


def test_where_a_log_exists_a_missing_passphrase_stops_before_any_work(tmp_path, monkeypatch):
    assert runner.invoke(app, ["keys", "init"]).exit_code == 0
    monkeypatch.delenv("QTRUST_KEY_PASSPHRASE")
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    done = runner.invoke(app, ["audit", str(config), "--out", str(tmp_path / "out"), "--no-progress"])
    assert done.exit_code == 2
    assert "QTRUST_KEY_PASSPHRASE" in done.output
    assert not (tmp_path / "out").exists()


def test_a_plan_without_a_log_is_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.delenv("QTRUST_KEY_PASSPHRASE")
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    args = ["audit", str(config), "--out", str(tmp_path / "out"), "--no-progress", "--plan", "release"]
    done = runner.invoke(app, args)
    assert done.exit_code == 2
    assert "no evidence log" in done.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bad", [{"seed": -1}, {"encoding": {"n_qubits": 40}}])
def test_bad_input_leaves_no_qtrust_home_behind(tmp_path, bad):
    home = Path(os.environ["QTRUST_HOME"])
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump(TINY | bad))
    done = runner.invoke(app, ["audit", str(config), "--out", str(tmp_path / "out"), "--no-progress"])
    assert done.exit_code == 2, done.output
    assert not (tmp_path / "out").exists()
    assert not home.exists() or not any(home.iterdir())
