"""The sweep's one results file: every member's metrics and CIs in the grid's order, and the sweep digest.

The digest covers what the numbers are — each member's id and the digest of its metric table (or the fact
that it failed) — never where or how fast they were computed, so a serial run, any number of workers and a
run that lost a worker give the same digest when they give the same numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from qtrust._version import __version__
from qtrust.encoding import canonical_json
from qtrust.sweep.member import MemberResult, MemberTask
from qtrust.sweep.spec import SweepSpec

FORMAT = "qtrust-sweep/v1"


def sweep_digest(results: list[MemberResult]) -> str:
    members = [
        [r.id, r.digest if r.status == "done" else "failed"] for r in sorted(results, key=lambda r: r.index)
    ]
    return hashlib.sha256(canonical_json(members)).hexdigest()


@dataclass(frozen=True)
class SweepResult:
    spec: SweepSpec
    tasks: list[MemberTask]
    results: list[MemberResult]
    executor: str
    seconds: float

    @property
    def digest(self) -> str:
        return sweep_digest(self.results)

    @property
    def failed(self) -> list[MemberResult]:
        return [r for r in self.results if r.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "qtrust": __version__,
            "name": self.spec.name,
            "spec": self.spec.model_dump(mode="json"),
            "digest": self.digest,
            "executor": self.executor,  # how it ran: not part of the digest
            "seconds": round(self.seconds, 3),
            "members": [
                {
                    "index": task.index,
                    "id": task.id,
                    "labels": task.labels,
                    "status": result.status,
                    "digest": result.digest,
                    "error": result.error,
                    "attempts": result.attempts,
                    "seconds": round(result.seconds, 3),
                    "dataset_digest": task.dataset_digest,
                    "supplied": [list(pair) for pair in task.supplied],
                    "config": task.config,
                    "metrics": result.metrics,
                }
                for task, result in zip(self.tasks, self.results, strict=True)
            ],
        }
