"""Exact gradients of a weighted cross-entropy loss with respect to a circuit's trainable weights.

Two independent methods, tested against each other:

* ``analytic`` (encode-first circuits): the loss depends on the weights only through M = E†(O), so
  ∂L/∂θ_j = Tr(∂_j M · R) with R = Σ_n ℓ'_n ρ(x_n) — one weighted sum of the encoded states. One backward
  pass (Heisenberg) and one forward pass (Schrödinger, starting from R) over the trainable section give every
  derivative: ∂L/∂θ_j = Re Tr(N_j†(E_j) · (−i)[G_j, U_j R_{j−1} U_j†]). The cost does not grow with the
  number of parameters or of training rows beyond forming R.
* ``parameter-shift``: df/dθ = r·[f(θ+s) − f(θ−s)] for gates whose generator has two eigenvalues; two
  circuit evaluations per trainable gate, on any path (the hardware-compatible method).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.engine import encode, scheduled, simulate
from qtrust.quantum.gates import GATES
from qtrust.quantum.heisenberg import expectation, heisenberg_operator
from qtrust.quantum.noise import NOISELESS, NoiseCache, NoiseModel
from qtrust.quantum.pauli_basis import pauli_to_matrix
from qtrust.quantum.states import EncodedStates, apply_channels, apply_to_operator, conjugate, gate_matrix

GradientMethod = Literal["analytic", "parameter-shift"]
_EPS = 1e-12


def weighted_state_sum(states: EncodedStates, coefficients: np.ndarray) -> np.ndarray:
    """R = Σ_n c_n ρ_n as a 2^n × 2^n matrix."""
    if states.kind == "pure":
        psi = states.data
        return (psi * coefficients[:, None]).T @ psi.conj()
    n = states.n_qubits
    if states.kind == "mixed":
        return pauli_to_matrix(coefficients @ states.data / 2**n, n)
    pauli_sum = np.zeros(4**n)
    chunk = max(1, 2**22 // 4**n)
    for start in range(0, states.n_rows, chunk):
        v = states.data[start : start + chunk]
        t = coefficients[start : start + chunk, None] * v[:, 0, :]
        for q in range(1, n):
            t = (t[:, :, None] * v[:, q, None, :]).reshape(len(v), -1)
        pauli_sum += t.sum(axis=0)
    return pauli_to_matrix(pauli_sum / 2**n, n)


def cross_entropy(y: np.ndarray, p: np.ndarray, sample_weight: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted mean binary cross-entropy and its derivative with respect to each probability."""
    p = np.clip(p, _EPS, 1 - _EPS)
    total = sample_weight.sum()
    loss = -np.sum(sample_weight * (y * np.log(p) + (1 - y) * np.log(1 - p))) / total
    dloss = -sample_weight * (y / p - (1 - y) / (1 - p)) / total
    return float(loss), dloss


def _chain_to_weights(circuit: Circuit, angle_gradients: dict[int, float]) -> np.ndarray:
    grad = np.zeros(circuit.n_weights)
    for index, g in angle_gradients.items():
        angle = circuit.operations[index].angle
        assert angle is not None
        for k, coeff in angle.weights:
            grad[k] += coeff * g
    return grad


def analytic_angle_gradients(
    circuit: Circuit,
    weights: np.ndarray,
    noise: NoiseModel,
    states: EncodedStates,
    loss: Callable[[np.ndarray], tuple[float, np.ndarray]],
) -> tuple[float, np.ndarray, dict[int, float]]:
    """Loss, probabilities and ∂L/∂θ_j for every weight-dependent trainable operation (adjoint method).

    ``loss`` maps the probabilities to (L, ∂L/∂p). The backward pass that yields the derivatives also yields
    M, so the probabilities cost no extra pass.
    """
    if not circuit.is_encode_first:
        raise InputError(
            "analytic gradients need an encode-first circuit", fix="use gradient='parameter-shift'"
        )
    n = circuit.n_qubits
    cache = NoiseCache(noise)
    n_enc = len(circuit.encoding)
    trainable = list(enumerate(circuit.operations))[n_enc:]
    effect = circuit.measurement.effect(n, noise.readout_for(circuit.measurement.qubits))
    # Backward (Heisenberg): F_j = N_j†(E_j) for each trainable op; E_{j-1} = U_j† F_j U_j.
    shape = (1,) + (2,) * (2 * n)
    d = 2**n
    e = np.diag(effect.astype(complex)).reshape(shape)
    after_channel: dict[int, np.ndarray] = {}
    for index, op in reversed(trainable):
        e = apply_channels(e, cache.per_wire(op), n, adjoint=True)
        after_channel[index] = e.reshape(d, d)
        e = conjugate(e, gate_matrix(index, op, None, weights, {}), op.wires, n, adjoint=True)
    m = e.reshape(d, d)
    probabilities = np.clip(expectation((m + m.conj().T) / 2, states), 0.0, 1.0)
    value, dprob = loss(probabilities)
    # Forward (Schrödinger) from R = Σ ℓ'_n ρ_n.
    r = weighted_state_sum(states, dprob).reshape(shape)
    out: dict[int, float] = {}
    for index, op in trainable:
        r = conjugate(r, gate_matrix(index, op, None, weights, {}), op.wires, n)
        if op.angle is not None and op.angle.depends_on_weights:
            f = after_channel[index]
            g = GATES[op.gate].generator
            assert g is not None
            commutator = apply_to_operator(f, g, op.wires, n, "right") - apply_to_operator(
                f, g, op.wires, n, "left"
            )
            out[index] = float(np.real(-1j * np.sum(commutator * r.reshape(d, d).T)))
        r = apply_channels(r, cache.per_wire(op), n)
    return value, probabilities, out


