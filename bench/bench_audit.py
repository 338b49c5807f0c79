"""Time the default ``qtrust audit`` (German Credit, every assessment) against its 2-minute target.

Runs the audit in-process three times (median reported) and prints the per-stage timings of the last run.
Usage: python bench/bench_audit.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _common  # noqa: F401  (pins BLAS threads before numpy is imported)
from qtrust.audit import run_audit
from qtrust.config import AuditConfig

TARGET_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="time `qtrust audit --quick` instead")
    args = parser.parse_args()
    config = AuditConfig().quick() if args.quick else AuditConfig()
    durations = []
    for _ in range(args.runs):
        start = time.perf_counter()
        run = run_audit(config)
        durations.append(time.perf_counter() - start)
    median = statistics.median(durations)
    print(
        f"default audit{' (--quick)' if args.quick else ''}: runs {', '.join(f'{d:.1f}' for d in durations)} s"
    )
    print(
        f"median {median:.1f} s — target < {TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'NOT met'}"
    )
    print("stages of the last run (s):", ", ".join(f"{k} {v:.1f}" for k, v in run.result.timings.items()))


if __name__ == "__main__":
    main()
