"""Shared helpers for the bench/ scripts: thread pinning, median timing, environment line, result table.

Import this module *before* numpy (or anything that imports numpy): it pins the BLAS / OpenMP thread pools
through environment variables, which the libraries read only once, when they load. The thread count is
``QTRUST_BENCH_THREADS`` (default 1) and applies to qtrust and to every peer alike, so ratios compare
algorithms, not core counts. Peers with their own thread option (Qiskit Aer) are given the same number.
"""

from __future__ import annotations

import os

THREADS_ENV = "QTRUST_BENCH_THREADS"
_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def _pin_threads() -> int:
    raw = os.environ.get(THREADS_ENV, "1")
    try:
        threads = int(raw)
    except ValueError as exc:
        raise SystemExit(f"{THREADS_ENV}={raw!r} is not an integer") from exc
    if threads < 1:
        raise SystemExit(f"{THREADS_ENV} must be at least 1, got {threads}")
    for var in _THREAD_VARS:
        os.environ[var] = str(threads)
    return threads


THREADS = _pin_threads()

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402
from importlib import metadata  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

AGREEMENT_TOL = 1e-10


def limit_threads():
    """A threadpoolctl guard with the pinned count (belt and braces over the environment variables)."""
    return threadpool_limits(limits=THREADS)


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated calls: the median and every sample."""

    median: float
    samples: tuple[float, ...]

    def __str__(self) -> str:
        spread = (
            f" (min {min(self.samples):.4g}, max {max(self.samples):.4g})" if len(self.samples) > 1 else ""
        )
        return f"{self.median:.4g} s median of {len(self.samples)}{spread}"


def time_calls(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> tuple[Timing, Any]:
    """Median wall time of ``repeats`` calls after ``warmup`` untimed calls; also the last call's result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), tuple(samples)), result


def time_each(fn: Callable[[Any], Any], items: Sequence[Any]) -> tuple[Timing, list[Any]]:
    """Time ``fn(item)`` once per item (for row-by-row peers); the median is the per-item cost."""
    samples, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), tuple(samples)), results


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def blas_summary() -> str:
    pools = threadpool_info()
    return ", ".join(f"{p.get('internal_api')}:{p.get('num_threads')}" for p in pools) or "none detected"


def print_environment(title: str, packages: Sequence[str]) -> None:
    """A header: what runs, on what, with which thread pinning and package versions."""
    print(title)
    print(
        f"date {date.today().isoformat()}; python {platform.python_version()}; {platform.machine()} "
        f"{platform.system()}; {os.cpu_count()} logical CPUs; threads pinned to {THREADS} "
        f"({THREADS_ENV}; OMP/OPENBLAS/MKL_NUM_THREADS={os.environ['OMP_NUM_THREADS']}); "
        f"thread pools: {blas_summary()}"
    )
    print("versions: " + ", ".join(f"{p} {version(p)}" for p in ("numpy", "qtrust", *packages)))
    print()


def max_abs_diff(a: Any, b: Any) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


@dataclass
class Result:
    """One line of the final table: a task, a peer, both times, the agreement, and the speed target."""

    task: str
    peer: str
    peer_seconds: float
    qtrust_seconds: float
    max_diff: float | None
    target: float | None = None  # required speed-up, peer / qtrust; None: context only
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.peer_seconds / self.qtrust_seconds

    @property
    def speed_met(self) -> bool | None:
        return None if self.target is None else self.ratio >= self.target

    @property
    def agrees(self) -> bool | None:
        return None if self.max_diff is None else self.max_diff <= AGREEMENT_TOL


def _yes_no(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


def print_table(results: Sequence[Result], quick: bool) -> None:
    """The final table; footnotes carry how each peer time was obtained (measured or extrapolated)."""
    headers = (
        "task",
        "peer",
        "peer s",
        "qtrust s",
        "ratio",
        "max|diff|",
        "target",
        "met",
        f"≤{AGREEMENT_TOL:g}",
    )
    rows = []
    for i, r in enumerate(results, 1):
        rows.append(
            (
                r.task,
                f"{r.peer} [{i}]" if r.notes else r.peer,
                f"{r.peer_seconds:.4g}",
                f"{r.qtrust_seconds:.4g}",
                f"{r.ratio:,.0f}x" if r.ratio >= 10 else f"{r.ratio:.2f}x",
                "-" if r.max_diff is None else f"{r.max_diff:.1e}",
                "context" if r.target is None else f"≥{r.target:,.0f}x",
                "n/a" if quick and r.target is not None else _yes_no(r.speed_met),
                _yes_no(r.agrees),
            )
        )
    widths = [max(len(h), *(len(row[k]) for row in rows)) for k, h in enumerate(headers)]
    line = "  ".join(
        h.ljust(w) if k < 2 else h.rjust(w) for k, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if k < 2 else c.rjust(w) for k, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for i, r in enumerate(results, 1):
        for note in r.notes:
            print(f"  [{i}] {note}")
    if quick:
        print(
            "  --quick: smaller sizes for a smoke run; speed targets are defined for the full-size run, so "
            "only agreement is judged."
        )
    missed = [r for r in results if (r.speed_met is False and not quick) or r.agrees is False]
    print()
    what = "all agreement checks pass" if quick else "all targets met"
    print(what if not missed else f"{len(missed)} line(s) miss a target (see NO above)")
    sys.stdout.flush()
