"""``qtrust package`` and ``qtrust serve``: a deployable, digest-checked model artefact, and the guarded service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError


def package(
    run: Annotated[
        str,
        typer.Argument(
            help="The audit's output folder (e.g. qtrust-out), or its evidence entry number (read from --outputs)."
        ),
    ],
    model: Annotated[str, typer.Option("--model", help="The audited quantum model to deploy, e.g. vqc.")],
    fallback: Annotated[
        str, typer.Option("--fallback", help="The audited classical model to fall back to, e.g. logistic.")
    ],
    destination: Annotated[Path, typer.Option("--out", "-o", help="The artefact to write.")] = Path(
        "model.qtrust"
    ),
    seed: Annotated[
        int | None, typer.Option("--seed", help="Which training seed's fit (default: the first).")
    ] = None,
    outputs: Annotated[
        Path | None,
        typer.Option(
            "--outputs", help="Where entry RUN's outputs are, when RUN is a number (default qtrust-out)."
        ),
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Package an audited model with its classical fallback; both are checked against the audit's predictions."""
    from qtrust.workflow.package import package_run

    try:
        done = package_run(
            session(home, store), run, destination, model=model, fallback=fallback, seed=seed, outputs=outputs
        )
    except InputError as error:
        fail(error)
    manifest = done.packaged.manifest
    out.print(
        f"Wrote {destination} (sha256 {done.packaged.sha256}): {model} with fallback {fallback}, seed "
        f"{manifest['audit']['seed']}, {len(manifest['features'])} input features; "
        + (
            f"audit entry {done.audit_entry}."
            if done.audit_entry is not None
            else f"not tied to evidence: {done.provenance}."
        ),
        highlight=False,
    )


