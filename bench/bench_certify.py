"""Time the certified-fairness Lipschitz constant K* beside the published timings.

Guan, Fang & Ying (CAV 2022) report about 2–3 s per model for K* on their benchmark classifiers (up to
9 qubits, dense matrices), and VeriQR about 6–10 s. These numbers come from the papers, on other machines:
read the ratio as an order of magnitude, not a race. qtrust computes M = E†(effect) by propagating the
measurement backwards through the noisy trainable section once, then one Hermitian eigendecomposition.

Run: ``.venv/bin/python bench/bench_certify.py [--qubits 9] [--repeats 5]``.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins BLAS/OpenMP threads; must be imported before numpy)

# isort: split

import argparse
import statistics
import time

import numpy as np

from _common import print_environment
from qtrust.assess.certified_fairness import lipschitz_constant
from qtrust.quantum.ansatz import variational_circuit
from qtrust.quantum.engine import measurement_operator
from qtrust.quantum.noise import NoiseModel

PUBLISHED = {"Guan, Fang & Ying 2022 (per model)": (2.0, 3.0), "VeriQR (per model)": (6.0, 10.0)}
TARGET_S = 1.0  # the target for a 9-qubit model on this machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qubits", type=int, default=9)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print_environment("certified fairness (K*)", ["numpy", "scipy"])
    circuit = variational_circuit(args.qubits, args.layers)
    weights = np.random.default_rng(0).uniform(-np.pi, np.pi, circuit.n_weights)
    settings = [("noiseless", None)] + [
        (f"{kind} 1e-2", NoiseModel.single(kind, 1e-2))
        for kind in ("depolarizing", "amplitude_damping", "phase_damping")
    ]
    print(
        f"\nK* for a {args.qubits}-qubit, {args.layers}-layer variational classifier ({circuit.n_weights} weights), median of {args.repeats}:"
    )
    worst = 0.0
    for label, noise in settings:
        times, k = [], None
        for _ in range(args.repeats):
            start = time.perf_counter()
            k = lipschitz_constant(measurement_operator(circuit, weights, noise)).lipschitz
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"  {label:<24} K* = {k:.6f}   {median:.3f} s")
    print(
        f"\nslowest setting: {worst:.3f} s — target < {TARGET_S:.0f} s: {'met' if worst < TARGET_S else 'NOT met'}"
    )
    for name, (low, high) in PUBLISHED.items():
        print(
            f"  published {name}: {low:g}–{high:g} s → {low / worst:.0f}–{high / worst:.0f}× (other machines; order of magnitude)"
        )


if __name__ == "__main__":
    main()
