"""What every assessment reads: the prepared data, the fitted models, and where predictions go."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qtrust.assess.fitted import FittedModel
from qtrust.assess.predictions import PredictionStore
from qtrust.assess.prepared import PreparedData
from qtrust.assess.progress import NullProgress, Progress
from qtrust.config.schema import AuditConfig
from qtrust.metrics import FrameSummary, StackMetricFrame
from qtrust.seeding import derive_seed


@dataclass
class AssessmentContext:
    config: AuditConfig
    data: PreparedData
    models: list[FittedModel]
    seeds: list[int]
    store: PredictionStore
    progress: Progress = field(default_factory=NullProgress)
    clean: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # model -> (seeds, rows) exact noiseless P(fav)
    device_noise: dict[tuple, object] = field(default_factory=dict)  # (device, width, layout) -> NoiseModel

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
