"""A fitted classifier given as a circuit and its weights: what the PennyLane and Qiskit adapters return.

A team brings a model it already trained elsewhere. Once its circuit is translated into qtrust's
representation (:mod:`qtrust.adapters`), every fast path and every certificate applies to it exactly as to
qtrust's own :class:`~qtrust.models.VariationalClassifier`: the Heisenberg path for encode-first circuits,
the measurement operator M for certified fairness and robustness, seeded shot sampling.

The given weights are the model under audit (:meth:`from_weights` builds it). :meth:`fit` exists for what
needs *fresh* models of the same architecture — reference models for the privacy red-team, and an optional
retraining per seed to measure how stable the training procedure is. It retrains the same circuit with
qtrust's trainer (class-weighted cross-entropy, L-BFGS on exact gradients) from a seeded random start, and
says so in :meth:`describe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from qtrust.errors import InputError
from qtrust.models.base import (
    BinaryClassifierTagsMixin,
    ClassWeight,
    FittedCircuitMixin,
    ProbabilityClassifierMixin,
    binary_targets,
    train_circuit_weights,
    validate_data,
)
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.noise import NoiseModel

_FIT_PARAMS = ("max_iter", "l2", "class_weight", "init_scale", "random_state")


class CircuitClassifier(
    FittedCircuitMixin, ProbabilityClassifierMixin, BinaryClassifierTagsMixin, ClassifierMixin, BaseEstimator
):
    """A binary classifier P(class 1 | x) = Tr(E · C(x; w)) for a translated circuit C and weights w.

    A model trained elsewhere is built with :meth:`from_weights`; ``CircuitClassifier(circuit, ...)`` is the
    unfitted estimator of scikit-learn's contract (its parameters only), which :meth:`fit` trains, and which
    ``sklearn.base.clone`` returns for either.

    Parameters
    ----------
    circuit: the translated circuit (its measurement says which outcomes mean class 1). Its number of
        features is the number of columns the classifier takes.
    source: where the circuit came from (framework, object, translation notes), for the audit record.
    noise: deployment noise used by ``predict_proba`` on top of the circuit's own channels.
    max_iter, l2, class_weight, init_scale, random_state: used by :meth:`fit` only.
    """

    def __init__(
        self,
        circuit: Circuit,
        *,
        source: dict[str, Any] | None = None,
        noise: NoiseModel | None = None,
        max_iter: int = 150,
        l2: float = 0.0,
        class_weight: ClassWeight = "balanced",
        init_scale: float = 1.0,
        random_state: int | None = None,
    ) -> None:
        self.circuit = circuit
        self.source = source
        self.noise = noise
        self.max_iter = max_iter
        self.l2 = l2
        self.class_weight = class_weight
        self.init_scale = init_scale
        self.random_state = random_state

    @classmethod
    def from_weights(
        cls,
        circuit: Circuit,
        weights: Any,
        *,
        classes: tuple[Any, Any] = (0, 1),
        **params: Any,
    ) -> CircuitClassifier:
        """The fitted classifier of ``circuit`` with weights trained elsewhere: ready to predict, not retrained.

        Parameters
        ----------
        weights: the trained parameters, flat or in the framework's shape, in the circuit's weight order.
        classes: the two labels, in scikit-learn order: ``classes[1]`` is the class whose probability the
            circuit measures.
        params: the estimator's other parameters (``source``, ``noise``, and what :meth:`fit` would use to
            train fresh copies: privacy reference models, retraining per seed).
        """
        model = cls(circuit, **params)
        model._checked_circuit()
        weights = np.asarray(weights, dtype=float).reshape(-1)
        if weights.size != circuit.n_weights:
            raise InputError(
                f"{weights.size} weights given; the circuit has {circuit.n_weights} trainable parameters",
                where="weights",
                fix="pass the weights the model was trained with, in the framework's own shape",
            )
        model.circuit_ = circuit
        model.weights_ = weights
        model.classes_ = np.asarray(classes)
        model.n_features_in_ = circuit.n_features
        model.trained_by_ = "given"
        return model

    def _checked_circuit(self) -> Circuit:
        """The circuit, once it and ``source`` are what they should be (a misplaced ``weights`` is refused)."""
        if not isinstance(self.circuit, Circuit):
            raise InputError(
                f"circuit is {type(self.circuit).__name__}, not a qtrust Circuit",
                where="CircuitClassifier",
                fix="translate the model with qtrust.adapters (from_pennylane, from_qiskit), or build it "
                "with CircuitClassifier.from_weights(circuit, weights) when the weights are already trained",
            )
        if self.source is not None and not isinstance(self.source, Mapping):
            raise InputError(
                f"source is {type(self.source).__name__}, not a mapping",
                where="CircuitClassifier",
                fix="pass trained weights through CircuitClassifier.from_weights(circuit, weights)",
            )
        return self.circuit

    def fit(self, X: Any, y: Any) -> CircuitClassifier:
        """Retrain the same circuit from a seeded random start (privacy references, seed studies).

        ``X`` must have the circuit's number of features; ``feature_names_in_`` is recorded for a DataFrame.
        """
        circuit = self._checked_circuit()
        X, y = validate_data(self, X, y, reset=True)
        classes, y01 = binary_targets(y, "CircuitClassifier.fit")
        if X.shape[1] != circuit.n_features:
            raise InputError(
                f"X has {X.shape[1]} feature(s), but the circuit takes {circuit.n_features}",
                where="CircuitClassifier.fit",
                fix="transform the data with the same QubitPreprocessor the circuit was built for",
            )
        trained = train_circuit_weights(
            circuit,
            X,
            y01,
            random_state=self.random_state,
            init_scale=self.init_scale,
            class_weight=self.class_weight,
            classes=classes,
            l2=self.l2,
            max_iter=self.max_iter,
        )
        self.circuit_ = circuit
        self.weights_ = trained.weights
        self.classes_ = classes
        self.trained_by_ = "qtrust"
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
            "circuit": self.circuit_.to_dict(),
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
        return cls.from_weights(
            Circuit.from_dict(described["circuit"]),
            np.asarray(described["weights"], dtype=float),
            classes=(classes[0], classes[1]),
            source=described.get("source"),
            **{k: v for k, v in described.get("fit_params", {}).items() if k in _FIT_PARAMS},
        )
