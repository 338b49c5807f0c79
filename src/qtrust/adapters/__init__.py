"""Bring your own model: translate PennyLane and Qiskit classifiers into qtrust's circuit representation.

The frameworks are optional dependencies, imported only when an adapter is called, so ``import qtrust``
never needs them.
"""

from __future__ import annotations

from typing import Any


def from_pennylane(qnode: Any, weights: Any, **options: Any) -> Any:
    """A qtrust classifier for a PennyLane QNode (see :func:`qtrust.adapters.pennylane.from_pennylane`)."""
    from qtrust.adapters.pennylane import from_pennylane as translate

    return translate(qnode, weights, **options)


def from_qiskit(
    circuit: Any, input_params: Any, weight_params: Any, weights: Any, observable: Any = None, **options: Any
) -> Any:
    """A qtrust classifier for a parameterised Qiskit circuit (see :mod:`qtrust.adapters.qiskit`)."""
    from qtrust.adapters.qiskit import from_qiskit as translate

    return translate(circuit, input_params, weight_params, weights, observable, **options)


def from_qiskit_ml(model: Any, **options: Any) -> Any:
    """A qtrust classifier for a fitted qiskit-machine-learning ``VQC``, ``NeuralNetworkClassifier`` or ``QSVC``."""
    from qtrust.adapters.qiskit import from_qiskit_ml as translate

    return translate(model, **options)


def qnode_output(model: Any, X: Any, noise: Any = None) -> Any:
    """The QNode's raw output (expval or probs) from a classifier :func:`from_pennylane` returned."""
    from qtrust.adapters.pennylane import qnode_output as raw

    return raw(model, X, noise)


def qiskit_output(model: Any, X: Any, noise: Any = None) -> Any:
    """The Qiskit model's raw output (⟨O⟩, or [P(0), P(1)]) from a classifier :func:`from_qiskit` returned."""
    from qtrust.adapters.qiskit import qiskit_output as raw

    return raw(model, X, noise)


__all__ = ["from_pennylane", "from_qiskit", "from_qiskit_ml", "qiskit_output", "qnode_output"]
