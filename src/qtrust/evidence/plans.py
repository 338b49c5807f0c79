"""Plans in the log: register a plan (or an amendment) and find the version an audit runs under.

Both read the plan entries *that verify* (the caller passes them, from one verified read of the log): a plan
entry relabelled, edited or inserted in the database must not decide which thresholds an audit is held to,
or hide an amendment that loosened them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.policy.plan import EvaluationPlan, PlanChange, compare_plans, load_plan
from qtrust.results.schema import PlanAmendment, PlanReference


@dataclass(frozen=True)
class RegisteredPlan:
    seq: int
    registered_at: str
    plan: EvaluationPlan
    digest: str
    changes: list[PlanChange]


# (sequence number, time recorded, signed statement) of a plan entry that verified
PlanEntry = tuple[int, str, dict[str, Any]]


def plan_history(entries: Iterable[PlanEntry], name: str) -> list[RegisteredPlan]:
    """Every registered version of plan ``name`` among verified ``entries``, oldest first."""
    out = []
    for seq, recorded_at, doc in entries:
        predicate = doc.get("predicate") or {}
        if (
            doc.get("predicateType") != statements.PLAN_V1
            or (predicate.get("plan") or {}).get("name") != name
        ):
            continue
        plan = EvaluationPlan.model_validate(predicate["plan"])
        changes = [PlanChange(c["kind"], c["what"]) for c in predicate.get("changes", [])]
        out.append(RegisteredPlan(seq, recorded_at, plan, plan.digest(), changes))
    return out


def register_plan(
    log: EvidenceLog, plan: EvaluationPlan, verified: Iterable[PlanEntry]
) -> tuple[Recorded | None, RegisteredPlan | None, list[PlanChange]]:
    """Record ``plan``; a known name makes it an amendment. Returns (entry or None if unchanged, previous, changes)."""
    history = plan_history(verified, plan.name)
    previous = history[-1] if history else None
    if previous is not None and previous.digest == plan.digest():
        return None, previous, []
    changes = compare_plans(previous.plan, plan) if previous is not None else []
    predicate = {
        "plan": plan.canonical(),
        "digest": plan.digest(),
        "amends": {"seq": previous.seq, "digest": previous.digest} if previous else None,
        "changes": [c.to_dict() for c in changes],
        "loosened": any(c.kind == "loosened" for c in changes),
    }
    recorded = log.append(
        statements.statement(
            [statements.resource(f"plan:{plan.name}", plan.digest())], statements.PLAN_V1, predicate
        )
    )
    return recorded, previous, changes


def resolve_plan(verified: Iterable[PlanEntry], ref: str) -> PlanReference:
    """The registered plan an audit cites: by name (latest version) or by a plan file already registered."""
    verified = list(verified)
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        plan = load_plan(path)
        history = plan_history(verified, plan.name)
        match = [v for v in history if v.digest == plan.digest()]
        if not match:
            raise InputError(
                f"plan {plan.name!r} in {path} is not registered in this form (digest {plan.digest()[:12]}…)",
                where="--plan",
                fix=f"register it first: qtrust plan register {path}",
            )
        chosen = match[-1]
    else:
        history = plan_history(verified, ref)
        if not history:
            raise InputError(
                f"no plan named {ref!r} is registered in the evidence log",
                where="--plan",
                fix="register it with `qtrust plan register PLAN.yaml` before the audit",
            )
        chosen = history[-1]
    versions = [v for v in history if v.seq <= chosen.seq]
    return PlanReference(
        name=chosen.plan.name,
        digest=chosen.digest,
        seq=chosen.seq,
        registered_at=chosen.registered_at,
        first_seq=versions[0].seq,
        amendments=[
            PlanAmendment(
                seq=v.seq,
                registered_at=v.registered_at,
                digest=v.digest,
                loosened=[c.what for c in v.changes if c.kind == "loosened"],
                tightened=[c.what for c in v.changes if c.kind == "tightened"],
            )
            for v in versions[1:]
        ],
        plan=chosen.plan.canonical(),
    )
