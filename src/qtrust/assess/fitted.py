"""One model of an audit with its fits, one per training seed: what every assessment evaluates.

Defined in the assessment layer, which reads it; the audit's model stage (:mod:`qtrust.audit.training`)
builds and fits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class FittedModel:
    """One model of the audit and its fits, one per training seed.

    ``factory(random_state)`` builds a fresh, unfitted copy (reference models for the privacy red-team);
    it is None for a black box. ``fixed``: one supplied artefact stands for every seed, so seed spread is
    not measured. ``origin`` says whether the config built it or the caller supplied it. A kernel machine
    capped at ``max_train_rows`` fits on ``train_rows`` of the ``n_train_available`` training rows.
    """

    name: str
    kind: str
    family: str  # "quantum" | "classical"
    role: str  # "candidate" | "baseline" | "control"
    params: dict[str, Any]
    fits: dict[int, Any] = field(default_factory=dict)
    train_seconds: dict[int, float] = field(default_factory=dict)
    factory: Callable[[int], Any] | None = None
    fixed: bool = False
    origin: str = "configured"
    max_train_rows: int | None = None
    train_rows: np.ndarray | None = None  # indices into the training split when capped; None: every row
    n_train_available: int | None = None

    @property
    def quantum(self) -> bool:
        return self.family == "quantum"

    def clean_probabilities(self, X: np.ndarray, seeds: list[int]) -> np.ndarray:
        """Exact, noiseless P(favourable) for every seed: shape (seeds, rows)."""
        if self.quantum:
            return np.stack([self.fits[s].probabilities(X) for s in seeds])
        return np.stack([self.fits[s].predict_proba(X)[:, 1] for s in seeds])
