"""What the certificate is built from: the fidelity of two states, the operator M, the robust bound."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qtrust.assess.robustness.validation import Distance, _as_distance, _check_distance
from qtrust.errors import InputError
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.engine import measurement_operator
from qtrust.quantum.noise import NoiseModel

# ----------------------------------------------------------------------------------------------- fidelity


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.conj().T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.conj().T


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    """Uhlmann fidelity F = (Tr √(√a b √a))² of two states, each a statevector (d,) or density matrix (d, d).

    Pure–pure is |⟨a|b⟩|² and pure–mixed ⟨a|b|a⟩ (exact to rounding); mixed–mixed goes through
    eigendecompositions, whose error near zero eigenvalues is √(machine ε)-sized (see ``VERIFY_TOL``).
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.ndim == 1 and b.ndim == 1:
        return float(abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real))
    if a.ndim == 1 or b.ndim == 1:
        psi, rho = (a, b) if a.ndim == 1 else (b, a)
        return float(np.real(np.vdot(psi, rho @ psi)) / (np.vdot(psi, psi).real * np.trace(rho).real))
    root = _sqrt_psd(a)
    inner = root @ b @ root
    values = np.linalg.eigvalsh((inner + inner.conj().T) / 2)
    return float(np.sum(np.sqrt(np.clip(values, 0.0, None))) ** 2 / (np.trace(a).real * np.trace(b).real))


def _distance_of(a: np.ndarray, b: np.ndarray, distance: str) -> float:
    infidelity = max(0.0, 1.0 - fidelity(a, b))
    return infidelity if distance == "infidelity" else math.sqrt(infidelity)


# ------------------------------------------------------------------------------------------------ operator


def circuit_operator(
    circuit: Circuit, weights: np.ndarray | None, noise: NoiseModel | None = None
) -> np.ndarray:
    """M = E†(effect): p(class 1 | ρ) = Tr(M ρ) for every state ρ the trainable section can receive.

    Only an encode-first circuit has one such M; with data re-uploading the "state" the model sees is not
    a function of one encoded ρ, so there is nothing to certify against.
    """
    if not circuit.is_encode_first:
        raise InputError(
            "the circuit re-uploads data after trainable gates, so no single measurement operator M with "
            "p1 = Tr(M ρ(x)) exists and state robustness is undefined",
            where="circuit",
            fix="certify an encode-first model (reupload=False); for re-uploading models use the empirical "
            "perturbation_robustness",
        )
    return measurement_operator(circuit, weights, noise)


def _model_parts(model: Any) -> tuple[Circuit, np.ndarray]:
    circuit = getattr(model, "circuit_", None)
    weights = getattr(model, "weights_", None)
    if circuit is None or weights is None:
        if hasattr(model, "svc_") or hasattr(model, "support_inputs_"):
            raise InputError(
                "certified robustness is not implemented for the quantum-kernel classifier: its decision is "
                "an SVC over kernel values with support vectors, not Tr(M ρ) for one operator M",
                where="model",
                fix="certify a variational classifier, or use perturbation_robustness for the kernel model",
            )
        raise InputError(
            "the model has no fitted circuit and weights (circuit_, weights_)",
            where="model",
            fix="fit a VariationalClassifier first",
        )
    return circuit, np.asarray(weights, dtype=float)


def model_operator(model: Any, noise: NoiseModel | None = None) -> np.ndarray:
    """M of a fitted variational classifier under ``noise`` (see :func:`circuit_operator`)."""
    circuit, weights = _model_parts(model)
    return circuit_operator(circuit, weights, noise)


# ------------------------------------------------------------------------------------------ robust bound


def bound_radius(p1: np.ndarray | float, distance: Distance = "infidelity") -> np.ndarray:
    """The robust bound's certified radius r_B = (√p1 − √p0)²/2 (as 1 − F), in ``distance``.

    Every input is ε-robust for all ε < r_B (strict: at ε = r_B a state on the decision boundary may be
    reachable).
    """
    _check_distance(distance)
    p = np.clip(np.asarray(p1, dtype=float), 0.0, 1.0)
    radius = (np.sqrt(p) - np.sqrt(1.0 - p)) ** 2 / 2.0
    return _as_distance(radius, distance)
