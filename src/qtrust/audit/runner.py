"""The audit: config → data → models → assessments → result → outputs, as one library call.

``run_audit`` returns the typed result and the prediction store; ``write_audit`` writes ``results.json``,
``predictions.csv``, ``report.html`` and ``model_card.md`` atomically. The CLI is a thin shell over both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qtrust._version import __version__
from qtrust.assess import REGISTRY
from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment
from qtrust.assess.findings import by_severity
from qtrust.assess.fitted import FittedModel
from qtrust.assess.predictions import PredictionStore
from qtrust.assess.prepared import PreparedData
from qtrust.assess.progress import NullProgress, Progress
from qtrust.audit.data_prep import prepare
from qtrust.audit.datasheet_facts import datasheet_record
from qtrust.audit.environment import describe_environment
from qtrust.audit.outputs import write_atomically
from qtrust.audit.preflight import preflight
from qtrust.audit.supplied import Supplied
from qtrust.audit.training import fit_all, training_seed
from qtrust.config.schema import AuditConfig
from qtrust.data import Dataset
from qtrust.errors import InputError
from qtrust.metrics import METRIC_INFO
from qtrust.models.base import simulate_model
from qtrust.parallel import SERIAL, Mapper
from qtrust.results.registry import Registry
from qtrust.results.schema import (
    AuditResult,
    DatasetRecord,
    GovernanceStatus,
    GroupRecord,
    ModelFit,
    ModelRecord,
    PlanReference,
    TrainingSample,
)


@dataclass
class AuditRun:
    result: AuditResult
    predictions: PredictionStore


def _dataset_record(config: AuditConfig, data: PreparedData) -> DatasetRecord:
    ds = data.dataset
    groups = []
    for g in sorted(set(data.groups_test) | set(data.groups_train)):
        tr, te = data.groups_train == g, data.groups_test == g
        groups.append(
            GroupRecord(
                group=str(g),
                n_train=int(tr.sum()),
                n_test=int(te.sum()),
                favourable_rate_train=float(data.y_train[tr].mean()) if tr.any() else float("nan"),
                favourable_rate_test=float(data.y_test[te].mean()),
            )
        )
    record = DatasetRecord(
        name=ds.name,
        digest=ds.digest(),
        provenance=ds.provenance.to_dict(),
        n_rows=ds.n_rows,
        n_train=len(data.train_idx),
        n_test=len(data.test_idx),
        label_name=ds.label_name,
        positive_label=str(ds.positive_label),
        sensitive=ds.sensitive,
        sensitive_source_columns=list(ds.sensitive_source_columns),
        model_features=[str(c) for c in data.preprocessor.feature_names_in_],
        groups=groups,
        split={
            "test_size": config.data.test_size,
            "seed": data.split_seed,
            "stratified_by": "label x group",
            "test_rows": data.test_idx.tolist(),
        },
        preprocessing=data.preprocessor.describe(),
    )
    return record.model_copy(update={"datasheet": datasheet_record(config, data, record)})


def _final_estimator(fit: Any) -> Any:
    """The estimator itself, or the last step of a fitted scikit-learn pipeline."""
    return fit.steps[-1][1] if hasattr(fit, "steps") else fit


def _describe_fit(fit: Any) -> dict[str, Any]:
    if hasattr(fit, "describe"):
        return fit.describe()
    estimator = _final_estimator(fit)
    out: dict[str, Any] = {"estimator": type(estimator).__name__}
    for attr in ("coef_", "intercept_", "n_iter_"):
        if hasattr(estimator, attr):
            value = getattr(estimator, attr)
            out[attr.rstrip("_")] = value.tolist() if hasattr(value, "tolist") else value
    return out


def _model_fit(model: FittedModel, seed: int) -> ModelFit:
    fit = model.fits[seed]
    estimator = _final_estimator(fit)
    iterations = getattr(estimator, "n_iter_", None)
    if iterations is not None and not isinstance(iterations, int):
        iterations = int(np.max(iterations))
    loss = getattr(estimator, "loss_", None)
    return ModelFit(
        seed=seed,
        train_seconds=round(model.train_seconds[seed], 4),
        iterations=iterations,
        converged=getattr(estimator, "converged_", None),
        final_loss=float(loss) if loss is not None else None,
        description=_describe_fit(fit),
    )


def _execution(model: FittedModel, fit: Any) -> str:
    described = fit.describe() if hasattr(fit, "describe") else {}
    if described.get("execution"):
        return str(described["execution"])
    if model.quantum:
        return "qtrust engine"
    return f"{type(_final_estimator(fit)).__name__}.predict_proba"


def _model_record(
    model: FittedModel, seeds: list[int], config: AuditConfig, X_test: np.ndarray
) -> ModelRecord:
    first = model.fits[seeds[0]]
    circuit_ = getattr(first, "circuit_", None)
    circuit = circuit_.describe() if model.quantum and circuit_ is not None else None
    simulation = None
    if model.quantum:
        # the path of the clean test-set predictions: a path belongs to a call (its noise, its rows), and
        # predicting leaves the estimator unchanged, so the record asks for it rather than reading it back
        scored = simulate_model(first, X_test)
        simulation = {"path": scored.path, "reason": scored.reason}
    return ModelRecord(
        name=model.name,
        family=model.family,  # type: ignore[arg-type]
        role=model.role,  # type: ignore[arg-type]
        kind=model.kind,
        params=model.params,
        fits=[_model_fit(model, s) for s in seeds],
        circuit=circuit,
        simulation=simulation,
        origin=model.origin,  # type: ignore[arg-type]
        execution=_execution(model, first),
        seed_spread_measured=not model.fixed,
        trained_on=None
        if model.train_rows is None
        else TrainingSample(
            rows=len(model.train_rows),
            of=int(model.n_train_available or 0),
            how=f"seeded sample (training/sample) stratified by label × group, max_train_rows "
            f"{model.max_train_rows}: the same rows for every training seed",
        ),
    )


def _check_extensions(config: AuditConfig, assessments: Sequence[Assessment]) -> None:
    """Refuse a config section for an assessment that is not registered (a typo, or a plug-in not loaded)."""
    known = {a.config_key for a in assessments if a.config_key}
    unknown = sorted(set(config.extensions) - known)
    if unknown:
        raise InputError(
            f"config.extensions names {', '.join(unknown)}, which no registered assessment reads",
            where="extensions",
            fix=f"use the config key of a registered assessment ({', '.join(sorted(known)) or 'none'}), or "
            "import the module that registers it before the audit runs",
        )


def run_audit(
    config: AuditConfig,
    *,
    dataset: Dataset | None = None,
    progress: Progress | None = None,
    config_source: str | None = None,
    plan: PlanReference | None = None,
    governance: GovernanceStatus | None = None,
    supplied: Sequence[Supplied] = (),
    registry: Registry = REGISTRY,
    mapper: Mapper = SERIAL,
) -> AuditRun:
    """Run every registered assessment and return the typed result with all predictions.

    ``supplied`` models (bring your own) are audited beside the configured ones, on the same split and seeds.
    The assessments are the registry's (``qtrust.results.registry``), in its order; each one's record goes
    into its section of the result, its findings into ``findings``.
    """
    progress = progress or NullProgress()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    assessments: list[Assessment] = registry.assessments()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    t = time.perf_counter()
    preflight(config, supplied)
    _check_extensions(config, assessments)
    progress.stage("loading data", 1)
    data = prepare(config, dataset)
    for assessment in assessments:  # before any training
        assessment.check(config, data)
    progress.advance()
    t = lap("data", t)

    seeds = list(config.reproducibility.seeds)
    models = fit_all(
        config, data.X_train, data.y_train, seeds, progress, supplied, mapper, groups=data.groups_train
    )
    t = lap("training", t)

    store = PredictionStore(
        rows=data.test_idx, groups=data.groups_test, y_true=data.y_test, threshold=config.statistics.threshold
    )
    ctx = AssessmentContext(
        config=config, data=data, models=models, seeds=seeds, store=store, progress=progress, mapper=mapper
    )
    for model in models:
        ctx.clean[model.name] = model.clean_probabilities(data.X_test, seeds)
        store.add(model.name, "none", ctx.clean[model.name], seeds)
    t = lap("clean_predictions", t)

    for assessment in assessments:
        ctx.records[assessment.name] = assessment.run(ctx)
        if assessment.timing_key is not None:
            t = lap(assessment.timing_key, t)
    findings = by_severity(f for a in assessments for f in a.findings(ctx, ctx.records[a.name]))
    lap("findings", t)

    sections = {a.name: ctx.records[a.name] for a in assessments if a.section is not None}
    builtin = {name: value for name, value in sections.items() if name in AuditResult.model_fields}
    extensions = {name: value for name, value in sections.items() if name not in builtin}
    result = AuditResult(
        qtrust_version=__version__,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_seconds=round(time.perf_counter() - started, 3),
        config=json.loads(config.model_dump_json()) | ({"source": config_source} if config_source else {}),
        environment=describe_environment(),
        seeds={
            "root": config.seed,
            "training_seeds": seeds,
            "random_state_per_training_seed": {str(s): training_seed(config, s) for s in seeds},
            "split": data.split_seed,
            "derivation": "sha256 of a label path ('train/3', 'shots/vqc/3/1000', 'bootstrap/...') as the "
            "spawn key of numpy SeedSequence(root)",
        },
        dataset=_dataset_record(config, data),
        models=[_model_record(m, seeds, config, data.X_test) for m in models],
        findings=findings,
        metric_info={key: info.to_dict() for key, info in METRIC_INFO.items()},
        timings=timings,
        plan=plan,
        governance=governance,
        extensions=extensions,
        **builtin,
    )
    return AuditRun(result=result, predictions=store)


def write_audit(run: AuditRun, out: str | Path) -> dict[str, str]:
    """Write results.json, predictions.csv, report.html, model_card.md and datasheet.md into ``out`` atomically."""
    from qtrust.report.datasheet import render_datasheet
    from qtrust.report.html import render_report
    from qtrust.report.model_card import render_model_card

    result = run.result

    def write_results(path: Path, digests: dict[str, str]) -> None:
        final = result.model_copy(update={"outputs": {name: f"sha256:{d}" for name, d in digests.items()}})
        path.write_text(final.model_dump_json(indent=2), encoding="utf-8")

    return write_atomically(
        Path(out),
        {
            "predictions.csv": run.predictions.write,
            "report.html": lambda p: p.write_text(render_report(result), encoding="utf-8"),
            "model_card.md": lambda p: p.write_text(render_model_card(result), encoding="utf-8"),
            "datasheet.md": lambda p: p.write_text(render_datasheet(result), encoding="utf-8"),
        },
        ("results.json", write_results),
    )
