"""Benchmark: does a model brought from PennyLane or Qiskit keep qtrust's speed once translated?

The question a QML engineer asks before handing qtrust their model: "my model is a QNode (or a Qiskit
circuit); will the audit run it at the speed qtrust runs its own models, or at my framework's speed?"

Workloads (8 qubits unless --quick; 1,000 rows):

* **PennyLane, noisy.** A QNode written the way PennyLane users write it: ``AngleEmbedding`` (RY), two
  ``StronglyEntanglingLayers``, a ``DepolarizingChannel(p)`` on every wire after each layer *inside* the
  QNode, output ``expval(PauliZ(0))``, on ``default.mixed``. Peer: the QNode itself, row by row (a few rows,
  extrapolated; the table says so). qtrust: ``from_pennylane`` (translation time reported on its own),
  then the translated model scoring every row — and, for context, qtrust's fallback (``QNodeClassifier``,
  the path an untranslatable QNode takes) on a few rows.
* **Qiskit, noisy.** ``zz_feature_map`` (reps 2) + ``real_amplitudes`` (reps 2), observable Z⊗…⊗Z, noise
  depolarizing 1e-3 and amplitude damping 1e-3 after every gate on each of its wires (qtrust's placement,
  converted by ``to_aer_noise_model``), on a fifth of the rows. Peer: Aer's density-matrix ``EstimatorV2``
  with exact expectation values on the whole batch. qtrust: ``from_qiskit`` then scoring the batch under the
  same noise model. Context, no target: noise inside an entangling encoding leaves no shortcut — every row
  needs its own density matrix (4^n numbers) on both sides — so this measures qtrust's density-matrix path
  against Aer's, not the Heisenberg path.
* **Device profile, context.** The translated PennyLane model under ``fake_torino``'s best 8 qubits
  (hundreds of per-qubit and per-coupling channels) against a single uniform channel: the overhead of
  realistic noise on the Heisenberg path.

Target: a translated QNode ≥ 1,000× faster than PennyLane default.mixed (the target qtrust's own models meet
in ``bench_noisy_inference.py``); every compared value within 1e-10.

Run: ``.venv/bin/python bench/bench_byo.py [--quick]``
"""

from __future__ import annotations

import _common  # pins BLAS/OpenMP threads; must be imported before numpy

# isort: split

import argparse
import time
import warnings

import numpy as np

from _common import Result, print_environment, print_table, time_calls, time_each
from qtrust.adapters.pennylane import QNodeClassifier, from_pennylane
from qtrust.adapters.qiskit import from_qiskit, to_aer_noise_model
from qtrust.quantum import NoiseChannel, NoiseModel

P = 1e-3


def pennylane_model(n_qubits: int, seed: int = 0):
    import pennylane as qml

    dev = qml.device("default.mixed", wires=n_qubits)

    @qml.qnode(dev)
    def classifier(x, weights):
        qml.AngleEmbedding(x, wires=range(n_qubits), rotation="Y")
        for layer in weights:
            qml.StronglyEntanglingLayers(layer[None], wires=range(n_qubits))
            for wire in range(n_qubits):
                qml.DepolarizingChannel(P, wires=wire)
        return qml.expval(qml.PauliZ(0))

    weights = np.random.default_rng(seed).uniform(-np.pi, np.pi, (2, n_qubits, 3))
    return classifier, weights


def qiskit_model(n_qubits: int, seed: int = 0):
    from qiskit.circuit.library import real_amplitudes, zz_feature_map
    from qiskit.quantum_info import SparsePauliOp

    feature_map = zz_feature_map(n_qubits, reps=2)
    ansatz = real_amplitudes(n_qubits, reps=2)
    circuit = feature_map.compose(ansatz)
    weights = np.random.default_rng(seed).uniform(-np.pi, np.pi, ansatz.num_parameters)
    observable = SparsePauliOp("Z" * n_qubits)
    return circuit, list(feature_map.parameters), list(ansatz.parameters), weights, observable


