"""The risk register, impact assessments and incidents: structured records, signed by who wrote them.

Each record is an evidence entry signed by a person on the roster, and counts only if it verifies against
the roster at that point (:mod:`qtrust.governance.rules`); lists are read from the verified ledger, never
from the store's ``kind`` column. A risk or an impact assessment is written as YAML and recorded whole;
recording the same id again is a new version (the log keeps every one). An incident is opened, updated and
closed by separate entries, which together are its timeline. Links are checked when a record is made:
checklist items must exist, affected runs must be verified audit entries, so a record never points at
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qtrust.crypto.register import DataAsset
from qtrust.encoding import canonical_json, sha256_hex
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.entries import LogEntries
from qtrust.governance.signing import sign_checked
from qtrust.identifiers import RecordId
from qtrust.yamlfile import read_yaml_mapping, validate

Level = Literal["low", "medium", "high"]
Severity = Literal["low", "medium", "high", "critical"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: RecordId
    title: str
    who_benefits: list[str] = Field(min_length=1)
    who_may_be_harmed: list[str] = Field(min_length=1)
    mitigations: list[str] = Field(min_length=1)
    residual_risk: Level
    review_date: dt.date
    checklist_items: list[str] = Field(
        default_factory=list, description="ids of the checklist items it informs"
    )


class Risk(_Record):
    """One entry of the risk register."""

    description: str = ""
    likelihood: Level
    severity: Level


class ImpactAssessment(_Record):
    """An impact assessment of the system (or of one use of it)."""

    system: str
    intended_purpose: str
    affected_groups: list[str] = Field(min_length=1)
    fundamental_rights: list[str] = Field(default_factory=list)
    decision: Literal["proceed", "proceed_with_conditions", "do_not_proceed"]


KINDS: dict[str, tuple[type[_Record] | type[DataAsset], str]] = {
    "risk": (Risk, statements.RISK_V1),
    "impact": (ImpactAssessment, statements.IMPACT_ASSESSMENT_V1),
    "data-asset": (DataAsset, statements.DATA_ASSET_V1),  # the quantum-safe readiness register
}


def load_record(kind: str, path: Path) -> _Record:
    model, _ = KINDS[kind]
    fix = f"fields of a {kind}: {', '.join(model.model_fields)}"
    return validate(
        model, read_yaml_mapping(path, what=f"{kind} file", flag="FILE", fix=fix), str(path), fix=fix
    )


def _check_items(item_ids: list[str], checklist_ids: set[str] | None) -> None:
    if checklist_ids is None:
        return
    unknown = [i for i in item_ids if i not in checklist_ids]
    if unknown:
        raise InputError(
            f"unknown checklist item(s) {unknown}",
            where="checklist_items",
            fix="use the ids `qtrust checklist list` prints",
        )


def record(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    kind: str,
    item: _Record | DataAsset,
    checklist_ids: set[str] | None = None,
) -> Recorded:
    _check_items(item.checklist_items, checklist_ids)
    _, predicate_type = KINDS[kind]
    content = item.model_dump(mode="json")
    return sign_checked(
        log,
        ledger,
        person_id,
        key,
        statements.statement(
            [statements.resource(f"{kind}:{item.id}", sha256_hex(canonical_json(content)))],
            predicate_type,
            {kind: content, "recorded_by": person_id},
        ),
        where=f"{kind} record",
    )


def latest_records(ledger: LogEntries, kind: str) -> dict[str, tuple[Any, int, str]]:
    """Each record id → (its latest verified version, entry, who recorded it)."""
    model, predicate_type = KINDS[kind]
    out: dict[str, tuple[Any, int, str]] = {}
    for entry in ledger.of(predicate_type):
        try:
            item = model.model_validate(entry.predicate[kind])
        except (KeyError, ValueError):
            continue  # signed but malformed: it records nothing
        out[item.id] = (item, entry.seq, entry.predicate.get("recorded_by", ""))
    return out


# --- incidents ---------------------------------------------------------------------------------------------


@dataclass
class Incident:
    id: str
    title: str
    severity: str
    opened_by: str
    opened_seq: int
    affected_runs: list[int]
    description: str
    timeline: list[dict[str, Any]] = field(default_factory=list)  # every event, in log order
    closed: bool = False
    rollback: str | None = None
    resolution: str | None = None


def incidents(ledger: LogEntries) -> dict[str, Incident]:
    """Every incident with its timeline, rebuilt from the verified entries."""
    out: dict[str, Incident] = {}
    for entry in ledger.of(statements.INCIDENT_V1):
        p = entry.predicate
        event = {
            "seq": entry.seq,
            "time": entry.recorded_at,
            "event": p["event"],
            "by": p["by"],
            "note": p.get("note", ""),
        }
        if p["event"] == "open":
            out[p["id"]] = Incident(
                p["id"],
                p["title"],
                p["severity"],
                p["by"],
                entry.seq,
                p["affected_runs"],
                p.get("description", ""),
            )
        incident = out.get(p["id"])
        if incident is None:
            continue
        incident.timeline.append(event)
        if p["event"] == "close":
            incident.closed, incident.rollback, incident.resolution = (
                True,
                p.get("rollback"),
                p.get("resolution"),
            )
    return out


def _incident_statement(incident_id: str, predicate: dict[str, Any]) -> dict[str, Any]:
    return statements.statement(
        [statements.resource(f"incident:{incident_id}", sha256_hex(incident_id.encode()))],
        statements.INCIDENT_V1,
        {"id": incident_id, **predicate},
    )


def open_incident(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    *,
    title: str,
    severity: Severity,
    affected_runs: list[int],
    description: str = "",
) -> tuple[str, Recorded]:
    if not title.strip():
        raise InputError("an incident needs a title", where="--title", fix="say what happened in a few words")
    if severity not in Severity.__args__:
        raise InputError(
            f"unknown severity {severity!r}", where="--severity", fix=f"one of {', '.join(Severity.__args__)}"
        )
    for seq in affected_runs:
        entry = ledger.entry(seq)
        if entry is None or entry.predicate_type != statements.SLSA_PROVENANCE_V1:
            raise InputError(
                f"entry {seq} is not a verified audit run",
                where="--run",
                fix="list runs with `qtrust log list --kind audit`",
            )
    incident_id = f"INC-{ledger.rule.incidents_opened + 1:04d}"  # counts one just opened with this ledger
    recorded = sign_checked(
        log,
        ledger,
        person_id,
        key,
        _incident_statement(
            incident_id,
            {
                "event": "open",
                "title": title,
                "severity": severity,
                "affected_runs": affected_runs,
                "description": description,
                "by": person_id,
            },
        ),
        where="incident open",
    )
    return incident_id, recorded


def open_automatic_incident(
    log: EvidenceLog,
    ledger: LogEntries,
    *,
    source: str,
    title: str,
    severity: Severity,
    affected_runs: list[int],
    description: str,
    links: dict[str, Any],
) -> tuple[str, Recorded]:
    """An incident qtrust opens itself (a rollout rolled back, a drift alarm): signed by the log key, its
    actor ``system:<source>``; people update and close it as any other."""
    incident_id = f"INC-{ledger.rule.incidents_opened + 1:04d}"  # counts one just opened with this ledger
    doc = _incident_statement(
        incident_id,
        {
            "event": "open",
            "title": title,
            "severity": severity,
            "affected_runs": affected_runs,
            "description": description,
            "links": links,
            "by": f"{statements.SYSTEM_ACTOR}{source}",
        },
    )
    problem, learn = ledger.rule.judge(log.size(), doc, frozenset(ledger.rule.log_keys))  # log.append signs
    if problem:
        raise InputError(
            problem, where="automatic incident", fix="open it by hand with `qtrust incident open`"
        )
    recorded = log.append(doc)
    learn()
    return incident_id, recorded


def _open(ledger: LogEntries, incident_id: str) -> Incident:
    known = incidents(ledger)
    if incident_id not in known:
        raise InputError(
            f"no incident {incident_id!r}",
            where="ID",
            fix=f"known: {', '.join(known) or 'none'} (`qtrust incident list`)",
        )
    if known[incident_id].closed:
        raise InputError(f"incident {incident_id} is already closed", where="ID", fix="open a new incident")
    return known[incident_id]


def update_incident(
    log: EvidenceLog, ledger: LogEntries, person_id: str, key: SigningKey, incident_id: str, note: str
) -> Recorded:
    _open(ledger, incident_id)
    if not note.strip():
        raise InputError("an update needs a note", where="--note", fix="say what changed")
    return sign_checked(
        log,
        ledger,
        person_id,
        key,
        _incident_statement(incident_id, {"event": "update", "note": note, "by": person_id}),
        where="incident update",
    )


def close_incident(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    incident_id: str,
    *,
    rollback: str,
    resolution: str,
) -> Recorded:
    _open(ledger, incident_id)
    if not rollback.strip() or not resolution.strip():
        raise InputError(
            "closing an incident needs the rollback taken and the resolution",
            where="--rollback / --resolution",
            fix='say what was rolled back (or "none") and how it was resolved',
        )
    return sign_checked(
        log,
        ledger,
        person_id,
        key,
        _incident_statement(
            incident_id, {"event": "close", "rollback": rollback, "resolution": resolution, "by": person_id}
        ),
        where="incident close",
    )