def shift_angle_gradients(
    circuit: Circuit,
    X: np.ndarray,
    weights: np.ndarray,
    noise: NoiseModel,
    dprob: np.ndarray,
    states: EncodedStates | None = None,
) -> dict[int, float]:
    """∂L/∂θ_j by the two-term parameter-shift rule, for every weight-dependent operation."""
    n = circuit.n_qubits
    effect = circuit.measurement.effect(n, noise.readout_for(circuit.measurement.qubits))
    cache = NoiseCache(noise)
    n_enc = len(circuit.encoding)
    trainable = list(enumerate(circuit.operations))[n_enc:]
    out: dict[int, float] = {}
    for index, op in enumerate(circuit.operations):
        if op.angle is None or not op.angle.depends_on_weights:
            continue
        rule = GATES[op.gate].shift_rule
        if rule is None:
            raise InputError(
                f"gate {op.gate} has no two-term parameter-shift rule",
                where="gradient",
                fix="use gradient='analytic' (encode-first circuits) or two-eigenvalue gates (RX, RY, RZ, RZZ, …)",
            )
        r, s = rule
        values = []
        for sign in (1.0, -1.0):
            if states is not None and circuit.is_encode_first:
                m = heisenberg_operator(trainable, n, effect, weights, cache, {index: sign * s})
                values.append(expectation(m, states))
            else:
                values.append(simulate(circuit, X, weights, noise, shifts={index: sign * s}).probabilities)
        out[index] = float(dprob @ (r * (values[0] - values[1])))
    return out


@dataclass
class TrainingObjective:
    """Weighted cross-entropy (+ L2) of a circuit on fixed training rows, as a function of its weights.

    For encode-first circuits the encoded states are computed once here and reused at every step.
    """

    circuit: Circuit
    X: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    noise: NoiseModel = NOISELESS
    gradient: GradientMethod = "analytic"
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.gradient not in ("analytic", "parameter-shift"):
            raise InputError(
                f"unknown gradient method {self.gradient!r}",
                where="gradient",
                fix="use 'analytic' or 'parameter-shift'",
            )
        # the circuit as the noise runs it (idle waits inserted when the model has them), once for all steps
        self.circuit, _ = scheduled(self.circuit, self.noise)
        if self.gradient == "analytic" and not self.circuit.is_encode_first:
            self.gradient = "parameter-shift"
        self.states = encode(self.circuit, self.X, self.noise) if self.circuit.is_encode_first else None
        self._cache = NoiseCache(self.noise)
        self._trainable = list(enumerate(self.circuit.operations))[len(self.circuit.encoding) :]
        self._effect = self.circuit.measurement.effect(
            self.circuit.n_qubits, self.noise.readout_for(self.circuit.measurement.qubits)
        )
        self.n_evaluations = 0

    def probabilities(self, weights: np.ndarray) -> np.ndarray:
        if self.states is not None:
            m = heisenberg_operator(
                self._trainable, self.circuit.n_qubits, self._effect, weights, self._cache
            )
            return np.clip(expectation(m, self.states), 0.0, 1.0)
        return simulate(self.circuit, self.X, weights, self.noise).probabilities

    def __call__(self, weights: np.ndarray) -> tuple[float, np.ndarray]:
        self.n_evaluations += 1

        def loss_of(p: np.ndarray) -> tuple[float, np.ndarray]:
            return cross_entropy(self.y, p, self.sample_weight)

        if self.gradient == "analytic":
            assert self.states is not None
            loss, _, angle_grads = analytic_angle_gradients(
                self.circuit, weights, self.noise, self.states, loss_of
            )
        else:
            loss, dprob = loss_of(self.probabilities(weights))
            angle_grads = shift_angle_gradients(self.circuit, self.X, weights, self.noise, dprob, self.states)
        grad = _chain_to_weights(self.circuit, angle_grads)
        return loss + self.l2 * float(weights @ weights), grad + 2 * self.l2 * weights
