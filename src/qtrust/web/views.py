"""What each page shows, read from the verified log in one pass: plain data for the templates.

Only entries that verify count (the same :class:`LogEntries` the CLI's status commands read), so a page can
never show a sign-off or a state the verifier would reject.
"""

from __future__ import annotations

from typing import Any

from qtrust.evidence import statements
from qtrust.governance.entries import LogEntries
from qtrust.governance.records import incidents
from qtrust.workflow.rollout import rollouts


def roster(ledger: LogEntries) -> dict[str, list[str]]:
    project = ledger.rule.project
    return {p.id: list(p.roles) for p in project.people} if project else {}


def _verdicts(ledger: LogEntries) -> dict[str, dict[str, Any]]:
    """Each audit's findings entry, keyed by the results.json digest it judged: the whole audit's counts
    (pass / warn / fail) and, where the entry signed them, each model's."""
    out = {}
    for entry in ledger.of(statements.TEST_RESULT_V01):
        predicate = entry.predicate
        for subject in entry.statement.get("subject", []):
            if subject.get("name") == "results.json":
                out[(subject.get("digest") or {}).get("sha256")] = {
                    "audit": {
                        "pass": len(predicate.get("passedTests") or []),
                        "warn": len(predicate.get("warnedTests") or []),
                        "fail": len(predicate.get("failedTests") or []),
                    },
                    "models": predicate.get("modelCounts"),
                }
    return out


def models(ledger: LogEntries) -> list[dict[str, Any]]:
    """Every model an audit evaluated: the latest audit that ran it, that audit's findings counts, and the
    latest gate decision on that audit — what a reviewer asks first about each model."""
    verdicts = _verdicts(ledger)
    latest_gate: dict[int, dict[str, Any]] = {}
    for seq, gate in sorted(ledger.rule.gates.items()):
        audit_seq = (gate.get("audit") or {}).get("seq")
        if audit_seq is not None:
            latest_gate[audit_seq] = {"seq": seq, "decision": gate.get("decision")}
    latest: dict[str, dict[str, Any]] = {}
    for entry in ledger.of("audits"):
        results = next((s for s in entry.statement.get("subject", []) if s.get("name") == "results.json"), {})
        byproducts = (entry.predicate.get("runDetails") or {}).get("byproducts") or []
        for resource in byproducts:
            name = str(resource.get("name", ""))
            if not name.startswith("model:"):
                continue
            annotations = resource.get("annotations") or {}
            latest[name.removeprefix("model:")] = {
                "name": name.removeprefix("model:"),
                "role": annotations.get("role"),
                "family": annotations.get("family"),
                "audit": entry.seq,
                "time": entry.recorded_at[:19],
                "verdicts": _model_verdicts(
                    verdicts.get((results.get("digest") or {}).get("sha256")), name.removeprefix("model:")
                ),
                "gate": latest_gate.get(entry.seq),
            }
    order = {"candidate": 0, "baseline": 1, "control": 2}
    return sorted(latest.values(), key=lambda m: (order.get(m["role"], 3), m["name"]))


def _model_verdicts(findings: dict[str, Any] | None, model: str) -> dict[str, Any] | None:
    """One model's verdict counts; an entry signed before per-model counts existed gives the audit's own,
    marked as such (never presented as the model's)."""
    if findings is None:
        return None
    if findings["models"] is None:
        return findings["audit"] | {"scope": "whole audit"}
    return {"pass": 0, "warn": 0, "fail": 0, "scope": None} | (findings["models"].get(model) or {})


def coverage(status: Any) -> list[dict[str, Any]]:
    """Per checklist: items satisfied of items in it (the overview's coverage tiles)."""
    out: dict[str, dict[str, Any]] = {}
    for item in status.items:
        tile = out.setdefault(item.checklist, {"checklist": item.checklist, "satisfied": 0, "total": 0})
        tile["total"] += 1
        tile["satisfied"] += item.ok
    return list(out.values())


def overview(ledger: LogEntries, checklist_status: Any) -> dict[str, Any]:
    audits = [
        {
            "seq": e.seq,
            "time": e.recorded_at[:19],
            "subjects": [s.get("name") for s in e.statement.get("subject", [])],
        }
        for e in ledger.of("audits")
    ]
    gates = [
        {
            "seq": seq,
            "decision": g.get("decision"),
            "audit": (g.get("audit") or {}).get("seq"),
            "counts": g.get("counts"),
        }
        for seq, g in sorted(ledger.rule.gates.items())
    ]
    return {
        "models": models(ledger),
        "coverage": coverage(checklist_status),
        "audits": audits[-10:][::-1],
        "gates": gates[-10:][::-1],
        "pending": [r for r in ledger.rule.requests.values() if r.state == "pending"],
        "incidents": [i for i in incidents(ledger).values() if not i.closed],
        "rollouts": [r.summary() for r in rollouts(ledger).values()],
        "entries": ledger.size,
        "rejected": len(ledger.rejected),
    }


def requests(ledger: LogEntries) -> list[Any]:
    return sorted(ledger.rule.requests.values(), key=lambda r: r.seq, reverse=True)


def all_incidents(ledger: LogEntries) -> list[Any]:
    return sorted(incidents(ledger).values(), key=lambda i: i.opened_seq, reverse=True)


def entries(ledger: LogEntries) -> list[dict[str, Any]]:
    verified = [
        {
            "seq": e.seq,
            "time": e.recorded_at[:19],
            "kind": statements.kind_of(e.predicate_type),
            "signers": len(e.signers),
            "ok": True,
        }
        for e in ledger.verified
    ]
    rejected = [
        {
            "seq": e.seq,
            "time": e.recorded_at[:19],
            "kind": statements.kind_of(e.predicate_type),
            "ok": False,
            "why": why,
        }
        for e, why in ledger.rejected
    ]
    return sorted(verified + rejected, key=lambda e: e["seq"], reverse=True)


def gates(ledger: LogEntries) -> list[dict[str, Any]]:
    return [
        {
            "seq": seq,
            "decision": g.get("decision"),
            "audit": (g.get("audit") or {}).get("seq"),
            "policy": (g.get("policy") or {}).get("name"),
            "checks": g.get("checks") or [],
        }
        for seq, g in sorted(ledger.rule.gates.items(), reverse=True)
    ]


def audit(ledger: LogEntries, entry: Any) -> dict[str, Any]:
    """An audit entry: its outputs by digest, what it ran, and the gate decisions that judged it."""
    predicate = entry.predicate
    build = predicate.get("buildDefinition") or {}
    return {
        "seq": entry.seq,
        "time": entry.recorded_at[:19],
        "subjects": [
            {"name": s.get("name"), "sha256": (s.get("digest") or {}).get("sha256")}
            for s in entry.statement.get("subject", [])
        ],
        "build_type": build.get("buildType"),
        "gates": [g for g in gates(ledger) if g["audit"] == entry.seq],
    }