def serve(
    artefact: Annotated[Path, typer.Argument(help="The model artefact from `qtrust package`.")],
    host: Annotated[str, typer.Option("--host", help="Interface to bind; keep 127.0.0.1 behind a proxy.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8080,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="Refuse the artefact unless its sha256 is this one.")
    ] = None,
    backend: Annotated[
        str,
        typer.Option(
            "--backend",
            help="Quantum backend: engine (qtrust's simulator), aer, statevector, fake:<FakeDeviceV2 name> "
            "(Qiskit) or pennylane[:device].",
        ),
    ] = "engine",
    noise: Annotated[
        str | None,
        typer.Option(
            "--noise",
            help="Engine only: simulate under CHANNEL:LEVEL, one of the points the audit measured (e.g. "
            "depolarizing:0.01).",
        ),
    ] = None,
    shots: Annotated[
        int | None,
        typer.Option("--shots", help="Sample this many shots first (shot-aware rule); default: exact."),
    ] = None,
    shot_budget: Annotated[int, typer.Option("--shot-budget", help="Most shots per row.")] = 8_000,
    pad_ms: Annotated[
        float | None,
        typer.Option(
            "--pad-ms",
            help="Answer no sooner than this many ms after a request arrives: latency then says nothing about "
            "the shots a row needed (side channel; `bench/bench_side_channels.py` measures it).",
        ),
    ] = None,
    hide_details: Annotated[
        bool,
        typer.Option(
            "--hide-details",
            help="Leave the answering model, reason, shots and seeds out of responses (the log keeps them).",
        ),
    ] = False,
    latency_budget: Annotated[
        float, typer.Option("--latency-budget", help="Seconds the quantum backend may take per request.")
    ] = 2.0,
    rate: Annotated[
        float, typer.Option("--rate", help="Requests per second per client (token bucket).")
    ] = 50.0,
    burst: Annotated[int, typer.Option("--burst", help="Burst size per client.")] = 100,
    certfile: Annotated[
        Path | None, typer.Option("--tls-cert", help="PEM certificate (chain): serve HTTPS with it.")
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option("--tls-key", help="PEM private key of --tls-cert (unencrypted, readable only by you)."),
    ] = None,
    no_auth: Annotated[
        bool,
        typer.Option("--no-auth", help="Serve without API tokens (only on 127.0.0.1, for a first look)."),
    ] = False,
    rollout: Annotated[
        str | None,
        typer.Option(
            "--rollout", help="Serve under this rollout (R-0001): cohorts by flag, judged every interval."
        ),
    ] = None,
    monitor_interval: Annotated[
        float,
        typer.Option("--monitor-interval", help="Seconds between drift checks of recent traffic (0: off)."),
    ] = 300.0,
    monitor_rows: Annotated[
        int,
        typer.Option("--monitor-rows", help="Recent rows the drift check looks at (kept in memory only)."),
    ] = 1_000,
    no_record: Annotated[
        bool,
        typer.Option("--no-record", help="Do not record the deployment in the evidence log (a first look)."),
    ] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Serve the guarded model: POST /v1/predict and /v1/feedback, GET /v1/schema, /healthz, /readyz, /metrics.

    The deployment (artefact digest, audit entry, these settings) is recorded in the evidence log first; the
    prediction log goes to the same store (SQLite predictions.db in the home, or the PostgreSQL --store).
    """
    import uvicorn

    from qtrust.serve.access import RateLimiter, TokenStore
    from qtrust.serve.artefact import load
    from qtrust.serve.guard import Guard, GuardSettings
    from qtrust.serve.http import create_app
    from qtrust.serve.prediction_log import PredictionLog
    from qtrust.serve.select import open_backend
    from qtrust.serve.tls import check_tls
    from qtrust.serve.traffic_window import TrafficWindow
    from qtrust.workflow.deploy import record_deployment

    here = session(home, store)
    try:
        tokens = None if no_auth else TokenStore(here.workspace.home)
        if no_auth and host != "127.0.0.1":
            raise InputError(f"--no-auth on {host}", where="--no-auth", fix="use tokens, or bind 127.0.0.1")
        if tokens is not None and not any(r.revoked is None for r in tokens.records()):
            raise InputError(
                f"no active API token in {tokens.path}",
                where="--home",
                fix="create one with `qtrust tokens create --scope predict` (or pass --no-auth on 127.0.0.1)",
            )
        if not (rate > 0 and burst >= 1):
            raise InputError(f"--rate {rate} --burst {burst}", where="--rate", fix="rate > 0 and burst >= 1")
        if pad_ms is not None and not 0 < pad_ms <= 60_000:
            raise InputError(f"--pad-ms {pad_ms}", where="--pad-ms", fix="a padding between 0 and 60000 ms")
        if shots is not None and not 0 < shots <= shot_budget:
            raise InputError(
                f"--shots {shots} with --shot-budget {shot_budget}",
                where="--shots",
                fix="0 < shots <= budget",
            )
        tls = check_tls(certfile, keyfile)
        loaded = load(artefact, expected_sha256=sha256)
        quantum = open_backend(backend, loaded.quantum, noise=noise, audited=loaded.manifest.get("noise"))
        settings = GuardSettings(latency_budget=latency_budget, shots=shots, shot_budget=shot_budget)
        log = PredictionLog(store=here.workspace.store_url, home=here.workspace.home)
        service = {
            "host": host,
            "port": port,
            "tls": tls is not None,
            "backend": quantum.name,
            "noise": noise,
            "shots": shots,
            "shot_budget": shot_budget,
            "confidence": settings.confidence,
            "latency_budget_s": latency_budget,
            "max_rows": settings.max_rows,
            "rate_per_s": rate,
            "burst": burst,
            "pad_ms": pad_ms,
            "discloses_answering_model": not hide_details,
            "auth": "tokens" if tokens is not None else "none",
            "prediction_log": log.location,
        }
        deployed = None if no_record else record_deployment(here, loaded, service)
    except InputError as error:
        fail(error)
    window = TrafficWindow(size=monitor_rows) if monitor_interval > 0 and loaded.reference else None
    guard = Guard(loaded, quantum, settings, window=window)
    router, controller, monitor = None, None, None
    if window is not None:
        links = {
            "deployment": deployed.recorded.seq if deployed else None,
            "audit": deployed.audit_entry if deployed else None,
        }
        monitor = _drift_monitor(
            here, loaded, window, monitor_interval, min(200, monitor_rows), links, no_record
        )
    if rollout is not None:
        try:
            router, controller = _rollout_router(here, rollout, loaded, log)
        except InputError as error:
            guard.close()
            log.close()
            fail(error)
    scheme = "https" if tls is not None else "http"
    out.print(
        f"Serving {loaded.manifest['model']['name']} on {quantum.name} (fallback "
        f"{loaded.manifest['fallback']['name']}, artefact sha256 {loaded.sha256[:12]}…) on "
        f"{scheme}://{host}:{port}; "
        + (
            f"deployment recorded as entry {deployed.recorded.seq} (audit entry {deployed.audit_entry})."
            if deployed is not None
            else "deployment not recorded (--no-record)."
        ),
        highlight=False,
    )
    try:
        uvicorn.run(
            create_app(
                guard,
                tokens=tokens,
                limiter=RateLimiter(rate, burst),
                log=log,
                router=router,
                pad_to_s=None if pad_ms is None else pad_ms / 1000,
                disclose=not hide_details,
            ),
            host=host,
            port=port,
            log_level="warning",
            ssl_certfile=tls.certfile if tls is not None else None,
            ssl_keyfile=tls.keyfile if tls is not None else None,
        )
    finally:
        if monitor is not None:
            monitor.stop()
        if controller is not None:
            controller.stop()
        guard.close()
        log.close()  # every queued prediction row is written before the process exits


def _drift_monitor(here, loaded, window, interval: float, min_rows: int, links: dict, no_record: bool):
    """The drift monitor's loop; with --no-record it reports alarms without opening incidents."""
    from qtrust.workflow.monitoring import DriftMonitor

    def report(run) -> None:
        for incident_id, alarm in run.opened:
            out.print(
                f"drift: {alarm.detector} on {alarm.subject} ({alarm.statistic:.4g}); incident {incident_id}"
            )
        if no_record:
            for alarm in run.confirmed:
                out.print(f"drift: {alarm.detector} on {alarm.subject} ({alarm.statistic:.4g}); not recorded")

    def warn(error: Exception) -> None:
        out.print(f"drift check failed ({type(error).__name__}: {error})")

    monitor = DriftMonitor(
        here,
        loaded,
        window,
        interval_s=interval,
        min_rows=min_rows,
        links=links,
        on_run=report,
        on_error=warn,
        record=not no_record,
    )
    return monitor.start()


def _rollout_router(here, rollout_id: str, loaded, log):
    """The flag router and the running controller of ``rollout_id``, which must be this artefact's."""
    from qtrust.rollout.flags import FlagRouter, RolloutProvider
    from qtrust.workflow.rollout_controller import RolloutController

    def report(evaluation) -> None:
        if evaluation.recorded is not None:
            verdict = evaluation.verdict
            out.print(
                f"rollout {rollout_id}: {verdict.decision} (entry {evaluation.recorded}) — "
                + "; ".join(verdict.reasons)
                + (f"; incident {evaluation.incident} opened" if evaluation.incident else "")
                + f"; now {evaluation.state.status} at {evaluation.state.percent:g}%",
                highlight=False,
            )

    def warn(error: Exception) -> None:
        out.print(
            f"rollout {rollout_id}: evaluation failed ({type(error).__name__}: {error}); keeping the last state"
        )

    controller = RolloutController(
        here, rollout_id, log, threshold=loaded.threshold, on_evaluation=report, on_error=warn
    )
    if controller.state.artefact_sha256 != loaded.sha256:
        raise InputError(
            f"rollout {rollout_id} is of artefact {controller.state.artefact_sha256[:12]}…, not {loaded.sha256[:12]}…",
            where="--rollout",
            fix="serve the artefact the rollout's deployment entry names",
        )
    out.print(
        f"Rollout {rollout_id} resumes {controller.state.status} at {controller.state.percent:g}% "
        f"(judged every {controller.interval_s:g} s)",
        highlight=False,
    )
    return FlagRouter(RolloutProvider(controller.flag), label=controller.label), controller.start()


tokens_app = typer.Typer(
    help="API tokens for `qtrust serve`: hashed at rest, scoped, revocable.", no_args_is_help=True
)


@tokens_app.command("create")
def tokens_create(
    scope: Annotated[list[str], typer.Option("--scope", help="predict and/or feedback (repeatable).")],
    home: HomeOption = None,
) -> None:
    """Create a token; it is printed once and only its digest is kept."""
    from qtrust.serve.access import TokenStore

    try:
        token, record = TokenStore(session(home, None).workspace.home).create(scope)
    except InputError as error:
        fail(error)
    out.print(
        f"Token {record.id} ({', '.join(record.scopes)}); shown once, keep it secret:\n{token}",
        highlight=False,
    )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id.")], home: HomeOption = None
) -> None:
    """Revoke a token: refused from the next request on."""
    from qtrust.serve.access import TokenStore

    try:
        record = TokenStore(session(home, None).workspace.home).revoke(token_id)
    except InputError as error:
        fail(error)
    out.print(f"Revoked token {record.id} at {record.revoked}.", highlight=False)


@tokens_app.command("list")
def tokens_list(home: HomeOption = None) -> None:
    """Every token's id, scopes and state (never the token)."""
    from qtrust.serve.access import TokenStore

    try:
        records = TokenStore(session(home, None).workspace.home).records()
    except InputError as error:
        fail(error)
    for record in records:
        state = f"revoked {record.revoked}" if record.revoked else "active"
        out.print(
            f"{record.id}  {','.join(record.scopes):<17} created {record.created}  {state}", highlight=False
        )


def register(app: typer.Typer) -> None:
    app.command()(package)
    app.command()(serve)
    app.add_typer(tokens_app, name="tokens")
