"""Benchmark: noisy inference of a variational classifier, qtrust vs PennyLane default.mixed and Qiskit Aer.

The workload: 8 qubits, RY angle encoding, 2 hardware-efficient layers (RY, RZ per qubit, CNOT ring) and a
final RY layer, depolarizing noise p = 1e-3 (PennyLane's convention) after every gate on each of its wires,
encoding gates included; 1,000 input rows scored as p = (1 − ⟨Z₀⟩)/2.

* qtrust: ``simulate`` (the Heisenberg path: M = E†(Z-effect) once, then every row in one product).
* PennyLane ``default.mixed``: one QNode with the same gates and a ``DepolarizingChannel(p)`` after each
  gate on each wire, executed row by row. It costs about half a second per row, so only ``--pl-rows``
  rows are run; the 1,000-row time is the median per-row time × 1,000 (an extrapolation; the table says so).
* Qiskit Aer: ``qiskit_aer.primitives.EstimatorV2`` with ``method="density_matrix"`` and a noise model of
  ``depolarizing_error(4p/3, 1)`` after ``ry``/``rz`` and its tensor square after ``cx``; the whole batch
  of 1,000 parameter bindings in one call. With ``default_precision=0`` the estimator returns exact
  expectation values (``save_expectation_value`` on the density matrix, no shots).
* Context, no target: the noiseless circuit, qtrust vs PennyLane ``default.qubit`` row by row
  (extrapolated) and with parameter broadcasting over the whole batch.

Targets: qtrust ≥ 1,000× faster than default.mixed, ≥ 100× faster than Aer; every compared value within
1e-10. Threads are pinned (``QTRUST_BENCH_THREADS``, default 1) for qtrust and both peers.

Run: ``.venv/bin/python bench/bench_noisy_inference.py [--quick]``
"""

from __future__ import annotations

import _common  # pins BLAS/OpenMP threads; must be imported before numpy

# isort: split

import argparse
import warnings

import numpy as np

from _common import Result, print_environment, print_table, time_calls, time_each
from qtrust.quantum import (
    Circuit,
    Measurement,
    NoiseChannel,
    NoiseModel,
    simulate,
    variational_circuit,
)

N_QUBITS = 8
N_LAYERS = 2
P_DEPOLARIZING = 1e-3


def workload(n_rows: int, seed: int = 0) -> tuple[Circuit, np.ndarray, np.ndarray, NoiseModel]:
    circuit = variational_circuit(
        N_QUBITS,
        N_LAYERS,
        encoding="angle",
        rotations=("RY", "RZ"),
        topology="ring",
        measurement=Measurement((0,), "parity"),
    )
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, np.pi, (n_rows, N_QUBITS))
    weights = rng.uniform(0.0, 2.0 * np.pi, circuit.n_weights)
    noise = NoiseModel((NoiseChannel("depolarizing", P_DEPOLARIZING),))
    return circuit, X, weights, noise


def _angle(op, x, weights):
    """The operation's angle: an array entry for one row ``x`` (1-D) or a batch column (2-D)."""
    angle = op.angle
    if not angle.depends_on_input:
        return float(angle.evaluate(None, weights))
    ((i, coeff),) = angle.features  # the RY angle encoding: coeff · x[i]
    assert not angle.feature_products
    assert angle.const == 0.0
    return coeff * (x[..., i])


# ---------------------------------------------------------------- PennyLane


def pennylane_qnode(circuit: Circuit, weights: np.ndarray, noise_level: float | None):
    """A QNode x → ⟨Z₀⟩ with the circuit's gates; a DepolarizingChannel after each gate on each wire."""
    import pennylane as qml

    gates = {"RY": qml.RY, "RZ": qml.RZ, "CNOT": qml.CNOT}
    dev = qml.device("default.mixed" if noise_level else "default.qubit", wires=circuit.n_qubits)

    @qml.qnode(dev)
    def qnode(x):
        for op in circuit.operations:
            if op.angle is None:
                gates[op.gate](wires=list(op.wires))
            else:
                gates[op.gate](_angle(op, x, weights), wires=list(op.wires))
            if noise_level:
                for wire in op.wires:
                    qml.DepolarizingChannel(noise_level, wires=wire)
        return qml.expval(qml.PauliZ(0))

    return qnode


