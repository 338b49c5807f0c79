"""Incidents as operations any shell can call: open, update, close, list with their timelines.

Why here and not in the CLI: an on-call tool that opens an incident from an alert must link only verified
audit runs, number it as ``qtrust incident open`` would, and have it signed by the person on call. The rules
live in :mod:`qtrust.governance.records`; this module opens the log for the acting person and reports the
entry each event became.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qtrust.governance import records as register
from qtrust.governance.records import Incident, Severity
from qtrust.workflow.session import Session


@dataclass(frozen=True)
class IncidentEvent:
    """One event of an incident's timeline (open, update or close) and the entry it was recorded as."""

    incident_id: str
    event: str
    seq: int
    signed_by: str


def open_incident(
    session: Session,
    person_id: str,
    *,
    title: str,
    severity: Severity,
    affected_runs: Sequence[int] = (),
    description: str = "",
) -> IncidentEvent:
    """Open an incident signed by ``person_id``; affected runs must be verified audit entries."""
    with session.acting_as(person_id) as (log, ledger, key):
        incident_id, recorded = register.open_incident(
            log,
            ledger,
            person_id,
            key,
            title=title,
            severity=severity,
            affected_runs=list(affected_runs),
            description=description,
        )
    return IncidentEvent(incident_id, "open", recorded.seq, person_id)


def update_incident(session: Session, person_id: str, incident_id: str, note: str) -> IncidentEvent:
    """Add ``note`` to an open incident's timeline."""
    with session.acting_as(person_id) as (log, ledger, key):
        recorded = register.update_incident(log, ledger, person_id, key, incident_id, note)
    return IncidentEvent(incident_id, "update", recorded.seq, person_id)


def close_incident(
    session: Session, person_id: str, incident_id: str, *, rollback: str, resolution: str
) -> IncidentEvent:
    """Close an open incident with the rollback taken (``"none"`` if nothing) and the resolution."""
    with session.acting_as(person_id) as (log, ledger, key):
        recorded = register.close_incident(
            log, ledger, person_id, key, incident_id, rollback=rollback, resolution=resolution
        )
    return IncidentEvent(incident_id, "close", recorded.seq, person_id)


def incidents(session: Session) -> dict[str, Incident]:
    """Every incident, id → its state and timeline, rebuilt from entries that verify."""
    with session.reading() as (_, ledger):
        return register.incidents(ledger)
