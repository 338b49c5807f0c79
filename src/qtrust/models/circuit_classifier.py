"""A fitted classifier given as a circuit and its weights: what the PennyLane and Qiskit adapters return.

A team brings a model it already trained elsewhere. Once its circuit is translated into qtrust's
representation (:mod:`qtrust.adapters`), every fast path and every certificate applies to it exactly as to
qtrust's own :class:`~qtrust.models.VariationalClassifier`: the Heisenberg path for encode-first circuits,
the measurement operator M for certified fairness and robustness, seeded shot sampling.

The given weights are the model under audit. :meth:`fit` exists for what needs *fresh* models of the same
architecture — reference models for the privacy red-team, and an optional retraining per seed to measure
how stable the training procedure is. It retrains the same circuit with qtrust's trainer (class-weighted
cross-entropy, L-BFGS on exact gradients) from a seeded random start, and says so in :meth:`describe`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from qtrust.errors import InputError
from qtrust.models.base import (
    FittedCircuitMixin,
    ProbabilityClassifierMixin,
    binary_targets,
    check_angles,
    train_circuit_weights,
)
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.noise import NoiseModel

_FIT_PARAMS = ("max_iter", "l2", "class_weight", "init_scale", "random_state")


class CircuitClassifier(FittedCircuitMixin, ProbabilityClassifierMixin, ClassifierMixin, BaseEstimator):
    """A binary classifier P(class 1 | x) = Tr(E · C(x; w)) for a translated circuit C and weights w.

    Parameters
    ----------
    circuit: the translated circuit (its measurement says which outcomes mean class 1).
    weights: the trained parameters, flat, in the circuit's weight order. ``None`` leaves the classifier
        unfitted until :meth:`fit`.
    classes: the two labels, in scikit-learn order: ``classes[1]`` is the class whose probability the
        circuit measures.
    source: where the circuit came from (framework, object, translation notes), for the audit record.
    noise: deployment noise used by ``predict_proba`` on top of the circuit's own channels.
    max_iter, l2, class_weight, init_scale, random_state: used by :meth:`fit` only.
    """

    def __init__(
        self,
        circuit: Circuit,
        weights: Any = None,
        classes: tuple[Any, Any] = (0, 1),
        source: dict[str, Any] | None = None,
        noise: NoiseModel | None = None,
        max_iter: int = 150,
        l2: float = 0.0,
        class_weight: str | None = "balanced",
        init_scale: float = 1.0,
        random_state: int | None = None,
    ) -> None:
        self.circuit = circuit
        self.weights = weights
        self.classes = classes
        self.source = source
        self.noise = noise
        self.max_iter = max_iter
        self.l2 = l2
        self.class_weight = class_weight
        self.init_scale = init_scale
        self.random_state = random_state
        if weights is not None:
            self._set_fitted(np.asarray(weights, dtype=float).reshape(-1), trained_by="given")

    def _set_fitted(self, weights: np.ndarray, trained_by: str, classes: Any = None) -> None:
        if weights.size != self.circuit.n_weights:
            raise InputError(
                f"{weights.size} weights given; the circuit has {self.circuit.n_weights} trainable parameters",
                where="weights",
                fix="pass the weights the model was trained with, in the framework's own shape",
            )
        self.circuit_ = self.circuit
        self.weights_ = weights
        self.classes_ = np.asarray(self.classes if classes is None else classes)
        self.n_features_in_ = self.circuit.n_features
        self.trained_by_ = trained_by

    def fit(self, X: Any, y: Any) -> CircuitClassifier:
        """Retrain the same circuit from a seeded random start (privacy references, seed studies)."""
        X = check_angles(X, self.circuit.n_features, "CircuitClassifier.fit")
        classes, y01 = binary_targets(y, "CircuitClassifier.fit")
        trained = train_circuit_weights(
            self.circuit,
            X,
            y01,
            random_state=self.random_state,
            init_scale=self.init_scale,
            class_weight=self.class_weight,
            l2=self.l2,
            max_iter=self.max_iter,
        )
        self._set_fitted(trained.weights, trained_by="qtrust", classes=classes)
        self.initial_weights_ = trained.initial_weights
        self.loss_ = trained.loss
        self.n_iter_ = trained.iterations
        self.converged_ = trained.converged
        return self

    def describe(self) -> dict[str, Any]:
        check_is_fitted(self, "weights_")
        out: dict[str, Any] = {
            "kind": "circuit",
            "source": self.source or {},
            "circuit": self.circuit.to_dict(),
            "weights": self.weights_.tolist(),
            "classes": self.classes_.tolist(),
            "trained_by": self.trained_by_,
            # how fresh copies train (privacy references, retraining): rebuilt with these, they train alike
            "fit_params": {k: getattr(self, k) for k in _FIT_PARAMS},
            "execution": "qtrust engine (translated circuit)",
        }
        if self.trained_by_ == "qtrust":
            out["training"] = {
                "optimizer": "L-BFGS-B",
                "iterations": self.n_iter_,
                "final_loss": self.loss_,
                "converged": self.converged_,
            }
        return out

    @classmethod
    def from_description(cls, described: dict[str, Any]) -> CircuitClassifier:
        """Rebuild the fitted classifier from :meth:`describe`'s record (what ``qtrust reproduce`` reads)."""
        classes = described.get("classes", [0, 1])
        return cls(
            Circuit.from_dict(described["circuit"]),
            np.asarray(described["weights"], dtype=float),
            classes=(classes[0], classes[1]),
            source=described.get("source"),
            **{k: v for k, v in described.get("fit_params", {}).items() if k in _FIT_PARAMS},
        )
