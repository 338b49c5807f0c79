"""The release gate: judge an audit's metrics against a policy and its pre-registered plan.

Every check of the policy, and every threshold of the plan the audit ran under, becomes one line: pass,
fail, or inconclusive (a CI that straddles the limit, a metric the audit did not compute, an undefined
value — never a silent pass). A policy that is looser than the registered plan on the same metric fails
on that account, with both numbers. The gate passes only when every line passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from xml.etree import ElementTree as ET

from qtrust.policy.policy import Check, Policy
from qtrust.policy.thresholds import Judgement, Status, is_looser, judge
from qtrust.results.metrics_table import flatten_metrics, metric_paths_matching
from qtrust.results.schema import AuditResult

SEVERITY: dict[Status, int] = {"pass": 0, "inconclusive": 1, "fail": 2}


@dataclass
class CheckOutcome:
    id: str
    source: str  # "policy" or "plan"
    description: str
    status: Status
    reason: str
    judgements: list[Judgement] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "description": self.description,
            "status": self.status,
            "reason": self.reason,
            "judgements": [j.to_dict() for j in self.judgements],
        }


@dataclass(frozen=True)
class Provenance:
    """Whether the judged results.json is the output of an audit recorded in the evidence log.

    ``verified``: a verified audit entry names its sha256. ``unverified``: no entry does (hand-edited,
    or never recorded) or there is no log to ask; the gate says so in its output and its JUnit.
    """

    status: str  # "verified" | "unverified"
    detail: str
    audit_seq: int | None = None


@dataclass
class GateResult:
    policy: Policy
    checks: list[CheckOutcome]
    notes: list[str] = field(default_factory=list)
    provenance: Provenance | None = None

    @property
    def status(self) -> Status:
        return max((c.status for c in self.checks), key=SEVERITY.__getitem__, default="pass")

    @property
    def passed(self) -> bool:
        return all(c.status == "pass" for c in self.checks)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.checks) for s in SEVERITY}

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": "pass" if self.passed else "fail",
            "policy": {"name": self.policy.name, "digest": self.policy.digest()},
            "counts": self.counts,
            "checks": [c.to_dict() for c in self.checks],
            "notes": self.notes,
            "provenance": (
                {
                    "status": self.provenance.status,
                    "detail": self.provenance.detail,
                    "audit_entry": self.provenance.audit_seq,
                }
                if self.provenance
                else None
            ),
        }

    def with_provenance(self, provenance: Provenance, *, required: bool) -> GateResult:
        """Mark the results verified or not; ``required`` (a log exists) makes unverified results a failing check."""
        self.provenance = provenance
        if provenance.status != "verified":
            self.notes.append(f"UNVERIFIED results: {provenance.detail}")
            if required:
                self.checks.insert(
                    0,
                    CheckOutcome(
                        "results-provenance",
                        "evidence",
                        "the results are the output of an audit recorded in the evidence log",
                        "inconclusive",
                        f"{provenance.detail}: results that no verified audit entry names cannot pass a gate",
                    ),
                )
        return self


def _model_names(result: AuditResult, selection: Any) -> tuple[set[str], set[str]]:
    """(models whose metrics the check reads, classical models a comparison may be against)."""
    classical = {m.name for m in result.models if m.family == "classical"}
    if selection == "all":
        return {m.name for m in result.models}, {m.name for m in result.models}
    if selection == "quantum":
        return {m.name for m in result.models if m.family == "quantum"}, classical
    if selection == "candidates":
        return {m.name for m in result.models if m.family == "quantum" and m.role == "candidate"}, classical
    return set(selection), {m.name for m in result.models}


def _in_scope(path: str, check: Check, models: set[str], baselines: set[str]) -> bool:
    parts = path.split("/")
    section, owner = parts[0], parts[1].replace("%2F", "/").replace("%25", "%")
    if section == "comparison":
        quantum, _, baseline = owner.partition("-vs-")
        if quantum not in models or baseline not in baselines:
            return False
    elif owner not in models:
        return False
    if section == "noise" and "@" in parts[2] and check.noise is not None:
        channel, _, level = parts[2].partition("@")
        if check.noise.max_level is not None and float(level) > check.noise.max_level * (1 + 1e-12):
            return False
        if check.noise.channels is not None and channel not in check.noise.channels:
            return False
    if section in ("shots", "variance") and check.shots is not None:
        budget = parts[2] if section == "shots" else parts[3]
        if budget.isdigit():
            if check.shots.budgets is not None and int(budget) not in check.shots.budgets:
                return False
            if check.shots.max_shots is not None and int(budget) > check.shots.max_shots:
                return False
    return True


def _aggregate(judgements: list[Judgement], patterns: list[str]) -> tuple[Status, str]:
    if not judgements:
        return "inconclusive", (
            f"the audit computed no metric matching {', '.join(patterns)} in this check's scope: "
            "nothing to judge, so this is not a pass"
        )
    worst = max(judgements, key=lambda j: SEVERITY[j.status])
    n = {s: sum(j.status == s for j in judgements) for s in SEVERITY}
    summary = f"{n['pass']} of {len(judgements)} metrics pass"
    if worst.status == "pass":
        return "pass", summary
    return worst.status, f"{summary}; worst: {worst.path}: {worst.reason}"


def _judge_check(check: Check, table: dict, result: AuditResult) -> CheckOutcome:
    models, baselines = _model_names(result, check.models)
    paths = sorted(
        {
            p
            for pattern in check.metric
            for p in metric_paths_matching(table, pattern)
            if _in_scope(p, check, models, baselines)
        }
    )
    judgements = [
        _explained(judge(p, table[p], check.direction, check.limit, check.mode), result) for p in paths
    ]
    status, reason = _aggregate(judgements, check.metric)
    return CheckOutcome(check.id, "policy", check.description, status, reason, judgements)


def _explained(judgement: Judgement, result: AuditResult) -> Judgement:
    """An undefined reproducibility number says why, when the audit recorded why (a fixed supplied model)."""
    parts = judgement.path.split("/")
    if judgement.value is not None or parts[0] != "reproducibility":
        return judgement
    note = next((r.note for r in result.reproducibility if r.model == parts[1] and r.note), None)
    return replace(judgement, reason=f"{judgement.reason}: {note}") if note else judgement


def run_gate(result: AuditResult, policy: Policy) -> GateResult:
    table = flatten_metrics(result)
    outcomes = [_judge_check(check, table, result) for check in policy.checks]
    notes: list[str] = []
    plan = result.plan
    if plan is not None:
        for i, threshold in enumerate(plan.plan.get("thresholds", [])):
            check = Check.model_validate({"id": f"plan-{i + 1}", **threshold})
            outcome = _judge_check(check, table, result)
            outcome.source = "plan"
            outcome.description = f"pre-registered in plan {plan.name!r} (entry {plan.seq}): {check.direction} {check.metric[0]} {check.limit:g} ({check.mode})"
            outcomes.append(outcome)
            looser = [
                c
                for c in policy.checks
                if threshold["metric"] in c.metric
                and c.direction == check.direction
                and is_looser(c.direction, c.limit, c.mode, check.limit, check.mode)
            ]
            for c in looser:
                outcomes.append(
                    CheckOutcome(
                        f"{c.id}-vs-plan",
                        "plan",
                        f"policy check {c.id!r} against the registered plan",
                        "fail",
                        f"the policy's {c.direction} {c.limit:g} ({c.mode}) on {threshold['metric']} is looser than "
                        f"the {check.limit:g} ({check.mode}) registered in plan {plan.name!r} (entry {plan.seq}): "
                        "a gate may not relax a pre-registered threshold",
                    )
                )
        for amendment in plan.amendments:
            notes += [
                f"plan {plan.name!r} was loosened after registration (entry {amendment.seq}): {x}"
                for x in amendment.loosened
            ]
    return GateResult(policy, outcomes, notes)


def junit_xml(gate: GateResult, *, name: str = "qtrust gate") -> bytes:
    """JUnit XML: one testcase per check; fail → <failure>, inconclusive → <failure type="inconclusive">.

    Inconclusive is reported as a failure, not as skipped, because the gate does not pass on it.
    """
    suite = ET.Element(
        "testsuite",
        name=name,
        tests=str(len(gate.checks)),
        failures=str(sum(c.status != "pass" for c in gate.checks)),
        errors="0",
        skipped="0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="policy", value=gate.policy.name)
    ET.SubElement(props, "property", name="policy_sha256", value=gate.policy.digest())
    if gate.provenance is not None:
        ET.SubElement(props, "property", name="provenance", value=gate.provenance.status)
        ET.SubElement(props, "property", name="provenance_detail", value=gate.provenance.detail)
    for i, note in enumerate(gate.notes):
        ET.SubElement(props, "property", name=f"note_{i + 1}", value=note)
    for check in gate.checks:
        case = ET.SubElement(
            suite, "testcase", classname=f"qtrust.gate.{check.source}", name=check.id, time="0"
        )
        if check.status != "pass":
            failure = ET.SubElement(case, "failure", message=check.reason, type=check.status)
            failure.text = (
                "\n".join(f"{j.status}: {j.path}: {j.reason}" for j in check.judgements) or check.reason
            )
        out = ET.SubElement(case, "system-out")
        out.text = check.description
    suites = ET.Element("testsuites", name=name, tests=suite.get("tests"), failures=suite.get("failures"))
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True)
