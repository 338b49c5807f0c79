"""What software ran an audit: recorded so a result can be re-run and compared like for like."""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("qtrust", "numpy", "scipy", "scikit-learn", "pandas", "pydantic", "threadpoolctl")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over qtrust's own source and data files (relative path and bytes, in sorted order).

    The version number alone does not pin the code: an editable install or a patched copy keeps the version
    and changes the behaviour. This digest changes with any edit.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def thread_pools() -> dict[str, int]:
    """Threads of each loaded native pool (BLAS, OpenMP), as the run actually used them.

    Recorded because it changes results: a BLAS product summed over 2 threads rounds differently from one
    summed over 1, and after L-BFGS training that reaches ~1e-9 in the metrics. ``qtrust reproduce``
    re-runs with the recorded counts so a deterministic path can be compared exactly.
    """
    from threadpoolctl import threadpool_info

    pools: dict[str, int] = {}
    for info in threadpool_info():
        api = str(info.get("user_api"))
        pools[api] = max(pools.get(api, 0), int(info.get("num_threads") or 0))
    return pools


def describe_environment() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": package_versions(),
        "qtrust_code_sha256": code_digest(),
        "threads": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "thread_pools": thread_pools(),
    }
