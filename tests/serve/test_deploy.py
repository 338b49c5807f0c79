"""A deployment is tied to its audit: packaged by entry number, recorded only when its audit entry verifies."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.serve.artefact import load
from qtrust.workflow.deploy import record_deployment
from qtrust.workflow.session import Session

runner = CliRunner()


def test_an_entry_number_packages_the_folder_that_entry_recorded(packaged, setup, tmp_path):
    root, env, _ = packaged
    artefact = setup[0]
    entry = artefact.manifest["audit"]["evidence_entry"]
    assert isinstance(entry, int)
    by_number = [
        "package",
        str(entry),
        "--outputs",
        str(root / "out"),
        "--model",
        "vqc",
        "--fallback",
        "logistic",
        "--out",
        str(tmp_path / "n.qtrust"),
    ]
    done = runner.invoke(app, by_number, env=env)
    assert done.exit_code == 0, done.output
    assert f"audit entry {entry}." in done.output
    by_folder, by_entry = load(root / "m.qtrust"), load(tmp_path / "n.qtrust")
    different = {"members"}  # skops files differ in bytes (array names are object ids), not in content
    assert {k: v for k, v in by_entry.manifest.items() if k not in different} == {
        k: v for k, v in by_folder.manifest.items() if k not in different
    }
    X = setup[2]
    np.testing.assert_array_equal(by_entry.fallback.predict_proba(X), by_folder.fallback.predict_proba(X))
    np.testing.assert_array_equal(by_entry.quantum.probabilities(X), by_folder.quantum.probabilities(X))
    not_an_audit = runner.invoke(app, ["package", "0", *by_number[2:]], env=env)  # entry 0 starts the log
    assert not_an_audit.exit_code == 2
    assert "entry 0 is not a verified audit entry" in not_an_audit.output
    changed = tmp_path / "changed"
    shutil.copytree(root / "out", changed)
    (changed / "results.json").write_bytes((changed / "results.json").read_bytes() + b" ")
    elsewhere = runner.invoke(app, [*by_number[:3], str(changed), *by_number[4:]], env=env)
    assert elsewhere.exit_code == 2
    assert f"is not the output of audit entry {entry}" in elsewhere.output


def test_only_an_artefact_of_a_verified_audit_is_deployed(packaged, setup, tmp_path):
    root, env, _ = packaged
    artefact = setup[0]
    session = Session.at(Path(env["QTRUST_HOME"]), log_passphrase=lambda confirm: b"pp")
    unrecorded = dataclasses.replace(
        artefact,
        manifest=artefact.manifest | {"audit": artefact.manifest["audit"] | {"evidence_entry": None}},
    )
    with pytest.raises(InputError, match="which is not a verified audit of this log"):
        record_deployment(session, unrecorded, {"host": "127.0.0.1"})
    other_results = dataclasses.replace(
        artefact,
        manifest=artefact.manifest | {"audit": artefact.manifest["audit"] | {"results_sha256": "0" * 64}},
    )
    with pytest.raises(InputError, match="not a verified audit"):
        record_deployment(session, other_results, {"host": "127.0.0.1"})
    with pytest.raises(InputError, match="no evidence log"):
        record_deployment(Session.at(tmp_path / "empty"), artefact, {})
    done = record_deployment(session, artefact, {"host": "127.0.0.1", "backend": "qtrust-engine"})
    with session.reading() as (_, ledger):
        entry = ledger.entry(done.recorded.seq)
        assert entry is not None
        assert entry.predicate_type == statements.DEPLOYMENT_V1
        assert ledger.rule.deployments[done.recorded.seq]["audit"]["seq"] == done.audit_entry
    no_record = runner.invoke(
        app, ["serve", str(root / "m.qtrust"), "--no-auth", "--backend", "nowhere", "--no-record"], env=env
    )
    assert no_record.exit_code == 2
    assert "unknown backend 'nowhere'" in no_record.output
