"""``qtrust sweep SWEEP.yaml --out DIR [--scheduler local:N | tcp://host:8786]``: a thin shell over :mod:`qtrust.workflow.sweep` with a progress bar over members
(done / running / failed, time left). Bad input exits 2; a sweep with failed members exits 1 after writing
everything else; Ctrl-C cancels the members and writes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from qtrust.cli.common import HomeOption, StoreOption, console, fail, out, session
from qtrust.errors import InputError


def sweep(
    spec: Annotated[Path | None, typer.Argument(help="The sweep file (YAML); see --example.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for sweep.json and summary.html.")] = Path(
        "qtrust-sweep"
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="local, local:N (a Dask LocalCluster) or tcp://host:8786; default: here, serially.",
        ),
    ] = None,
    example: Annotated[bool, typer.Option("--example", help="Print an example sweep file and exit.")] = False,
    no_record: Annotated[bool, typer.Option("--no-record", help="Write the files; record nothing.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress bar.")] = True,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Many audits over a grid (datasets × models × noise × seeds), serially or on Dask, with one digest.

    Writes sweep.json (every member's metrics and CIs) and summary.html at once, records the sweep once;
    `qtrust reproduce --sweep DIR --member ID` re-runs one member on its own.
    """
    from qtrust.sweep.spec import EXAMPLE
    from qtrust.workflow.sweep import run_sweep

    if example:
        sys.stdout.write(EXAMPLE)
        return
    if spec is None:
        fail(InputError("give the sweep file", where="SPEC", fix="see `qtrust sweep --example`"))
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(), console=console, disable=not progress, transient=True,
    )  # fmt: skip
    task = bar.add_task("members", total=None, state="")

    def listen(state, result) -> None:
        eta = state.eta_seconds
        left = f", ~{eta:.0f} s left" if eta is not None else ""
        bar.update(task, total=state.total, completed=state.done + state.failed,
                   state=f"{state.running} running, {state.failed} failed{left}")  # fmt: skip

    try:
        with bar:
            done = run_sweep(
                session(home, store), spec, out_dir, scheduler=scheduler, record=not no_record, listen=listen
            )
    except InputError as error:
        fail(error)
    except KeyboardInterrupt:
        console.print("[yellow]cancelled: the members were stopped and nothing was written[/]")
        raise typer.Exit(130) from None
    result = done.result
    ok = len(result.results) - len(result.failed)
    out.print(
        f"{ok} of {len(result.results)} members done in {result.seconds:.1f} s on {result.executor}.\n"
        f"Sweep digest {result.digest}\nWrote {done.folder / 'sweep.json'} and {done.folder / 'summary.html'}"
        + (f", recorded as entry {done.recorded}." if done.recorded is not None else " (not recorded)."),
        highlight=False,
    )
    for failed in result.failed:
        out.print(
            f"[bold red]failed[/] {failed.id} after {failed.attempts} attempts: {failed.error}",
            highlight=False,
        )
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
