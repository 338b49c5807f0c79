"""Quantum backends behind one interface: what the guard calls for a batch of encoded angles.

Every backend receives only an :class:`~qtrust.serve.egress.Outbound` (the encoded angles, checked by the
egress policy) and a seed, and returns either exact probabilities (``shots=None``) or the count of
favourable outcomes in ``shots`` measurements per row. qtrust's own engine is here; Qiskit (any BackendV2 or
V2 sampler: :mod:`qtrust.serve.qiskit_backend`) and PennyLane devices (:mod:`qtrust.serve.pennylane_backend`)
run the same circuit behind the same protocol, and :mod:`qtrust.serve.select` picks one by name. The seed a
backend is given is the seed of its draw: the guard records it with each answer, so every sampled answer
can be drawn again.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from qtrust.models import CircuitClassifier
from qtrust.quantum.noise import NoiseModel
from qtrust.quantum.shots import sample_probabilities
from qtrust.serve.egress import Outbound


class QuantumBackend(Protocol):
    name: str

    def probabilities(self, sent: Outbound) -> np.ndarray:
        """Exact P(favourable) per row."""
        ...

    def counts(self, sent: Outbound, shots: int, seed: int) -> np.ndarray:
        """Favourable outcomes in ``shots`` measurements per row, drawn with ``seed``."""
        ...


class EngineBackend:
    """qtrust's simulator: exact, or shot-sampled the way the audit samples (binomial in the exact P)."""

    def __init__(
        self, model: CircuitClassifier, noise: NoiseModel | None = None, name: str = "qtrust-engine"
    ):
        self.model = model
        self.noise = noise
        self.name = name

    def probabilities(self, sent: Outbound) -> np.ndarray:
        return self.model.probabilities(np.asarray(sent.payload["angles"], dtype=float), self.noise)

    def counts(self, sent: Outbound, shots: int, seed: int) -> np.ndarray:
        estimated = sample_probabilities(self.probabilities(sent), shots, 1, np.random.default_rng(seed))[0]
        return np.rint(estimated * shots).astype(int)
