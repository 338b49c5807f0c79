"""The ``qtrust`` command: a thin shell over the library.

Exit codes: 0 the command did its job; 1 an unexpected internal error (a bug: please report it);
2 bad input (the one-line message says what, where and how to fix it). Findings in an audit do not change
the exit code; release gating on them is ``qtrust gate``'s job.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qtrust._version import __version__
from qtrust.cli.common import HomeOption, StoreOption, env_log_passphrase, fail, session
from qtrust.cli.crypto_cmds import register as register_crypto_commands
from qtrust.cli.devices_cmds import register as register_devices_commands
from qtrust.cli.drill_cmds import register as register_drill_commands
from qtrust.cli.evidence_cmds import register as register_evidence_commands
from qtrust.cli.governance_cmds import register as register_governance_commands
from qtrust.cli.model_loader import ModelOption, load_supplied
from qtrust.cli.monitor_cmds import register as register_monitor_commands
from qtrust.cli.people_cmds import register as register_people_commands
from qtrust.cli.policy_cmds import register as register_policy_commands
from qtrust.cli.records_cmds import register as register_records_commands
from qtrust.cli.rollout_cmds import register as register_rollout_commands
from qtrust.cli.serve_cmds import register as register_serve_commands
from qtrust.cli.sweep_cmds import register as register_sweep_commands
from qtrust.cli.web_cmds import register as register_web_commands
from qtrust.cli.witness_cmds import register as register_witness_commands
from qtrust.errors import InputError

app = typer.Typer(
    name="qtrust",
    help="Audit quantum machine-learning models: noise, shots, fairness, reproducibility, classical baselines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
SEVERITY_STYLE = {"fail": "bold red", "warn": "yellow", "pass": "green", "info": "cyan"}


class RichProgress:
    """The audit's progress protocol on a rich progress bar (one bar, re-labelled per stage)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("starting", total=1)

    def stage(self, name: str, total: int) -> None:
        self._progress.update(self._task, description=name, total=max(total, 1), completed=0)

    def advance(self, units: int = 1) -> None:
        self._progress.advance(self._task, units)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qtrust {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """qtrust: make AI systems built on quantum computing safe to ship."""


@app.command()
def audit(
    config: Annotated[
        Path | None, typer.Argument(help="YAML config (see `qtrust init`); default: German Credit.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("qtrust-out"),
    data: Annotated[
        Path | None, typer.Option("--data", help="Audit this CSV instead of the configured data.")
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="Label column of --data.")] = None,
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Sensitive-attribute column of --data.")
    ] = None,
    positive: Annotated[
        str | None, typer.Option("--positive", help="Label value of the favourable outcome.")
    ] = None,
    sensitive_threshold: Annotated[
        float | None,
        typer.Option("--sensitive-threshold", help="Split a numeric sensitive column at this value."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Fewer seeds, levels and replicates: a first look.")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the root seed.")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Fit training seeds and privacy reference models on Dask: local[:N] or tcp://host:8786.",
        ),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record", help="Sign the run into the evidence log (needs the key passphrase)."
        ),
    ] = True,
    plan: Annotated[
        str | None,
        typer.Option("--plan", help="Run under this registered evaluation plan (its name or its YAML file)."),
    ] = None,
    model: ModelOption = None,
    include_configured: Annotated[
        bool,
        typer.Option(
            "--include-configured",
            help="With --model: also train and audit the config's own quantum models.",
        ),
    ] = False,
    device: Annotated[
        list[str] | None,
        typer.Option(
            "--device",
            help="Add a device calibration to the noise sweep: NAME[:best|worst|0,1,2] (see `qtrust devices`).",
        ),
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Audit a quantum classifier: noise sweep, shots, seeds, fairness, and the classical baselines.

    The run is recorded in the signed evidence log (`--no-record` skips it) and its entry number printed.
    With no evidence log yet and no QTRUST_KEY_PASSPHRASE, the audit runs unrecorded and says how to start.
    """
    from qtrust.workflow.audit import DataOptions, audit_and_record, compose_config

    try:
        supplied = [item for spec in model or [] for item in load_supplied(spec)]
        cfg = compose_config(
            config,
            data=DataOptions(data, label, sensitive, positive, sensitive_threshold),
            devices=device or [],
            seed=seed,
            quick=quick,
            configured_models=not supplied or include_configured,
        )
        # First use never prompts: a passphrase in the environment starts the log, none leaves it unstarted.
        where = session(home, store)
        if not where.workspace.keys.exists():
            where.log_passphrase = env_log_passphrase
        with Progress(
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not progress,
            transient=True,
        ) as bar:
            outcome = audit_and_record(
                where,
                cfg,
                out,
                supplied=supplied,
                config_source=str(config) if config else "built-in default",
                record=record,
                plan=plan,
                progress=RichProgress(bar),
                scheduler=scheduler,
            )
    except InputError as error:
        fail(error)
    _print_summary(outcome.run.result, outcome.target)
    recording = outcome.recording
    if recording.created_log:
        console.print(
            f"Created signing keys in {recording.keys_path} and started the evidence log in {recording.location}.",
            highlight=False,
        )
    if recording.status == "recorded":
        provenance, findings = recording.entries[0], recording.entries[1]
        Console().print(
            f"Evidence: entry [bold]{provenance.seq}[/] (audit provenance) and {findings.seq} (findings) in "
            f"{recording.location}; receipt in {recording.receipt}. Re-run it with: qtrust reproduce {provenance.seq}",
            highlight=False,
        )
    elif recording.status == "no-log":
        Console().print(
            "[yellow]Not recorded: there is no evidence log yet.[/] Start one with `qtrust keys init` "
            "(set QTRUST_KEY_PASSPHRASE), then audits are signed into it.",
            highlight=False,
        )
    else:
        Console().print("[yellow]Not recorded in the evidence log (--no-record).[/]")


def _print_summary(result, target: Path) -> None:
    table = Table(
        title=f"qtrust audit — {result.dataset.name}, sensitive: {result.dataset.sensitive}", show_lines=False
    )
    table.add_column("verdict")
    table.add_column("model")
    table.add_column("finding")
    for finding in result.findings:
        table.add_row(
            f"[{SEVERITY_STYLE[finding.severity]}]{finding.severity}[/]", finding.model or "—", finding.title
        )
    Console().print(table)
    counts = {s: sum(f.severity == s for f in result.findings) for s in ("fail", "warn", "pass", "info")}
    Console().print(
        f"{counts['fail']} fail, {counts['warn']} warn, {counts['pass']} pass, {counts['info']} info · "
        f"{result.duration_seconds:.1f} s\n"
        f"Report: {target / 'report.html'}\nResults: {target / 'results.json'} · predictions.csv · model_card.md · datasheet.md",
        highlight=False,
    )


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path("qtrust.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented default audit configuration."""
    from qtrust.config import default_config_yaml

    if path.exists() and not force:
        fail(InputError(f"{path} already exists", where="PATH", fix="choose another path or pass --force"))
    path.write_text(default_config_yaml(), encoding="utf-8")
    Console().print(f"Wrote {path}. Edit it, then run: qtrust audit {path}", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of results.json."""
    from qtrust.results import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


register_evidence_commands(app)
register_policy_commands(app)
register_people_commands(app)
register_records_commands(app)
register_governance_commands(app)
register_crypto_commands(app)
register_sweep_commands(app)
register_devices_commands(app)
register_witness_commands(app)
register_serve_commands(app)
register_rollout_commands(app)
register_monitor_commands(app)
register_drill_commands(app)
register_web_commands(app)


def main() -> None:
    app()
