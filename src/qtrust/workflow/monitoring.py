"""Drift monitoring of a served model: compare recent traffic with the artefact's reference, and open an
incident for each alarm.

Why here: the detectors (:mod:`qtrust.monitor`) are pure statistics and the traffic window
(:mod:`qtrust.serve.traffic_window`) is the server's memory; joining them and writing incidents into the
evidence log is a recorded operation, shared by the loop inside ``qtrust serve`` and by ``qtrust monitor``.
Each alarm opens one incident (``system:monitor``) naming the detector, the feature or metric, the window
(rows and times) and the statistic; a subject already alarmed by this monitor is not opened again while
that incident is open.

Repeated looks: a monitor that tested an overlapping window every few seconds at α = 0.05 would raise false
alarms on perfectly healthy traffic within minutes (each look is another chance). The loop therefore judges
only *fresh* windows — each check waits until the window has been filled by rows it has not judged — and
opens an incident only when a detector fires on ``confirm`` consecutive fresh windows (default 2: a
per-window false-alarm rate α becomes about α² per subject).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from qtrust.errors import InputError
from qtrust.governance.records import incidents, open_automatic_incident
from qtrust.monitor.device_drift import calibration_noise, device_drift
from qtrust.monitor.result import DriftResult
from qtrust.monitor.window import CurrentWindow, ReferenceWindow, check_window
from qtrust.numbers import as_seed
from qtrust.serve.artefact import Artefact
from qtrust.serve.traffic_window import TrafficWindow, WindowSnapshot
from qtrust.workflow.periodic import Periodic
from qtrust.workflow.session import Session


def reference_window(artefact: Artefact) -> ReferenceWindow:
    """The artefact's reference as the detectors take it (marginals as columns: fine for per-feature tests)."""
    reference = artefact.reference
    if reference is None:
        raise InputError(
            "this artefact carries no monitoring reference",
            where="ARTEFACT",
            fix="package it again with this qtrust (`qtrust package`)",
        )
    columns = {}
    for name, column in reference["features"].items():
        if column["type"] == "number":
            columns[name] = column["values"]
        else:
            columns[name] = [value for value, count in column["counts"].items() for _ in range(count)]
    return ReferenceWindow(
        features=pd.DataFrame(columns),
        angles=np.asarray(reference["angles"], dtype=float),
        probabilities=np.asarray(reference["quantum_probabilities"], dtype=float),
        labels=np.asarray(reference["labels"], dtype=int),
        group_rates=reference.get("group_rates"),
    )


#: Fewest quantum answers in a window for the output and accuracy detectors to judge it: at a 1% canary a
#: window of 300 requests holds about 3, and an accuracy estimated from 3 rows alarms on noise alone.
MIN_PROBABILITIES = 100


def current_window(snapshot: WindowSnapshot) -> CurrentWindow:
    enough = len(snapshot.probabilities) >= MIN_PROBABILITIES
    return CurrentWindow(
        features=pd.DataFrame(snapshot.features),
        angles=snapshot.angles,
        probabilities=snapshot.probabilities if enough else None,
        shots=snapshot.shots,
        group_decisions=snapshot.group_decisions,
    )


def check_traffic(
    artefact: Artefact, current: CurrentWindow, *, alpha: float = 0.05, seed: int = 0
) -> list[DriftResult]:
    """Every detector on ``current`` against the artefact's reference (the output detectors only when the
    current window has served probabilities)."""
    seed = as_seed(seed, "seed")  # recorded with every alarm: it must read back exactly
    reference = reference_window(artefact)
    if current.probabilities is None:
        reference = dataclasses.replace(reference, probabilities=None, labels=None)
    return check_window(
        reference,
        current,
        features_schema=artefact.manifest["features"],
        alpha=alpha,
        seed=seed,
        decision_threshold=artefact.threshold,
    )


def device_drift_check(artefact: Artefact, noise: str) -> list[DriftResult]:
    """Re-score the reference rows and the fairness certificate under ``noise`` — ``CHANNEL:LEVEL`` or a
    device calibration snapshot ``device:NAME[/LAYOUT]`` (e.g. ``device:fake_manila/best``) — against the
    exact, noiseless model the artefact serves."""
    from qtrust.serve.select import placed_noise

    kind, _, level = noise.partition(":")
    if kind == "device":
        name, _, layout = level.partition("/")
        new = calibration_noise(artefact.quantum, name, layout or "best")
    else:
        try:
            new = placed_noise(kind, float(level), artefact.manifest.get("noise"))
        except ValueError:
            raise InputError(
                f"{noise!r} is not CHANNEL:LEVEL or device:NAME[/LAYOUT]",
                where="--noise",
                fix="e.g. depolarizing:0.03 or device:fake_manila/best",
            ) from None
    reference = reference_window(artefact)
    return device_drift(
        artefact.quantum,
        reference.angles,
        reference.labels,
        audited_noise=None,
        new_noise=new,
        new_label=new.label or noise,
        threshold=artefact.threshold,
    )


