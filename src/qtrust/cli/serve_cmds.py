"""``qtrust package`` and ``qtrust serve``: a deployable, digest-checked model artefact, and the guarded service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError


def package(
    run: Annotated[Path, typer.Argument(help="The audit's output folder (e.g. qtrust-out).")],
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
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Package an audited model with its classical fallback; both are checked against the audit's predictions."""
    from qtrust.workflow.package import package_run

    try:
        done = package_run(session(home, store), run, destination, model=model, fallback=fallback, seed=seed)
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
    shots: Annotated[
        int | None,
        typer.Option("--shots", help="Sample this many shots first (shot-aware rule); default: exact."),
    ] = None,
    shot_budget: Annotated[int, typer.Option("--shot-budget", help="Most shots per row.")] = 8_000,
    latency_budget: Annotated[
        float, typer.Option("--latency-budget", help="Seconds the quantum backend may take per request.")
    ] = 2.0,
) -> None:
    """Serve the guarded model: POST /v1/predict, GET /healthz, /readyz and /metrics."""
    import uvicorn

    from qtrust.serve.artefact import load
    from qtrust.serve.backends import EngineBackend
    from qtrust.serve.guard import Guard, GuardSettings
    from qtrust.serve.http import create_app

    try:
        loaded = load(artefact, expected_sha256=sha256)
        settings = GuardSettings(latency_budget=latency_budget, shots=shots, shot_budget=shot_budget)
        if shots is not None and not 0 < shots <= shot_budget:
            raise InputError(
                f"--shots {shots} with --shot-budget {shot_budget}",
                where="--shots",
                fix="0 < shots <= budget",
            )
    except InputError as error:
        fail(error)
    guard = Guard(loaded, EngineBackend(loaded.quantum), settings)
    out.print(
        f"Serving {loaded.manifest['model']['name']} (fallback {loaded.manifest['fallback']['name']}, artefact "
        f"sha256 {loaded.sha256[:12]}…) on http://{host}:{port}",
        highlight=False,
    )
    try:
        uvicorn.run(create_app(guard), host=host, port=port, log_level="warning")
    finally:
        guard.close()


def register(app: typer.Typer) -> None:
    app.command()(package)
    app.command()(serve)
