"""Drift monitoring inside the server: recent traffic against the artefact's reference, one incident per
alarm, none while the traffic looks like the audit's."""

from __future__ import annotations

from qtrust.governance.records import incidents
from qtrust.serve.artefact import load
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard
from qtrust.serve.traffic_window import TrafficWindow
from qtrust.workflow.monitoring import DriftMonitor


def test_drift_opens_one_incident_per_subject_and_audit_like_traffic_none(deployed, setup):
    session, deployment, artefact_path, _ = deployed
    artefact = load(artefact_path)
    _, rows, _ = setup
    window = TrafficWindow(size=len(rows))  # each request below fills a fresh window
    guard = Guard(artefact, EngineBackend(artefact.quantum), window=window)
    monitor = DriftMonitor(
        session,
        artefact,
        window,
        interval_s=3600,
        min_rows=len(rows),
        links={"deployment": deployment, "audit": None},
    )
    try:
        assert monitor.check_now() is None  # an empty window is not judged
        guard.predict(rows)  # the audit's own test rows: nothing drifts
        calm = monitor.check_now()
        assert calm is not None
        assert calm.alarms == []
        assert calm.window["rows"] == len(rows)
        shifted = [{**row, "x1": row["x1"] * 1.3} for row in rows]
        guard.predict(shifted)
        first = monitor.check_now()
        assert monitor.check_now() is None  # the same window is not judged twice
        guard.predict(shifted)
        alarmed = monitor.check_now()  # the second fresh window in a row confirms the alarm
        guard.predict(shifted)
        again = monitor.check_now()
    finally:
        guard.close()
    assert first.alarms
    assert first.opened == []  # one window is not enough
    subjects = {(a.detector, a.subject) for a in alarmed.confirmed}
    assert ("ks", "x1") in subjects
    assert all(subject in ("x1", "angles", "probability", "accuracy") for _, subject in subjects)
    assert len(alarmed.opened) == len(alarmed.confirmed) > 1
    ids = [incident_id for incident_id, _ in alarmed.opened]
    assert len(set(ids)) == len(ids)  # several opened with one ledger read: each its own number
    assert again.opened == []  # the same subjects are not opened twice while their incidents are open
    with session.reading() as (_, ledger):
        opened = incidents(ledger)
        assert not ledger.rejected
    ks_incident = next(i for i in opened.values() if i.title == "drift: ks on x1")
    assert ks_incident.opened_by == "system:monitor"
    assert f"window of {len(rows)} rows" in ks_incident.description
