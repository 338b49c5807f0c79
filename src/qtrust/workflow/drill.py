"""Incident drills: replay traffic through a real server, inject one quantum-specific failure, and measure
how fast the guard, the rollout controller and the drift monitor notice and act.

A drill runs the whole run-time stack in one process, on 127.0.0.1: the guard behind the FastAPI app on
uvicorn, a rollout started for the drill under the given plan (cohorts by flag), the rollout controller and
the drift monitor on their intervals, and a client that sends one request per traffic row (its targeting
key and group) and then the row's true label as feedback. After ``healthy`` requests the failure is
injected; the drill ends at the automatic rollback, or when the traffic runs out.

Scenarios (:data:`SCENARIOS`): ``none`` (healthy traffic only: the rollout is promoted step by step as its
plan allows — a rehearsal of the rollout itself), ``outage`` (every backend call fails), ``noise`` (the backend's noise rises to
depolarizing 3e-2), ``shot-budget`` (the shot budget is cut to the first draw: near-threshold rows can only
defer), ``input-drift`` (a numeric feature of the traffic scaled by 1.5), ``fairness`` (half of one group's
favourable quantum decisions turned down) and ``stale-calibration`` (the device's noise moves to
depolarizing 3e-2 while the configured calibration says otherwise; the device-drift check re-scores the
reference rows and the certificate).

The report — requests and seconds from the injection to the first incident and to the rollback, requests
answered by each model before and after, the incidents opened, and the request at which a fixed-threshold
canary (Argo-style: a failed measurement per interval beyond an SLO, abort after more than 3) would have
rolled back on the same traffic — is recorded as a signed ``drill/v1`` entry.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from qtrust.encoding import sha256_hex
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.governance.signing import sign_checked
from qtrust.numbers import as_seed
from qtrust.quantum.noise import NoiseModel
from qtrust.rollout.flags import FlagRouter, RolloutProvider
from qtrust.rollout.step_stats import step_stats
from qtrust.serve.artefact import Artefact
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Answer, Guard, GuardSettings
from qtrust.serve.http import create_app
from qtrust.serve.prediction_log import PredictionLog
from qtrust.serve.traffic_window import TrafficWindow
from qtrust.workflow.deploy import record_deployment
from qtrust.workflow.loopback import served
from qtrust.workflow.monitoring import DriftMonitor, device_drift_check, record_alarms
from qtrust.workflow.rollout import Evaluation, rollback_rollout, rollout_state, start_rollout
from qtrust.workflow.rollout_controller import RolloutController
from qtrust.workflow.session import Session

SCENARIOS = ("none", "outage", "noise", "shot-budget", "input-drift", "fairness", "stale-calibration")
DRIFT_NOISE = "depolarizing:0.03"
FIXED_INTERVAL = 50  # quantum-cohort rows per measurement of the fixed-threshold comparison


@dataclass(frozen=True)
class TrafficRow:
    features: dict[str, Any]
    label: int
    group: str | None


class _Faulty(EngineBackend):
    """The engine, with a switch for the drill's backend failures."""

    def __init__(self, model: Any) -> None:
        super().__init__(model, name="qtrust-engine (drill)")
        self.fault: str | None = None
        self.noisy = NoiseModel.single("depolarizing", 0.03)

    def probabilities(self, sent):
        if self.fault == "outage":
            raise ConnectionError("drill: backend outage")
        if self.fault in ("noise", "stale-calibration"):
            return self.model.probabilities(np.asarray(sent.payload["angles"], dtype=float), self.noisy)
        return super().probabilities(sent)

    def counts(self, sent, shots: int, seed: int):
        if self.fault == "outage":
            raise ConnectionError("drill: backend outage")
        return super().counts(sent, shots, seed) if self.fault is None else _binomial(self, sent, shots, seed)


def _binomial(backend: _Faulty, sent: Any, shots: int, seed: int) -> np.ndarray:
    p = backend.probabilities(sent)
    return np.random.default_rng(seed).binomial(shots, p)


