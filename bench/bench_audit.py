"""Time the default ``qtrust audit`` (German Credit, every assessment) against its 2-minute target.

Each run is a fresh ``qtrust audit`` process — what a user waits for, imports included, and no cache
carried over from a previous run. Reports the median of ``--runs`` and the stage timings of the last run.
Usage: python bench/bench_audit.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (pins BLAS threads in the environment the audits inherit)

TARGET_SECONDS = 120.0  # the audit engine (issue 2)
PRIVACY_TARGET_SECONDS = 180.0  # what the full privacy assessment may add (issue 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="time `qtrust audit --quick` instead")
    args = parser.parse_args()
    durations, timings = [], {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            command = [sys.executable, "-m", "qtrust.cli", "audit", "--no-progress", "--out", str(out)]
            start = time.perf_counter()
            # Recording included: a fresh evidence home per run (keys created on first use), as a new user sees it.
            env = os.environ | {"QTRUST_HOME": str(Path(tmp) / "home"), "QTRUST_KEY_PASSPHRASE": "bench"}
            subprocess.run(
                command + (["--quick"] if args.quick else []), check=True, capture_output=True, env=env
            )
            durations.append(time.perf_counter() - start)
            timings = json.loads((out / "results.json").read_text())["timings"]
    median = statistics.median(durations)
    threads = os.environ.get("OMP_NUM_THREADS")
    print(
        f"`qtrust audit{' --quick' if args.quick else ''}` ({threads} BLAS thread(s)): runs "
        + ", ".join(f"{d:.1f}" for d in durations)
        + " s"
    )
    privacy = timings.get("privacy", 0.0)
    core = median - privacy
    print(
        f"median {median:.1f} s: the audit without the privacy red-team {core:.1f} s — target < "
        f"{TARGET_SECONDS:.0f} s: {'met' if core < TARGET_SECONDS else 'NOT met'}; the privacy red-team adds "
        f"{privacy:.1f} s — target < {PRIVACY_TARGET_SECONDS:.0f} s: "
        f"{'met' if privacy < PRIVACY_TARGET_SECONDS else 'NOT met'}"
    )
    print("stages of the last run (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))


if __name__ == "__main__":
    main()
