"""What every quantum model offers the assessments, beyond scikit-learn's classifier interface.

Assessments need more than ``predict_proba``: exact probabilities under an arbitrary deployment noise
model, seeded shot-noise draws of them, and the circuit with its trained parameters for the audit record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from scipy.optimize import minimize
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted

from qtrust.errors import InputError
from qtrust.quantum.engine import SimulationResult, simulate
from qtrust.quantum.gradients import TrainingObjective
from qtrust.quantum.noise import NOISELESS, NoiseModel
from qtrust.quantum.shots import sample_probabilities

try:  # scikit-learn >= 1.6: input validation is a public function
    from sklearn.utils.validation import validate_data as _sklearn_validate_data
except ImportError:  # scikit-learn 1.4 and 1.5: the estimator's own ``_validate_data`` method does it
    _sklearn_validate_data = None


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
        """Circuit and trained parameters, for the audit record."""
        ...


def simulate_model(model: Any, X: Any, noise: NoiseModel | None = None) -> SimulationResult:
    """P(class 1) of any quantum model under ``noise``, with the simulation path that produced them and why.

    qtrust's estimators return the path alongside the probabilities (their ``simulate``), because the path
    belongs to the call (noise model, batch size), not to the model, and predicting must not change a fitted
    estimator. A model without ``simulate`` (one a team supplies, the PennyLane QNode fallback, a translated
    Qiskit kernel SVC) is scored through ``probabilities`` and its ``simulation_path_`` /
    ``simulation_reason_`` are read right after, as the audit has always read them (empty when it records
    none).
    """
    if callable(getattr(model, "simulate", None)):
        return model.simulate(X, noise)
    probabilities = model.probabilities(X, noise)
    path = getattr(model, "simulation_path_", None)
    reason = getattr(model, "simulation_reason_", None)
    return SimulationResult(probabilities, str(path or ""), str(reason or ""))


def validate_data(estimator: Any, X: Any, y: Any = "no_validation", *, reset: bool, **check: Any) -> Any:
    """scikit-learn's own input validation, on every scikit-learn version qtrust supports.

    Fitting (``reset=True``) records ``n_features_in_`` and, for a DataFrame, ``feature_names_in_``; later
    calls are checked against them, so other columns warn or raise exactly as in scikit-learn. Inputs
    become float64 arrays (angles), as qtrust's engine computes them; NaN and infinite values are refused.
    """
    check = {"dtype": np.float64} | check
    if _sklearn_validate_data is not None:
        return _sklearn_validate_data(estimator, X, y, reset=reset, **check)
    return estimator._validate_data(X, y, reset=reset, **check)


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
        # scored before classes_ is read, so an unfitted estimator raises NotFittedError, not AttributeError
        positive = self.predict_proba(X)[:, 1] >= 0.5
        return self.classes_[positive.astype(int)]


class BinaryClassifierTagsMixin:
    """scikit-learn's estimator tags of a binary-only classifier.

    qtrust audits one decision with two outcomes (P(class 1) is one measured probability), so its
    classifiers refuse more than two classes; the tags tell scikit-learn (its common checks, meta-estimators)
    so. ``__sklearn_tags__`` is read by scikit-learn >= 1.6, ``_more_tags`` by earlier versions.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.classifier_tags.multi_class = False
        return tags

    def _more_tags(self) -> dict[str, Any]:
        return {"binary_only": True}


class FittedCircuitMixin:
    """Scoring for classifiers that end up as a circuit and its weights (``circuit_``, ``weights_``).

    One implementation for qtrust's own variational classifier and for translated circuits, so both take the
    same engine paths and report the path that ran.
    """

    circuit_: Any
    weights_: np.ndarray
    n_features_in_: int

    def simulate(self, X: Any, noise: NoiseModel | None = None) -> SimulationResult:
        """Exact P(class 1) per row under ``noise``, with the engine path that produced them and why.

        The path is returned, not stored on the estimator: it depends on the call (the noise model, the
        number of rows), and predicting must leave a fitted estimator as it was.
        """
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, reset=False, ensure_min_samples=0)
        return simulate(self.circuit_, X, self.weights_, noise)

    def probabilities(self, X: Any, noise: NoiseModel | None = None) -> np.ndarray:
        """Exact P(class 1) per row under ``noise`` (shape (N,))."""
        return self.simulate(X, noise).probabilities

    def sample_probabilities(
        self, X: Any, shots: int, n_draws: int, rng: np.random.Generator, noise: NoiseModel | None = None
    ) -> np.ndarray:
        return sample_probabilities(self.probabilities(X, noise), shots, n_draws, rng)


