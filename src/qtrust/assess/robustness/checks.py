"""The checks: the bound, the exact check and verified adversarial states, for states or a fitted model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from qtrust.assess.robustness.certificate import _distance_of, _model_parts, bound_radius, circuit_operator
from qtrust.assess.robustness.frontier import _Frontier
from qtrust.assess.robustness.records import AdversarialState, CertifiedRobustness, EpsilonRobustness
from qtrust.assess.robustness.states import _States
from qtrust.assess.robustness.validation import (
    Distance,
    _as_distance,
    _binary_labels,
    _check_distance,
    _check_epsilons,
    _fidelity_threshold,
)
from qtrust.errors import InputError
from qtrust.quantum.engine import encode
from qtrust.quantum.heisenberg import expectation
from qtrust.quantum.inputs import check_features
from qtrust.quantum.noise import NOISELESS, NoiseModel
from qtrust.quantum.states import EncodedStates

#: The levels VeriQ's README checks for its quantum-bits classifier (``batch_check.py binary_cav.npz 1e-3 4``).
DEFAULT_EPSILONS: tuple[float, ...] = (1e-3, 2e-3, 3e-3, 4e-3)
THRESHOLD = 0.5
#: An adversarial state counts as verified when its recomputed label differs and its recomputed distance is
#: at most ε + this. Statevector fidelity |⟨ψ|φ⟩|² is exact to rounding; the fidelity of density matrices
#: is only Hölder-½ in the data (√ of eigenvalues at rounding level, e.g. a weakly noisy encoding on many
#: qubits is numerically rank-deficient), so it is recomputed to about √(machine ε) per dimension.
VERIFY_TOL = {"statevector": 1e-9, "density_matrix": 1e-6}


@dataclass(frozen=True)
class _Problem:
    """M in its eigenbasis, the input states, their scores and their populations in that basis."""

    operator: np.ndarray
    vectors: np.ndarray  # eigenvectors of M (columns)
    batch: _States
    p1: np.ndarray
    pred: np.ndarray
    values: np.ndarray  # (N, d): what the adversary pushes down, m for label 1 and 1 − m for label 0
    weights: np.ndarray  # (N, d): w_k = ⟨k|ρ|k⟩

    @classmethod
    def of(cls, operator: np.ndarray, states: EncodedStates | np.ndarray) -> _Problem:
        m = np.asarray(operator)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or not np.allclose(m, m.conj().T, atol=1e-10):
            raise InputError("the class-1 operator M must be a square Hermitian matrix", where="operator")
        batch = _States.of(states)
        if batch.dim != m.shape[0]:
            raise InputError(
                f"states of dimension {batch.dim} do not match M of size {m.shape[0]}", where="states"
            )
        m_values, m_vectors = np.linalg.eigh((m + m.conj().T) / 2)
        p1 = batch.probabilities(m)
        pred = (p1 >= THRESHOLD).astype(int)
        values = np.where(pred[:, None] == 1, m_values[None, :], 1.0 - m_values[None, :])
        return cls(m, m_vectors, batch, p1, pred, values, batch.populations(m_vectors))

    def exact_infidelity(self) -> np.ndarray:
        """r* = 1 − max{F(ρ, σ) : σ gets the other label} per input (∞ when no state does).

        Label-1 flips need Tr(Mσ) < 1/2 (strict), label-0 flips Tr(Mσ) ≥ 1/2.
        """
        frontier = _Frontier.of(self.values, self.weights)
        radius = 1.0 - frontier.max_fidelity(THRESHOLD, strict=self.pred == 1)
        return np.where(np.isnan(radius), np.inf, np.maximum(radius, 0.0))


def certify_states(
    operator: np.ndarray,
    states: EncodedStates | np.ndarray,
    labels: np.ndarray,
    epsilons: Sequence[float] | float = DEFAULT_EPSILONS,
    *,
    distance: Distance = "infidelity",
    check_all: bool = False,
) -> CertifiedRobustness:
    """Bound, exact check and adversarial states for a class-1 operator M (0 ≤ M ≤ I) and input states.

    ``states`` is an :class:`EncodedStates` batch, statevectors (N, d) or density matrices (N, d, d);
    ``labels`` are the true 0/1 labels. The exact radius is computed for every input; at each ε the inputs
    the bound does not certify are checked exactly, and each one that is not robust gets the worst state
    of its ball (largest margin past the boundary), recomputed and verified. ``check_all`` runs the exact
    check on certified inputs too — a soundness audit of the bound (it must find nothing there).
    """
    _check_distance(distance)
    levels = _check_epsilons(epsilons)
    problem = _Problem.of(operator, states)
    batch, p1, pred = problem.batch, problem.p1, problem.pred
    values, weights = problem.values, problem.weights
    y = np.asarray(labels)
    if y.shape != (batch.n_rows,) or not np.isin(y, (0, 1)).all():
        raise InputError(
            f"expected {batch.n_rows} labels in {{0, 1}}, got shape {y.shape}",
            where="labels",
            fix="pass one 0/1 label per input state",
        )
    y = y.astype(int)
    correct = pred == y
    exact_infidelity = problem.exact_infidelity()
    bound = bound_radius(p1, distance)
    n = batch.n_rows
    points = []
    for eps in levels:
        flagged = np.arange(n) if check_all else np.flatnonzero(~(bound > eps))
        robust = np.ones(n, dtype=bool)
        adversaries: list[AdversarialState] = []
        if flagged.size:
            sub = _Frontier.of(values[flagged], weights[flagged])
            q = sub.worst(_fidelity_threshold(eps, distance))
            worst = (q * values[flagged]).sum(axis=1)
            flips = np.where(pred[flagged] == 1, worst < THRESHOLD, worst <= THRESHOLD)
            for j in np.flatnonzero(flips):
                i = int(flagged[j])
                robust[i] = False
                adversaries.append(_adversary(problem, i, q[j], sub.weights[j], eps, distance))
        points.append(
            EpsilonRobustness(
                epsilon=eps,
                n_rows=n,
                n_bound_certified=int(np.sum(bound > eps)),
                n_flagged=int(np.sum(~(bound > eps))),
                n_robust=int(robust.sum()),
                bound_certified_accuracy=float(np.mean(correct & (bound > eps))),
                robust_accuracy=float(np.mean(correct & robust)),
                robust_fraction=float(np.mean(robust)),
                adversarial=tuple(adversaries),
            )
        )
    return CertifiedRobustness(
        distance=distance,
        state_kind="statevector" if batch.kind == "pure" else "density_matrix",
        probabilities=p1,
        predictions=pred,
        labels=y,
        bound_radius=bound,
        exact_radius=_as_distance(exact_infidelity, distance),
        points=tuple(points),
    )


def _adversary(
    problem: _Problem, i: int, q: np.ndarray, w: np.ndarray, eps: float, distance: str
) -> AdversarialState:
    """σ = KρK (+ mass on eigenvectors ρ does not touch), K = Σ √(q_k/w_k)|k⟩⟨k|, recomputed and verified."""
    pos = w > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pos, np.sqrt(q / np.where(pos, w, 1.0)), 0.0)
    free = np.where(pos, 0.0, q)
    batch, m, vectors = problem.batch, problem.operator, problem.vectors
    rho = batch.row(i)
    if batch.kind == "pure":
        coefficients = vectors.conj().T @ rho
        phi = vectors @ (scale * coefficients + np.sqrt(free))
        state = phi / np.linalg.norm(phi)
        p_adv = float(np.real(np.vdot(state, m @ state)))
        kind: Literal["statevector", "density_matrix"] = "statevector"
    else:
        rotated = vectors.conj().T @ rho @ vectors
        sigma_eig = scale[:, None] * rotated * scale[None, :] + np.diag(free)
        sigma = vectors @ sigma_eig @ vectors.conj().T
        sigma = (sigma + sigma.conj().T) / 2
        state = sigma / np.trace(sigma).real
        p_adv = float(np.real(np.trace(m @ state)))
        kind = "density_matrix"
    d = _distance_of(rho, state, distance)
    flipped = int(p_adv >= THRESHOLD) != problem.pred[i]
    verified = flipped and d <= eps + VERIFY_TOL[kind]
    return AdversarialState(i, eps, kind, state, float(problem.p1[i]), p_adv, d, verified)


def robust_accuracy(
    model: Any,
    X: Any,
    y: Any,
    epsilons: Sequence[float] | float = DEFAULT_EPSILONS,
    noise: NoiseModel | None = None,
    *,
    distance: Distance = "infidelity",
) -> CertifiedRobustness:
    """Certified robustness of a fitted variational classifier's encoded inputs ρ(x) at every ε.

    The adversary perturbs the encoded state (after any encoding noise) within fidelity distance ε; the
    model's trainable section and measurement, with ``noise``, are M. ``y`` uses the model's own labels.
    """
    _check_distance(distance)
    levels = _check_epsilons(epsilons)
    circuit, weights = _model_parts(model)
    m = circuit_operator(circuit, weights, noise)
    X = check_features(X, where="X", n_features=circuit.n_features)
    labels = _binary_labels(y, getattr(model, "classes_", None), X.shape[0])
    result = certify_states(m, encode(circuit, X, noise), labels, levels, distance=distance)
    return replace(result, noise=(noise or NOISELESS).to_dict())


def certified_radius(
    model: Any,
    X: Any,
    noise: NoiseModel | None = None,
    *,
    method: Literal["bound", "exact"] = "bound",
    distance: Distance = "infidelity",
) -> np.ndarray:
    """Per-input radius: the robust bound's r_B (cheap, sufficient) or the exact r* (∞: never flips).

    An input is ε-robust for every ε < radius. r* ≥ r_B always, with equality for projective M.
    """
    _check_distance(distance)
    if method not in ("bound", "exact"):
        raise InputError(f"unknown method {method!r}", where="method", fix="use 'bound' or 'exact'")
    circuit, weights = _model_parts(model)
    m = circuit_operator(circuit, weights, noise)
    X = check_features(X, where="X", n_features=circuit.n_features)
    states = encode(circuit, X, noise)
    if method == "bound":
        return bound_radius(expectation(m, states), distance)
    return _as_distance(_Problem.of(m, states).exact_infidelity(), distance)
