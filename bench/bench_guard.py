"""Benchmark: the guard's overhead, and the real server under load in four backend fault modes.

1. **Overhead**: ``Guard.predict`` against calling the quantum model directly on the same encoded rows
   (p50 / p99 over repeated calls), at 1 and 100 rows per request; then the cost of one call to each backend
   (qtrust's engine, Qiskit Aer, Qiskit's StatevectorSampler, a fake IBM device, PennyLane).
2. **Load and faults**: the real FastAPI app on uvicorn in its own process (stopped with SIGTERM, as a
   service manager stops it), bound to 127.0.0.1 on a free port, with the backend healthy, failing 30% of
   calls, hanging (sleeps past the latency budget) and down. ``--clients`` threads, each holding one keep-alive
   connection, send ``--requests`` requests in all (bounded in count; each has a timeout). Reported: requests/s, p50 / p99
   latency, failed requests (anything but a 200 with every row labelled), which model answered, and rows in the
   prediction log against rows answered.

Run: ``.venv/bin/python bench/bench_guard.py [AUDIT_OUT] [--requests 400] [--clients 4]`` (AUDIT_OUT: an
audit output folder with a ``vqc`` and a ``logistic`` model, default ``qtrust-out``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from qtrust.audit.data_prep import load_dataset, prepare
from qtrust.config import config_from_dict
from qtrust.results.schema import AuditResult
from qtrust.serve.artefact import load, package
from qtrust.serve.backends import EngineBackend
from qtrust.serve.breaker import CircuitBreaker
from qtrust.serve.guard import Guard, GuardSettings
from qtrust.serve.http import create_app
from qtrust.serve.prediction_log import PredictionLog


class Flaky(EngineBackend):
    """The engine, failing a share of calls (seeded)."""

    def __init__(self, model, share: float) -> None:
        super().__init__(model, name=f"failing {share:.0%}")
        self.share, self._rng, self._lock = share, random.Random(0), threading.Lock()

    def probabilities(self, sent):
        with self._lock:
            fail = self._rng.random() < self.share
        if fail:
            raise ConnectionError("injected failure")
        return super().probabilities(sent)


class Hanging(EngineBackend):
    def probabilities(self, sent):
        time.sleep(5.0)
        return super().probabilities(sent)


class Down(EngineBackend):
    def probabilities(self, sent):
        raise ConnectionError("backend down")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q * 100))


def overhead(artefact, rows: list[dict], angles: np.ndarray, repeats: int) -> None:
    guard = Guard(artefact, EngineBackend(artefact.quantum))
    print("overhead of the guard over the quantum model alone (same rows, exact backend)")
    print(
        f"{'rows':>5} {'model p50':>11} {'guard p50':>11} {'model p99':>11} {'guard p99':>11} {'ratio p50':>10}"
    )
    for n in (1, 100):
        direct, guarded = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            artefact.quantum.probabilities(angles[:n])
            direct.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            guard.predict(rows[:n])
            guarded.append((time.perf_counter() - start) * 1000)
        d50, g50 = statistics.median(direct), statistics.median(guarded)
        print(
            f"{n:>5} {d50:>9.2f}ms {g50:>9.2f}ms {percentile(direct, 0.99):>9.2f}ms "
            f"{percentile(guarded, 0.99):>9.2f}ms {g50 / d50:>9.1f}x"
        )
    guard.close()


def backend_costs(artefact, angles: np.ndarray, repeats: int) -> None:
    """Time per call of each backend on the same 10 rows: exact, and 1,000 shots (the first draw of the rule)."""
    from qtrust.serve.egress import EgressPolicy, outbound
    from qtrust.serve.select import open_backend

    sent = outbound(EgressPolicy.angles_only(angles.shape[1]), {"angles": angles[:10]})
    exact = artefact.quantum.probabilities(angles[:10])
    print(
        "\nbackends: one call for 10 rows (p50 over repeats), and the largest |P - P(engine)| of the exact call"
    )
    print(f"{'backend':<26} {'exact ms':>9} {'1,000 shots ms':>15} {'max |dP|':>10}")
    for spec in ("engine", "aer", "statevector", "fake:FakeNairobiV2", "pennylane"):
        backend = open_backend(spec, artefact.quantum)
        times, shot_times = [], []
        for i in range(max(3, repeats // 20)):
            start = time.perf_counter()
            got = backend.probabilities(sent)
            times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            backend.counts(sent, 1_000, i)
            shot_times.append((time.perf_counter() - start) * 1000)
        print(
            f"{backend.name:<26} {statistics.median(times):>9.2f} {statistics.median(shot_times):>15.2f} "
            f"{float(np.max(np.abs(got - exact))):>10.1e}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BACKENDS = {"healthy": EngineBackend, "failing 30%": Flaky, "hanging": Hanging, "down": Down}


def serve_in_child(artefact_path: str, backend: str, log_path: str, port: int, latency_budget: float) -> None:
    """The server process: the guard over ``backend`` on 127.0.0.1:``port`` until SIGTERM, then drain the log."""
    artefact = load(Path(artefact_path))
    model = artefact.quantum
    made = Flaky(model, 0.3) if backend == "failing 30%" else BACKENDS[backend](model, name=backend)
    guard = Guard(
        artefact,
        made,
        GuardSettings(latency_budget=latency_budget),
        CircuitBreaker(failure_threshold=5, reset_after=2.0),
    )
    log = PredictionLog(Path(log_path))
    try:
        uvicorn.run(create_app(guard, log=log), host="127.0.0.1", port=port, log_level="error")
    finally:
        guard.close()
        log.close()


def load_test(artefact_path: Path, backend: str, rows: list[dict], args, workdir: Path) -> dict:
    """Clients in this process, the server in its own (as in production: they share no interpreter lock)."""
    port, log_path = free_port(), workdir / f"{backend}.db"
    context = multiprocessing.get_context("spawn")
    server = context.Process(
        target=serve_in_child, args=(str(artefact_path), backend, str(log_path), port, args.latency_budget)
    )
    server.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    latencies, failures, by = [], 0, {"quantum": 0, "fallback": 0}
    lock = threading.Lock()
    local = threading.local()

    def one(i: int) -> None:
        nonlocal failures
        if not hasattr(
            local, "client"
        ):  # one keep-alive connection per client thread, as a real client holds
            local.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        body = {"rows": rows[i % len(rows) : i % len(rows) + args.rows], "seed": i}
        start = time.perf_counter()
        try:
            reply = local.client.post("/v1/predict", json=body)
            ok = reply.status_code == 200
            predictions = reply.json()["predictions"] if ok else []
            ok = (
                ok
                and len(predictions) == len(body["rows"])
                and all(p["answered_by"] in by for p in predictions)
            )
        except httpx.HTTPError:
            ok, predictions = False, []
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            failures += not ok
            for p in predictions:
                by[p["answered_by"]] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, range(args.requests)))
    wall = time.perf_counter() - start
    server.terminate()  # SIGTERM: uvicorn stops, then the log drains
    server.join(timeout=60)
    with sqlite3.connect(log_path) as db:
        logged = db.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]
    return {
        "backend": backend,
        "rps": args.requests / wall,
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "failed": failures,
        "quantum": by["quantum"],
        "fallback": by["fallback"],
        "logged": logged,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("qtrust-out"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=10, help="rows per request in the load test")
    parser.add_argument("--latency-budget", type=float, default=0.25)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="qtrust-bench-guard-"))
    made = package(args.out, workdir / "model.qtrust", model="vqc", fallback="logistic")
    artefact = load(made.path, expected_sha256=made.sha256)
    result = AuditResult.model_validate_json((args.out / "results.json").read_bytes())
    config = config_from_dict({k: v for k, v in result.config.items() if k != "source"})
    prepared = prepare(config, load_dataset(config))
    columns = [f["name"] for f in artefact.manifest["features"]]
    frame = prepared.dataset.features.iloc[prepared.test_idx][columns]
    rows = json.loads(frame.to_json(orient="records"))
    angles = artefact.preprocessor.transform(frame)
    overhead(artefact, rows, angles, args.repeats)
    backend_costs(artefact, angles, args.repeats)
    print(
        f"\nload: {args.requests} requests of {args.rows} rows from {args.clients} clients, latency budget "
        f"{args.latency_budget:g} s, breaker opens after 5 failures and probes every 2 s"
    )
    print(
        f"{'backend':<14} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7} {'quantum':>8} {'fallback':>9} "
        f"{'logged/answered':>16}"
    )
    for backend in BACKENDS:
        r = load_test(made.path, backend, rows, args, workdir)
        answered = r["quantum"] + r["fallback"]
        print(
            f"{r['backend']:<14} {r['rps']:>7.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['failed']:>7} "
            f"{r['quantum']:>8} {r['fallback']:>9} {r['logged']:>8}/{answered:<7}"
        )


if __name__ == "__main__":
    main()