#: scikit-learn's ``class_weight``: ``"balanced"``, a mapping of class label to weight, or None.
ClassWeight = str | Mapping[Any, float] | None


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
    class_weight: ClassWeight = "balanced",
    classes: Any = (0, 1),
    l2: float = 0.0,
    noise: NoiseModel | None = None,
    gradient: str = "analytic",
    max_iter: int = 200,
    tol: float | None = None,
) -> CircuitTraining:
    """Class-weighted cross-entropy (+ L2), L-BFGS on exact gradients, from a seeded uniform start.

    The one training loop behind qtrust's own variational classifier and translated circuits retrained for
    privacy references or seed studies, so both train alike. ``classes`` (the labels of y01's 0 and 1) is
    what a ``class_weight`` mapping is keyed by.
    """
    rng = np.random.default_rng(random_state)
    w0 = rng.uniform(-np.pi, np.pi, circuit.n_weights) * init_scale
    objective = TrainingObjective(
        circuit,
        X,
        y01,
        balanced_weights(y01, class_weight, classes),
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
    """The two classes (sorted, as scikit-learn orders them) and y encoded as 0/1 floats.

    Targets are checked as scikit-learn checks them (continuous targets are "Unknown label type", more than
    two classes "Only binary classification is supported"), so qtrust's classifiers fail like any other.
    """
    y = np.asarray(y)
    check_classification_targets(y)
    kind = type_of_target(y, input_name="y")
    if kind != "binary":
        raise InputError(
            f"Only binary classification is supported. The type of the target is {kind}",
            where=where,
            fix="encode the label as two classes",
        )
    classes = np.unique(y)
    if len(classes) != 2:
        raise InputError(
            f"binary classification needs two classes; y has {len(classes)} class",
            where=where,
            fix="encode the label as two classes, both present in the training rows",
        )
    return classes, (y == classes[1]).astype(float)


def _weights_of_classes(class_weight: Mapping[Any, float], classes: Any) -> tuple[float, float]:
    """The weights of ``classes[0]`` and ``classes[1]``, as scikit-learn reads a ``class_weight`` mapping."""
    labels = np.asarray(classes)
    weights = compute_class_weight(dict(class_weight), classes=labels, y=labels)
    return float(weights[0]), float(weights[1])


def binary_class_weight(class_weight: ClassWeight, classes: Any) -> ClassWeight:
    """``class_weight`` with a mapping re-keyed from the labels ``classes`` to 0 and 1, as y01 encodes them.

    What an estimator fitted on y01 rather than on the labels (the kernel's :class:`sklearn.svm.SVC`) needs.
    """
    if not isinstance(class_weight, Mapping):
        return class_weight
    w0, w1 = _weights_of_classes(class_weight, classes)
    return {0: w0, 1: w1}


def balanced_weights(y01: np.ndarray, class_weight: ClassWeight, classes: Any = (0, 1)) -> np.ndarray:
    """Per-row weights for scikit-learn's ``class_weight``.

    ``"balanced"`` gives n / (2 · n_class) per row; a mapping label → weight (keyed by ``classes``, the
    labels of y01's 0 and 1) gives each row its class's weight, 1 where the mapping leaves a class out, as
    :func:`sklearn.utils.class_weight.compute_class_weight` does; ``None`` weighs every row 1.
    """
    if class_weight is None:
        return np.ones_like(y01)
    if isinstance(class_weight, Mapping):
        w0, w1 = _weights_of_classes(class_weight, classes)
        return np.where(y01 == 1, w1, w0)
    if class_weight != "balanced":
        raise InputError(
            f"unknown class_weight {class_weight!r}",
            fix="use 'balanced', None or a mapping of each class to its weight",
        )
    n1 = y01.sum()
    n0 = len(y01) - n1
    return np.where(y01 == 1, len(y01) / (2 * n1), len(y01) / (2 * n0))
