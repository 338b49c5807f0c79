"""The model stage: every quantum model, baseline and control, fitted once per training seed on one split."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qtrust.audit.progress import Progress
from qtrust.config.schema import (
    AuditConfig,
    NoEntanglementSpec,
    NoiseSpec,
    QuantumKernelSpec,
    VariationalSpec,
)
from qtrust.models import QuantumKernelClassifier, VariationalClassifier, make_baseline
from qtrust.quantum.noise import NoiseModel
from qtrust.seeding import derive_seed


@dataclass
class FittedModel:
    """One configured model and its fits, one per training seed."""

    name: str
    kind: str
    family: str  # "quantum" | "classical"
    role: str  # "candidate" | "baseline" | "control"
    params: dict[str, Any]
    fits: dict[int, Any] = field(default_factory=dict)
    train_seconds: dict[int, float] = field(default_factory=dict)

    @property
    def quantum(self) -> bool:
        return self.family == "quantum"

    def clean_probabilities(self, X: np.ndarray, seeds: list[int]) -> np.ndarray:
        """Exact, noiseless P(favourable) for every seed: shape (seeds, rows)."""
        if self.quantum:
            return np.stack([self.fits[s].probabilities(X) for s in seeds])
        return np.stack([self.fits[s].predict_proba(X)[:, 1] for s in seeds])


def noise_from_spec(spec: NoiseSpec | None) -> NoiseModel | None:
    return None if spec is None else NoiseModel.single(spec.kind, spec.level)


def _variational(spec: VariationalSpec, seed: int, **override: Any) -> VariationalClassifier:
    params = spec.model_dump(exclude={"kind", "name", "train_noise"})
    params["rotations"] = tuple(params["rotations"])
    params.update(override)
    return VariationalClassifier(**params, train_noise=noise_from_spec(spec.train_noise), random_state=seed)


def _kernel(spec: QuantumKernelSpec, seed: int) -> QuantumKernelClassifier:
    params = spec.model_dump(exclude={"kind", "name", "train_noise"})
    return QuantumKernelClassifier(**params, train_noise=noise_from_spec(spec.train_noise), random_state=seed)


def training_seed(config: AuditConfig, seed: int) -> int:
    """The random_state a model gets for training seed ``seed`` (same for every model: paired comparisons)."""
    return derive_seed(config.seed, "train", seed)


def plan_models(config: AuditConfig) -> list[tuple[FittedModel, Any]]:
    """(record, factory(seed) -> unfitted estimator) for every configured model, quantum first."""
    planned: list[tuple[FittedModel, Any]] = []
    for spec in config.models:
        params = spec.model_dump(exclude={"name"})
        record = FittedModel(spec.name, spec.kind, "quantum", "candidate", params)
        if isinstance(spec, VariationalSpec):
            planned.append((record, lambda s, spec=spec: _variational(spec, s)))
        else:
            planned.append((record, lambda s, spec=spec: _kernel(spec, s)))
    variational = {m.name: m for m in config.models if isinstance(m, VariationalSpec)}
    for spec in config.baselines:
        params = spec.model_dump(exclude={"name"})
        if isinstance(spec, NoEntanglementSpec):
            source = variational[spec.control_of or next(iter(variational))]
            params = {**source.model_dump(exclude={"name"}), "topology": "none", "control_of": source.name}
            record = FittedModel(spec.name, "variational", "quantum", "control", params)
            planned.append((record, lambda s, src=source: _variational(src, s, topology="none")))
        else:
            kwargs = spec.model_dump(exclude={"name", "kind"})
            if "hidden" in kwargs:
                kwargs["hidden"] = tuple(kwargs["hidden"])
            record = FittedModel(spec.name, spec.kind, "classical", "baseline", params)
            planned.append((record, lambda s, kind=spec.kind, kw=kwargs: make_baseline(kind, s, **kw)))
    return planned


def fit_all(
    config: AuditConfig, X: np.ndarray, y: np.ndarray, seeds: list[int], progress: Progress
) -> list[FittedModel]:
    planned = plan_models(config)
    progress.stage("training models", len(planned) * len(seeds))
    models = []
    for record, factory in planned:
        for seed in seeds:
            start = time.perf_counter()
            record.fits[seed] = factory(training_seed(config, seed)).fit(X, y)
            record.train_seconds[seed] = time.perf_counter() - start
            progress.advance()
        models.append(record)
    return models
