"""What every assessment reads: the prepared data, the fitted models, and where predictions go.

Assessments run in registry order on one context; what a later one needs from an earlier one (the clean
metric summaries the noise sweep is compared with, the shot draws the variance split reuses, an earlier
assessment's record) is a typed field here rather than an argument threaded through the runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from qtrust.assess.fitted import FittedModel
from qtrust.assess.predictions import PredictionStore
from qtrust.assess.prepared import PreparedData
from qtrust.assess.progress import NullProgress, Progress
from qtrust.config.schema import AuditConfig
from qtrust.metrics import FrameSummary, StackMetricFrame
from qtrust.parallel import SERIAL, Mapper
from qtrust.seeding import derive_seed


@dataclass
class AssessmentContext:
    config: AuditConfig
    data: PreparedData
    models: list[FittedModel]
    seeds: list[int]
    store: PredictionStore
    progress: Progress = field(default_factory=NullProgress)
    mapper: Mapper = SERIAL  # where independent fits run (here, or Dask workers)
    clean: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # model -> (seeds, rows) exact noiseless P(fav)
    device_noise: dict[tuple, object] = field(default_factory=dict)  # (device, width, layout) -> NoiseModel
    #: model -> metric summary of its clean predictions (written by fairness, read by the noise sweep)
    summaries: dict[str, FrameSummary] = field(default_factory=dict)
    #: model -> (seeds, draws, rows) shot draws at the reference budget (written by shots, read by
    #: reproducibility's variance split)
    reference_draws: dict[str, np.ndarray] = field(default_factory=dict)
    #: assessment name -> the record it returned, for assessments that build on an earlier one
    records: dict[str, Any] = field(default_factory=dict)

    def section(self, key: str, model: type[BaseModel]) -> BaseModel:
        """An assessment's config section: the ``AuditConfig`` field ``key``, or for an assessment registered
        outside qtrust its entry in ``config.extensions`` validated by its own ``model`` (defaults when
        absent)."""
        if key in type(self.config).model_fields:
            return getattr(self.config, key)
        return model.model_validate(self.config.extensions.get(key, {}))

    @property
    def quantum_models(self) -> list[FittedModel]:
        return [m for m in self.models if m.quantum]

    @property
    def candidates(self) -> list[FittedModel]:
        return [m for m in self.models if m.role == "candidate"]

    @property
    def references(self) -> list[FittedModel]:
        return [m for m in self.models if m.role != "candidate"]

    def frame(self, proba: np.ndarray) -> StackMetricFrame:
        return StackMetricFrame(
            self.data.y_test,
            proba,
            sensitive_features=self.data.groups_test,
            threshold=self.config.statistics.threshold,
        )

    def summarise(self, proba: np.ndarray, *labels: object) -> FrameSummary:
        """Metrics of a prediction stack with bootstrap (rows × draws) intervals, seeded by ``labels``."""
        stats = self.config.statistics
        return self.frame(proba).summarise(
            confidence=stats.confidence,
            n_boot=stats.n_boot,
            random_state=derive_seed(self.config.seed, "bootstrap", *labels),
        )
