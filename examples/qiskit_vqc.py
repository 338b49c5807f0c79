"""Bring a Qiskit model to a qtrust audit, and ask how it would fare on real devices' calibrations.

A team trains qiskit-machine-learning's ``VQC`` (a ZZ feature map and a RealAmplitudes ansatz) on the German
Credit data. ``qtrust.from_qiskit_ml`` translates the fitted model into qtrust's circuit representation —
exactly: same gates, same parameter expressions, same class mapping — and ``qtrust.audit_models`` audits it
beside the classical baselines, including under the calibration snapshots of two IBM devices (their best
and their worst qubits).

Run:  python examples/qiskit_vqc.py [OUT_DIR]       (about a minute on a laptop)
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from qiskit.circuit.library import real_amplitudes, zz_feature_map
from qiskit_machine_learning.algorithms import VQC
from qiskit_machine_learning.optimizers import COBYLA
from qiskit_machine_learning.utils import algorithm_globals

import qtrust

N_QUBITS = 3
MAXITER = int(os.environ.get("QTRUST_EXAMPLE_MAXITER", "30"))  # the test suite runs a shorter training

config = qtrust.AuditConfig.model_validate(
    {
        "encoding": {"n_qubits": N_QUBITS},
        "privacy": {"n_references": 4},
        "noise": {
            "devices": [
                {"name": "fake_manila", "layout": "best"},
                {"name": "fake_manila", "layout": "worst"},
                {"name": "fake_torino", "layout": "best"},
            ]
        },
    }
).quick()
data = qtrust.prepare_data(config)


def train(X: np.ndarray, y: np.ndarray, seed: int = 0) -> VQC:
    """qiskit-machine-learning's VQC, as its tutorials train it (COBYLA, exact reference sampler)."""
    algorithm_globals.random_seed = seed
    vqc = VQC(
        feature_map=zz_feature_map(N_QUBITS, reps=1),
        ansatz=real_amplitudes(N_QUBITS, reps=2),
        optimizer=COBYLA(maxiter=MAXITER),
        initial_point=np.random.default_rng(seed).uniform(-np.pi, np.pi, 9),
    )
    return vqc.fit(X, y)


def main(out: str = "qtrust-out-qiskit") -> tuple[qtrust.audit.AuditRun, VQC]:
    start = time.perf_counter()
    vqc = train(data.X_train, data.y_train)
    print(f"trained in Qiskit: {time.perf_counter() - start:.1f} s")
    model = qtrust.from_qiskit_ml(vqc)
    agree = np.mean(model.predict(data.X_test) == vqc.predict(data.X_test))
    print(f"qtrust's translation predicts like the VQC on {agree:.1%} of the test rows")
    run = qtrust.audit_models({"qiskit_vqc": model}, config, out=out)
    print(f"audited in {run.result.duration_seconds:.1f} s -> {out}/report.html")
    for point in run.result.noise[0].devices:
        print(
            f"  on {point.device} ({point.layout} qubits {point.physical_qubits}, calibrated {point.calibration_date}): "
            f"accuracy {point.metrics['accuracy'].value:.3f} ({point.change['accuracy']:+.3f})"
        )
    return run, vqc


if __name__ == "__main__":
    main(*sys.argv[1:])
