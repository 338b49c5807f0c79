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
from qtrust.cli.devices_cmds import register as register_devices_commands
from qtrust.cli.evidence_cmds import HomeOption, StoreOption, fail, passphrase, workspace
from qtrust.cli.evidence_cmds import register as register_evidence_commands
from qtrust.cli.governance_cmds import register as register_governance_commands
from qtrust.cli.model_loader import ModelOption, load_supplied
from qtrust.cli.people_cmds import register as register_people_commands
from qtrust.cli.policy_cmds import register as register_policy_commands
from qtrust.cli.records_cmds import register as register_records_commands
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
    """
    from qtrust.audit import run_audit, write_audit
    from qtrust.audit.outputs import check_target
    from qtrust.audit.preflight import check_inputs
    from qtrust.config import AuditConfig, load_config, with_overrides

    log = None
    try:
        # Every check of the user's input comes first: a refusal leaves no output directory, and no keys
        # or log in the evidence home (that is created only by _open_evidence, after these).
        target = check_target(out)
        supplied = [item for spec in model or [] for item in load_supplied(spec)]
        cfg = load_config(config) if config is not None else AuditConfig()
        cfg = _with_devices(cfg, device or [])
        if supplied and not include_configured:
            from qtrust.audit.byo import without_configured_models

            cfg = without_configured_models(cfg)
        overrides: dict[str, object] = {}
        if data is not None:
            missing = [
                flag for flag, value in (("--label", label), ("--sensitive", sensitive)) if value is None
            ]
            if missing:
                raise InputError(
                    f"--data needs {' and '.join(missing)}",
                    where="command line",
                    fix="name the label and sensitive columns",
                )
            overrides["data"] = {
                "source": "csv",
                "path": str(data),
                "label": label,
                "sensitive": sensitive,
                "positive": positive,
                "sensitive_threshold": sensitive_threshold,
            }
        elif label or sensitive or positive:
            raise InputError(
                "--label/--sensitive/--positive need --data", where="command line", fix="add --data FILE"
            )
        if seed is not None:
            overrides["seed"] = seed
        if overrides:
            cfg = with_overrides(cfg, overrides, "command line")
        if quick:
            cfg = cfg.quick()
        dataset = check_inputs(cfg, supplied)
        log, plan_ref, governance = _open_evidence(record, plan, cfg, home, store)
        with Progress(
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not progress,
            transient=True,
        ) as bar:
            run = run_audit(
                cfg,
                dataset=dataset,
                progress=RichProgress(bar),
                config_source=str(config) if config else "built-in default",
                plan=plan_ref,
                governance=governance,
                supplied=supplied,
            )
        digests = write_audit(run, target)
        recorded = _record(log, run, digests, target) if log is not None else None
    except InputError as error:
        fail(error)
    finally:
        if log is not None:
            log.store.close()
    result = run.result
    _print_summary(result, target)
    if recorded is not None:
        Console().print(
            f"Evidence: entry [bold]{recorded[0].seq}[/] (audit provenance) and {recorded[1].seq} (findings) in "
            f"{log.store.location}; receipt in {target / 'evidence.json'}. "
            f"Re-run it with: qtrust reproduce {recorded[0].seq}",
            highlight=False,
        )
    elif not record:
        Console().print("[yellow]Not recorded in the evidence log (--no-record).[/]")


def _with_devices(cfg, specs: list[str]):
    """Add ``--device NAME[:LAYOUT]`` options to the config's device sweep."""
    from qtrust.config.schema import DeviceSpec

    if not specs:
        return cfg
    devices = list(cfg.noise.devices)
    for spec in specs:
        name, _, layout_text = spec.partition(":")
        layout: object = layout_text or "best"
        if layout_text and layout_text not in ("best", "worst"):
            try:
                layout = tuple(int(q) for q in layout_text.split(","))
            except ValueError:
                raise InputError(
                    f"--device {spec!r}: the layout {layout_text!r} is not best, worst or a list of qubits",
                    where="--device",
                    fix="write e.g. fake_manila:best, fake_manila:worst or fake_manila:0,1,2",
                ) from None
        devices.append(DeviceSpec(name=name, layout=layout))
    return cfg.model_copy(update={"noise": cfg.noise.model_copy(update={"devices": tuple(devices)})})


def _open_evidence(record: bool, plan: str | None, cfg, home, store):
    """Open (or start) the log before the audit runs, so a bad passphrase or store fails in a second."""
    from qtrust.evidence import statements
    from qtrust.evidence.plans import resolve_plan
    from qtrust.governance.docs import governance_status, snapshot
    from qtrust.governance.entries import read_log
    from qtrust.policy.plan import EvaluationPlan, check_config_covers

    if not record and plan is None:
        return None, None, None
    ws = workspace(home, store)
    if record:
        log, created = ws.init_or_open(passphrase(confirm=not ws.keys.exists()))
        if created:
            console.print(
                f"Created signing keys in {ws.keys.path} and started the evidence log in {log.store.location}.",
                highlight=False,
            )
    else:
        log = ws.open_log()
    try:
        ledger = read_log(log, ws.trusted())
        plans = [(e.seq, e.recorded_at, e.statement) for e in ledger.of(statements.PLAN_V1)]
        plan_ref = resolve_plan(plans, plan) if plan else None
        if plan_ref is not None:
            check_config_covers(EvaluationPlan.model_validate(plan_ref.plan), cfg)
        governance = governance_status(snapshot(ledger, log.origin))
    except BaseException:
        log.store.close()
        raise
    if not record:
        log.store.close()
        return None, plan_ref, governance
    return log, plan_ref, governance


def _record(log, run, digests: dict[str, str], target: Path):
    """Append the provenance and findings entries; write their receipt beside the outputs."""
    from qtrust.audit.outputs import add_to_manifest
    from qtrust.encoding import b64encode
    from qtrust.evidence.audit_record import audit_statements
    from qtrust.evidence.files import write_file_atomically

    recorded = log.append_many(audit_statements(run.result, digests, run.predictions.distribution_digests()))
    checkpoint = log.store.latest_checkpoint()
    receipt = {
        "origin": log.origin,
        "store": log.store.location,
        "entries": [
            r.to_dict()
            | {"inclusion_proof": [b64encode(h) for h in log.inclusion_proof(r.seq, checkpoint.size)]}
            for r in recorded
        ],
        "tree_size": checkpoint.size,
        "checkpoint": checkpoint.note.decode(),
    }
    write_file_atomically(target / "evidence.json", (json.dumps(receipt, indent=2) + "\n").encode())
    add_to_manifest(target, "evidence.json")
    return recorded


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
        f"Report: {target / 'report.html'}\nResults: {target / 'results.json'} · predictions.csv · model_card.md",
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
register_devices_commands(app)
register_witness_commands(app)


def main() -> None:
    app()
