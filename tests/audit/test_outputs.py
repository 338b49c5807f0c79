"""The output directory: written atomically, and replaced only when every file in it is one qtrust wrote."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from qtrust.audit.outputs import MANIFEST, add_to_manifest, check_target, sha256_of, write_atomically
from qtrust.errors import InputError


def _write(out, text="report", during=None):
    """write_atomically with two small files, as write_audit does; ``during`` runs while they are written."""

    def report(path):
        path.write_text(text)
        if during is not None:
            during()

    def results(path, digests):
        path.write_text(json.dumps({"outputs": digests}))

    return write_atomically(out, {"report.html": report}, ("results.json", results))


def test_the_manifest_lists_every_file_written_with_its_digest(tmp_path):
    out = tmp_path / "out"
    digests = _write(out)
    assert set(digests) == {"report.html", "results.json"}  # the manifest is bookkeeping, not an output
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["format"] == "qtrust-output-manifest/v1"
    assert manifest["files"] == {
        name: f"sha256:{sha256_of(out / name)}" for name in ("report.html", "results.json")
    }


def test_a_directory_qtrust_wrote_is_replaced_and_nothing_is_left_beside_it(tmp_path):
    out = tmp_path / "out"
    _write(out, "first")
    (out / "report.html").unlink()  # a file qtrust wrote and the user deleted: nothing lost by replacing
    _write(out, "second")
    assert (out / "report.html").read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    files = json.loads((out / MANIFEST).read_text())["files"]  # so the next run may replace it again
    assert files["report.html"] == f"sha256:{sha256_of(out / 'report.html')}"


def test_files_added_later_through_add_to_manifest_are_qtrusts_too(tmp_path):
    out = tmp_path / "out"
    _write(out)
    (out / "evidence.json").write_text("{}")
    with pytest.raises(InputError, match=r"did not write: evidence\.json"):
        check_target(out)
    add_to_manifest(out, "evidence.json")
    _write(out, "again")
    assert not (out / "evidence.json").exists()  # replaced with the rest (the new run writes its own)
    with pytest.raises(InputError, match="not a qtrust output directory"):
        add_to_manifest(tmp_path, "out")


def test_notes_and_keys_beside_an_old_results_json_are_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    (out / ".qtrust").mkdir(parents=True)
    (out / ".qtrust" / "evidence.db").write_text("the log")
    (out / "notes.txt").write_text("mine")
    (out / "results.json").write_text("{}")
    with pytest.raises(InputError) as refused:
        _write(out)
    message = refused.value.one_line()
    assert "earlier qtrust version" in message
    assert ".qtrust/, notes.txt, results.json" in message
    assert "move it away" in message
    assert (out / ".qtrust" / "evidence.db").read_text() == "the log"
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    ("intrude", "expected"),
    [
        (lambda out: (out / "notes.txt").write_text("mine"), "did not write: notes.txt"),
        (lambda out: (out / ".qtrust").mkdir(), "did not write: .qtrust/"),
        (lambda out: (out / "link").symlink_to(out / "report.html"), "did not write: link"),
        (lambda out: (out / "report.html").write_text("edited"), "report.html changed since qtrust wrote it"),
    ],
)
def test_a_qtrust_directory_with_the_users_changes_is_refused(tmp_path, intrude, expected):
    out = tmp_path / "out"
    _write(out)
    intrude(out)
    before = {p.name: p.is_file() and p.read_bytes() for p in out.iterdir()}
    with pytest.raises(InputError, match=re.escape(expected)):
        _write(out, "second")
    assert {p.name: p.is_file() and p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    "files",
    [
        {"../notes.txt": "sha256:" + "0" * 64},
        {"notes.txt": "sha256:nothex"},
        "not a mapping",
    ],
)
def test_a_forged_or_broken_manifest_does_not_make_a_directory_replaceable(tmp_path, files):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "results.json").write_text("{}")
    (out / MANIFEST).write_text(json.dumps({"format": "qtrust-output-manifest/v1", "files": files}))
    with pytest.raises(InputError, match="not a qtrust output directory"):
        _write(out)
    assert (out / "notes.txt").read_text() == "mine"


def test_a_file_put_there_while_the_audit_ran_is_refused_and_kept(tmp_path):
    out = tmp_path / "out"
    _write(out, "first")
    with pytest.raises(InputError, match=r"did not write: late\.txt"):
        _write(out, "second", during=lambda: (out / "late.txt").write_text("mine"))
    assert (out / "late.txt").read_text() == "mine"
    assert (out / "report.html").read_text() == "first"  # the previous outputs are untouched
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary directory left


def test_predictions_csv_written_stack_by_stack_holds_every_stack_exactly(tmp_path, small_run):
    """Read back with pandas, each (model, noise, shots) block of the streamed CSV is its stored stack: the
    probabilities to the written 10 digits, the decisions at the threshold, and the test rows in order."""
    store = small_run.predictions
    path = tmp_path / "predictions.csv"
    store.write(path)
    frame = pd.read_csv(path, keep_default_na=False)
    blocks = store.distribution_digests()
    assert len(frame) == sum(b["shape"][0] * b["shape"][1] for b in blocks)
    for block in blocks:
        stack = store.stack(block["model"], block["noise"], block["shots"])
        rows = frame[
            (frame.model == block["model"])
            & (frame.noise == block["noise"])
            & (frame.shots == block["shots"])
        ]
        proba = rows["proba"].to_numpy().reshape(stack.shape)
        np.testing.assert_allclose(proba, stack, rtol=1e-9, atol=1e-12)
        assert np.array_equal(
            rows["y_pred"].to_numpy(), (rows["proba"].to_numpy() >= store.threshold).astype(int)
        )
        assert np.array_equal(rows["row"].to_numpy(), np.tile(store.rows, stack.shape[0]))
        assert np.array_equal(rows["y_true"].to_numpy(), np.tile(store.y_true, stack.shape[0]))
    with pytest.raises(ValueError, match="read-only"):
        store.stack("vqc")[0, 0] = 0.5  # the record an assessment reads cannot be changed by it
