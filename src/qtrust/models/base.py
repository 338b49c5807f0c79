"""What every quantum model offers the assessments, beyond scikit-learn's classifier interface.

Assessments need more than ``predict_proba``: exact probabilities under an arbitrary deployment noise
model, seeded shot-noise draws of them, and the circuit with its trained parameters for the audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.engine import simulate
from qtrust.quantum.noise import NoiseModel
from qtrust.quantum.shots import sample_probabilities


@runtime_checkable
class QuantumModel(Protocol):
    """A fitted quantum classifier that can be scored under noise and finite shots."""

    def probabilities(self, X: np.ndarray, noise: NoiseModel | None = None) -> np.ndarray:
        """Exact P(class 1) per row under ``noise`` (shape (N,))."""
        ...

    def sample_probabilities(
        self,
        X: np.ndarray,
        shots: int,
        n_draws: int,
        rng: np.random.Generator,
        noise: NoiseModel | None = None,
    ) -> np.ndarray:
        """Shot-estimated P(class 1), shape (n_draws, N)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Circuit, trained parameters and the simulation path, for the audit record."""
        ...


class ProbabilityClassifierMixin:
    """``predict_proba`` / ``predict`` for models whose P(class 1) comes from ``probabilities(X, noise)``.

    Predictions use the deployment noise model ``self.noise``; assessments call ``probabilities`` with any
    other noise model on the same fitted parameters.
    """

    noise: NoiseModel | None
    classes_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray:
        p = self.probabilities(X, self.noise)  # type: ignore[attr-defined]
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


class FittedCircuitMixin:
    """Scoring for classifiers that end up as a circuit and its weights (``circuit_``, ``weights_``).

    One implementation for qtrust's own variational classifier and for translated circuits, so both take the
    same engine paths and record the path that ran.
    """

    circuit_: Any
    weights_: np.ndarray
    n_features_in_: int

    def probabilities(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "weights_")
        X = check_angles(X, self.n_features_in_, type(self).__name__)
        result = simulate(self.circuit_, X, self.weights_, noise)
        self.simulation_path_ = result.path
        self.simulation_reason_ = result.reason
        return result.probabilities

    def sample_probabilities(
        self, X: Any, shots: int, n_draws: int, rng: np.random.Generator, noise: NoiseModel | None = None
    ) -> np.ndarray:
        return sample_probabilities(self.probabilities(X, noise), shots, n_draws, rng)


@dataclass(frozen=True)
class CircuitTraining:
    """What one training run of a circuit's weights produced, for the estimator's fitted attributes."""

    initial_weights: np.ndarray
    weights: np.ndarray
    loss: float
    iterations: int
    converged: bool
    gradient: str
    path: str


def train_circuit_weights(
    circuit: Any,
    X: np.ndarray,
    y01: np.ndarray,
    *,
    random_state: int | None,
    init_scale: float = 1.0,
    class_weight: str | None = "balanced",
    l2: float = 0.0,
    noise: NoiseModel | None = None,
    gradient: str = "analytic",
    max_iter: int = 200,
    tol: float | None = None,
) -> CircuitTraining:
    """Class-weighted cross-entropy (+ L2), L-BFGS on exact gradients, from a seeded uniform start.

    The one training loop behind qtrust's own variational classifier and translated circuits retrained for
    privacy references or seed studies, so both train alike.
    """
    from scipy.optimize import minimize

    from qtrust.quantum.gradients import TrainingObjective
    from qtrust.quantum.noise import NOISELESS

    rng = np.random.default_rng(random_state)
    w0 = rng.uniform(-np.pi, np.pi, circuit.n_weights) * init_scale
    objective = TrainingObjective(
        circuit,
        X,
        y01,
        balanced_weights(y01, class_weight),
        noise or NOISELESS,
        gradient,
        l2,  # type: ignore[arg-type]
    )
    options: dict[str, Any] = {"maxiter": max_iter} | ({"gtol": tol} if tol is not None else {})
    result = minimize(objective, w0, jac=True, method="L-BFGS-B", options=options)
    return CircuitTraining(
        initial_weights=w0,
        weights=np.asarray(result.x, dtype=float),
        loss=float(result.fun),
        iterations=int(result.nit),
        converged=bool(result.success),
        gradient=objective.gradient,
        path="heisenberg" if objective.states is not None else "statevector/density_matrix",
    )


def binary_targets(y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    """The two classes (sorted, as scikit-learn orders them) and y encoded as 0/1 floats."""
    y = np.asarray(y)
    classes = np.unique(y)
    if len(classes) != 2:
        raise InputError(
            f"binary classification needs exactly two classes, got {len(classes)}",
            where=where,
            fix="encode the label as two classes",
        )
    return classes, (y == classes[1]).astype(float)


def balanced_weights(y01: np.ndarray, class_weight: str | None) -> np.ndarray:
    """scikit-learn's ``class_weight='balanced'``: n / (2 · n_class) per row."""
    if class_weight is None:
        return np.ones_like(y01)
    if class_weight != "balanced":
        raise InputError(f"unknown class_weight {class_weight!r}", fix="use 'balanced' or None")
    n1 = y01.sum()
    n0 = len(y01) - n1
    return np.where(y01 == 1, len(y01) / (2 * n1), len(y01) / (2 * n0))


def check_angles(X: Any, n_features: int | None, where: str) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise InputError(f"expected a 2-D array of angles, got shape {X.shape}", where=where)
    if n_features is not None and X.shape[1] != n_features:
        raise InputError(
            f"expected {n_features} features (one per qubit), got {X.shape[1]}",
            where=where,
            fix="transform the data with the same QubitPreprocessor used for fitting",
        )
    if not np.all(np.isfinite(X)):
        raise InputError(
            "inputs contain NaN or infinite values", where=where, fix="drop or impute them first"
        )
    return X