# ---------------------------------------------------------------- Qiskit Aer


def qiskit_circuit(circuit: Circuit, weights: np.ndarray):
    """The circuit with a ParameterVector for the inputs; qtrust wire q → Qiskit qubit q.

    Qiskit is little-endian, but only ⟨Z on wire 0⟩ is measured and the gates are mapped wire for wire, so
    no reversal is needed: the observable is Z on Qiskit qubit 0.
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    x = ParameterVector("x", circuit.n_features)
    qc = QuantumCircuit(circuit.n_qubits)
    for op in circuit.operations:
        if op.gate == "CNOT":
            qc.cx(*op.wires)
        elif op.gate in ("RY", "RZ"):
            angle = op.angle
            if angle.depends_on_input:
                ((i, coeff),) = angle.features
                theta = coeff * x[i]
            else:
                theta = float(angle.evaluate(None, weights))
            getattr(qc, op.gate.lower())(theta, *op.wires)
        else:
            raise ValueError(f"no Qiskit translation for {op.gate}")
    return qc


def aer_estimator(p: float, threads: int):
    """Aer's density-matrix EstimatorV2, noise equal to PennyLane's DepolarizingChannel(p) on every wire."""
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import depolarizing_error
    from qiskit_aer.primitives import EstimatorV2

    single = depolarizing_error(4.0 * p / 3.0, 1)  # Qiskit's λ = 4p/3 for PennyLane's p
    model = AerNoiseModel(basis_gates=["ry", "rz", "cx"])
    model.add_all_qubit_quantum_error(single, ["ry", "rz"])
    model.add_all_qubit_quantum_error(single.tensor(single), ["cx"])  # = the single-qubit error on each wire
    options = {
        "default_precision": 0.0,  # exact expectation values, no sampling
        "backend_options": {
            "method": "density_matrix",
            "noise_model": model,
            "max_parallel_threads": threads,
        },
    }
    return EstimatorV2(options=options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat of the slow peers")
    parser.add_argument("--rows", type=int, default=None, help="input rows (default 1000; 200 with --quick)")
    parser.add_argument("--pl-rows", type=int, default=None, help="rows run on default.mixed (default 15; 3)")
    parser.add_argument("--repeats", type=int, default=None, help="qtrust repeats (default 9; 3)")
    parser.add_argument("--peer-repeats", type=int, default=None, help="Aer batch repeats (default 3; 1)")
    args = parser.parse_args()
    quick = args.quick
    n_rows = args.rows or (200 if quick else 1000)
    pl_rows = min(args.pl_rows or (3 if quick else 15), n_rows)
    repeats = args.repeats or (3 if quick else 9)
    peer_repeats = args.peer_repeats or (1 if quick else 3)

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    print_environment(
        f"noisy inference: {N_QUBITS} qubits, {N_LAYERS} layers, RY encoding, "
        f"depolarizing p={P_DEPOLARIZING:g} "
        f"after every gate, {n_rows} rows, p = (1 - <Z0>)/2",
        ("pennylane", "qiskit", "qiskit-aer"),
    )
    circuit, X, weights, noise = workload(n_rows)
    results: list[Result] = []

    with _common.limit_threads():
        # qtrust, noisy
        t_q, res = time_calls(lambda: simulate(circuit, X, weights, noise), repeats)
        ours = res.probabilities
        print(f"qtrust noisy ({res.path} path, {res.reason}): {t_q}")

        # PennyLane default.mixed, row by row, extrapolated
        qnode = pennylane_qnode(circuit, weights, P_DEPOLARIZING)
        qnode(X[0])  # construction and first-call overhead, untimed
        t_pl, values = time_each(lambda x: float(qnode(x)), list(X[:pl_rows]))
        pl_probs = (1.0 - np.asarray(values)) / 2.0
        diff_pl = float(np.max(np.abs(pl_probs - ours[:pl_rows])))
        pl_total = t_pl.median * n_rows
        print(
            f"PennyLane default.mixed, {pl_rows} rows one at a time: {t_pl} per row -> {pl_total:.4g} s "
            f"for {n_rows} rows (extrapolated); max |diff| on those rows {diff_pl:.1e}"
        )
        results.append(
            Result(
                f"noisy, {n_rows} rows",
                "PennyLane default.mixed",
                pl_total,
                t_q.median,
                diff_pl,
                1000.0,
                [
                    f"extrapolated: median per-row time over {pl_rows} rows × {n_rows}; "
                    f"agreement on those {pl_rows} rows"
                ],
            )
        )

        # Qiskit Aer density-matrix estimator, whole batch
        from qiskit.quantum_info import SparsePauliOp

        estimator = aer_estimator(P_DEPOLARIZING, _common.THREADS)
        qc = qiskit_circuit(circuit, weights)
        observable = SparsePauliOp.from_sparse_list([("Z", [0], 1.0)], circuit.n_qubits)
        estimator.run([(qc, observable, X[:2])]).result()  # warm-up on 2 rows, untimed
        t_aer, aer_result = time_calls(
            lambda: estimator.run([(qc, observable, X)]).result(), peer_repeats, warmup=0
        )
        aer_probs = (1.0 - np.asarray(aer_result[0].data.evs)) / 2.0
        diff_aer = float(np.max(np.abs(aer_probs - ours)))
        print(
            f"Qiskit Aer EstimatorV2 density_matrix, {n_rows} bindings in one run: {t_aer}; "
            f"max |diff| over all rows {diff_aer:.1e}"
        )
        results.append(
            Result(
                f"noisy, {n_rows} rows",
                "Qiskit Aer density-matrix EstimatorV2",
                t_aer.median,
                t_q.median,
                diff_aer,
                100.0,
                [f"whole batch measured (median of {peer_repeats}); exact expectation values (precision 0)"],
            )
        )

        # context: noiseless, qtrust vs default.qubit
        t_q0, res0 = time_calls(lambda: simulate(circuit, X, weights), repeats)
        ours0 = res0.probabilities
        print(f"qtrust noiseless ({res0.path} path, {res0.reason}): {t_q0}")
        qnode0 = pennylane_qnode(circuit, weights, None)
        qnode0(X[0])
        dq_rows = min(n_rows, 10 * pl_rows)
        t_dq, values0 = time_each(lambda x: float(qnode0(x)), list(X[:dq_rows]))
        diff_dq = float(np.max(np.abs((1.0 - np.asarray(values0)) / 2.0 - ours0[:dq_rows])))
        print(f"PennyLane default.qubit, {dq_rows} rows one at a time: {t_dq} per row")
        results.append(
            Result(
                f"noiseless, {n_rows} rows",
                "PennyLane default.qubit, row by row",
                t_dq.median * n_rows,
                t_q0.median,
                diff_dq,
                None,
                [f"extrapolated: median per-row time over {dq_rows} rows × {n_rows}"],
            )
        )
        t_bc, values_bc = time_calls(lambda: np.asarray(qnode0(X)), max(1, repeats // 3))
        diff_bc = float(np.max(np.abs((1.0 - values_bc) / 2.0 - ours0)))
        print(f"PennyLane default.qubit, parameter broadcasting over all {n_rows} rows: {t_bc}")
        results.append(
            Result(
                f"noiseless, {n_rows} rows",
                "PennyLane default.qubit, broadcast",
                t_bc.median,
                t_q0.median,
                diff_bc,
                None,
                ["whole batch measured (one QNode call with a batch of angles)"],
            )
        )

    print()
    print_table(results, quick)


if __name__ == "__main__":
    main()
