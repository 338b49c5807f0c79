"""Sweeps: the same digest serially and on 1, 2 and 4 Dask workers, and after a worker is killed mid-sweep;
retries and failures reported; Ctrl-C leaves nothing; one evidence entry; a member reproduced on its own."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.errors import InputError
from qtrust.sweep import executors
from qtrust.sweep.executors import DaskExecutor
from qtrust.sweep.grid import expand
from qtrust.sweep.member import MemberTask, run_member
from qtrust.sweep.spec import EXAMPLE, SweepSpec, load_sweep
from qtrust.workflow.session import Session
from qtrust.workflow.sweep import reproduce_member, run_sweep
from qtrust.workflow.verification import verify_local
from tiny_audit import TINY

runner = CliRunner()
BASE = {k: v for k, v in TINY.items() if k not in ("data", "models", "noise", "seed")}
SPEC = {
    "name": "tiny",
    "base": BASE,
    "datasets": [{"name": "syn", "data": TINY["data"]}],
    "models": [
        {"name": "d1", "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 5}]},
        {"name": "d2", "models": [{"kind": "variational", "name": "vqc", "n_layers": 2, "max_iter": 5}]},
    ],
    "noise": [{"name": "depol", "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01, 0.03]}}],
    "seeds": [1, 2, 3, 4],
    "retries": 1,
}


@pytest.fixture
def spec_file(tmp_path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return path


def _session() -> Session:
    return Session.at(Path(os.environ["QTRUST_HOME"]))


@pytest.mark.slow
def test_the_digest_is_the_same_serially_on_1_2_4_workers_and_after_a_worker_is_killed(spec_file, tmp_path):
    serial = run_sweep(_session(), spec_file, tmp_path / "serial", record=False).result
    assert len(serial.results) == 8
    assert not serial.failed
    assert len({r.digest for r in serial.results}) == 8  # every member its own numbers
    digests = {"serial": serial.digest}
    for workers in (1, 4):
        done = run_sweep(
            _session(), spec_file, tmp_path / f"local{workers}", scheduler=f"local:{workers}", record=False
        )
        digests[f"local:{workers}"] = done.result.digest
    killed: list[int] = []
    executor = DaskExecutor("local:2")

    def kill_one_worker_after_the_first_member(progress, result) -> None:
        if result is not None and not killed:
            pids = executor.client.run(os.getpid)  # worker address → pid
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)  # mid-sweep: the rest of its members run again elsewhere
            killed.append(pids[victim])

    try:
        done = run_sweep(
            _session(), spec_file, tmp_path / "killed", record=False, executor=executor,
            listen=kill_one_worker_after_the_first_member,
        )  # fmt: skip
    finally:
        executor.close()
    assert killed
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)  # the worker really died
    digests["local:2, one worker killed"] = done.result.digest
    assert len(set(digests.values())) == 1, digests
    first = json.loads((tmp_path / "serial" / "sweep.json").read_text())
    again = json.loads((tmp_path / "killed" / "sweep.json").read_text())
    assert [m["metrics"] for m in first["members"]] == [m["metrics"] for m in again["members"]]


def test_the_grid_is_expanded_in_the_files_order_with_each_members_seed(spec_file):
    tasks = expand(load_sweep(spec_file))
    assert [t.id for t in tasks[:5]] == [
        "syn/d1/depol/seed=1", "syn/d1/depol/seed=2", "syn/d1/depol/seed=3", "syn/d1/depol/seed=4",
        "syn/d2/depol/seed=1",
    ]  # fmt: skip
    assert [t.config["seed"] for t in tasks[:4]] == [1, 2, 3, 4]
    assert tasks[4].config["models"][0]["n_layers"] == 2
    assert tasks[0].config["noise"]["levels"] == [0.0, 0.01, 0.03]
    assert len({t.dataset_digest for t in tasks}) == 4  # synthetic data is drawn from each member's seed
    assert tasks[0].dataset_digest == tasks[4].dataset_digest  # same seed, same data
    assert SweepSpec.model_validate(yaml.safe_load(EXAMPLE)).size == 8


def test_a_worker_refuses_data_other_than_the_clients(spec_file):
    task = expand(load_sweep(spec_file))[0]
    forged = MemberTask(task.index, task.id, task.labels, task.config, "0" * 64)
    with pytest.raises(ValueError, match="not the data the client planned"):
        run_member(forged)


def test_a_failing_member_is_retried_then_reported_and_the_rest_finish(spec_file, tmp_path, monkeypatch):
    calls: dict[int, int] = {}
    real = executors.run_member

    def flaky(task):
        calls[task.index] = calls.get(task.index, 0) + 1
        if task.index == 1 or (task.index == 2 and calls[2] == 1):
            raise RuntimeError(f"backend went away (member {task.index})")
        return real(task)

    monkeypatch.setattr(executors, "run_member", flaky)
    result = run_sweep(_session(), spec_file, tmp_path / "out", record=False).result
    by_index = {r.index: r for r in result.results}
    assert by_index[1].status == "failed"
    assert by_index[1].attempts == 2  # retries: 1
    assert "backend went away (member 1)" in by_index[1].error
    assert by_index[2].status == "done", by_index[2].error
    assert by_index[2].attempts == 2
    assert sum(r.status == "done" for r in result.results) == 7
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "Failed members" in html
    assert "backend went away" in html


def test_ctrl_c_leaves_no_output_and_no_record(spec_file, tmp_path):
    session = _session()
    session.workspace.init(os.environ["QTRUST_KEY_PASSPHRASE"].encode())[0].store.close()
    session = Session.at(
        session.workspace.home, log_passphrase=lambda confirm: os.environ["QTRUST_KEY_PASSPHRASE"].encode()
    )
    before = verify_local(session).report.size

    def interrupt(progress, result) -> None:
        if result is not None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(session, spec_file, tmp_path / "out", listen=interrupt)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.yaml"]  # no temporary folder left either
    assert verify_local(session).report.size == before


def test_the_cli_records_the_sweep_once_and_a_member_reproduces_on_its_own(spec_file, tmp_path):
    small = yaml.safe_load(spec_file.read_text()) | {"seeds": [1]}
    spec_file.write_text(yaml.safe_dump(small))
    assert runner.invoke(app, ["keys", "init"]).exit_code == 0
    done = runner.invoke(app, ["sweep", str(spec_file), "--out", str(tmp_path / "out"), "--no-progress"])
    assert done.exit_code == 0, done.output
    doc = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert doc["digest"] in done.output
    session = _session()
    with session.reading() as (_, ledger):
        sweeps = ledger.of("https://qtrust.dev/evidence/sweep/v1")
    assert len(sweeps) == 1
    assert sweeps[0].predicate["digest"] == doc["digest"]
    assert [m["digest"] for m in sweeps[0].predicate["members"]] == [m["digest"] for m in doc["members"]]
    member = doc["members"][1]["id"]
    again = runner.invoke(app, ["reproduce", "--sweep", str(tmp_path / "out"), "--member", member])
    assert again.exit_code == 0, again.output
    assert "digest identical" in again.output
    assert reproduce_member(tmp_path / "out", member).identical
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "Leaderboard: syn" in html
    assert "depolarizing" in html  # the heatmap's rows
    bad = runner.invoke(app, ["sweep", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2


@pytest.mark.slow
def test_one_audit_with_its_fits_on_dask_workers_equals_the_serial_audit():
    from threadpoolctl import threadpool_limits

    from qtrust.audit import run_audit
    from qtrust.config import config_from_dict
    from qtrust.results.metrics_table import flatten_metrics
    from qtrust.sweep.executors import DaskMapper
    from qtrust.sweep.member import metrics_digest

    config = dict(TINY, privacy={"n_references": 4, "noise": False, "shots": False})
    config["reproducibility"] = {"seeds": [0, 1, 2]}

    def digest(mapper=None) -> tuple[str, dict]:
        with threadpool_limits(limits=1):
            run = run_audit(config_from_dict(config), **({"mapper": mapper} if mapper else {}))
        metrics = {p: m.to_dict() for p, m in flatten_metrics(run.result).items()}
        return metrics_digest(metrics), run.predictions.distribution_digests()

    serial = digest()
    executor = DaskExecutor("local:2")
    try:
        calls = []
        mapper = DaskMapper(executor)
        real = mapper.map
        mapper.map = lambda fn, items: calls.append(len(items := list(items))) or real(fn, items)
        on_workers = digest(mapper)
    finally:
        executor.close()
    # 2 models × 3 seeds of training; the VQC under its 1 noise setting; per model of the red team, its 4
    # reference models, then its 1 setting (exact: the tiny audit attacks under no noise or shots)
    assert calls == [6, 1, 4, 1, 4, 1]
    assert on_workers == serial  # every metric and every probability stack


MODEL_FILE = """
from sklearn.ensemble import RandomForestClassifier