def _title(result: DriftResult) -> str:
    return f"drift: {result.detector} on {result.subject}"


@dataclass
class MonitorRun:
    window: dict[str, Any]
    results: list[DriftResult]
    confirmed: list[DriftResult] = field(default_factory=list)  # fired on enough consecutive windows
    opened: list[tuple[str, DriftResult]] = field(default_factory=list)  # (incident id, alarm)

    @property
    def alarms(self) -> list[DriftResult]:
        return [r for r in self.results if r.drifted]


def record_alarms(
    session: Session, results: Sequence[DriftResult], window: Mapping[str, Any], links: Mapping[str, Any]
) -> list[tuple[str, DriftResult]]:
    """Open one incident per alarm whose subject has no open monitor incident yet."""
    alarms = [r for r in results if r.drifted]
    if not alarms:
        return []
    opened = []
    with session.writing() as (log, ledger):
        open_titles = {
            i.title for i in incidents(ledger).values() if not i.closed and i.opened_by == "system:monitor"
        }
        for alarm in alarms:
            if _title(alarm) in open_titles:
                continue
            p = f", p = {alarm.p_value:.3g}" if alarm.p_value is not None else ""
            description = (
                f"{alarm.method} Statistic {alarm.statistic:.4g}{p} against {alarm.threshold:g}; window of "
                f"{window.get('rows')} rows from {window.get('first')} to {window.get('last')} against "
                f"{alarm.reference_n} reference rows."
            )
            incident_id, _ = open_automatic_incident(
                log,
                ledger,
                source="monitor",
                title=_title(alarm),
                severity="medium",
                affected_runs=[links["audit"]] if links.get("audit") is not None else [],
                description=description,
                links=dict(links) | {"drift": alarm.to_dict()},
            )
            open_titles.add(_title(alarm))
            opened.append((incident_id, alarm))
    return opened


class DriftMonitor(Periodic):
    """The loop inside ``qtrust serve``: every ``interval_s``, check the window once it holds ``min_rows``."""

    def __init__(
        self,
        session: Session,
        artefact: Artefact,
        window: TrafficWindow,
        *,
        interval_s: float,
        min_rows: int,
        links: Mapping[str, Any],
        on_run: Callable[[MonitorRun], None] = lambda run: None,
        on_error: Callable[[Exception], None] = lambda error: None,
        record: bool = True,
        confirm: int = 2,
        fresh: int | None = None,
    ) -> None:
        reference_window(artefact)  # refuse at start-up, not in the loop
        super().__init__("qtrust-monitor", interval_s, on_error)
        self.session, self.artefact, self.window = session, artefact, window
        self.min_rows, self.links = min_rows, dict(links)
        self._on_run, self.record = on_run, record
        self.confirm = confirm
        self.fresh = fresh if fresh is not None else window.size  # rows between checks: no overlap
        self._checked_at = 0  # window.added at the last check
        self._streak: dict[tuple[str, str], int] = {}
        self.runs = 0

    def check_now(self) -> MonitorRun | None:
        """Judge the window if it holds enough rows not judged before; None otherwise."""
        added = self.window.added
        fresh = min(self.fresh, self.window.size)
        if added - self._checked_at < fresh:
            return None
        snapshot = self.window.snapshot()
        if snapshot is None or len(snapshot.features) < self.min_rows:
            return None
        self._checked_at = added
        self.runs += 1
        results = check_traffic(self.artefact, current_window(snapshot), seed=self.runs)
        for result in results:
            key = (result.detector, result.subject)
            self._streak[key] = self._streak.get(key, 0) + 1 if result.drifted else 0
        confirmed = [
            r for r in results if r.drifted and self._streak[(r.detector, r.subject)] >= self.confirm
        ]
        window = {"rows": len(snapshot.features), "first": snapshot.first, "last": snapshot.last}
        opened = record_alarms(self.session, confirmed, window, self.links) if self.record else []
        return MonitorRun(window, results, confirmed, opened)

    def tick(self) -> None:
        run = self.check_now()
        if run is not None:
            self._on_run(run)
