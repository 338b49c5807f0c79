"""A sweep as a recorded operation: expand the grid, run every member on an executor, write the results and
the summary at once, and record the sweep — once, by the client — in the evidence log.

Why only here: members are pure tasks that write nothing (a retried or duplicated task cannot leave a second
record), the outputs appear all together or not at all (Ctrl-C or a crash leaves no partial folder), and the
log gets one entry naming every member's digest and the sweep's digest.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtrust.audit.outputs import check_target, write_atomically
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.results.metrics_table import ReproductionReport, compare_metrics
from qtrust.results.recorded import RecordedMetric
from qtrust.sweep import summary
from qtrust.sweep.executors import Executor, Listener, make_executor
from qtrust.sweep.grid import expand
from qtrust.sweep.member import MemberTask
from qtrust.sweep.result import SweepResult
from qtrust.sweep.spec import SweepSpec, load_sweep
from qtrust.workflow.session import Session

RESULTS, SUMMARY = "sweep.json", "summary.html"


@dataclass(frozen=True)
class SweepOutcome:
    result: SweepResult
    folder: Path
    recorded: int | None


def _nothing(progress: Any, result: Any) -> None:
    return None


def run_sweep(
    session: Session,
    spec_path: Path,
    out: Path,
    *,
    scheduler: str | None = None,
    record: bool = True,
    listen: Listener = _nothing,
    executor: Executor | None = None,
) -> SweepOutcome:
    """Run the sweep in ``spec_path`` and write ``out/sweep.json`` and ``out/summary.html``."""
    spec = load_sweep(spec_path)
    out = check_target(out)
    with session.appending("sweep") if record else contextlib.nullcontext() as log:
        # the log and its passphrase are checked once, before minutes of work, and held until the entry
        result, digests = _run_and_write(spec, out, scheduler, listen, executor)
        if log is None:
            return SweepOutcome(result, out, None)
        recorded = log.append(
            statements.statement(
                [statements.resource(name, digest) for name, digest in sorted(digests.items())],
                statements.SWEEP_V1,
                {
                    "name": spec.name,
                    "spec": spec.model_dump(mode="json"),
                    "digest": result.digest,
                    "members": [{"id": r.id, "status": r.status, "digest": r.digest} for r in result.results],
                    "executor": result.executor,
                },
            )
        )
    return SweepOutcome(result, out, recorded.seq)


def _run_and_write(
    spec: SweepSpec, out: Path, scheduler: str | None, listen: Listener, executor: Executor | None
) -> tuple[SweepResult, dict[str, str]]:
    """Every member on the executor; sweep.json and summary.html written together (or not at all)."""
    tasks = expand(spec)
    started = time.perf_counter()
    own = executor is None
    executor = executor or make_executor(scheduler)
    try:
        results = executor.run(tasks, spec.retries, listen)
    finally:
        if own:
            executor.close()
    result = SweepResult(spec, tasks, results, executor.description, time.perf_counter() - started)
    doc = result.to_dict()
    html = summary.render(doc)

    def write_results(path: Path, digests: dict[str, str]) -> None:
        path.write_text(json.dumps(doc | {"outputs": digests}, indent=1) + "\n")

    return result, write_atomically(
        out, {SUMMARY: lambda path: path.write_text(html)}, (RESULTS, write_results)
    )


@dataclass(frozen=True)
class MemberReproduction:
    member: str
    report: ReproductionReport
    digest_recorded: str | None
    digest_now: str

    @property
    def identical(self) -> bool:
        return self.digest_recorded == self.digest_now


def reproduce_member(folder: Path, member_id: str, *, sweep_digest: str | None = None) -> MemberReproduction:
    """Re-run one member from the config in ``folder/sweep.json`` and compare metric by metric with what the
    sweep recorded (the file must be the one whose digest ``sweep_digest`` names, when given)."""
    from qtrust.sweep.member import run_member

    path = folder / RESULTS
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise InputError(
            f"cannot read {path}: {error}", where="DIR", fix="the folder `qtrust sweep` wrote"
        ) from None
    if sweep_digest is not None and doc.get("digest") != sweep_digest:
        raise InputError(f"{path} is not the recorded sweep", where="DIR", fix="use the sweep's own folder")
    member = next((m for m in doc.get("members", []) if m["id"] == member_id), None)
    if member is None:
        known = ", ".join(m["id"] for m in doc.get("members", [])[:5])
        raise InputError(f"no member {member_id!r} in {path}", where="--member", fix=f"one of: {known} …")
    if member["status"] != "done":
        raise InputError(
            f"member {member_id} failed in the sweep: nothing to reproduce",
            where="--member",
            fix=member["error"] or "",
        )
    task = MemberTask(
        member["index"],
        member["id"],
        member["labels"],
        member["config"],
        member["dataset_digest"],
        tuple((ref, sha256) for ref, sha256 in member.get("supplied", [])),
    )
    now = run_member(task)
    recorded = {p: RecordedMetric.from_dict(v) for p, v in member["metrics"].items()}
    reproduced = {p: RecordedMetric.from_dict(v) for p, v in now.metrics.items()}
    return MemberReproduction(member_id, compare_metrics(recorded, reproduced), member["digest"], now.digest)
