"""Benchmark: fidelity-kernel Gram matrix, qtrust vs qiskit-machine-learning and PennyLane.

The workload: the Gram matrix k(x, x') = |⟨ψ(x)|ψ(x')⟩|² of N = 1,000 rows on 8 qubits with the IQP / ZZ
feature map (Havlíček et al. 2019; reps = 2, full entanglement).

* qtrust: ``encode(encoding_circuit(8, "iqp", reps=2, topology="full"), X)`` then ``fidelity_kernel`` —
  N statevectors and one matrix product.
* qiskit-machine-learning ``FidelityStatevectorKernel(feature_map=ZZFeatureMap(8, reps=2,
  entanglement="full")).evaluate(X)`` — N statevectors, then a Python loop over the N² pairs. Timed at
  the full N.
* qiskit-machine-learning ``FidelityQuantumKernel`` (default fidelity ``ComputeUncompute`` on its exact
  statevector sampler, ``QMLSampler(shots=None)``): one compute-uncompute circuit per pair. It evaluates
  N(N−1)/2 circuits for a symmetric Gram matrix, so it is run on a small N (``--n2-rows``) and its time
  extrapolated to N = 1,000 by the number of circuits: t(N) = t(n) · N(N−1) / (n(n−1)).
* PennyLane's kernel-circuit recipe: a QNode U(x)·U(x')† returning ``probs``, k = probs[0], assembled by
  ``qml.kernels.square_kernel_matrix(..., assume_normalized_kernel=True)`` (also N(N−1)/2 circuits);
  small N, extrapolated the same way.

Before timing, the script checks that qtrust's IQP map is Qiskit's ZZFeatureMap: the statevectors of a
few rows agree up to a global phase once Qiskit's little-endian qubit order is reversed. Kernel values of
every peer are compared with qtrust's on the rows that peer ran (target ≤ 1e-10).

Target: qtrust ≥ 10× faster than FidelityStatevectorKernel at N = 1,000. Threads are pinned
(``QTRUST_BENCH_THREADS``, default 1).

Run: ``.venv/bin/python bench/bench_kernel.py [--quick]``
"""

from __future__ import annotations

import _common  # pins BLAS/OpenMP threads; must be imported before numpy

# isort: split

import argparse
import warnings

import numpy as np

from _common import Result, print_environment, print_table, time_calls
from qtrust.quantum import Circuit, encode, encoding_circuit, fidelity_kernel

N_QUBITS = 8
REPS = 2


def qtrust_gram(feature_map: Circuit, X: np.ndarray) -> np.ndarray:
    states = encode(feature_map, X)
    return fidelity_kernel(states, states)


def zz_feature_map(n_qubits: int):
    """Qiskit's ``ZZFeatureMap(n, reps=2, entanglement="full")``; the class is deprecated since Qiskit 2.1,
    so fall back to the ``zz_feature_map`` function where the class is gone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from qiskit.circuit.library import ZZFeatureMap

            return ZZFeatureMap(n_qubits, reps=REPS, entanglement="full"), "ZZFeatureMap class"
        except ImportError:
            from qiskit.circuit.library import zz_feature_map as build

            return build(n_qubits, reps=REPS, entanglement="full"), "zz_feature_map function"


def check_feature_map(feature_map: Circuit, qiskit_map, X: np.ndarray) -> float:
    """max over rows of 1 − |⟨ψ_qtrust|ψ_qiskit⟩| with Qiskit's qubit order reversed (0 up to rounding)."""
    from qiskit.quantum_info import Statevector

    ours = encode(feature_map, X).data
    n = feature_map.n_qubits
    worst = 0.0
    for row, psi in zip(X, ours, strict=True):
        theirs = Statevector(qiskit_map.assign_parameters(row)).data
        theirs = theirs.reshape((2,) * n).transpose(tuple(range(n - 1, -1, -1))).reshape(-1)
        worst = max(worst, 1.0 - abs(np.vdot(psi, theirs)))
    return worst


def pennylane_kernel(feature_map: Circuit):
    """PennyLane's N² recipe: |⟨0|U(x₂)† U(x₁)|0⟩|² as probs[0] of one circuit per pair."""
    import pennylane as qml

    gates = {"H": qml.Hadamard, "RZ": qml.RZ, "RZZ": qml.IsingZZ}  # IsingZZ(θ) = exp(−iθ ZZ/2) = qtrust RZZ
    dev = qml.device("default.qubit", wires=feature_map.n_qubits)

    def embedding(x):
        for op in feature_map.operations:
            if op.angle is None:
                gates[op.gate](wires=list(op.wires))
            else:
                gates[op.gate](float(op.angle.evaluate(x[None, :], None)[0]), wires=list(op.wires))

    @qml.qnode(dev)
    def circuit(x1, x2):
        embedding(x1)
        qml.adjoint(embedding)(x2)
        return qml.probs(wires=range(feature_map.n_qubits))

    def kernel(x1, x2):
        return circuit(x1, x2)[0]

    return lambda X: np.asarray(qml.kernels.square_kernel_matrix(X, kernel, assume_normalized_kernel=True))


