"""``qtrust package``: turn an audited run into a deployable, digest-checked model artefact."""

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


def register(app: typer.Typer) -> None:
    app.command()(package)
