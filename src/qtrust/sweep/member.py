"""One member of a sweep: its identity, its config, and the function a worker runs on it.

Why everything derives from the member's identity: a Dask worker has no say in the numbers. The member's
seed is written into its config before it leaves the client, BLAS runs on one thread wherever it runs (the
summation order, and so the rounding, is the same serial or distributed), data is regenerated from the config
or read from a path and checked against the digest the client computed (a supplied model's file too), and
the function writes nothing —
a member retried on another worker after its first one died returns the same bytes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from threadpoolctl import threadpool_limits

from qtrust.encoding import canonical_json


@dataclass(frozen=True)
class MemberTask:
    """What a worker needs: the member's id, its axis labels, its whole audit config, the data's digest."""

    index: int  # position in the grid's canonical order
    id: str
    labels: dict[str, str]
    config: dict[str, Any]
    dataset_digest: str  # the client's digest of the member's data; the worker refuses other data
    supplied: tuple[tuple[str, str], ...] = ()  # (FILE.py:NAME, the file's sha256) of each supplied model


@dataclass(frozen=True)
class MemberResult:
    """A member's outcome: its metrics (values and CIs) and their digest, or the error it raised."""

    index: int
    id: str
    status: str  # "done" | "failed"
    digest: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0  # wall time on the worker: reported, never part of a digest
    attempts: int = 1


def metrics_digest(metrics: dict[str, Any]) -> str:
    """The sha256 of a member's metric table in canonical JSON: what "the same result" means."""
    return hashlib.sha256(canonical_json(metrics)).hexdigest()


def run_member(task: MemberTask) -> MemberResult:
    """Run one member audit (on a worker or here) and return its metric table; raises what the audit raises."""
    from qtrust.audit import run_audit
    from qtrust.audit.data_prep import load_dataset
    from qtrust.audit.model_file import load_supplied
    from qtrust.config import config_from_dict
    from qtrust.results.metrics_table import flatten_metrics

    started = time.perf_counter()
    with threadpool_limits(limits=1):
        config = config_from_dict(task.config, source=f"sweep member {task.id}")
        dataset = load_dataset(config)
        if dataset.digest() != task.dataset_digest:
            raise ValueError(
                f"member {task.id}: the data here (sha256 {dataset.digest()[:12]}…) is not the data the client "
                f"planned ({task.dataset_digest[:12]}…); give every worker the same file"
            )
        supplied = [item for ref, sha256 in task.supplied for item in load_supplied(ref, sha256)]
        run = run_audit(config, dataset=dataset, config_source=f"sweep member {task.id}", supplied=supplied)
        metrics = {path: metric.to_dict() for path, metric in flatten_metrics(run.result).items()}
    return MemberResult(
        task.index, task.id, "done", metrics_digest(metrics), metrics, seconds=time.perf_counter() - started
    )
