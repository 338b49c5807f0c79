"""The deployable artefact: built from a recorded audit, equal to the audited models, refused when changed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer
from typer.testing import CliRunner

from qtrust.audit.data_prep import load_dataset, prepare
from qtrust.cli.app import app
from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.serve.artefact import load
from tiny_audit import TINY

runner = CliRunner()


def test_the_artefact_names_its_audit_entry_and_reproduces_both_models(packaged):
    root, _, output = packaged
    assert "audit entry 1" in output
    artefact = load(root / "m.qtrust")
    assert artefact.manifest["audit"]["evidence_entry"] == 1
    assert (
        artefact.manifest["audit"]["results_sha256"]
        == hashlib.sha256((root / "out" / "results.json").read_bytes()).hexdigest()
    )
    assert artefact.manifest["egress"] == {"allowed": ["angles"], "widths": {"angles": 2}}
    # independently of `package`: the loaded models on the audit's test rows against predictions.csv
    config = config_from_dict(TINY)
    prepared = prepare(config, load_dataset(config))
    recorded = pd.read_csv(root / "out" / "predictions.csv")
    exact = recorded[(recorded.noise == "none") & (recorded.shots == 0) & (recorded.seed == 0)]
    vqc = exact[exact.model == "vqc"].sort_values("row")
    logistic = exact[exact.model == "logistic"].sort_values("row")
    angles = artefact.preprocessor.transform(
        prepared.dataset.features.iloc[prepared.test_idx][list(artefact.preprocessor.feature_names_in_)]
    )
    np.testing.assert_allclose(angles, prepared.X_test, atol=0, rtol=0)
    np.testing.assert_allclose(artefact.quantum.probabilities(angles), vqc.proba, atol=1e-9)
    np.testing.assert_array_equal(artefact.fallback.predict(angles), logistic.y_pred)


def _rewrite(path: Path, target: Path, member: str, data: bytes, *, fix_manifest: bool) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = data
    if fix_manifest:  # an attacker who also rewrites the manifest's digest
        manifest = json.loads(members["manifest.json"])
        manifest["members"][member] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    target.write_bytes(buffer.getvalue())


def test_a_changed_member_is_refused(packaged, tmp_path):
    root, _, _ = packaged
    changed = tmp_path / "changed.qtrust"
    other = sio.dumps(FunctionTransformer())
    _rewrite(root / "m.qtrust", changed, "fallback.skops", other, fix_manifest=False)
    with pytest.raises(InputError, match=r"fallback\.skops does not match the digest"):
        load(changed)


def test_a_rewritten_manifest_is_caught_by_the_pinned_digest(packaged, tmp_path):
    root, _, _ = packaged
    pinned = hashlib.sha256((root / "m.qtrust").read_bytes()).hexdigest()
    assert load(root / "m.qtrust", expected_sha256=pinned).sha256 == pinned
    changed = tmp_path / "changed.qtrust"
    quantum = json.loads(zipfile.ZipFile(root / "m.qtrust").read("quantum.json"))
    quantum["weights"] = [0.0] * len(quantum["weights"])
    _rewrite(root / "m.qtrust", changed, "quantum.json", json.dumps(quantum).encode(), fix_manifest=True)
    load(changed)  # consistent with itself ...
    with pytest.raises(InputError, match="is not the pinned"):
        load(changed, expected_sha256=pinned)  # ... but not the artefact that was deployed


def test_a_skops_member_with_an_untrusted_type_is_refused(packaged, tmp_path):
    root, _, _ = packaged
    changed = tmp_path / "untrusted.qtrust"
    _rewrite(
        root / "m.qtrust",
        changed,
        "fallback.skops",
        sio.dumps(FunctionTransformer(func=os.system)),  # what a malicious artefact would carry
        fix_manifest=True,
    )
    with pytest.raises(InputError, match=r"a member cannot be loaded: .*posix\.system"):
        load(changed)


def test_an_edited_results_json_is_not_packaged(packaged, tmp_path):
    root, env, _ = packaged
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("results.json", "predictions.csv"):
        (edited / name).write_bytes((root / "out" / name).read_bytes())
    doc = json.loads((edited / "results.json").read_text())
    doc["duration_seconds"] += 1
    (edited / "results.json").write_text(json.dumps(doc))
    refused = runner.invoke(
        app,
        ["package", str(edited), "--model", "vqc", "--fallback", "logistic", "--out", str(tmp_path / "x")],
        env=env,
    )
    assert refused.exit_code == 2
    assert "no verified audit entry" in refused.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "logistic", "--fallback", "logistic"], "no quantum model 'logistic'"),
        (["--model", "vqc", "--fallback", "rbf"], "no classical model 'rbf'"),
    ],
)
def test_unknown_models_are_named(packaged, tmp_path, args, message):
    root, env, _ = packaged
    refused = runner.invoke(app, ["package", str(root / "out"), *args, "--out", str(tmp_path / "x")], env=env)
    assert refused.exit_code == 2
    assert message in refused.output


def test_the_monitoring_reference_holds_marginals_not_rows_and_cannot_be_dropped(packaged, setup, tmp_path):
    root, _, _ = packaged
    artefact, rows, X = setup
    reference = artefact.reference
    assert reference is not None
    assert reference["rows"] == len(rows) == len(reference["labels"])
    np.testing.assert_allclose(reference["angles"], X, atol=1e-12)
    np.testing.assert_allclose(
        reference["quantum_probabilities"], artefact.quantum.probabilities(X), atol=1e-12
    )
    for name, column in reference["features"].items():
        if column["type"] == "number":  # each column sorted on its own: the rows cannot be put back together
            np.testing.assert_allclose(
                column["values"], sorted(r[name] for r in rows), atol=1e-9
            )  # JSON rows
            assert np.max(np.abs(np.subtract(column["values"], [r[name] for r in rows]))) > 1e-3
        else:
            assert sum(column["counts"].values()) == len(rows)
    with zipfile.ZipFile(root / "m.qtrust") as archive:
        kept = {name: archive.read(name) for name in archive.namelist() if name != "reference.json"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in kept.items():
            archive.writestr(name, content)
    (tmp_path / "dropped.qtrust").write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match=r"lists reference\.json, which the archive lacks"):
        load(tmp_path / "dropped.qtrust")
