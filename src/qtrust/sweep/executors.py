"""Where members run: here, one after the other, or on a Dask cluster — with the same results.

Why Dask and nothing of our own: it already schedules, retries and reassigns the tasks of a lost worker.
What qtrust adds is what Dask's users say it does not give for free: a task is a pure function of its
member (seed and data inside), keyed by the member's id so a rerun after a lost worker is the same task,
each worker runs BLAS on one thread, and the results are put in the grid's order whatever order they
finish in. ``local[:N]`` starts a ``LocalCluster`` of N single-threaded worker processes (default: the
machine's cores); ``tcp://host:8786`` uses a running scheduler, whose workers need only qtrust installed.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from qtrust.errors import InputError
from qtrust.sweep.member import MemberResult, MemberTask, run_member

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Progress:
    """What a progress bar shows: members done, running, failed, and the time per member so far."""

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    started: float = 0.0

    @property
    def eta_seconds(self) -> float | None:
        finished = self.done + self.failed
        if not finished:
            return None
        return (time.perf_counter() - self.started) / finished * (self.total - finished)


Listener = Callable[[Progress, MemberResult | None], None]


class Executor(Protocol):
    description: str

    def run(self, tasks: Sequence[MemberTask], retries: int, listen: Listener) -> list[MemberResult]: ...

    def close(self) -> None: ...


def _failure(task: MemberTask, error: BaseException, attempts: int) -> MemberResult:
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    return MemberResult(task.index, task.id, "failed", error=summary[:2000], attempts=attempts)


class SerialExecutor:
    """Every member here, in order: the reference every cluster run must equal."""

    description = "serial (this process)"

    def run(self, tasks: Sequence[MemberTask], retries: int, listen: Listener) -> list[MemberResult]:
        progress = Progress(len(tasks), started=time.perf_counter())
        out = []
        for task in tasks:
            progress.running = 1
            listen(progress, None)
            for attempt in range(1, retries + 2):
                try:
                    result = replace(run_member(task), attempts=attempt)
                    break
                except Exception as error:  # a member's failure is reported; the sweep goes on
                    result = _failure(task, error, attempt)
            progress.running = 0
            progress.done += result.status == "done"
            progress.failed += result.status == "failed"
            out.append(result)
            listen(progress, result)
        return out

    def close(self) -> None:
        return None


class DaskExecutor:
    """Members as Dask tasks keyed by their ids, gathered as they finish, returned in the grid's order."""

    def __init__(self, scheduler: str) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                "--scheduler needs Dask",
                where="--scheduler",
                fix="pip install 'qtrust[dask]' (dask and distributed, pinned together)",
            ) from None
        self.cluster = None
        if scheduler.startswith("local"):
            _, _, count = scheduler.partition(":")
            workers = int(count) if count.isdigit() else os.cpu_count() or 1
            if workers < 1 or (count and not count.isdigit()):
                raise InputError(
                    f"{scheduler!r}: N must be a whole number ≥ 1", where="--scheduler", fix="e.g. local:2"
                )
            with dask.config.set({"distributed.nanny.pre-spawn-environ": ONE_THREAD}):
                self.cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                    host="127.0.0.1", preload=["qtrust.sweep.worker_preload"],
                )  # fmt: skip
            self.client = Client(self.cluster)
            self.description = f"Dask LocalCluster, {workers} worker processes × 1 thread"
        elif scheduler.startswith("tcp://"):
            try:
                self.client = Client(scheduler, timeout=20)
            except OSError as error:
                raise InputError(
                    f"no Dask scheduler at {scheduler}: {error}",
                    where="--scheduler",
                    fix="start one (`dask scheduler`) or use local:N",
                ) from None
            self.description = f"Dask scheduler {scheduler}"
        else:
            raise InputError(
                f"unknown scheduler {scheduler!r}",
                where="--scheduler",
                fix="local, local:N or tcp://host:8786",
            )

    def run(self, tasks: Sequence[MemberTask], retries: int, listen: Listener) -> list[MemberResult]:
        from distributed import as_completed

        progress = Progress(len(tasks), running=len(tasks), started=time.perf_counter())
        by_key = {}
        for task in tasks:
            key = f"qtrust-member-{task.index}-{task.id}"
            by_key[key] = (task, self.client.submit(run_member, task, key=key, pure=False, retries=retries))
        listen(progress, None)
        results: dict[int, MemberResult] = {}
        futures = {future: task for task, future in by_key.values()}
        try:
            for future in as_completed(list(futures)):
                task = futures[future]
                if future.status == "error":
                    result = _failure(task, future.exception(), retries + 1)
                else:
                    result = future.result()
                results[task.index] = result
                progress.running -= 1
                progress.done += result.status == "done"
                progress.failed += result.status == "failed"
                listen(progress, result)
        except BaseException:
            self.client.cancel(list(futures))
            raise
        return [results[task.index] for task in tasks]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class DaskMapper:
    """One audit's independent fits (training seeds, reference models) as Dask tasks, gathered in order."""

    def __init__(self, executor: DaskExecutor) -> None:
        self.client = executor.client

    def map(self, fn: Callable[..., Any], items: Any) -> list[Any]:
        futures = [self.client.submit(fn, *item, pure=False) for item in items]
        return list(self.client.gather(futures))


def make_executor(scheduler: str | None) -> Executor:
    return SerialExecutor() if scheduler in (None, "", "serial") else DaskExecutor(scheduler)
