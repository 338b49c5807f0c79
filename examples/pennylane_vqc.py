"""Bring a PennyLane model to a qtrust audit.

A QML engineer trains a variational classifier in PennyLane on the German Credit data, as they would anyway,
then hands the trained QNode and weights to qtrust: ``qtrust.from_pennylane`` translates the circuit into
qtrust's representation (so the fast, exact simulation paths and the certificates apply), and
``qtrust.audit_models`` audits it beside the classical baselines — noise sweep, shots, fairness, privacy,
robustness, certified fairness — on the same seeded split.

Run:  python examples/pennylane_vqc.py [OUT_DIR]       (about a minute on a laptop)
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pennylane as qml
from pennylane import numpy as pnp

import qtrust

N_QUBITS = 4
LAYERS = 2
STEPS = int(os.environ.get("QTRUST_EXAMPLE_STEPS", "60"))  # the test suite runs a shorter training

# The audit's config fixes the data, the split and the encoding; training on its training rows keeps the
# audit's test rows held out. `quick()` keeps the example fast (3 seeds, fewer noise levels and replicates).
config = qtrust.AuditConfig.model_validate(
    {"encoding": {"n_qubits": N_QUBITS}, "privacy": {"n_references": 4}}
).quick()
data = qtrust.prepare_data(config)

dev = qml.device("default.qubit", wires=N_QUBITS)


@qml.qnode(dev)
def classifier(x, weights):
    """Angle-encode the features, two entangling layers, read out qubit 0."""
    qml.AngleEmbedding(x, wires=range(N_QUBITS), rotation="Y")
    qml.StronglyEntanglingLayers(weights, wires=range(N_QUBITS))
    return qml.expval(qml.PauliZ(0))


def train(X: np.ndarray, y: np.ndarray, seed: int = 0) -> np.ndarray:
    """Class-weighted cross-entropy on P(good) = (1 + <Z>) / 2, Adam, full batch (parameter broadcasting)."""
    rng = np.random.default_rng(seed)
    weights = pnp.array(rng.uniform(-np.pi, np.pi, (LAYERS, N_QUBITS, 3)), requires_grad=True)
    w_pos, w_neg = len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum()))
    X_batch = pnp.array(X, requires_grad=False)  # parameter broadcasting: one row per example

    def loss(w):
        p = (1 + classifier(X_batch, w)) / 2
        p = pnp.clip(p, 1e-9, 1 - 1e-9)
        return -pnp.mean(w_pos * y * pnp.log(p) + w_neg * (1 - y) * pnp.log(1 - p))

    optimiser = qml.AdamOptimizer(0.1)
    for _ in range(STEPS):
        weights = optimiser.step(loss, weights)
    return np.asarray(weights)


def main(out: str = "qtrust-out-pennylane") -> qtrust.audit.AuditRun:
    start = time.perf_counter()
    weights = train(data.X_train, data.y_train.astype(float))
    print(f"trained in PennyLane: {time.perf_counter() - start:.1f} s")
    # class 1 (good credit) <-> large <Z>: P(good) = (1 + <Z>) / 2
    model = qtrust.from_pennylane(classifier, weights, positive="high")
    print("translation:", "; ".join(model.source.get("translation", [])) if hasattr(model, "source") else "")
    run = qtrust.audit_models({"pennylane_vqc": model}, config, out=out)
    print(f"audited in {run.result.duration_seconds:.1f} s -> {out}/report.html")
    for finding in run.result.findings[:8]:
        print(f"  {finding.severity:5} {finding.title}")
    return run


if __name__ == "__main__":
    main(*sys.argv[1:])
