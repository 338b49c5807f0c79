"""A variational quantum classifier with scikit-learn's estimator conventions.

The circuit is an encoding (angle or IQP), ``n_layers`` hardware-efficient layers and a final rotation layer;
P(class 1) is the probability of the measurement effect (by default the mean readout of all qubits, so that
the no-entanglement control still sees every feature). Training minimises class-weighted cross-entropy with
L-BFGS on exact full-batch gradients (analytic adjoint, or the parameter-shift rule), optionally under noise.
Predictions are exact probabilities under the deployment noise model ``noise``; assessments score the same
fitted weights under any other noise model through :meth:`probabilities`.
"""

from __future__ import annotations

from typing import Any

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
from qtrust.quantum.ansatz import variational_circuit
from qtrust.quantum.circuit import Measurement
from qtrust.quantum.noise import NOISELESS, NoiseModel

READOUTS = ("mean", "parity", "first")


def _measurement(readout: str, n_qubits: int) -> Measurement:
    if readout == "mean":
        return Measurement(tuple(range(n_qubits)), "mean")
    if readout == "parity":
        return Measurement(tuple(range(n_qubits)), "parity")
    if readout == "first":
        return Measurement((0,), "parity")
    raise InputError(
        f"unknown readout {readout!r}", where="readout", fix=f"use one of: {', '.join(READOUTS)}"
    )


class VariationalClassifier(
    FittedCircuitMixin, ProbabilityClassifierMixin, BinaryClassifierTagsMixin, ClassifierMixin, BaseEstimator
):
    """Variational quantum classifier on angle-scaled inputs (one feature per qubit).

    Parameters
    ----------
    n_layers: number of hardware-efficient layers.
    encoding: ``"angle"`` (RY per qubit) or ``"iqp"`` (Havlíček ZZ feature map, ``encoding_reps`` times).
    topology: entangling pattern of CNOTs, ``"ring"``, ``"linear"``, ``"full"`` or ``"none"`` (the
        no-entanglement control: a classically simulable product-state model).
    readout: ``"mean"`` (mean of all qubits' bits), ``"parity"`` (parity of all bits) or ``"first"``.
    reupload: repeat the encoding before every layer (not encode-first: density-matrix path when noisy).
    gradient: ``"analytic"`` (adjoint, encode-first circuits) or ``"parameter-shift"``.
    train_noise: noise model used while training (noise-aware training); ``None`` trains noiselessly.
    noise: deployment noise model used by ``predict_proba``; ``None`` is noiseless.
    """

    def __init__(
        self,
        n_layers: int = 2,
        encoding: str = "angle",
        encoding_reps: int = 2,
        topology: str = "ring",
        rotations: tuple[str, ...] = ("RY", "RZ"),
        readout: str = "mean",
        reupload: bool = False,
        gradient: str = "analytic",
        max_iter: int = 200,
        tol: float = 1e-7,
        l2: float = 0.0,
        class_weight: ClassWeight = "balanced",
        init_scale: float = 1.0,
        train_noise: NoiseModel | None = None,
        noise: NoiseModel | None = None,
        random_state: int | None = None,
    ) -> None:
        self.n_layers = n_layers
        self.encoding = encoding
        self.encoding_reps = encoding_reps
        self.topology = topology
        self.rotations = rotations
        self.readout = readout
        self.reupload = reupload
        self.gradient = gradient
        self.max_iter = max_iter
        self.tol = tol
        self.l2 = l2
        self.class_weight = class_weight
        self.init_scale = init_scale
        self.train_noise = train_noise
        self.noise = noise
        self.random_state = random_state

    def build_circuit(self, n_qubits: int):
        return variational_circuit(
            n_qubits,
            self.n_layers,
            encoding=self.encoding,  # type: ignore[arg-type]
            encoding_reps=self.encoding_reps,
            rotations=tuple(self.rotations),
            topology=self.topology,  # type: ignore[arg-type]
            reupload=self.reupload,
            measurement=_measurement(self.readout, n_qubits),
            name="variational" if self.topology != "none" else "variational_no_entanglement",
        )

    def fit(self, X: Any, y: Any) -> VariationalClassifier:
        """Train the circuit's weights on angle-scaled rows ``X`` (one column per qubit) and binary labels ``y``.

        ``n_features_in_`` (and ``feature_names_in_`` for a DataFrame) come from scikit-learn's validation,
        so predicting on other columns warns or raises as for any scikit-learn classifier.
        """
        X, y = validate_data(self, X, y, reset=True)
        self.classes_, y01 = binary_targets(y, "VariationalClassifier.fit")
        self.circuit_ = self.build_circuit(X.shape[1])
        trained = train_circuit_weights(
            self.circuit_,
            X,
            y01,
            random_state=self.random_state,
            init_scale=self.init_scale,
            class_weight=self.class_weight,
            classes=self.classes_,
            l2=self.l2,
            noise=self.train_noise,
            gradient=self.gradient,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        self.initial_weights_ = trained.initial_weights
        self.weights_ = trained.weights
        self.loss_ = trained.loss
        self.n_iter_ = trained.iterations
        self.converged_ = trained.converged
        self.gradient_method_ = trained.gradient
        self.training_path_ = trained.path
        return self

    def describe(self) -> dict[str, Any]:
        check_is_fitted(self, "weights_")
        return {
            "kind": "variational",
            "circuit": self.circuit_.to_dict(),
            "weights": self.weights_.tolist(),
            "initial_weights": self.initial_weights_.tolist(),
            "training": {
                "optimizer": "L-BFGS-B",
                "gradient": self.gradient_method_,
                "iterations": self.n_iter_,
                "final_loss": self.loss_,
                "converged": self.converged_,
                "train_noise": (self.train_noise or NOISELESS).to_dict(),
                "path": self.training_path_,
            },
        }
