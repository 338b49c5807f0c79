"""Choose a simulation path, run it in memory-bounded chunks, and say which path ran and why.

Three exact paths:

* ``heisenberg`` — encode-first circuits: M = E†(O) once, then one batched product over all inputs;
* ``statevector`` — noiseless circuits of any shape (data re-uploading included), batched over inputs;
* ``density_matrix`` — noisy circuits of any shape, a batch axis over inputs (density matrices held as
  real Pauli vectors, see :mod:`qtrust.quantum.pauli`).

``auto`` takes the Heisenberg path whenever the circuit is encode-first and noisy, or noiseless with a batch
large enough to repay computing M; else the statevector path when there is no channel noise; else the
density-matrix path. Readout errors are classical and folded into the measurement effect on every path.

A noise model with idle relaxation (``noise.idle``) runs the circuit with its waits inserted as relaxing
identity operations (:func:`scheduled`); every entry point below does that first, on every path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from qtrust.errors import CapacityError, InputError
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.gates import GATES
from qtrust.quantum.heisenberg import expectation, heisenberg_operator
from qtrust.quantum.idle import idle_schedule
from qtrust.quantum.inputs import check_features
from qtrust.quantum.noise import NOISELESS, NoiseCache, NoiseModel, with_noise_layers
from qtrust.quantum.pauli import run_pauli, zero_state
from qtrust.quantum.pauli_basis import pauli_coefficients, pauli_vectors_of_pure
from qtrust.quantum.states import (
    EncodedStates,
    Segment,
    Shifts,
    run_product,
    run_statevectors,
    zero_statevectors,
)

Path = Literal["auto", "heisenberg", "statevector", "density_matrix"]
PATHS: tuple[str, ...] = ("auto", "heisenberg", "statevector", "density_matrix")

#: The largest register each path accepts; beyond it memory or time explodes (a 2^n × 2^n complex operator
#: for Heisenberg, 4^n complex numbers per input row for density matrices).
MAX_QUBITS: dict[str, int] = {"heisenberg": 11, "statevector": 20, "density_matrix": 10}
_CHUNK_BYTES = 2**27  # ~128 MB of states per chunk
# Mixed states make one full pass per (fused) gate, so a chunk that stays in cache between passes pays: 4 MB
# chunks ran the noisy ZZ-feature-map encoding 1.8x faster than 128 MB ones on 8 qubits (2 MB L2, 32 MB L3;
# measured with bench/bench_byo.py's workload, 2026-11-25).
_MIXED_CHUNK_BYTES = 2**22


@dataclass(frozen=True)
class SimulationResult:
    """Class-1 probabilities for each input row, and the path that produced them."""

    probabilities: np.ndarray
    path: str
    reason: str


def choose_path(
    circuit: Circuit, noise: NoiseModel, path: Path = "auto", n_rows: int | None = None
) -> tuple[str, str]:
    """The path to run and a one-line reason, or an :class:`InputError` if the forced path cannot run.

    For a noiseless encode-first circuit the Heisenberg operator costs about as much as simulating 2^(n+1)
    statevectors (measured crossover ≈ 400–500 rows on 8 qubits), so smaller batches take the statevector
    path.
    """
    if path not in PATHS:
        raise InputError(
            f"unknown simulation path {path!r}", where="path", fix=f"use one of: {', '.join(PATHS)}"
        )
    noisy = noise.has_channels or circuit.has_channels
    if path == "auto":
        small_batch = n_rows is not None and n_rows < 2 ** (circuit.n_qubits + 1)
        if circuit.is_encode_first and (noisy or not small_batch):
            chosen, reason = (
                "heisenberg",
                "encode-first circuit: M = E†(O) computed once, inputs scored in one product",
            )
        elif circuit.is_encode_first:
            chosen, reason = (
                "statevector",
                "noiseless, fewer rows than 2^(n+1): batched statevectors are cheaper than computing M",
            )
        elif not noisy:
            chosen, reason = (
                "statevector",
                "input re-uploaded after trainable gates, no channel noise: batched statevectors",
            )
        else:
            chosen, reason = (
                "density_matrix",
                "input re-uploaded after trainable gates, with noise: batched density matrices",
            )
    else:
        chosen, reason = path, "path chosen by the caller"
        if path == "heisenberg" and not circuit.is_encode_first:
            raise InputError(
                "the Heisenberg path needs an encode-first circuit (all input gates before all trainable gates)",
                where="path",
                fix="use path='density_matrix' or 'auto' for circuits that re-upload data",
            )
        if path == "statevector" and noisy:
            raise InputError(
                "the statevector path cannot represent noise channels"
                + (" (this circuit carries its own)" if circuit.has_channels else ""),
                where="path",
                fix="use path='density_matrix', 'heisenberg' or 'auto'",
            )
    limit = MAX_QUBITS[chosen]
    if circuit.n_qubits > limit:
        raise CapacityError(
            f"{circuit.n_qubits} qubits exceed the {chosen} path's limit of {limit}",
            where="n_qubits",
            fix=f"reduce n_qubits to at most {limit}"
            + (" or remove channel noise" if chosen != "statevector" else ""),
        )
    return chosen, reason


def scheduled(
    circuit: Circuit, noise: NoiseModel, shifts: Shifts | None = None
) -> tuple[Circuit, Shifts | None]:
    """The circuit as ``noise`` runs it — with idle relaxation when the model has it — and the shifts re-keyed.

    Shifts address operations by index; inserted waits move those indices. Shifts naming no operation are
    dropped (they never shifted anything).
    """
    layered = with_noise_layers(circuit, noise)
    if layered is not circuit:  # inserted layers move indices: shifts keep addressing the same operations
        if shifts:
            moved = _positions(circuit, layered)
            shifts = {moved[i] if i >= 0 else i: s for i, s in shifts.items() if i < len(moved)}
        circuit = layered
    if noise.idle is None:
        return circuit, shifts
    run, positions = idle_schedule(circuit, noise.idle)
    if shifts:
        shifts = {positions[i] if i >= 0 else i: s for i, s in shifts.items() if i < len(positions)}
    return run, shifts


def _positions(before: Circuit, after: Circuit) -> list[int]:
    """Where each operation of ``before`` sits in ``after``, which only inserted operations into it."""
    out, j = [], 0
    for op in before.operations:
        while after.operations[j] is not op:
            j += 1
        out.append(j)
        j += 1
    return out


def _segments(circuit: Circuit) -> tuple[Segment, Segment]:
    indexed = list(enumerate(circuit.operations))
    n_enc = len(circuit.encoding)
    return indexed[:n_enc], indexed[n_enc:]


def _chunks(n_rows: int, bytes_per_row: int, budget: int = _CHUNK_BYTES):
    size = max(1, budget // max(bytes_per_row, 1))
    for start in range(0, n_rows, size):
        yield slice(start, min(start + size, n_rows))


def _effect(circuit: Circuit, noise: NoiseModel) -> np.ndarray:
    return circuit.measurement.effect(circuit.n_qubits, noise.readout_for(circuit.measurement.qubits))


def _check_inputs(
    circuit: Circuit, X: np.ndarray | None, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    X = check_features(
        np.zeros((1, 0)) if X is None else X, where="X", n_features=circuit.n_features, at_least=True
    )
    w = np.zeros(0) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if w.size != circuit.n_weights:
        raise InputError(
            f"{w.size} weights given, the circuit has {circuit.n_weights}",
            where="weights",
            fix="pass one weight per trainable parameter",
        )
    return X, w


def initial_statevectors(circuit: Circuit, X: np.ndarray, real: bool) -> np.ndarray:
    """|0…0⟩ per row, or the amplitude-encoded feature vectors when the circuit starts with them."""
    if circuit.state_preparation is not None:
        psi = circuit.state_preparation.states(X, circuit.n_qubits)
        return psi if real else psi.astype(complex)
    return zero_statevectors(X.shape[0], circuit.n_qubits, real)


def initial_pauli_vectors(circuit: Circuit, X: np.ndarray) -> np.ndarray:
    """The initial states as Pauli vectors (B, 4^n), for the density-matrix path."""
    if circuit.state_preparation is not None:
        return pauli_vectors_of_pure(circuit.state_preparation.states(X, circuit.n_qubits), circuit.n_qubits)
    return zero_state(X.shape[0], circuit.n_qubits)


def encode(
    circuit: Circuit, X: np.ndarray, noise: NoiseModel | None = None, cache: NoiseCache | None = None
) -> EncodedStates:
    """The states the encoding section prepares for each row, in the cheapest exact representation.

    Noiseless encodings give statevectors; noisy encodings built from single-qubit gates on |0…0⟩ give
    per-qubit Pauli vectors (product states); anything else gives density matrices.
    """
    noise = noise or NOISELESS
    cache = cache or NoiseCache(noise)
    circuit, _ = scheduled(circuit, noise)
    n = circuit.n_qubits
    encoding, _ = _segments(circuit)
    noisy = any(noise.channels_after(op) for _, op in encoding)
    if not noisy:
        real = all(GATES[op.gate].real for _, op in encoding)
        psi = run_statevectors(initial_statevectors(circuit, X, real), encoding, n, X, None)
        return EncodedStates("pure", psi, n)
    if circuit.state_preparation is None and all(len(op.wires) == 1 for _, op in encoding):
        return EncodedStates("product", run_product(encoding, n, X, None, cache), n)
    if n > MAX_QUBITS["density_matrix"]:
        raise CapacityError(
            f"a noisy entangling encoding on {n} qubits exceeds the density-matrix limit of "
            f"{MAX_QUBITS['density_matrix']}",
            where="n_qubits",
            fix="reduce n_qubits or keep the encoding noiseless",
        )
    pauli = np.concatenate(
        [
            run_pauli(initial_pauli_vectors(circuit, X[rows]), encoding, n, X[rows], None, cache)
            for rows in _chunks(X.shape[0], 8 * 4**n, _MIXED_CHUNK_BYTES)
        ]
    )
    return EncodedStates("mixed", pauli, n)


def simulate(
    circuit: Circuit,
    X: np.ndarray | None,
    weights: np.ndarray | None = None,
    noise: NoiseModel | None = None,
    *,
    path: Path = "auto",
    shifts: Shifts | None = None,
) -> SimulationResult:
    """Exact class-1 probabilities of ``circuit`` for every row of ``X`` under ``noise``.

    ``shifts`` adds a constant to the angle of chosen operations (by index); the parameter-shift rule uses it.
    """
    noise = noise or NOISELESS
    X, w = _check_inputs(circuit, X, weights)
    circuit, shifts = scheduled(circuit, noise, shifts)
    chosen, reason = choose_path(circuit, noise, path, X.shape[0])
    cache = NoiseCache(noise)
    n = circuit.n_qubits
    effect = _effect(circuit, noise)
    indexed = list(enumerate(circuit.operations))
    if chosen == "heisenberg":
        encoding, trainable = _segments(circuit)
        if shifts and any(i < len(encoding) for i in shifts):
            raise InputError("angle shifts apply to trainable operations only", where="shifts")
        m = heisenberg_operator(trainable, n, effect, w, cache, shifts)
        states = encode(circuit, X, noise, cache)
        probabilities = expectation(m, states)
        reason += f" (encoded states: {states.kind})"
    elif chosen == "statevector":
        real = all(GATES[op.gate].real for op in circuit.operations)
        parts = []
        for rows in _chunks(X.shape[0], 16 * 2**n):
            psi = run_statevectors(
                initial_statevectors(circuit, X[rows], real), indexed, n, X[rows], w, shifts
            )
            parts.append((np.abs(psi) ** 2) @ effect)
        probabilities = np.concatenate(parts)
    else:
        # Tr(E ρ) = 2^-n Σ_a Tr(E σ_a) c_a, and only I/Z strings of the diagonal effect E are non-zero.
        weights_of_effect = pauli_coefficients(np.diag(effect), n)
        parts = []
        for rows in _chunks(X.shape[0], 8 * 4**n, _MIXED_CHUNK_BYTES):
            c = run_pauli(initial_pauli_vectors(circuit, X[rows]), indexed, n, X[rows], w, cache, shifts)
            parts.append(c @ weights_of_effect)
        probabilities = np.concatenate(parts)
    return SimulationResult(np.clip(probabilities, 0.0, 1.0), chosen, reason)


def measurement_operator(
    circuit: Circuit, weights: np.ndarray | None, noise: NoiseModel | None = None
) -> np.ndarray:
    """M = E†(effect) of the trainable section: p(class 1 | ρ) = Tr(M ρ) for *every* input state ρ.

    What certificates are computed from (the fairness Lipschitz constant, robustness radii): unlike a batch of
    probabilities, M speaks for all states, not only the ones the encoding happens to reach. Only
    encode-first circuits have one such operator; a circuit that re-uploads data mixes inputs into the
    trainable section.
    """
    if not circuit.is_encode_first:
        raise InputError(
            "this circuit re-uploads data after trainable gates, so no single measurement operator M "
            "describes it for all inputs",
            where="circuit",
            fix="certificates need an encode-first circuit (all input gates before all trainable gates)",
        )
    noise = noise or NOISELESS
    _, w = _check_inputs(circuit, np.zeros((1, circuit.n_features)), weights)
    circuit, _ = scheduled(circuit, noise)
    limit = MAX_QUBITS["heisenberg"]
    if circuit.n_qubits > limit:
        raise CapacityError(
            f"{circuit.n_qubits} qubits exceed the Heisenberg path's limit of {limit}",
            where="n_qubits",
            fix=f"reduce n_qubits to at most {limit}",
        )
    _, trainable = _segments(circuit)
    return heisenberg_operator(trainable, circuit.n_qubits, _effect(circuit, noise), w, NoiseCache(noise))
