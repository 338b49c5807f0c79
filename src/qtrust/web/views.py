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


def overview(ledger: LogEntries) -> dict[str, Any]:
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