class _DrillGuard(Guard):
    """The guard, able to turn down half of one group's favourable quantum decisions (a fairness
    regression) — before the answers are seen by the monitor and the log, as a model's own would be."""

    unfair_group: str | None = None
    unfair_rng: np.random.Generator | None = None  # set with the group when the fault is injected

    def _seen(self, rows, angles, answers: list[Answer]) -> list[Answer]:
        if self.unfair_group is not None and self.unfair_rng is not None:
            answers = [
                dataclasses.replace(a, decision=0, probability=min(a.probability, 1 - a.probability))
                if a.answered_by == "quantum"
                and a.group == self.unfair_group
                and a.decision == 1
                and self.unfair_rng.random() < 0.5
                else a
                for a in answers
            ]
        return super()._seen(rows, angles, answers)


@dataclass
class DrillReport:
    scenario: str
    rollout: str
    deployment: int
    requests: int
    injected_at: int  # the request number the failure was injected before
    answered: dict[str, dict[str, int]] = field(default_factory=dict)  # before / after → model → rows
    first_incident: dict[str, Any] | None = None  # requests and seconds after injection
    rollback: dict[str, Any] | None = None
    incidents: list[str] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)  # every recorded step decision, in order
    errors: list[str] = field(
        default_factory=list
    )  # evaluations or drift checks that failed (the service went on)
    quantum_rows_after: int = 0  # quantum-cohort rows served after the injection
    fixed_threshold_rollback_after: int | None = None  # quantum-cohort rows; None: not within those served
    seed: int = 0
    recorded: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _fixed_threshold(
    rows: Sequence[Mapping[str, Any]], plan: Any, threshold: float, per_interval: int
) -> int | None:
    """Quantum-cohort rows until an Argo-style analysis aborts: each interval's point estimates against the
    SLOs, abort after more than 3 failed measurements."""
    quantum = [r for r in rows if r["answered_by"] != "classical"]
    failures = 0
    for end in range(per_interval, len(quantum) + 1, per_interval):
        s = step_stats(
            quantum[end - per_interval : end], threshold=threshold, slow_ms=plan.slos.p99_latency_ms
        )
        slos, rate = plan.slos, (lambda k, n: k / n if n else 0.0)
        positive = [rate(c.positives, c.rows) for c in s.groups.values() if c.rows]
        failed = (
            rate(s.errors, s.rows) > slos.error_rate
            or rate(s.fallbacks, s.rows) > slos.fallback_rate
            or rate(s.classical_minus_quantum_correct, s.labelled) > slos.accuracy_drop
            or (len(positive) > 1 and max(positive) - min(positive) > slos.demographic_parity_gap)
            or (s.quantum_answered and rate(s.agreeing, s.quantum_answered) < slos.min_agreement)
        )
        failures += bool(failed)
        if failures > 3:
            return end
    return None