from qtrust import Supplied

forest = Supplied("forest", RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0), retrain=True)
"""


def test_supplied_models_are_a_models_axis_held_to_the_files_digest(tmp_path):
    (tmp_path / "mine.py").write_text(MODEL_FILE)
    spec = dict(SPEC, seeds=[1], models=[SPEC["models"][0], {"name": "mine", "supplied": ["mine.py:forest"]}])
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec))
    result = run_sweep(_session(), path, tmp_path / "out", record=False).result
    done = {r.id: r for r in result.results}
    mine = done["syn/mine/depol/seed=1"]
    assert mine.status == "done", mine.error
    assert any(p.startswith("models.forest.") or "forest" in p for p in mine.metrics)
    assert not any("vqc" in p for p in mine.metrics)  # supplied only: no configured quantum model
    assert any("vqc" in p for p in done["syn/d1/depol/seed=1"].metrics)
    recorded = json.loads((tmp_path / "out" / "sweep.json").read_text())
    ref, sha256 = next(m for m in recorded["members"] if m["id"] == mine.id)["supplied"][0]
    assert ref == f"{tmp_path / 'mine.py'}:forest"
    assert len(sha256) == 64
    # the member reproduces on its own from the recorded file and digest ...
    assert reproduce_member(tmp_path / "out", mine.id).identical
    # ... and a worker refuses the file once it is not the one the client read
    (tmp_path / "mine.py").write_text(MODEL_FILE.replace("n_estimators=15", "n_estimators=16"))
    task = next(t for t in expand(load_sweep(path)) if t.id == mine.id)
    forged = MemberTask(task.index, task.id, task.labels, task.config, task.dataset_digest, ((ref, sha256),))
    with pytest.raises(InputError, match="is not the file that was planned"):
        run_member(forged)


def test_a_models_entry_needs_models_or_supplied_ones():
    with pytest.raises(ValueError, match="give `models`, `supplied`, or both"):
        SweepSpec.model_validate(dict(SPEC, models=[{"name": "empty"}]))