def n2_scale(n_small: int, n_full: int) -> float:
    """Circuits for a symmetric Gram matrix with unit diagonal: N(N−1)/2."""
    return n_full * (n_full - 1) / (n_small * (n_small - 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat of the slow peers")
    parser.add_argument(
        "--rows", type=int, default=None, help="Gram matrix size N (default 1000; 200 with --quick)"
    )
    parser.add_argument(
        "--n2-rows", type=int, default=None, help="N for the N²-circuit peers (default 40; 10)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="qtrust repeats (default 9; 3)")
    parser.add_argument(
        "--peer-repeats", type=int, default=None, help="FidelityStatevectorKernel repeats (3; 1)"
    )
    args = parser.parse_args()
    quick = args.quick
    n_rows = args.rows or (200 if quick else 1000)
    n2_rows = min(args.n2_rows or (10 if quick else 40), n_rows)
    repeats = args.repeats or (3 if quick else 9)
    peer_repeats = args.peer_repeats or (1 if quick else 3)

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    print_environment(
        f"fidelity kernel: Gram matrix of N={n_rows} rows, {N_QUBITS} qubits, IQP/ZZ feature map "
        f"(reps={REPS}, full entanglement)",
        ("pennylane", "qiskit", "qiskit-machine-learning"),
    )
    from qiskit_machine_learning.kernels import FidelityQuantumKernel, FidelityStatevectorKernel

    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, np.pi, (n_rows, N_QUBITS))
    feature_map = encoding_circuit(N_QUBITS, "iqp", reps=REPS, topology="full")
    qiskit_map, qiskit_map_kind = zz_feature_map(N_QUBITS)
    results: list[Result] = []

    with _common.limit_threads():
        phase_gap = check_feature_map(feature_map, qiskit_map, X[:5])
        print(
            f"feature map check ({qiskit_map_kind}, 5 rows, Qiskit qubits reversed): "
            f"max 1 - |<psi_qtrust|psi_qiskit>| = {phase_gap:.1e} (equal up to a global phase)"
        )

        t_q, K = time_calls(lambda: qtrust_gram(feature_map, X), repeats)
        print(f"qtrust encode + fidelity_kernel, N={n_rows}: {t_q}")

        # FidelityStatevectorKernel at the full N
        fsk = FidelityStatevectorKernel(feature_map=qiskit_map)  # auto_clear_cache: no reuse across calls
        fsk.evaluate(X[:5])  # untimed warm-up
        t_fsk, K_fsk = time_calls(lambda: fsk.evaluate(X), peer_repeats, warmup=0)
        diff_fsk = float(np.max(np.abs(K_fsk - K)))
        print(f"FidelityStatevectorKernel.evaluate, N={n_rows}: {t_fsk}; max |diff| {diff_fsk:.1e}")
        results.append(
            Result(
                f"Gram N={n_rows}",
                "qiskit-ml FidelityStatevectorKernel",
                t_fsk.median,
                t_q.median,
                diff_fsk,
                10.0,
                [
                    f"full N measured (median of {peer_repeats}); agreement over the whole "
                    f"{n_rows}×{n_rows} matrix"
                ],
            )
        )

        # FidelityQuantumKernel: N(N−1)/2 compute-uncompute circuits, small N, extrapolated
        Xs = X[:n2_rows]
        fqk = FidelityQuantumKernel(feature_map=qiskit_map)
        fqk.evaluate(X[:3])
        t_fqk, K_fqk = time_calls(lambda: fqk.evaluate(Xs), 1, warmup=0)
        diff_fqk = float(np.max(np.abs(K_fqk - K[:n2_rows, :n2_rows])))
        scale = n2_scale(n2_rows, n_rows)
        print(
            f"FidelityQuantumKernel (ComputeUncompute, exact QMLSampler), N={n2_rows}: {t_fqk} -> "
            f"{t_fqk.median * scale:.4g} s for N={n_rows} (extrapolated ×{scale:.0f}); "
            f"max |diff| {diff_fqk:.1e}"
        )
        results.append(
            Result(
                f"Gram N={n_rows}",
                "qiskit-ml FidelityQuantumKernel",
                t_fqk.median * scale,
                t_q.median,
                diff_fqk,
                None,
                [
                    f"extrapolated as O(N²): time at N={n2_rows} × N(N−1)/(n(n−1)) = ×{scale:.0f}; "
                    f"agreement on the {n2_rows}×{n2_rows} block"
                ],
            )
        )

        # PennyLane: adjoint feature map + probs, one circuit per pair, small N, extrapolated
        pl_gram = pennylane_kernel(feature_map)
        pl_gram(X[:2])
        t_pl, K_pl = time_calls(lambda: pl_gram(Xs), 1, warmup=0)
        diff_pl = float(np.max(np.abs(K_pl - K[:n2_rows, :n2_rows])))
        print(
            f"PennyLane default.qubit, U(x)U(x')† + probs per pair, N={n2_rows}: {t_pl} -> "
            f"{t_pl.median * scale:.4g} s for N={n_rows} (extrapolated ×{scale:.0f}); "
            f"max |diff| {diff_pl:.1e}"
        )
        results.append(
            Result(
                f"Gram N={n_rows}",
                "PennyLane kernel circuit (adjoint + probs)",
                t_pl.median * scale,
                t_q.median,
                diff_pl,
                None,
                [
                    f"extrapolated as O(N²): time at N={n2_rows} × N(N−1)/(n(n−1)) = ×{scale:.0f}; "
                    f"agreement on the {n2_rows}×{n2_rows} block"
                ],
            )
        )

    print()
    print_table(results, quick)


if __name__ == "__main__":
    main()