def run_drill(
    session: Session,
    person_id: str,
    artefact: Artefact,
    scenario: str,
    plan_file: Path,
    traffic: Sequence[TrafficRow],
    *,
    healthy: int,
    seed: int = 0,
    interval_s: float = 1.0,
    monitor_rows: int = 300,
    shots: int | None = None,
) -> DrillReport:
    """Run one drill (see the module docstring) and record it. The rollout it starts ends rolled back,
    complete (a ``none`` rehearsal that reached 100%), or is rolled back by the drill at the end: the
    workspace has no running rollout afterwards."""
    if scenario not in SCENARIOS:
        raise InputError(
            f"unknown scenario {scenario!r}", where="SCENARIO", fix=f"one of: {', '.join(SCENARIOS)}"
        )
    seed = as_seed(seed, "--seed")  # recorded with the drill: it must read back exactly
    if scenario == "none":
        healthy = len(traffic)
    elif not 0 < healthy < len(traffic):
        raise InputError(
            f"{healthy} healthy requests of {len(traffic)}",
            where="--healthy",
            fix="fewer than the traffic rows",
        )
    if scenario == "shot-budget":
        shots = shots or 1_000
    settings = GuardSettings(shots=shots, shot_budget=8 * shots if shots else 8_000)
    deployed = record_deployment(session, artefact, {"drill": scenario, "host": "127.0.0.1", "shots": shots})
    state = start_rollout(session, person_id, plan_file, deployed.recorded.seq)
    rollout_id = state.rollout_id
    log = PredictionLog(store=session.workspace.store_url, home=session.workspace.home)
    backend = _Faulty(artefact.quantum)
    window = TrafficWindow(size=monitor_rows)
    guard = _DrillGuard(artefact, backend, settings, window=window)
    report = DrillReport(scenario, rollout_id, deployed.recorded.seq, len(traffic), healthy, seed=seed)
    events: list[tuple[str, float, Any]] = []
    counter = {"sent": 0}
    injected = {"time": None}

    def on_evaluation(evaluation: Evaluation) -> None:
        if evaluation.recorded is not None:
            report.decisions.append(
                {
                    "entry": evaluation.recorded,
                    "outcome": evaluation.verdict.decision,
                    "now_at": evaluation.state.percent,
                    "status": evaluation.state.status,
                    "requests": counter["sent"],
                }
            )
        if evaluation.incident:
            events.append(("rollback", time.perf_counter(), evaluation))

    def on_run(run: Any) -> None:
        for incident_id, alarm in run.opened:
            events.append(("incident", time.perf_counter(), (incident_id, alarm)))

    def on_error(error: Exception) -> None:
        report.errors.append(f"{type(error).__name__}: {error}")

    controller = RolloutController(
        session,
        rollout_id,
        log,
        threshold=artefact.threshold,
        on_evaluation=on_evaluation,
        on_error=on_error,
        interval_s=interval_s,
    )
    links = {"deployment": deployed.recorded.seq, "audit": deployed.audit_entry, "drill": scenario}
    monitor = DriftMonitor(
        session,
        artefact,
        window,
        interval_s=interval_s,
        min_rows=min(200, monitor_rows),
        links=links,
        on_run=on_run,
        on_error=on_error,
    )
    router = FlagRouter(RolloutProvider(controller.flag), label=controller.label)
    answered = {
        "before": {"quantum": 0, "fallback": 0, "classical": 0},
        "after": {"quantum": 0, "fallback": 0, "classical": 0},
    }
    app = create_app(guard, log=log, router=router)
    try:
        with (
            served(app, "qtrust-drill-server") as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            controller.start()
            monitor.start()
            for i, row in enumerate(traffic):
                if i == healthy and scenario != "none":
                    injected["time"] = time.perf_counter()
                    _inject(scenario, backend, guard, session, artefact, links, events)
                if any(kind == "rollback" for kind, _, _ in events):
                    break
                features = dict(row.features)
                if scenario == "input-drift" and i >= healthy:
                    features = _drifted(features, artefact)
                if row.group is not None:
                    features[artefact.manifest["group"]["name"]] = row.group
                body = {"rows": [features], "seed": seed + i, "context": {"targeting_key": f"drill-user-{i}"}}
                reply = client.post("/v1/predict", json=body)
                if reply.status_code != 200:
                    raise InputError(
                        f"the drill's request {i} was refused: {reply.json()}",
                        where="--traffic",
                        fix="use traffic with the artefact's feature columns",
                    )
                answer = reply.json()
                answered["before" if i < healthy else "after"][answer["predictions"][0]["answered_by"]] += 1
                client.post(
                    "/v1/feedback",
                    json={"labels": [{"request_id": answer["request_id"], "row": 0, "label": row.label}]},
                )
                counter["sent"] = i + 1
                events.append(("request", time.perf_counter(), i))
            # give the controller and the monitor one more interval to act on the last requests
            time.sleep(interval_s * 1.5)
    finally:
        monitor.stop()
        controller.stop()
        guard.close()
        router.close()
    report.answered = answered
    requests_at = [(t, i) for kind, t, i in events if kind == "request"]

    def after_injection(moment: float) -> dict[str, Any]:
        sent = sum(1 for t, i in requests_at if i >= healthy and t <= moment)
        return {"requests": sent, "seconds": round(moment - (injected["time"] or moment), 3)}

    for kind, moment, payload in events:
        if kind == "incident":
            report.incidents.append(payload[0])
            if report.first_incident is None and injected["time"] is not None and moment >= injected["time"]:
                report.first_incident = after_injection(moment) | {
                    "incident": payload[0],
                    "alarm": f"{payload[1].detector} on {payload[1].subject}",
                }
        if kind == "rollback":
            evaluation = payload
            report.incidents.append(evaluation.incident)
            report.rollback = after_injection(moment) | {
                "entry": evaluation.recorded,
                "reasons": evaluation.verdict.reasons,
            }
            if report.first_incident is None:
                report.first_incident = after_injection(moment) | {
                    "incident": evaluation.incident,
                    "alarm": "rollout SLO",
                }
    log.flush()
    rows = log.read(rollout_id=rollout_id, since="2000-01-01T00:00:00+00:00")  # one row per request, in order
    fixed = _fixed_threshold(
        rows[healthy:], controller.state.plan, artefact.threshold, per_interval=FIXED_INTERVAL
    )
    report.quantum_rows_after = sum(r["answered_by"] != "classical" for r in rows[healthy:])
    report.fixed_threshold_rollback_after = fixed
    log.close()
    if rollout_state(session, rollout_id).status in (
        "running",
        "awaiting-approval",
        "paused",
    ):  # none left running
        rollback_rollout(session, person_id, rollout_id, f"drill {scenario} ended")
    report.recorded = _record(session, person_id, report)
    return report


def _drifted(features: dict[str, Any], artefact: Artefact) -> dict[str, Any]:
    """The first numeric feature scaled by 1.5, kept inside the range the guard accepts."""
    for item in artefact.manifest["features"]:
        if item["type"] == "number":
            span = item["max"] - item["min"]
            value = features[item["name"]] * 1.5
            features[item["name"]] = min(max(value, item["min"] - span), item["max"] + span)
            break
    return features


def _inject(
    scenario: str,
    backend: _Faulty,
    guard: _DrillGuard,
    session: Session,
    artefact: Artefact,
    links: dict,
    events: list,
) -> None:
    if scenario in ("outage", "noise"):
        backend.fault = scenario
    elif scenario == "shot-budget":
        shots = guard.settings.shots or 1_000
        guard.settings = dataclasses.replace(guard.settings, shots=shots // 10, shot_budget=shots // 10)
    elif scenario == "fairness":
        groups = (artefact.manifest.get("group") or {}).get("values") or []
        guard.unfair_rng = np.random.default_rng(len(groups))
        guard.unfair_group = groups[0] if groups else None
    elif scenario == "stale-calibration":
        backend.fault = scenario
        results = device_drift_check(artefact, DRIFT_NOISE)
        window = {"rows": (artefact.reference or {}).get("rows"), "first": "calibration", "last": DRIFT_NOISE}
        for incident_id, alarm in record_alarms(session, results, window, links):
            events.append(("incident", time.perf_counter(), (incident_id, alarm)))


def _record(session: Session, person_id: str, report: DrillReport) -> int:
    with session.acting_as(person_id) as (log, ledger, key):
        doc = statements.statement(
            [statements.resource(f"drill:{report.rollout}", sha256_hex(report.rollout.encode()))],
            statements.DRILL_V1,
            {"by": person_id, **report.to_dict()},
        )
        return sign_checked(log, ledger, person_id, key, doc, where="drill").seq
