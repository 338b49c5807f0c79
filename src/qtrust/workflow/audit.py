"""Run an audit and record it: the operation behind `qtrust audit`, callable from any shell.

The order is the guarantee. Every check of the user's input comes first — the output folder, the config,
the supplied models, the data — so a refusal leaves nothing behind: no output folder, and no keys or log in
the evidence home. Then the evidence log is opened (a wrong passphrase or an unreachable store fails in a
second, before minutes of simulation), the plan is resolved and checked against the config, the audit runs,
its files are written atomically, and its provenance and findings are appended with a receipt beside them.

First use: with no evidence log yet and no log passphrase available, the audit still runs and writes its
outputs; the outcome says it was not recorded and how to start recording. Where a log exists, recording is
the rule: a log that cannot be written stops the run before any work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from qtrust.assess.progress import Progress
from qtrust.audit.byo import without_configured_models
from qtrust.audit.outputs import add_to_manifest, check_target
from qtrust.audit.preflight import check_inputs
from qtrust.audit.runner import AuditRun, run_audit, write_audit
from qtrust.audit.supplied import Supplied
from qtrust.config import AuditConfig, load_config, with_overrides
from qtrust.config.schema import DeviceSpec
from qtrust.encoding import b64encode
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.audit_record import audit_statements
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.evidence.plans import resolve_plan
from qtrust.files import write_file_atomically
from qtrust.governance.docs import governance_status, snapshot
from qtrust.parallel import SERIAL
from qtrust.policy.plan import EvaluationPlan, check_config_covers
from qtrust.results.schema import GovernanceStatus, PlanReference
from qtrust.workflow.session import Session

RECEIPT = "evidence.json"


@dataclass(frozen=True)
class DataOptions:
    """A CSV to audit instead of the configured data (`--data`, `--label`, ...)."""

    path: Path | None = None
    label: str | None = None
    sensitive: str | None = None
    positive: str | None = None
    sensitive_threshold: float | None = None


def with_devices(config: AuditConfig, specs: Sequence[str]) -> AuditConfig:
    """``config`` with device calibrations ``NAME[:best|worst|0,1,2]`` added to its noise sweep."""
    if not specs:
        return config
    devices = list(config.noise.devices)
    for spec in specs:
        name, _, layout_text = spec.partition(":")
        layout: object = layout_text or "best"
        if layout_text and layout_text not in ("best", "worst"):
            try:
                layout = tuple(int(q) for q in layout_text.split(","))
            except ValueError:
                raise InputError(
                    f"--device {spec!r}: the layout {layout_text!r} is not best, worst or a list of qubits",
                    where="--device",
                    fix="write e.g. fake_manila:best, fake_manila:worst or fake_manila:0,1,2",
                ) from None
        devices.append(DeviceSpec(name=name, layout=layout))
    return config.model_copy(update={"noise": config.noise.model_copy(update={"devices": tuple(devices)})})


def compose_config(
    path: Path | None = None,
    *,
    data: DataOptions = DataOptions(),
    devices: Sequence[str] = (),
    seed: int | None = None,
    quick: bool = False,
    configured_models: bool = True,
) -> AuditConfig:
    """The audit config a user asked for: a YAML file (or the built-in default) with their overrides.

    ``configured_models=False`` drops the config's own quantum models (supplied models are the candidates).
    """
    config = load_config(path) if path is not None else AuditConfig()
    config = with_devices(config, devices)
    if not configured_models:
        config = without_configured_models(config)
    overrides: dict[str, object] = {}
    if data.path is not None:
        missing = [
            flag
            for flag, value in (("--label", data.label), ("--sensitive", data.sensitive))
            if value is None
        ]
        if missing:
            raise InputError(
                f"--data needs {' and '.join(missing)}",
                where="command line",
                fix="name the label and sensitive columns",
            )
        overrides["data"] = {
            "source": "csv",
            "path": str(data.path),
            "label": data.label,
            "sensitive": data.sensitive,
            "positive": data.positive,
            "sensitive_threshold": data.sensitive_threshold,
        }
    elif data.label or data.sensitive or data.positive:
        raise InputError(
            "--label/--sensitive/--positive need --data", where="command line", fix="add --data FILE"
        )
    if seed is not None:
        overrides["seed"] = seed
    if overrides:
        config = with_overrides(config, overrides, "command line")
    return config.quick() if quick else config


RecordingStatus = Literal["recorded", "not-requested", "no-log"]


@dataclass
class Recording:
    """Whether and where the audit was recorded."""

    status: RecordingStatus
    location: str | None = None
    entries: list[Recorded] = field(default_factory=list)
    receipt: Path | None = None
    created_log: bool = False  # this run created the keys and started the log
    keys_path: Path | None = None


@dataclass
class AuditOutcome:
    run: AuditRun
    target: Path
    digests: dict[str, str]
    recording: Recording


@dataclass
class _Evidence:
    log: EvidenceLog | None
    plan: PlanReference | None
    governance: GovernanceStatus | None
    recording: Recording


def _open_evidence(session: Session, config: AuditConfig, *, record: bool, plan: str | None) -> _Evidence:
    """Open (or start) the log before the audit runs, resolve the plan and read the governance status."""
    if not record and plan is None:
        return _Evidence(None, None, None, Recording("not-requested"))
    ws = session.workspace
    created = False
    if record and not ws.keys.exists():
        first = session.log_passphrase(True)
        if not first:  # first use without a passphrase: audit, do not record, say how to start
            if plan is not None:
                raise InputError(
                    f"--plan {plan}: there is no evidence log to find the plan in",
                    where="--plan",
                    fix="start the log (`qtrust keys init`) and register the plan (`qtrust plan register`)",
                )
            return _Evidence(None, None, None, Recording("no-log", keys_path=ws.keys.path))
        log, created = ws.init_or_open(first)
    elif record:
        log = ws.open_log(session.log_key_passphrase())
    else:
        log = ws.open_log()
    try:
        ledger = session.ledger(log)
        plans = [(e.seq, e.recorded_at, e.statement) for e in ledger.of(statements.PLAN_V1)]
        plan_ref = resolve_plan(plans, plan) if plan else None
        if plan_ref is not None:
            check_config_covers(EvaluationPlan.model_validate(plan_ref.plan), config)
        governance = governance_status(snapshot(ledger, log.origin))
    except BaseException:
        log.store.close()
        raise
    if not record:
        log.store.close()
        return _Evidence(None, plan_ref, governance, Recording("not-requested"))
    recording = Recording("recorded", log.store.location, created_log=created, keys_path=ws.keys.path)
    return _Evidence(log, plan_ref, governance, recording)


def _record(
    log: EvidenceLog, run: AuditRun, digests: dict[str, str], target: Path
) -> tuple[list[Recorded], Path]:
    """Append the provenance and findings entries; write their receipt beside the outputs."""
    recorded = log.append_many(audit_statements(run.result, digests, run.predictions.distribution_digests()))
    checkpoint = log.store.latest_checkpoint()
    receipt = {
        "origin": log.origin,
        "store": log.store.location,
        "entries": [
            r.to_dict()
            | {"inclusion_proof": [b64encode(h) for h in log.inclusion_proof(r.seq, checkpoint.size)]}
            for r in recorded
        ],
        "tree_size": checkpoint.size,
        "checkpoint": checkpoint.note.decode(),
    }
    write_file_atomically(target / RECEIPT, (json.dumps(receipt, indent=2) + "\n").encode())
    add_to_manifest(target, RECEIPT)
    return recorded, target / RECEIPT


def audit_and_record(
    session: Session,
    config: AuditConfig,
    out: Path,
    *,
    supplied: Sequence[Supplied] = (),
    config_source: str = "built-in default",
    record: bool = True,
    plan: str | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> AuditOutcome:
    """Check every input, open the evidence log, run the audit, write its files and record it.

    ``scheduler`` (``local[:N]`` or ``tcp://host:8786``): the training seeds and the privacy red team's
    reference models are fitted on Dask workers (one BLAS thread each); the outputs equal a run here at one
    BLAS thread.
    """
    target = check_target(out)
    dataset = check_inputs(config, list(supplied))
    evidence = _open_evidence(session, config, record=record, plan=plan)
    executor = None
    try:
        mapper = SERIAL
        if scheduler:
            from qtrust.sweep.executors import DaskExecutor, DaskMapper

            executor = DaskExecutor(scheduler)
            mapper = DaskMapper(executor)
        run = run_audit(
            config,
            dataset=dataset,
            progress=progress,
            config_source=config_source,
            plan=evidence.plan,
            governance=evidence.governance,
            supplied=list(supplied),
            mapper=mapper,
        )
        digests = write_audit(run, target)
        recording = evidence.recording
        if evidence.log is not None:
            recording.entries, recording.receipt = _record(evidence.log, run, digests, target)
    finally:
        if executor is not None:
            executor.close()
        if evidence.log is not None:
            evidence.log.store.close()
    return AuditOutcome(run, target, digests, recording)
