"""The model stage: every quantum model, baseline and control, fitted once per training seed on one split.

Configured models are built and trained here; supplied models (:mod:`qtrust.audit.supplied`) arrive fitted
or are retrained per seed through the same loop, so every model of an audit sees the same rows and seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from qtrust.assess.fitted import FittedModel
from qtrust.assess.progress import Progress
from qtrust.assess.subsample import training_sample
from qtrust.audit.supplied import Supplied
from qtrust.config.schema import (
    AuditConfig,
    NoEntanglementSpec,
    NoiseSpec,
    QuantumKernelSpec,
    VariationalSpec,
)
from qtrust.models import QuantumKernelClassifier, VariationalClassifier, make_baseline
from qtrust.parallel import SERIAL, Mapper, timed_fit
from qtrust.quantum.noise import NoiseModel
from qtrust.seeding import derive_seed


def noise_from_spec(spec: NoiseSpec | None) -> NoiseModel | None:
    return None if spec is None else NoiseModel.single(spec.kind, spec.level)


def _variational(spec: VariationalSpec, seed: int, **override: Any) -> VariationalClassifier:
    params = spec.model_dump(exclude={"kind", "name", "train_noise"})
    params["rotations"] = tuple(params["rotations"])
    params.update(override)
    return VariationalClassifier(**params, train_noise=noise_from_spec(spec.train_noise), random_state=seed)


def _kernel(spec: QuantumKernelSpec, seed: int) -> QuantumKernelClassifier:
    params = spec.model_dump(exclude={"kind", "name", "train_noise", "max_train_rows"})
    return QuantumKernelClassifier(**params, train_noise=noise_from_spec(spec.train_noise), random_state=seed)


def training_seed(config: AuditConfig, seed: int) -> int:
    """The random_state a model gets for training seed ``seed`` (same for every model: paired comparisons)."""
    return derive_seed(config.seed, "train", seed)


def _supplied_record(supplied: Supplied) -> FittedModel:
    model = supplied.representative
    params: dict[str, Any] = {"class": f"{type(model).__module__}.{type(model).__qualname__}"}
    if supplied.provenance:
        params["loaded_from"] = dict(supplied.provenance)
    if supplied.retrain:
        params["retrained"] = "a fresh clone per training seed, trained on the audit's training rows"
    elif supplied.fixed:
        params["retrained"] = "no: the supplied fitted model stands for every training seed"
    else:
        params["retrained"] = "no: one supplied fit per training seed"
    described = model.describe() if callable(getattr(model, "describe", None)) else {}
    return FittedModel(
        supplied.name,
        str(described.get("kind", "supplied")),
        "quantum" if supplied.quantum else "classical",
        supplied.role,
        params,
        factory=supplied.factory,
        fixed=supplied.fixed,
        origin="supplied",
    )


def plan_models(config: AuditConfig) -> list[FittedModel]:
    """Every configured model, quantum first, unfitted: ``record.factory(random_state)`` builds its estimator."""
    planned: list[FittedModel] = []
    for spec in config.models:
        params = spec.model_dump(exclude={"name"})
        build = _variational if isinstance(spec, VariationalSpec) else _kernel
        planned.append(
            FittedModel(
                spec.name,
                spec.kind,
                "quantum",
                "candidate",
                params,
                factory=partial(build, spec),
                max_train_rows=getattr(spec, "max_train_rows", None),
            )
        )
    variational = {m.name: m for m in config.models if isinstance(m, VariationalSpec)}
    for spec in config.baselines:
        params = spec.model_dump(exclude={"name"})
        if isinstance(spec, NoEntanglementSpec):
            source = variational[spec.control_of or next(iter(variational))]
            params = {**source.model_dump(exclude={"name"}), "topology": "none", "control_of": source.name}
            factory = partial(_variational, source, topology="none")
            planned.append(
                FittedModel(spec.name, "variational", "quantum", "control", params, factory=factory)
            )
        else:
            kwargs = spec.model_dump(exclude={"name", "kind", "max_train_rows"})
            if "hidden" in kwargs:
                kwargs["hidden"] = tuple(kwargs["hidden"])
            factory = partial(make_baseline, spec.kind, **kwargs)
            planned.append(
                FittedModel(
                    spec.name,
                    spec.kind,
                    "classical",
                    "baseline",
                    params,
                    factory=factory,
                    max_train_rows=getattr(spec, "max_train_rows", None),
                )
            )
    return planned


def fit_all(
    config: AuditConfig,
    X: np.ndarray,
    y: np.ndarray,
    seeds: list[int],
    progress: Progress,
    supplied: Sequence[Supplied] = (),
    mapper: Mapper = SERIAL,
    groups: np.ndarray | None = None,
) -> list[FittedModel]:
    """Fit every configured model per seed (on ``mapper``); take (or retrain) every supplied one, here.
    Supplied models come first. A kernel machine with ``max_train_rows`` below the training rows fits on its
    seeded sample of them (stratified by label × ``groups``), recorded as ``train_rows``."""
    planned = plan_models(config)
    strata = groups if groups is not None else np.zeros(len(y), dtype=int)
    for record in planned:
        record.train_rows = training_sample(y, strata, record.max_train_rows, config.seed)
        record.n_train_available = len(y)

    def rows_of(record: FittedModel) -> tuple[np.ndarray, np.ndarray]:
        return (X, y) if record.train_rows is None else (X[record.train_rows], y[record.train_rows])

    progress.stage("training models", (len(planned) + len(supplied)) * len(seeds))
    models = []

    for item in supplied:
        item.check_inputs(X.shape[1])
        record = _supplied_record(item)
        if item.retrain:  # a fresh clone per seed, trained here like every configured model
            assert record.factory is not None
            for seed in seeds:
                record.fits[seed], record.train_seconds[seed] = timed_fit(
                    record.factory, training_seed(config, seed), X, y
                )
        else:
            record.fits = item.given_fits(seeds)
            record.train_seconds = dict.fromkeys(seeds, 0.0)
        progress.advance(len(seeds))
        models.append(record)
    # Independent fits, each seeded by its own identity, go to the mapper; a model whose fits read a
    # process-wide memo (the quantum kernel's encoded states) is fitted here, in the serial run's order, so
    # the memo — and every later number that reads it — is the same as in a serial run.
    here = {r.name for r in planned if getattr(r.factory(0), "shares_process_cache", False)}  # type: ignore[misc]
    jobs = [
        (r.factory, training_seed(config, s), *rows_of(r))
        for r in planned
        if r.name not in here
        for s in seeds
    ]
    done = iter(mapper.map(timed_fit, jobs))
    for record in planned:
        for seed in seeds:
            if record.name in here:
                record.fits[seed], record.train_seconds[seed] = timed_fit(
                    record.factory, training_seed(config, seed), *rows_of(record)
                )
            else:
                record.fits[seed], record.train_seconds[seed] = next(done)
            progress.advance()
        models.append(record)
    return models
