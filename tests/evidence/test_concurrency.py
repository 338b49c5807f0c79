"""Eight processes append to one log at once, on SQLite and on PostgreSQL: nothing lost, nothing doubled,
no gap, and the interleaved log verifies.

Each process opens its own ``Workspace(...).open_log(passphrase)`` (its own connection and decrypted keys)
and appends 500 entries one transaction each, checkpointing after every 100th. Processes start with the
spawn method, as they would on macOS and Windows, and wait at a barrier so the appends really overlap.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections import Counter
from pathlib import Path

from qtrust.evidence import Workspace, verify_log
from qtrust.evidence import statements as st
from qtrust.evidence.verify import statement_of
from qtrust.evidence.view import store_view

WORKERS = 8
PER_WORKER = 500
CHECKPOINT_EVERY = 100
PASSPHRASE = b"qtrust concurrency passphrase"
PREDICATE = "https://qtrust.dev/evidence/test/v1"


def _append_worker(home: str, store: str | None, worker: int, barrier, out) -> None:
    """One writer process: its own workspace, store connection and keys. Sends back its seqs or an error."""
    try:
        log = Workspace(Path(home), store).open_log(PASSPHRASE)
        try:
            barrier.wait(timeout=120)
            seqs = []
            for i in range(PER_WORKER):
                doc = st.statement(
                    [st.resource(f"w{worker}-{i}", f"{worker:02x}{i:04x}".ljust(64, "0"))],
                    PREDICATE,
                    {"worker": worker, "i": i},
                )
                seqs.append(log.append(doc, checkpoint=(i + 1) % CHECKPOINT_EVERY == 0).seq)
        finally:
            log.store.close()
        out.put((worker, seqs, None))
    except BaseException as error:  # reported to the parent, which fails the test with it
        out.put((worker, [], f"{type(error).__name__}: {error}"))


def _run_writers(ws: Workspace) -> float:
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [
        ctx.Process(target=_append_worker, args=(str(ws.home), ws.store_url, w, barrier, out))
        for w in range(WORKERS)
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    elapsed = time.perf_counter() - start
    errors = [f"worker {w}: {e}" for w, _, e in results if e]
    assert not errors, errors
    seqs = {w: s for w, s, _ in results}
    # each process saw its own appends in increasing order, and no two processes got the same number
    for s in seqs.values():
        assert len(s) == PER_WORKER
        assert s == sorted(s)
    every = [x for s in seqs.values() for x in s]
    assert sorted(every) == list(range(1, WORKERS * PER_WORKER + 1))
    return elapsed


def _check_log(ws: Workspace, elapsed: float, capsys) -> None:
    log = ws.open_log()
    try:
        total = WORKERS * PER_WORKER
        assert log.size() == total + 1
        entries = list(log.entries())
        assert [e.seq for e in entries] == list(range(total + 1))
        assert entries[0].kind == "log-init"
        written = Counter()
        order = []
        for entry in entries[1:]:
            predicate = statement_of(entry)["predicate"]
            written[(predicate["worker"], predicate["i"])] += 1
            order.append(predicate["worker"])
        switches = sum(a != b for a, b in itertools.pairwise(order))  # how finely the writers interleaved
        assert written == Counter({(w, i): 1 for w in range(WORKERS) for i in range(PER_WORKER)})
        sizes = [c.size for c in log.store.checkpoints()]
        assert sizes == sorted(set(sizes))
        assert len(sizes) >= 2  # log-init's and at least one written under contention
        start = time.perf_counter()
        report = verify_log(store_view(log), ws.trusted())
        verify_s = time.perf_counter() - start
        assert report.ok, report.problems[:5]
        assert report.entries == total + 1
    finally:
        log.store.close()
    with capsys.disabled():
        print(
            f"\n  {WORKERS}×{PER_WORKER} appends: {elapsed:.1f} s (process start included); "
            f"{switches} writer switches; {len(sizes)} checkpoints; verify {verify_s:.2f} s"
        )


def test_concurrent_appends_sqlite(tmp_path, capsys):
    ws = Workspace.resolve(tmp_path / "home")
    log, _ = ws.init(PASSPHRASE)
    log.store.close()
    elapsed = _run_writers(ws)
    _check_log(ws, elapsed, capsys)


def test_concurrent_appends_postgres(tmp_path, pg_store_url, capsys):
    ws = Workspace.resolve(tmp_path / "home", pg_store_url())
    log, _ = ws.init(PASSPHRASE)
    log.store.close()
    elapsed = _run_writers(ws)
    _check_log(ws, elapsed, capsys)