def aer_estimator(aer_noise, threads: int):
    from qiskit_aer.primitives import EstimatorV2

    return EstimatorV2(
        options={
            "default_precision": 0.0,
            "backend_options": {
                "method": "density_matrix",
                "noise_model": aer_noise,
                "max_parallel_threads": threads,
            },
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 qubits, 200 rows, fewer repeats")
    args = parser.parse_args()
    quick = args.quick
    n_qubits = 6 if quick else 8
    n_rows = 200 if quick else 1000
    peer_rows = 3 if quick else 8
    repeats = 3 if quick else 7

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    print_environment(
        f"bring your own model: {n_qubits} qubits, {n_rows} rows, noise inside the QNode / an Aer noise model",
        ("pennylane", "qiskit", "qiskit-aer", "qiskit-ibm-runtime"),
    )
    rng = np.random.default_rng(1)
    X = rng.uniform(0.0, np.pi, (n_rows, n_qubits))
    results: list[Result] = []

    with _common.limit_threads():
        # ------------------------------------------------------------------ PennyLane
        qnode, weights = pennylane_model(n_qubits)
        start = time.perf_counter()
        translated = from_pennylane(qnode, weights)
        translate_s = time.perf_counter() - start
        t_q, scored = time_calls(lambda: translated.simulate(X), repeats)  # probabilities and their path
        ours = scored.probabilities
        print(
            f"from_pennylane: {translate_s:.2f} s once ({len(translated.circuit.operations)} operations, "
            f"{sum(len(op.channels) for op in translated.circuit.operations)} in-circuit channels); "
            f"scoring ({scored.path} path): {t_q}"
        )
        qnode(X[0], weights)  # first-call overhead, untimed
        t_pl, values = time_each(lambda x: float(qnode(x, weights)), list(X[:peer_rows]))
        diff_pl = float(np.max(np.abs((1 + np.asarray(values)) / 2 - ours[:peer_rows])))
        results.append(
            Result(
                f"PennyLane QNode, noisy, {n_rows} rows",
                "the QNode on default.mixed",
                t_pl.median * n_rows,
                t_q.median,
                diff_pl,
                None if quick else 1000.0,
                [
                    f"peer extrapolated from {peer_rows} rows one at a time; translation ({translate_s:.2f} s) not included"
                ],
            )
        )
        fallback = QNodeClassifier(qnode, weights)
        fallback.probabilities(X[:1])
        t_fb, fb_values = time_calls(lambda: fallback.probabilities(X[:peer_rows]), 1, warmup=0)
        diff_fb = float(np.max(np.abs(fb_values - ours[:peer_rows])))
        results.append(
            Result(
                f"PennyLane QNode, noisy, {n_rows} rows",
                "qtrust's fallback (QNodeClassifier)",
                t_fb.median / peer_rows * n_rows,
                t_q.median,
                diff_fb,
                None,
                [f"context: what an untranslatable QNode costs; extrapolated from {peer_rows} rows"],
            )
        )

        # ------------------------------------------------------------------ Qiskit
        circuit, inputs, weight_params, q_weights, observable = qiskit_model(n_qubits)
        noise = NoiseModel(
            (NoiseChannel("depolarizing", P), NoiseChannel("amplitude_damping", P)), label="dep+ad 1e-3"
        )
        start = time.perf_counter()
        q_model = from_qiskit(circuit, inputs, weight_params, q_weights, observable)
        q_translate_s = time.perf_counter() - start
        # the noisy ZZ encoding needs a density matrix per row (see the note below): fewer rows, one repeat
        Xq = X[: n_rows // 5]
        t_qq, scored_q = time_calls(lambda: q_model.simulate(Xq, noise), 1, warmup=0)
        ours_q = scored_q.probabilities
        print(f"from_qiskit: {q_translate_s:.2f} s once; scoring ({scored_q.path} path): {t_qq}")
        from qiskit import transpile

        from qtrust.adapters.qiskit import lower_circuit

        lowered = lower_circuit(circuit.assign_parameters(dict(zip(weight_params, q_weights, strict=True))))
        gates = sorted({inst.operation.name for inst in lowered.data})
        estimator = aer_estimator(to_aer_noise_model(noise, n_qubits, gates), _common.THREADS)
        lowered = transpile(lowered, basis_gates=gates, optimization_level=0)
        bindings = np.asarray(Xq)
        estimator.run([(lowered, observable, bindings[:2])]).result()  # warm-up, untimed
        t_aer, aer = time_calls(
            lambda: estimator.run([(lowered, observable, bindings)]).result(), 1, warmup=0
        )
        diff_aer = float(np.max(np.abs((1 + np.asarray(aer[0].data.evs)) / 2 - ours_q)))
        results.append(
            Result(
                f"Qiskit circuit, noisy, {len(Xq)} rows",
                "Aer density-matrix EstimatorV2",
                t_aer.median,
                t_qq.median,
                diff_aer,
                None,
                [
                    f"translation ({q_translate_s:.2f} s) not included; noise acts inside the entangling ZZ "
                    "encoding, so each row needs its own density matrix on both sides (no Heisenberg shortcut)"
                ],
            )
        )

        # ------------------------------------------------------------------ device profile (context)
        try:
            from qtrust.quantum.devices import device_noise

            device = device_noise("fake_torino", n_qubits, "best")
        except Exception as error:  # qiskit-ibm-runtime missing: context only
            print(f"device profile skipped: {error}")
        else:
            uniform = NoiseModel.single("depolarizing", P)
            t_uni, _ = time_calls(lambda: translated.probabilities(X, uniform), repeats)
            t_dev, _ = time_calls(lambda: translated.probabilities(X, device), repeats)
            results.append(
                Result(
                    f"translated QNode under fake_torino best {n_qubits} qubits ({len(device.channels)} channels)",
                    "the same model under one uniform channel",
                    t_uni.median,
                    t_dev.median,
                    None,
                    None,
                    ["context: ratio < 1 means the device profile costs more than one channel"],
                )
            )

    print_table(results, quick)


if __name__ == "__main__":
    main()
