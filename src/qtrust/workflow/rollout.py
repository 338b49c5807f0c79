"""Rollouts as operations any shell can call: start, judge a step, advance, pause, resume, roll back.

Why here: the controller inside ``qtrust serve`` and a person at ``qtrust rollout`` must read the same state
(the rollout's entries in the evidence log) and record the same kinds of entries. A step decision is signed
by the log key with the numbers it rests on; a rollback also opens an incident (signed by the log key as
``system:rollout``, severity from the breached SLO) linked to the rollout, the deployment and the audit. A
person's move is signed by that person; advancing to a step the plan gates needs an approved ``rollout``
request for exactly that step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtrust.encoding import sha256_hex
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.records import open_automatic_incident
from qtrust.governance.signing import sign_checked
from qtrust.policy.rollout_plan import RolloutPlan, load_rollout_plan
from qtrust.rollout.burn_rate import burn_alerts
from qtrust.rollout.cohorts import COHORT_HASH
from qtrust.rollout.judge import Verdict, judge_step
from qtrust.rollout.state import RolloutState, fold
from qtrust.rollout.step_stats import is_error, step_stats
from qtrust.serve.prediction_log import PredictionLog
from qtrust.workflow.session import Session


def rollouts(ledger: LogEntries) -> dict[str, RolloutState]:
    """Every rollout, folded from its verified entries."""
    return fold([(e.seq, e.recorded_at, e.predicate) for e in ledger.of(statements.ROLLOUT_V1)])


def _one(ledger: LogEntries, rollout_id: str) -> RolloutState:
    known = rollouts(ledger)
    if rollout_id not in known:
        raise InputError(
            f"no rollout {rollout_id!r}",
            where="ROLLOUT",
            fix=f"known: {', '.join(known) or 'none'} (start one with `qtrust rollout start`)",
        )
    return known[rollout_id]


def _statement(rollout_id: str, predicate: dict[str, Any]) -> dict[str, Any]:
    return statements.statement(
        [statements.resource(f"rollout:{rollout_id}", sha256_hex(rollout_id.encode()))],
        statements.ROLLOUT_V1,
        {"rollout": rollout_id, **predicate},
    )


def rollout_state(session: Session, rollout_id: str) -> RolloutState:
    with session.reading() as (_, ledger):
        return _one(ledger, rollout_id)


def all_rollouts(session: Session) -> dict[str, RolloutState]:
    with session.reading() as (_, ledger):
        return rollouts(ledger)


@dataclass(frozen=True)
class RegisteredPlan:
    seq: int
    plan: RolloutPlan
    registered_by: str


def registered_plans(ledger: LogEntries) -> dict[str, RegisteredPlan]:
    """The plan in force under each name (the last registration: a later one is an amendment)."""
    found = {}
    for entry in ledger.of(statements.ROLLOUT_PLAN_V1):
        plan = RolloutPlan.model_validate(entry.predicate["plan"])
        found[plan.name] = RegisteredPlan(entry.seq, plan, entry.predicate["registered_by"])
    return found


def _register(
    log: EvidenceLog, ledger: LogEntries, person_id: str, key: Any, plan: RolloutPlan
) -> RegisteredPlan:
    known = registered_plans(ledger).get(plan.name)
    if known is not None and known.plan.digest() == plan.digest():
        return known
    doc = statements.statement(
        [statements.resource(f"rollout-plan:{plan.name}", plan.digest())],
        statements.ROLLOUT_PLAN_V1,
        {
            "plan": plan.canonical(),
            "plan_digest": plan.digest(),
            "amends": known.seq if known else None,
            "registered_by": person_id,
        },
    )
    return RegisteredPlan(_sign(log, ledger, person_id, key, doc).seq, plan, person_id)


def register_plan(session: Session, person_id: str, plan_file: Path) -> RegisteredPlan:
    """Sign a rollout plan into the log (again under the same name: an amendment); unchanged: nothing new."""
    plan = load_rollout_plan(plan_file)
    with session.acting_as(person_id) as (log, ledger, key):
        return _register(log, ledger, person_id, key, plan)


def plans(session: Session) -> dict[str, RegisteredPlan]:
    with session.reading() as (_, ledger):
        return registered_plans(ledger)


def start_rollout(session: Session, person_id: str, plan_file: Path | str, deployment: int) -> RolloutState:
    """Start a rollout of deployment entry ``deployment`` at the first step of a plan: a YAML file (registered
    first if it is new or changed) or the name of a registered plan."""
    path = Path(plan_file)
    with session.reading() as (_, ledger):
        named = registered_plans(ledger).get(str(plan_file))
    if not path.is_file() and named is None:
        raise InputError(
            f"{plan_file} is neither a plan file nor a registered plan",
            where="PLAN",
            fix="give a rollout plan YAML, or a name `qtrust rollout plans` lists",
        )
    plan = named.plan if not path.is_file() and named is not None else load_rollout_plan(path)
    with session.acting_as(person_id) as (log, ledger, key):
        deployed = ledger.rule.deployments.get(deployment)
        if deployed is None:
            raise InputError(
                f"entry {deployment} is not a verified deployment",
                where="--deployment",
                fix="cite the entry `qtrust serve` printed (`qtrust log list --kind deployment`)",
            )
        running = [
            r for r in rollouts(ledger).values() if r.status in ("running", "awaiting-approval", "paused")
        ]
        if running:
            raise InputError(
                f"rollout {running[0].rollout_id} is still {running[0].status}",
                where="ROLLOUT",
                fix="finish it, or roll it back (`qtrust rollout rollback`), before starting another",
            )
        registered = _register(
            log, ledger, person_id, key, plan
        )  # a plan entry: the rollout count is unchanged
        rollout_id = f"R-{len(rollouts(ledger)) + 1:04d}"
        doc = _statement(
            rollout_id,
            {
                "event": "start",
                "by": person_id,
                "plan": plan.canonical(),
                "plan_digest": plan.digest(),
                "plan_entry": registered.seq,
                "deployment": deployment,
                "artefact_sha256": deployed["artefact"]["sha256"],
                "audit": deployed["audit"]["seq"],
                "cohort_hash": COHORT_HASH,
            },
        )
        _sign(log, ledger, person_id, key, doc)
        return _one(session.ledger(log), rollout_id)


def _sign(log: EvidenceLog, ledger: LogEntries, person_id: str, key: Any, doc: dict) -> Recorded:
    return sign_checked(log, ledger, person_id, key, doc, where="rollout")


@dataclass(frozen=True)
class Evaluation:
    """One judgement of the current step: the verdict, and the entries it became (None: a repeated hold)."""

    state: RolloutState
    verdict: Verdict | None
    recorded: int | None
    incident: str | None


def _unix(time: str) -> float:
    return dt.datetime.fromisoformat(time).timestamp()


def evaluate_rollout(
    session: Session, rollout_id: str, log: PredictionLog, *, threshold: float, now: dt.datetime | None = None
) -> Evaluation:
    """Judge the current step on the prediction log and record the decision (a repeated hold is not recorded
    again); a rollback opens an incident. Paused, rolled-back or awaiting rollouts are not judged."""
    log.flush()
    now = now or dt.datetime.now(dt.UTC)
    with session.writing() as (evidence, ledger):
        state = _one(ledger, rollout_id)
        if state.status not in ("running", "complete"):
            return Evaluation(state, None, None, None)
        plan = state.plan
        rows = log.read(rollout_id=rollout_id, since=state.step_started_at)
        stats = step_stats(rows, threshold=threshold, slow_ms=plan.slos.p99_latency_ms)
        burn = []
        if state.final_step:
            events = [
                (_unix(r["time"]), is_error(r["answered_by"], r["reason"]))
                for r in rows
                if r["answered_by"] != "classical"
            ]
            burn = burn_alerts(
                events, now=now.timestamp(), budget=plan.slos.error_rate, windows=plan.burn_windows
            )
        verdict = judge_step(plan, stats, final_step=state.final_step, burn=burn)
        if state.status == "complete" and verdict.decision != "rollback":
            return Evaluation(state, verdict, None, None)
        last = state.last_decision
        if (
            verdict.decision == "hold"
            and last is not None
            and last["outcome"] == "hold"
            and last["kind"] == verdict.kind  # the same hold with other counts: not recorded again
            and last["time"] >= state.step_started_at
        ):
            return Evaluation(state, verdict, None, None)
        incident = None
        if verdict.decision == "rollback":
            incident, _ = open_automatic_incident(
                evidence,
                ledger,
                source="rollout",
                title=f"rollout {rollout_id} rolled back at {state.percent:g}%: {verdict.reasons[0]}",
                severity=verdict.severity,  # type: ignore[arg-type]
                affected_runs=[state.audit] if state.audit is not None else [],
                description="; ".join(verdict.reasons),
                links={"rollout": rollout_id, "deployment": state.deployment, "audit": state.audit},
            )
        recorded = evidence.append(
            _statement(
                rollout_id,
                {
                    "event": "decision",
                    "step": state.step,
                    "percent": state.percent,
                    "outcome": verdict.decision,
                    "reasons": verdict.reasons,
                    "verdict": verdict.to_dict(),
                    "stats": stats.to_dict(),
                    "window": {"from": state.step_started_at, "to": now.isoformat(timespec="seconds")},
                    "plan_digest": plan.digest(),
                    "incident": incident,
                },
            )
        )
        after = _one(session.ledger(evidence), rollout_id)
    return Evaluation(after, verdict, recorded.seq, incident)


def _move(
    session: Session, person_id: str, rollout_id: str, event: str, allowed: tuple[str, ...], **extra: Any
) -> RolloutState:
    with session.acting_as(person_id) as (log, ledger, key):
        state = _one(ledger, rollout_id)
        if state.status not in allowed:
            raise InputError(
                f"rollout {rollout_id} is {state.status}; {event} needs it {' or '.join(allowed)}",
                where="ROLLOUT",
                fix="`qtrust rollout status` shows where it stands",
            )
        if event == "advance":
            _check_advance(ledger, state, extra.get("request"))
        _sign(log, ledger, person_id, key, _statement(rollout_id, {"event": event, "by": person_id, **extra}))
        return _one(session.ledger(log), rollout_id)


def _check_advance(ledger: LogEntries, state: RolloutState, request: int | None) -> None:
    target = state.next_percent
    if target is None:
        raise InputError(
            f"rollout {state.rollout_id} is at its last step", where="ROLLOUT", fix="nothing to advance"
        )
    if not state.plan.needs_approval(target):
        return
    found = ledger.rule.requests.get(request) if request is not None else None
    if found is None or found.kind != "rollout":
        raise InputError(
            f"advancing {state.rollout_id} to {target:g}% needs an approved rollout request (the plan gates "
            f"steps from {state.plan.approval_from:g}%)",
            where="--request",
            fix=f"`qtrust rollout request {state.rollout_id} --as YOU`, have it approved, then pass --request N",
        )
    subject = found.subject
    if subject.get("rollout") != state.rollout_id or float(subject.get("to_percent", -1)) != target:
        raise InputError(
            f"request {request} is for {subject.get('rollout')} to {subject.get('to_percent')}%, not "
            f"{state.rollout_id} to {target:g}%",
            where="--request",
            fix="cite a request for exactly this step",
        )
    if found.state != "approved":
        raise InputError(
            f"request {request} is {found.state} (missing: {', '.join(found.missing_roles) or 'none'})",
            where="--request",
            fix="the roles it needs sign it off (`qtrust approve N --as …`)",
        )


def advance_rollout(
    session: Session, person_id: str, rollout_id: str, *, request: int | None = None, note: str = ""
) -> RolloutState:
    return _move(
        session,
        person_id,
        rollout_id,
        "advance",
        ("running", "awaiting-approval"),
        request=request,
        note=note,
    )


def pause_rollout(session: Session, person_id: str, rollout_id: str, note: str = "") -> RolloutState:
    return _move(session, person_id, rollout_id, "pause", ("running", "awaiting-approval"), note=note)


def resume_rollout(session: Session, person_id: str, rollout_id: str, note: str = "") -> RolloutState:
    return _move(session, person_id, rollout_id, "resume", ("paused",), note=note)


def rollback_rollout(session: Session, person_id: str, rollout_id: str, note: str) -> RolloutState:
    if not note.strip():
        raise InputError("a rollback needs a reason", where="--reason", fix="say why, in a few words")
    return _move(
        session,
        person_id,
        rollout_id,
        "rollback",
        ("running", "awaiting-approval", "paused", "complete"),
        note=note,
    )


def check_plan(plan_file: Path) -> RolloutPlan:
    return load_rollout_plan(plan_file)
