"""The certified-robustness results: adversarial states, one record per level ε, and the whole result."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from qtrust.assess.robustness.validation import DISTANCE_TEXT


def _plain(value: Any) -> Any:
    """JSON-friendly: arrays to lists, non-finite floats to None."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class AdversarialState:
    """A state within ε of input ``index`` that gets the other label, with the recomputed evidence."""

    index: int
    epsilon: float
    kind: Literal["statevector", "density_matrix"]
    state: np.ndarray = field(repr=False)
    p1_original: float
    p1_adversarial: float  # Tr(M σ) recomputed from the returned state
    distance: float  # D(ρ, σ) recomputed from the returned state
    verified: bool  # label flipped and distance ≤ ε + VERIFY_TOL[kind]

    def to_dict(self, include_state: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "epsilon": self.epsilon,
            "kind": self.kind,
            "p1_original": self.p1_original,
            "p1_adversarial": self.p1_adversarial,
            "distance": self.distance,
            "verified": self.verified,
        }
        if include_state:
            out["state_real"] = _plain(np.real(self.state))
            out["state_imag"] = _plain(np.imag(self.state))
        return out


@dataclass(frozen=True)
class EpsilonRobustness:
    """Robustness at one level ε: what the bound certifies, what the exact check adds, the adversaries."""

    epsilon: float
    n_rows: int
    n_bound_certified: int  # stable by the bound (r_B > ε), correct or not
    n_flagged: int  # not certified by the bound: checked exactly
    n_robust: int  # stable after the exact check, correct or not
    bound_certified_accuracy: float  # correct and certified by the bound
    robust_accuracy: float  # correct and exactly ε-robust
    robust_fraction: float  # exactly ε-robust, correct or not
    adversarial: tuple[AdversarialState, ...] = field(repr=False)

    @property
    def bound_certified_fraction(self) -> float:
        return self.n_bound_certified / self.n_rows

    @property
    def n_unverified(self) -> int:
        return sum(not a.verified for a in self.adversarial)

    def to_dict(self, include_states: bool = False) -> dict[str, Any]:
        return {
            "epsilon": self.epsilon,
            "n_rows": self.n_rows,
            "n_bound_certified": self.n_bound_certified,
            "bound_certified_fraction": self.bound_certified_fraction,
            "n_flagged": self.n_flagged,
            "n_robust": self.n_robust,
            "bound_certified_accuracy": self.bound_certified_accuracy,
            "robust_accuracy": self.robust_accuracy,
            "robust_fraction": self.robust_fraction,
            "n_adversarial": len(self.adversarial),
            "n_unverified": self.n_unverified,
            "adversarial": [a.to_dict(include_states) for a in self.adversarial],
        }


@dataclass(frozen=True)
class CertifiedRobustness:
    """Certified robustness of every input at every ε (Guan et al. 2021), with per-input radii."""

    distance: str
    state_kind: str
    probabilities: np.ndarray = field(repr=False)  # p1 = Tr(M ρ) per input
    predictions: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)
    bound_radius: np.ndarray = field(repr=False)  # r_B, in ``distance``
    exact_radius: np.ndarray = field(repr=False)  # r*, in ``distance``; ∞ when no state flips the label
    points: tuple[EpsilonRobustness, ...]
    noise: dict[str, Any] | None = None

    @property
    def clean_accuracy(self) -> float:
        return float(np.mean(self.predictions == self.labels))

    def at(self, epsilon: float) -> EpsilonRobustness:
        for point in self.points:
            if math.isclose(point.epsilon, epsilon, rel_tol=1e-12):
                return point
        raise KeyError(epsilon)

    def to_dict(self, include_states: bool = False) -> dict[str, Any]:
        return {
            "method": "Guan, Fang, Ying (CAV 2021): robust bound, then exact check of flagged inputs "
            "(closed-form eigenbasis reduction instead of an SDP)",
            "distance": self.distance,
            "distance_definition": DISTANCE_TEXT[self.distance],
            "decision": "class 1 iff Tr(M rho) >= 0.5",
            "state_kind": self.state_kind,
            "noise": self.noise,
            "seeds": {},  # deterministic: no random draws
            "n_rows": int(self.labels.size),
            "clean_accuracy": self.clean_accuracy,
            "probabilities": _plain(self.probabilities),
            "bound_radius": _plain(self.bound_radius),
            "exact_radius": _plain(self.exact_radius),
            "epsilons": [p.to_dict(include_states) for p in self.points],
        }
