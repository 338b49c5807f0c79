"""A rollout through the library: start, promote, wait for approval, advance, roll back with an incident —
every move a verified entry, and the state read back from the log alone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from rollout_support import as_person

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.governance.records import incidents
from qtrust.serve.prediction_log import PredictionLog, PredictionRow
from qtrust.workflow import rollout, signoff


def feed(log: PredictionLog, label: str, n: int, *, seed: int, error: float = 0.0, start: int = 0) -> None:
    """``n`` one-row requests routed by rollout step ``label``: healthy unless ``error`` > 0."""
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC)
    rows, labels = [], []
    for i in range(start, start + n):
        failed = rng.random() < error
        decision = int(rng.random() < 0.6)
        classical = decision if rng.random() < 0.95 else 1 - decision
        labels.append(classical if rng.random() < 0.75 else 1 - classical)
        rows.append(
            PredictionRow(
                request_id=f"{label}-{i}",
                row=0,
                time=(now + dt.timedelta(milliseconds=i)).isoformat(timespec="milliseconds"),
                model_sha256="ab" * 32,
                answered_by="fallback" if failed else "quantum",
                reason="the quantum backend failed: ConnectionError" if failed else "exact",
                probability=0.9 if decision else 0.1,
                decision=decision,
                shots=0,
                seeds=(),
                backend="engine",
                latency_ms=12.0,
                group=("a", "b")[i % 2],
                classical_probability=0.9 if classical else 0.1,
                rollout=label,
            )
        )
    log.add(rows)
    log.flush()
    for row, label_value in zip(rows, labels, strict=True):
        log.label(row.request_id, 0, label_value)


def test_a_rollout_promotes_waits_for_approval_advances_and_rolls_back(deployed, tmp_path):
    session, deployment, _, plan = deployed
    started = rollout.start_rollout(as_person(session, "alice"), "alice", plan, deployment)
    assert (started.rollout_id, started.percent, started.status) == ("R-0001", 10, "running")
    log = PredictionLog(home=tmp_path / "predictions")
    try:
        first = rollout.evaluate_rollout(session, "R-0001", log, threshold=0.5)
        assert first.verdict.decision == "hold"  # no traffic yet: hold, never roll back
        assert "too little evidence" in first.verdict.reasons[0]
        assert first.recorded is not None
        again = rollout.evaluate_rollout(session, "R-0001", log, threshold=0.5)
        assert (again.verdict.decision, again.recorded) == ("hold", None)  # the same hold is not re-recorded
        feed(log, "R-0001@10%", 400, seed=1)
        promoted = rollout.evaluate_rollout(session, "R-0001", log, threshold=0.5)
        assert promoted.verdict.decision == "promote", promoted.verdict.reasons
        assert (promoted.state.status, promoted.state.percent) == ("awaiting-approval", 10)  # 50% is gated
        with pytest.raises(InputError, match="needs an approved rollout request"):
            rollout.advance_rollout(as_person(session, "alice"), "alice", "R-0001")
        asked = signoff.request_rollout_advance(as_person(session, "alice"), "alice", "R-0001", 50)
        with pytest.raises(InputError, match="is pending"):
            rollout.advance_rollout(as_person(session, "alice"), "alice", "R-0001", request=asked.seq)
        signoff.approve(as_person(session, "bob"), "bob", asked.seq)
        advanced = rollout.advance_rollout(as_person(session, "alice"), "alice", "R-0001", request=asked.seq)
        assert (advanced.status, advanced.percent) == ("running", 50)
        assert advanced.flag().label == "R-0001@50%"
        feed(log, "R-0001@50%", 400, seed=2, error=0.2)
        rolled = rollout.evaluate_rollout(session, "R-0001", log, threshold=0.5)
    finally:
        log.close()
    assert rolled.verdict.decision == "rollback"
    assert rolled.state.status == "rolled-back"
    assert rolled.state.flag().rolled_back
    assert rolled.incident == "INC-0001"
    with session.reading() as (_, ledger):
        assert not ledger.rejected  # every entry verifies, the automatic ones included
        incident = incidents(ledger)["INC-0001"]
        decision = ledger.entry(rolled.recorded).predicate
    assert incident.severity == "high"
    assert incident.opened_by == "system:rollout"
    assert "error_rate breached" in incident.title
    assert decision["verdict"]["checks"][0]["slo"] == "error_rate"
    assert decision["stats"]["errors"] > 0
    assert decision["incident"] == "INC-0001"
    # read back from the log alone (a restarted server): the same state
    assert rollout.rollout_state(session, "R-0001").summary() == rolled.state.summary()


def test_people_pause_resume_and_roll_back_and_the_log_refuses_forgeries(deployed):
    session, deployment, _, plan = deployed
    rollout.start_rollout(as_person(session, "alice"), "alice", plan, deployment)
    with pytest.raises(InputError, match="still running"):
        rollout.start_rollout(as_person(session, "alice"), "alice", plan, deployment)
    assert rollout.pause_rollout(as_person(session, "bob"), "bob", "R-0001").status == "paused"
    with pytest.raises(InputError, match="is paused"):
        rollout.advance_rollout(as_person(session, "bob"), "bob", "R-0001")
    assert rollout.resume_rollout(as_person(session, "bob"), "bob", "R-0001").status == "running"
    with pytest.raises(InputError, match="needs a reason"):
        rollout.rollback_rollout(as_person(session, "bob"), "bob", "R-0001", " ")
    back = rollout.rollback_rollout(as_person(session, "bob"), "bob", "R-0001", "complaints from branch 4")
    assert back.status == "rolled-back"
    # the plan was registered by the start; starting again by its name reuses it, an edited file amends it
    registered = rollout.plans(session)["test-canary"]
    again = rollout.start_rollout(as_person(session, "alice"), "alice", "test-canary", deployment)
    assert again.plan.digest() == registered.plan.digest()
    assert rollout.plans(session)["test-canary"].seq == registered.seq  # no new registration
    rollout.rollback_rollout(as_person(session, "bob"), "bob", again.rollout_id, "second test")
    plan.write_text(plan.read_text().replace("min_labels: 80", "min_labels: 90"))
    amended = rollout.register_plan(as_person(session, "olga"), "olga", plan)
    assert amended.seq > registered.seq
    assert amended.plan.min_labels == 90
    with pytest.raises(InputError, match="neither a plan file nor a registered plan"):
        rollout.start_rollout(as_person(session, "alice"), "alice", "no-such-plan", deployment)
    with pytest.raises(InputError, match="not a verified deployment"):
        rollout.start_rollout(as_person(session, "alice"), "alice", plan, 0)
    # a decision signed by a person instead of the log key does not verify
    forged = statements.statement(
        [statements.resource("rollout:R-0001", "00" * 32)],
        statements.ROLLOUT_V1,
        {"rollout": "R-0001", "event": "decision", "outcome": "promote", "reasons": []},
    )
    with as_person(session, "bob").acting_as("bob") as (_, ledger, key):
        problem, _ = ledger.rule.judge(999, forged, frozenset({key.keyid}))
    assert problem == "a rollout step decision must be signed by the log key"


def test_the_rollout_commands_move_it_as_the_library_does(deployed):
    import json

    from rollout_support import LOG_SECRET
    from typer.testing import CliRunner

    from qtrust.cli.app import app

    session, deployment, _, plan = deployed
    home = str(session.workspace.home)

    def as_cli(person: str, *args: str):
        env = {
            "QTRUST_HOME": home,
            "QTRUST_KEY_PASSPHRASE": LOG_SECRET.decode(),
            "QTRUST_PERSON_PASSPHRASE": f"{person}-own-passphrase",
        }
        return CliRunner().invoke(
            app, ["rollout", *args, "--as", person] if person else ["rollout", *args], env=env
        )

    started = as_cli("alice", "start", str(plan), "--deployment", str(deployment))
    assert started.exit_code == 0, started.output
    assert "R-0001 (test-canary): running at step 1/3 = 10%" in started.output
    assert "paused" in as_cli("bob", "pause", "R-0001").output
    assert as_cli("bob", "pause", "R-0001").exit_code == 2  # already paused: refused, nothing recorded
    assert "running" in as_cli("bob", "resume", "R-0001").output
    back = as_cli("bob", "rollback", "R-0001", "--reason", "drill")
    assert "rolled-back" in back.output
    status = json.loads(as_cli("", "status", "R-0001", "--json").stdout)["R-0001"]
    assert [e["event"] for e in status["history"]] == ["start", "pause", "resume", "rollback"]
    assert status["status"] == "rolled-back"
