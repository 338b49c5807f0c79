"""A rollout's state, folded from its evidence entries in log order: where it is, and how it got there.

The log is the only state: a server restarted mid-rollout reads it back and resumes at its step, and a
person's pause or rollback recorded from another machine reaches every server at its next evaluation.
Events (the ``event`` of each ``rollout/v1`` predicate):

* ``start`` (a person): the plan (content and digest), the deployment entry, the artefact and the audit;
* ``decision`` (the controller, signed by the log key): one step's verdict with its numbers — ``promote``
  moves to the next step, or waits for an approval when the plan requires one there, or completes the
  rollout at 100%; ``hold`` changes nothing; ``rollback`` sends everyone to the classical model;
* ``advance`` (a person, with an approved request where the plan requires it), ``pause``, ``resume`` and
  ``rollback`` (a person).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from qtrust.policy.rollout_plan import RolloutPlan
from qtrust.rollout.flags import FlagState

Status = Literal["running", "awaiting-approval", "paused", "rolled-back", "complete"]


@dataclass
class RolloutState:
    rollout_id: str
    plan: RolloutPlan
    deployment: int
    artefact_sha256: str
    audit: int | None
    started_by: str
    step: int = 0
    status: Status = "running"
    step_started_at: str = ""
    incident: str | None = None
    last_decision: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return self.plan.steps[self.step]

    @property
    def final_step(self) -> bool:
        return self.step == len(self.plan.steps) - 1

    @property
    def next_percent(self) -> float | None:
        return None if self.final_step else self.plan.steps[self.step + 1]

    def flag(self) -> FlagState:
        """What the model flag serves in this state (a paused rollout keeps its cohort; a rolled-back one none)."""
        return FlagState(self.rollout_id, self.percent, self.plan.opt_in, self.status == "rolled-back")

    def summary(self) -> dict[str, Any]:
        return {
            "rollout": self.rollout_id,
            "plan": self.plan.name,
            "deployment": self.deployment,
            "status": self.status,
            "step": self.step,
            "percent": self.percent,
            "step_started_at": self.step_started_at,
            "incident": self.incident,
            "last_decision": self.last_decision,
        }


def start_state(predicate: Mapping[str, Any], seq: int, time: str) -> RolloutState:
    state = RolloutState(
        rollout_id=predicate["rollout"],
        plan=RolloutPlan.model_validate(predicate["plan"]),
        deployment=predicate["deployment"],
        artefact_sha256=predicate["artefact_sha256"],
        audit=predicate.get("audit"),
        started_by=predicate["by"],
        step_started_at=time,
    )
    state.history.append(
        {"seq": seq, "time": time, "event": "start", "by": predicate["by"], "percent": state.percent}
    )
    return state


def apply(state: RolloutState, predicate: Mapping[str, Any], seq: int, time: str) -> None:
    """Move ``state`` by one recorded event."""
    event = predicate["event"]
    entry = {
        "seq": seq,
        "time": time,
        "event": event,
        "by": predicate.get("by", "qtrust"),
        "percent": state.percent,
    }
    if event == "decision":
        outcome = predicate["outcome"]
        entry["outcome"] = outcome
        state.last_decision = {
            "seq": seq,
            "time": time,
            "outcome": outcome,
            "kind": (predicate.get("verdict") or {}).get("kind", ""),
            "reasons": predicate.get("reasons", []),
        }
        if outcome == "rollback":
            state.status, state.incident = "rolled-back", predicate.get("incident")
        elif outcome == "promote" and state.status == "running":
            if state.final_step:
                state.status = "complete"
            elif state.plan.needs_approval(state.plan.steps[state.step + 1]):
                state.status = "awaiting-approval"
            else:
                state.step, state.step_started_at = state.step + 1, time
    elif event == "advance":
        state.step, state.status, state.step_started_at = state.step + 1, "running", time
    elif event == "pause":
        state.status = "paused"
    elif event == "resume":
        state.status = "running"
    elif event == "rollback":
        state.status, state.incident = "rolled-back", predicate.get("incident")
    state.history.append(entry)


def fold(events: list[tuple[int, str, Mapping[str, Any]]]) -> dict[str, RolloutState]:
    """Every rollout from its (seq, time, predicate) events, in log order."""
    rollouts: dict[str, RolloutState] = {}
    for seq, time, predicate in events:
        rollout_id = predicate.get("rollout")
        if predicate.get("event") == "start":
            rollouts[rollout_id] = start_state(predicate, seq, time)
        elif rollout_id in rollouts:
            apply(rollouts[rollout_id], predicate, seq, time)
    return rollouts
