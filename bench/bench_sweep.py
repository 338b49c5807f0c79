"""Benchmark: a sweep of 48 member audits serially and on a Dask LocalCluster of 2 workers (same digest
required), the scheduler's overhead per task, and the member size below which distribution does not pay.

* **Speed-up**: the 48 members (2 model depths × 2 noise channels × 12 seeds, synthetic data of 600 rows, 3
  qubits, 60 training iterations, 3 noise levels) run through ``qtrust.workflow.sweep.run_sweep`` serially and with
  ``--scheduler local:2``; the cluster's start-up is included, as a user pays it.
* **Overhead**: on a running 2-worker cluster, 400 tasks that do nothing, submitted at once: wall time per
  task; and one task's round trip.
* **Break-even**: with per-member time t, overhead o and start-up s, 2 workers beat serial when
  n·t > s + n·(t/2 + o) — printed for this machine; and, on paper, 10,000 members on 100 workers.

Run: ``.venv/bin/python bench/bench_sweep.py [--seeds 12]`` (needs the ``dask`` extra).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from _common import print_environment
from qtrust.sweep.executors import DaskExecutor
from qtrust.workflow.session import Session
from qtrust.workflow.sweep import run_sweep

BASE = {
    "encoding": {"n_qubits": 4},
    "reproducibility": {"seeds": [0, 1, 2, 3]},
    "shots": {"budgets": [200], "repeats": 2, "reference": 200},
    "statistics": {"n_boot": 1000, "n_permutations": 1000},
    "privacy": {"enabled": False},
    "robustness": {"enabled": False},
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
}


def spec(seeds: int, rows: int, iterations: int) -> dict:
    return {
        "name": "bench",
        "base": BASE,
        "datasets": [{"name": "synthetic", "data": {"source": "synthetic", "synthetic": {"n_rows": rows, "n_features": 4, "group_bias": 0.3}}}],
        "models": [
            {"name": f"vqc-d{d}", "models": [{"kind": "variational", "name": "vqc", "n_layers": d, "max_iter": iterations}]}
            for d in (1, 2)
        ],
        "noise": [
            {"name": c, "noise": {"channels": [c], "levels": [0.0, 0.01, 0.03]}} for c in ("depolarizing", "amplitude_damping")
        ],
        "seeds": list(range(1, seeds + 1)),
        "retries": 0,
    }  # fmt: skip


def _noop(x: int) -> int:
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds per (model, noise): 4 × seeds members")
    parser.add_argument("--rows", type=int, default=600, help="rows of each member's synthetic data")
    parser.add_argument(
        "--iterations", type=int, default=60, help="VQC training iterations (the member's size)"
    )
    args = parser.parse_args()
    print_environment("sweep: serial vs Dask local:2", ["dask", "distributed"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "sweep.yaml"
        path.write_text(yaml.safe_dump(spec(args.seeds, args.rows, args.iterations)))
        session = Session.at(root / "home")
        t = time.perf_counter()
        serial = run_sweep(session, path, root / "serial", record=False).result
        serial_s = time.perf_counter() - t
        t = time.perf_counter()
        local = run_sweep(session, path, root / "local", scheduler="local:2", record=False).result
        local_s = time.perf_counter() - t
        members = len(serial.results)
        per_member = sum(r.seconds for r in serial.results) / members
        print(f"{members} members; mean member {per_member:.2f} s (serial)")
        print(f"serial   {serial_s:7.1f} s   digest {serial.digest[:16]}…")
        print(f"local:2  {local_s:7.1f} s   digest {local.digest[:16]}…  (cluster start-up included)")
        on_workers = sum(r.seconds for r in local.results) / members
        print(
            f"mean member on a worker {on_workers:.2f} s (two members share this machine's 2 cores with the client)"
        )
        print(
            f"speed-up {serial_s / local_s:.2f}x; digests {'equal' if serial.digest == local.digest else 'DIFFER'}"
        )

        t = time.perf_counter()
        executor = DaskExecutor("local:2")
        startup = time.perf_counter() - t
        try:
            client = executor.client
            client.submit(_noop, 0, pure=False).result()  # warm
            t = time.perf_counter()
            client.submit(_noop, 1, pure=False).result()
            round_trip = time.perf_counter() - t
            t = time.perf_counter()
            client.gather(client.map(_noop, range(400), pure=False))
            overhead = (time.perf_counter() - t) / 400
        finally:
            executor.close()
        print(f"\ncluster start-up {startup:.2f} s; one task's round trip {round_trip * 1000:.1f} ms; "
              f"400 empty tasks at once: {overhead * 1000:.2f} ms per task")  # fmt: skip
        # 2 workers pay off when n·t > s + n·(t/2 + o): for n = members
        breakeven = 2 * (startup / members + overhead)
        print(f"2 workers beat serial for {members} members once a member takes more than {breakeven:.2f} s")
        per_task = per_member + overhead
        print(
            "on paper, 10,000 members on 100 workers: 100 members per worker, "
            f"{10_000 * per_task / 100 / 60:.1f} min of member work each at this member size, plus start-up; "
            f"serial: {10_000 * per_member / 3600:.1f} h"
        )


if __name__ == "__main__":
    main()
