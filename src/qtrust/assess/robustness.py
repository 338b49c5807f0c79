"""Robustness of a classifier to perturbed inputs: certified (quantum states) and empirical (features).

Certified robustness — Guan, Fang, Ying, "Robustness Verification of Quantum Classifiers", CAV 2021
(LNCS 12759, doi:10.1007/978-3-030-81685-8_7, arXiv:2008.07230), with the conventions of the authors' own
verifier (VeriQ, github.com/Veri-Q/Robustness, ``VeriQ.py``):

* A binary classifier scores a state ρ by p1(ρ) = Tr(M ρ), p0 = 1 − p1, with M = E†(effect) the Heisenberg
  operator of the trainable section and measurement (noise channels and readout error included), so
  0 ≤ M ≤ I. The label is 1 iff p1 ≥ 1/2 (qtrust's ``predict``).
* Distance: D(ρ, σ) = 1 − F(ρ, σ) with F(ρ, σ) = (Tr √(√ρ σ √ρ))² the (squared) Uhlmann fidelity. VeriQ's
  SDP maximises √F and compares 1 − √F with 1 − √(1 − ε), i.e. F > 1 − ε, and its bound flags
  |√p − √(1 − p)| ≤ √(2ε): both are the infidelity 1 − F, **not** √(1 − F). The purified (sine) distance
  √(1 − F) is available as ``distance="purified"``: P ≤ ε ⟺ 1 − F ≤ ε².
* ρ is ε-robust if every σ with D(ρ, σ) ≤ ε gets ρ's label. Robust accuracy at ε: the share of inputs that
  are classified correctly *and* ε-robust. (VeriQ counts 1 − #(correct and not robust)/N, which also counts
  misclassified inputs as robust; ``robust_fraction`` — robust, correct or not — is reported too.)
* Robust bound (the paper's sufficient condition, binary case, as VeriQ applies it before its SDP): ρ is
  ε-robust if |√p1 − √p0| > √(2ε), i.e. its bound radius r_B = (√p1 − √p0)²/2 = 1/2 − √(p0 p1) exceeds ε.
  Why it is sound: measuring {M, I − M} is a channel, so the classical fidelity of the outcome laws is at
  least F(ρ, σ) ≥ 1 − ε; the closest law on the decision boundary (1/2, 1/2) has classical fidelity
  1/2 + √(p0 p1) = 1 − r_B.
* Exact check (the paper's SDP, replaced by a reduction proved here, so no SDP solver is needed — pure *and*
  mixed states): with M = Σ_k m_k |k⟩⟨k| and w_k = ⟨k|ρ|k⟩,

      min {Tr(Mσ) : F(ρ, σ) ≥ c}  =  min {Σ_k q_k m_k : q a distribution, (Σ_k √(q_k w_k))² ≥ c}.

  (≥) Measuring in M's eigenbasis is a channel: it keeps Tr(Mσ) = Σ m_k ⟨k|σ|k⟩ and cannot lower the
  fidelity, so every feasible σ gives a feasible q with the same value. (≤) For a feasible q, let
  K = Σ_{w_k>0} √(q_k/w_k) |k⟩⟨k| ⪰ 0 and σ = KρK + Σ_{w_k=0} q_k |k⟩⟨k|. K commutes with M, so
  Tr(Mσ) = Σ q_k m_k; ρ|k⟩ = 0 when w_k = 0, so √ρ σ √ρ = (√ρ K √ρ)² and √F = Tr(Kρ) = Σ √(q_k w_k).
  For pure ρ = |ψ⟩⟨ψ| a pure state does as well: |φ⟩ = K|ψ⟩ + Σ_{w_k=0} √q_k |k⟩ has the same value and
  fidelity (⟨ψ|k⟩ = 0 and M|k⟩ = m_k|k⟩ remove every cross term).
  The classical problem is convex; with u_k = √q_k it reads min uᵀ diag(m) u over ‖u‖ = 1, (sᵀu)² ≥ c,
  s = √w, whose KKT points are u_k ∝ s_k / (m_k − λ), λ < min m — each one globally optimal for its own
  c, because the Lagrangian matrix diag(m) − λI − μ s sᵀ is ⪰ 0 with u in its kernel — plus, when min m is
  carried only by eigenvectors that ρ does not touch (w = 0), the segment mixing the λ → min m limit with
  that eigenvector (the "hard case" of trust-region problems). Overlap Σ √(q_k w_k) and value Σ q_k m_k
  both increase along the family as λ decreases, so a monotone one-dimensional bisection finds (a) the
  worst state inside the ball (fidelity ≥ 1 − ε), which decides robustness and is the adversarial state
  returned, and (b) the exact radius r* = 1 − max{F(ρ, σ) : σ flips the label}. Labels 0 use 1 − m.

  The exact radius is never below the bound radius; they coincide when M is a projector (e.g. a noiseless
  single-qubit classifier), where r* = sin²(|θ − π/2| / 2) for Bloch polar angle θ in M's eigenbasis.

Not covered: circuits that re-upload data (no single M; an :class:`InputError` says so) and the
quantum-kernel SVC (its decision is a kernel expansion over support vectors, not Tr(Mρ); no sound
certificate is implemented). Multi-class bounds are out of scope (qtrust's classifiers are binary).

Empirical robustness (:func:`perturbation_robustness`) perturbs the *features* of any model exposing
P(class 1 | X): Gaussian noise (seeded draws) and a projected sign-gradient attack (finite differences,
batched) inside an L∞ ball, reporting accuracy, the equalised-odds gap (qtrust.metrics) and flip rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from qtrust.errors import InputError
from qtrust.metrics import accuracy as accuracy_metric
from qtrust.metrics import group_confusion
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.engine import encode, measurement_operator
from qtrust.quantum.heisenberg import expectation
from qtrust.quantum.noise import NOISELESS, NoiseModel
from qtrust.quantum.states import VEC_FROM_PAULI, EncodedStates
from qtrust.seeding import derive_seed

__all__ = [
    "DEFAULT_EPSILONS",
    "DISTANCES",
    "AdversarialState",
    "CertifiedRobustness",
    "EpsilonRobustness",
    "GaussianPerturbation",
    "LinfAttack",
    "PerturbationRobustness",
    "bound_radius",
    "certified_radius",
    "certify_states",
    "circuit_operator",
    "fidelity",
    "model_operator",
    "perturbation_robustness",
    "probabilities_fn",
    "robust_accuracy",
]

Distance = Literal["infidelity", "purified"]
DISTANCES: tuple[str, ...] = ("infidelity", "purified")
DISTANCE_TEXT = {
    "infidelity": "D(rho, sigma) = 1 - F(rho, sigma), F = (Tr sqrt(sqrt(rho) sigma sqrt(rho)))^2 (Guan et al. 2021)",
    "purified": "P(rho, sigma) = sqrt(1 - F(rho, sigma)) (purified / sine distance)",
}
#: The levels VeriQ's README checks for its quantum-bits classifier (``batch_check.py binary_cav.npz 1e-3 4``).
DEFAULT_EPSILONS: tuple[float, ...] = (1e-3, 2e-3, 3e-3, 4e-3)
THRESHOLD = 0.5
#: An adversarial state counts as verified when its recomputed label differs and its recomputed distance is
#: at most ε + this. Statevector fidelity |⟨ψ|φ⟩|² is exact to rounding; the fidelity of density matrices
#: is only Hölder-½ in the data (√ of eigenvalues at rounding level, e.g. a weakly noisy encoding on many
#: qubits is numerically rank-deficient), so it is recomputed to about √(machine ε) per dimension.
VERIFY_TOL = {"statevector": 1e-9, "density_matrix": 1e-6}
_ZERO_WEIGHT = 1e-60  # eigen-populations below this are treated as exactly zero (the degenerate case)
_LOG_TAU = (math.log(1e-35), math.log(1e25))  # bisection range of τ = min m − λ (gaps are at most 1)
_BISECTIONS = 110
_CHUNK_ELEMENTS = 2**23  # complex entries of density matrices handled at once (~128 MB)


# --------------------------------------------------------------------------------------------- validation


def _check_distance(distance: str) -> str:
    if distance not in DISTANCES:
        raise InputError(
            f"unknown distance {distance!r}", where="distance", fix=f"use one of: {', '.join(DISTANCES)}"
        )
    return distance


def _check_epsilons(epsilons: Sequence[float] | float) -> tuple[float, ...]:
    values = np.atleast_1d(np.asarray(epsilons, dtype=float))
    if values.ndim != 1 or values.size == 0:
        raise InputError("no robustness level given", where="epsilons", fix="pass e.g. (1e-3, 2e-3)")
    for eps in values:
        if not (np.isfinite(eps) and 0.0 < eps <= 1.0):
            raise InputError(
                f"robustness level ε = {eps!r} is outside (0, 1]",
                where="epsilons",
                fix="a fidelity distance lies in [0, 1]; use levels with 0 < ε ≤ 1, e.g. 1e-3",
            )
    return tuple(sorted({float(v) for v in values}))


def _fidelity_threshold(epsilon: float, distance: str) -> float:
    """The smallest fidelity F(ρ, σ) inside the ball of radius ε."""
    return 1.0 - (epsilon if distance == "infidelity" else epsilon**2)


def _as_distance(infidelity: np.ndarray, distance: str) -> np.ndarray:
    """Radii given as 1 − F, expressed in ``distance`` (∞ stays ∞)."""
    infidelity = np.asarray(infidelity, dtype=float)
    return infidelity if distance == "infidelity" else np.sqrt(np.maximum(infidelity, 0.0))


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


# ----------------------------------------------------------------------------- exact check: the frontier


@dataclass(frozen=True)
class _Frontier:
    """The optimal family u_k ∝ √w_k / (v_k − λ) for rows of (values v, eigen-populations w).

    ``values`` (R, d) are the scores the adversary wants to push down (m for label 1, 1 − m for label 0);
    ``weights`` (R, d) are w_k = ⟨k|ρ|k⟩. τ = λ_max − λ > 0 parameterises the family; r_k = τ/(gap_k + τ)
    stays in (0, 1], so nothing blows up as λ approaches min v.
    """

    values: np.ndarray
    weights: np.ndarray
    gaps: np.ndarray
    hard: np.ndarray  # min v is carried only by eigenvectors with w = 0
    v_zero: np.ndarray  # min v over w = 0 (∞ if none)
    z_star: np.ndarray  # argmin of v over w = 0
    h_star: np.ndarray  # overlap at the λ → min v limit of a hard row
    f_star: np.ndarray  # value there
    q_star: np.ndarray  # distribution there

    @classmethod
    def of(cls, values: np.ndarray, weights: np.ndarray) -> _Frontier:
        weights = np.where(weights < _ZERO_WEIGHT, 0.0, weights)
        weights = weights / weights.sum(axis=1, keepdims=True)
        pos = weights > 0
        v_plus = np.where(pos, values, np.inf).min(axis=1)
        masked_zero = np.where(pos, np.inf, values)
        v_zero = masked_zero.min(axis=1)
        z_star = masked_zero.argmin(axis=1)
        hard = v_zero < v_plus
        lam = np.minimum(v_plus, v_zero)
        gaps = np.maximum(values - lam[:, None], 0.0)
        wr = np.zeros_like(weights)
        wr2 = np.zeros_like(weights)
        sel = pos & hard[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            wr[sel] = weights[sel] / gaps[sel]
            wr2[sel] = weights[sel] / gaps[sel] ** 2
        n2 = wr2.sum(axis=1)
        safe = np.where(n2 > 0, n2, 1.0)
        h_star = np.where(hard, wr.sum(axis=1) / np.sqrt(safe), 0.0)
        q_star = wr2 / safe[:, None]
        f_star = np.where(hard, (q_star * values).sum(axis=1), np.inf)
        return cls(values, weights, gaps, hard, v_zero, z_star, h_star, f_star, q_star)

    def point(self, log_tau: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """(overlap Σ√(q w), value Σ q v, q) at τ = exp(log_tau) for the selected rows."""
        rows = np.arange(self.values.shape[0]) if rows is None else rows
        tau = np.exp(log_tau)[:, None]
        r = tau / (self.gaps[rows] + tau)
        wr = self.weights[rows] * r
        wr2 = wr * r
        n2 = wr2.sum(axis=1)
        q = wr2 / n2[:, None]
        return wr.sum(axis=1) / np.sqrt(n2), (q * self.values[rows]).sum(axis=1), q

    def _bisect(self, rows: np.ndarray, true_at_hi: Callable[[np.ndarray, np.ndarray], np.ndarray]):
        """Bisection in log τ keeping ``true_at_hi(overlap, value)`` true at hi and false at lo."""
        lo = np.full(rows.size, _LOG_TAU[0])
        hi = np.full(rows.size, _LOG_TAU[1])
        for _ in range(_BISECTIONS):
            mid = (lo + hi) / 2
            h, f, _ = self.point(mid, rows)
            ok = true_at_hi(h, f)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        return lo, hi

    def worst(self, min_fidelity: float) -> np.ndarray:
        """argmin_q Σ q v subject to (Σ √(q w))² ≥ ``min_fidelity``: the worst distribution per row."""
        s0 = math.sqrt(max(min_fidelity, 0.0))
        q = self.weights.copy()  # σ = ρ when nothing else is feasible (c rounds to 1)
        segment = self.hard & (self.h_star >= s0)
        if segment.any():
            a2 = (s0 / self.h_star[segment]) ** 2
            q[segment] = a2[:, None] * self.q_star[segment]
            q[segment, self.z_star[segment]] += 1.0 - a2
        rest = np.flatnonzero(~segment)
        if rest.size:
            h_lo, _, q_lo = self.point(np.full(rest.size, _LOG_TAU[0]), rest)
            h_hi, _, _ = self.point(np.full(rest.size, _LOG_TAU[1]), rest)
            at_lo = h_lo >= s0
            q[rest[at_lo]] = q_lo[at_lo]
            search = rest[~at_lo & (h_hi >= s0)]
            if search.size:
                _, hi = self._bisect(search, lambda h, f: h >= s0)
                q[search] = self.point(hi, search)[2]
        return q

    def max_fidelity(self, target: float, strict: np.ndarray) -> np.ndarray:
        """max (Σ √(q w))² over q with Σ q v below ``target`` (< where ``strict``, else ≤); NaN when none."""
        n_rows = self.values.shape[0]
        out = np.full(n_rows, np.nan)
        v_min = self.values.min(axis=1)
        reachable = np.where(strict, v_min < target, v_min <= target)
        start = (self.weights * self.values).sum(axis=1)  # the input's own score
        at_start = reachable & (start <= target)
        out[at_start] = 1.0
        segment = reachable & ~at_start & self.hard & (self.f_star > target)
        if segment.any():
            a2 = (target - self.v_zero[segment]) / (self.f_star[segment] - self.v_zero[segment])
            out[segment] = np.clip(a2, 0.0, 1.0) * self.h_star[segment] ** 2
        rest = np.flatnonzero(reachable & ~at_start & ~segment)
        if rest.size:
            lo, _ = self._bisect(rest, lambda h, f: f > target)
            out[rest] = self.point(lo, rest)[0] ** 2
        return out


# ------------------------------------------------------------------------------------------ state batches


@dataclass(frozen=True)
class _States:
    """Input states as statevectors (N, d) or, lazily, density matrices (from an EncodedStates batch)."""

    kind: Literal["pure", "mixed"]
    dim: int
    vectors: np.ndarray | None = None
    matrices: np.ndarray | None = None
    encoded: EncodedStates | None = None

    @classmethod
    def of(cls, states: EncodedStates | np.ndarray) -> _States:
        if isinstance(states, EncodedStates):
            if states.kind == "pure":
                return cls("pure", 2**states.n_qubits, vectors=np.asarray(states.data))
            return cls("mixed", 2**states.n_qubits, encoded=states)
        data = np.asarray(states)
        if data.ndim == 2:
            norms = np.linalg.norm(data, axis=1)
            if not np.allclose(norms, 1.0, atol=1e-8):
                raise InputError("statevectors must have unit norm", where="states")
            return cls("pure", data.shape[1], vectors=data)
        if data.ndim == 3 and data.shape[1] == data.shape[2]:
            traces = np.real(np.trace(data, axis1=1, axis2=2))
            if not np.allclose(traces, 1.0, atol=1e-8) or not np.allclose(
                data, np.conj(np.swapaxes(data, 1, 2)), atol=1e-10
            ):
                raise InputError("density matrices must be Hermitian with unit trace", where="states")
            return cls("mixed", data.shape[1], matrices=data)
        raise InputError(
            f"states of shape {data.shape} are neither statevectors (N, d) nor density matrices (N, d, d)",
            where="states",
        )

    @property
    def n_rows(self) -> int:
        if self.vectors is not None:
            return self.vectors.shape[0]
        if self.matrices is not None:
            return self.matrices.shape[0]
        assert self.encoded is not None
        return self.encoded.n_rows

    def density(self, rows: np.ndarray) -> np.ndarray:
        if self.matrices is not None:
            return self.matrices[rows]
        assert self.encoded is not None
        e = self.encoded
        return EncodedStates(e.kind, e.data[rows], e.n_qubits).density_matrices()

    def row(self, i: int) -> np.ndarray:
        if self.vectors is not None:
            return self.vectors[i]
        return self.density(np.array([i]))[0]

    def probabilities(self, operator: np.ndarray) -> np.ndarray:
        if self.vectors is not None:
            psi = self.vectors
            return np.real(np.einsum("bi,bi->b", psi.conj(), psi @ operator.T))
        if self.encoded is not None:
            return expectation(operator, self.encoded)
        assert self.matrices is not None
        return np.real(np.einsum("ij,bji->b", operator, self.matrices))

    def _chunks(self):
        size = max(1, _CHUNK_ELEMENTS // self.dim**2)
        for start in range(0, self.n_rows, size):
            yield np.arange(start, min(start + size, self.n_rows))

    def populations(self, vectors: np.ndarray) -> np.ndarray:
        """w_k = ⟨k|ρ|k⟩ in the eigenbasis ``vectors`` (columns), for every row."""
        if self.vectors is not None:
            return np.abs(self.vectors @ vectors.conj()) ** 2
        if self.encoded is not None and self.encoded.kind == "product":
            return self._product_populations(vectors)
        parts = [
            np.real(np.einsum("ik,bij,jk->bk", vectors.conj(), self.density(rows), vectors, optimize=True))
            for rows in self._chunks()
        ]
        return np.maximum(np.concatenate(parts), 0.0)

    def _product_populations(self, vectors: np.ndarray) -> np.ndarray:
        """⟨k|ρ|k⟩ for ρ = ⊗_q ρ_q without forming ρ: apply each 2 × 2 factor to the eigenvectors' rows.

        n passes of O(d²) per row instead of an O(d³) basis change of a dense d × d matrix.
        """
        assert self.encoded is not None
        n, d = self.encoded.n_qubits, self.dim
        singles = (self.encoded.data @ VEC_FROM_PAULI.T / 2).reshape(self.n_rows, n, 2, 2)
        parts = []
        for rows in self._chunks():
            t = np.broadcast_to(vectors, (rows.size, d, d))
            for q in range(n):
                t = singles[rows, q][:, None] @ t.reshape(rows.size, 2**q, 2, -1)
                t = t.reshape(rows.size, d, d)
            parts.append(np.real(np.einsum("ik,bik->bk", vectors.conj(), t)))
        return np.maximum(np.concatenate(parts), 0.0)


# ---------------------------------------------------------------------------------------------- results


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


# ------------------------------------------------------------------------------------------- the checks


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


def _check_features(X: Any, circuit: Circuit) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != circuit.n_features:
        raise InputError(
            f"inputs of shape {X.shape} do not provide the circuit's {circuit.n_features} features",
            where="X",
            fix="pass a 2-D array with one column per feature",
        )
    if not np.all(np.isfinite(X)):
        raise InputError("inputs contain NaN or infinite values", where="X", fix="drop or impute them first")
    return X


def _binary_labels(y: Any, classes: np.ndarray | None, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise InputError(f"expected {n} labels, got shape {y.shape}", where="y", fix="one label per row")
    if classes is not None and len(classes) == 2:
        if not np.isin(y, classes).all():
            raise InputError(f"labels outside the model's classes {list(classes)}", where="y")
        return (y == classes[1]).astype(int)
    if y.dtype.kind in "biuf" and np.isin(y, (0, 1)).all():
        return y.astype(int)
    classes = np.unique(y)
    if len(classes) > 2:
        raise InputError(f"binary labels expected, got {len(classes)} classes", where="y")
    return (y == classes[-1]).astype(int)


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
    X = _check_features(X, circuit)
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
    X = _check_features(X, circuit)
    states = encode(circuit, X, noise)
    if method == "bound":
        return bound_radius(expectation(m, states), distance)
    return _as_distance(_Problem.of(m, states).exact_infidelity(), distance)


# ----------------------------------------------------------------------------------- empirical robustness


ProbabilitiesFn = Callable[[np.ndarray], np.ndarray]


def probabilities_fn(model: Any, noise: NoiseModel | None = None) -> ProbabilitiesFn:
    """P(class 1 | X) of a qtrust quantum model (``probabilities``, under ``noise``) or a scikit-learn one."""
    if hasattr(model, "probabilities"):
        return lambda X: np.asarray(model.probabilities(X, noise), dtype=float)
    if hasattr(model, "predict_proba"):
        return lambda X: np.asarray(model.predict_proba(X), dtype=float)[:, 1]
    raise InputError(
        "the model exposes neither probabilities(X) nor predict_proba(X)",
        where="model",
        fix="pass a fitted qtrust or scikit-learn classifier, or a function X -> P(class 1)",
    )


@dataclass(frozen=True)
class GaussianPerturbation:
    """Metrics over ``n_draws`` draws of X + σ·N(0, I) in feature space."""

    sigma: float
    seed: int
    n_draws: int
    accuracy: np.ndarray = field(repr=False)  # per draw
    equalized_odds_difference: np.ndarray = field(repr=False)  # per draw (NaN: a group lacks a class)
    flip_rate: float  # share of (draw, row) whose decision differs from the clean one

    def to_dict(self) -> dict[str, Any]:
        return {
            "sigma": self.sigma,
            "seed": self.seed,
            "n_draws": self.n_draws,
            "accuracy_mean": float(np.mean(self.accuracy)),
            "accuracy_sd": float(np.std(self.accuracy, ddof=1)) if self.n_draws > 1 else 0.0,
            "equalized_odds_difference_mean": _nanmean(self.equalized_odds_difference),
            "equalized_odds_difference_sd": _nansd(self.equalized_odds_difference),
            "flip_rate": self.flip_rate,
            "accuracy": _plain(self.accuracy),
            "equalized_odds_difference": _plain(self.equalized_odds_difference),
        }


@dataclass(frozen=True)
class LinfAttack:
    """The worst case found inside ||δ||∞ ≤ ε by projected sign-gradient descent on the margin."""

    epsilon: float
    steps: int
    step_size: float
    restarts: int
    seed: int
    accuracy: float  # on the attacked inputs
    equalized_odds_difference: float
    flip_rate: float  # share of rows whose decision changed
    attack_success_rate: float  # share of correctly classified rows made wrong (NaN: none correct)
    n_flipped: int
    max_perturbation: float  # max |x_adv − x|, ≤ ε by construction
    adversarial_inputs: np.ndarray = field(repr=False)
    probabilities: np.ndarray = field(repr=False)  # recomputed at adversarial_inputs

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "epsilon": self.epsilon,
                "steps": self.steps,
                "step_size": self.step_size,
                "restarts": self.restarts,
                "seed": self.seed,
                "accuracy": self.accuracy,
                "equalized_odds_difference": self.equalized_odds_difference,
                "flip_rate": self.flip_rate,
                "attack_success_rate": self.attack_success_rate,
                "n_flipped": self.n_flipped,
                "max_perturbation": self.max_perturbation,
            }
        )


@dataclass(frozen=True)
class PerturbationRobustness:
    """Accuracy and fairness under Gaussian feature noise and under an L∞-bounded attack."""

    n_rows: int
    threshold: float
    clean_accuracy: float
    clean_equalized_odds_difference: float
    gaussian: tuple[GaussianPerturbation, ...]
    linf: tuple[LinfAttack, ...]
    seeds: dict[str, Any]
    settings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return _plain(
            {
                "n_rows": self.n_rows,
                "threshold": self.threshold,
                "clean_accuracy": self.clean_accuracy,
                "clean_equalized_odds_difference": self.clean_equalized_odds_difference,
                "gaussian": [g.to_dict() for g in self.gaussian],
                "linf": [a.to_dict() for a in self.linf],
                "seeds": self.seeds,
                "settings": self.settings,
            }
        )


def _nanmean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def _nansd(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.std(ddof=1)) if finite.size > 1 else None


def _levels(values: Sequence[float], where: str) -> tuple[float, ...]:
    out = tuple(float(v) for v in values)
    if any(not (math.isfinite(v) and v > 0) for v in out):
        raise InputError(f"perturbation sizes must be positive and finite, got {list(out)}", where=where)
    return out


def _evaluate(fn: ProbabilitiesFn, X: np.ndarray) -> np.ndarray:
    p = np.asarray(fn(X), dtype=float).reshape(-1)
    if p.shape[0] != X.shape[0] or not np.all(np.isfinite(p)):
        raise InputError(
            f"the probability function returned shape {p.shape} for {X.shape[0]} rows, or non-finite values",
            where="model_probabilities_fn",
            fix="return P(class 1) as a 1-D array with one value per row",
        )
    return p


def _eod(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> np.ndarray:
    return group_confusion(y, pred, sensitive_features=groups).equalized_odds_difference()


def _attack(
    fn: ProbabilitiesFn,
    X: np.ndarray,
    y: np.ndarray,
    eps: float,
    *,
    threshold: float,
    steps: int,
    step: float,
    fd_step: float,
    bounds: tuple[float, float] | None,
    start: np.ndarray,
) -> np.ndarray:
    """Projected sign-gradient descent on the margin (p − t)(2y − 1), one batched call per step.

    Gradients are central finite differences, all features and rows in one batch of (2F + 1)·N rows; a row
    stops at the first iterate that is misclassified, else keeps its lowest-margin iterate.
    """
    n, f = X.shape
    low, high = X - eps, X + eps
    if bounds is not None:
        low, high = np.maximum(low, bounds[0]), np.minimum(high, bounds[1])
    sign = np.where(y == 1, 1.0, -1.0)
    x = np.clip(start, low, high)
    best = x.copy()
    best_margin = np.full(n, np.inf)
    done = np.zeros(n, dtype=bool)
    offsets = np.concatenate([np.zeros((1, f)), fd_step * np.eye(f), -fd_step * np.eye(f)])
    for it in range(steps + 1):
        batch = (x[None, :, :] + offsets[:, None, :]).reshape(-1, f)
        p = _evaluate(fn, batch).reshape(2 * f + 1, n)
        centre = p[0]
        margin = sign * (centre - threshold)
        wrong = np.where(y == 1, centre < threshold, centre >= threshold)
        better = ~done & ((margin < best_margin) | wrong)
        best[better] = x[better]
        best_margin[better] = margin[better]
        done |= wrong
        if it == steps or done.all():
            break
        grad = sign[:, None] * (p[1 : f + 1] - p[f + 1 :]).T / (2 * fd_step)
        moved = np.clip(x - step * np.sign(grad), low, high)
        x = np.where(done[:, None], x, moved)
    return best


def perturbation_robustness(
    model_probabilities_fn: ProbabilitiesFn,
    X: Any,
    y: Any,
    groups: Any,
    *,
    sigma_list: Sequence[float],
    linf_eps_list: Sequence[float],
    rng: int | np.random.Generator,
    threshold: float = 0.5,
    n_draws: int = 20,
    attack_steps: int = 10,
    step_fraction: float = 2.5,
    restarts: int = 0,
    fd_step: float = 1e-4,
    bounds: tuple[float, float] | None = None,
) -> PerturbationRobustness:
    """Accuracy and equalised-odds gap under Gaussian feature noise and an L∞ attack, for any model.

    ``model_probabilities_fn`` maps a feature matrix to P(class 1) (see :func:`probabilities_fn`).
    ``rng`` is a root seed (each setting's seed is derived from it by label, so adding a level never
    changes another's draws) or a generator (each setting's seed is drawn from it); every seed used is
    recorded. The L∞ attack pushes each row away from its *true* label with step ``step_fraction·ε/steps``
    from the clean input and from ``restarts`` random starts in the box; a row counts as broken only if the
    model, re-run on the returned input, misclassifies it — so reported flips are real, while a missed
    flip is possible (this is an attack, not a certificate). ``bounds`` clips perturbed features (e.g. the
    preprocessor's angle range).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise InputError("X must be a finite 2-D feature matrix", where="X")
    n = X.shape[0]
    y01 = _binary_labels(y, None, n).astype(float)
    groups = np.asarray(groups)
    if not math.isfinite(threshold):
        raise InputError(f"threshold must be finite, got {threshold!r}", where="threshold")
    sigmas = _levels(sigma_list, "sigma_list")
    radii = _levels(linf_eps_list, "linf_eps_list")
    for name, value in (("n_draws", n_draws), ("attack_steps", attack_steps)):
        if not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}", where=name)
    if not isinstance(restarts, int) or restarts < 0:
        raise InputError(f"restarts must be a non-negative integer, got {restarts!r}", where="restarts")

    if isinstance(rng, np.random.Generator):
        source: dict[str, Any] = {"source": "drawn in order from the caller's generator"}

        def seed_for(*labels: object) -> int:
            return int(rng.integers(2**32))
    else:
        root = int(rng)
        source = {"source": "derive_seed(root, 'perturbation', kind, level)", "root": root}

        def seed_for(*labels: object) -> int:
            return derive_seed(root, "perturbation", *labels)

    clean = _evaluate(model_probabilities_fn, X)
    clean_pred = (clean >= threshold).astype(float)
    clean_accuracy = float(accuracy_metric(y01, clean_pred)[0])
    clean_eod = float(_eod(y01, clean_pred, groups)[0])

    gaussian = []
    for sigma in sigmas:
        seed = seed_for("gaussian", repr(sigma))
        noise = np.random.default_rng(seed).normal(0.0, sigma, (n_draws, *X.shape))
        noisy = X[None] + noise
        if bounds is not None:
            noisy = np.clip(noisy, *bounds)
        p = _evaluate(model_probabilities_fn, noisy.reshape(-1, X.shape[1])).reshape(n_draws, n)
        pred = (p >= threshold).astype(float)
        gaussian.append(
            GaussianPerturbation(
                sigma=sigma,
                seed=seed,
                n_draws=n_draws,
                accuracy=accuracy_metric(y01, pred),
                equalized_odds_difference=_eod(y01, pred, groups),
                flip_rate=float(np.mean(pred != clean_pred[None, :])),
            )
        )

    attacks = []
    correct_clean = clean_pred == y01
    for eps in radii:
        seed = seed_for("linf", repr(eps))
        step = step_fraction * eps / attack_steps
        starts = [X] + [
            X + np.random.default_rng([seed, r]).uniform(-eps, eps, X.shape) for r in range(restarts)
        ]
        best = X.copy()
        best_margin = np.full(n, np.inf)
        sign = np.where(y01 == 1, 1.0, -1.0)
        for start in starts:
            candidate = _attack(
                model_probabilities_fn,
                X,
                y01,
                eps,
                threshold=threshold,
                steps=attack_steps,
                step=step,
                fd_step=fd_step,
                bounds=bounds,
                start=start,
            )
            margin = sign * (_evaluate(model_probabilities_fn, candidate) - threshold)
            wrong = np.where(y01 == 1, margin < 0, margin <= 0)
            margin = np.where(wrong, -np.inf, margin)
            better = margin < best_margin
            best[better] = candidate[better]
            best_margin[better] = margin[better]
        p_adv = _evaluate(model_probabilities_fn, best)  # the evidence: re-run on the returned inputs
        pred = (p_adv >= threshold).astype(float)
        broken = correct_clean & (pred != y01)
        attacks.append(
            LinfAttack(
                epsilon=eps,
                steps=attack_steps,
                step_size=step,
                restarts=restarts,
                seed=seed,
                accuracy=float(accuracy_metric(y01, pred)[0]),
                equalized_odds_difference=float(_eod(y01, pred, groups)[0]),
                flip_rate=float(np.mean(pred != clean_pred)),
                attack_success_rate=float(broken.sum() / correct_clean.sum())
                if correct_clean.any()
                else math.nan,
                n_flipped=int(np.sum(pred != clean_pred)),
                max_perturbation=float(np.max(np.abs(best - X))) if n else 0.0,
                adversarial_inputs=best,
                probabilities=p_adv,
            )
        )
    seeds = {
        **source,
        "gaussian": {repr(g.sigma): g.seed for g in gaussian},
        "linf": {repr(a.epsilon): a.seed for a in attacks},
    }
    settings = {
        "n_draws": n_draws,
        "attack": "projected sign-gradient descent on the margin, central finite differences",
        "attack_steps": attack_steps,
        "step_fraction": step_fraction,
        "restarts": restarts,
        "fd_step": fd_step,
        "bounds": list(bounds) if bounds is not None else None,
        "fairness_metric": "equalized_odds_difference (qtrust.metrics, fairlearn definition)",
    }
    return PerturbationRobustness(
        n_rows=n,
        threshold=float(threshold),
        clean_accuracy=clean_accuracy,
        clean_equalized_odds_difference=clean_eod,
        gaussian=tuple(gaussian),
        linf=tuple(attacks),
        seeds=seeds,
        settings=settings,
    )
