"""Estimators with scikit-learn conventions: quantum classifiers and the classical baselines they face."""

from qtrust.models.base import QuantumModel
from qtrust.models.baselines import BASELINES, make_baseline
from qtrust.models.circuit_classifier import CircuitClassifier
from qtrust.models.kernel import QuantumKernelClassifier
from qtrust.models.variational import VariationalClassifier

__all__ = [
    "BASELINES",
    "CircuitClassifier",
    "QuantumKernelClassifier",
    "QuantumModel",
    "VariationalClassifier",
    "make_baseline",
]
