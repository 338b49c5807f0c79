"""``qtrust risk | impact | incident | docs``: the risk register, impact assessments, incidents, documents.

Every record is signed by the person who makes it (``--as``); refused input records nothing (exit 2). Each
command parses its arguments, makes one call into :mod:`qtrust.workflow` (``records``, ``incidents``,
``documents``), and prints what it returns.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import AsOption, HomeOption, StoreOption, TrustedOption, fail, out, session
from qtrust.errors import InputError
from qtrust.workflow import documents, incidents, records
from qtrust.workflow.records import RecordKind

risk_app = typer.Typer(
    help="The risk register: who benefits, who may be harmed, mitigations, residual risk.",
    no_args_is_help=True,
)
impact_app = typer.Typer(help="Impact assessments of the system.", no_args_is_help=True)
incident_app = typer.Typer(
    help="Incidents: open, update, close (with the rollback taken), list with their timelines.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json")]


def _record(kind: RecordKind, file: Path, person: str, home, store) -> None:
    try:
        made = records.record(session(home, store), person, kind, file)
    except InputError as error:
        fail(error)
    out.print(f"Recorded {kind} {made.id!r} as entry {made.seq}, signed by {person}.", highlight=False)


def _list(kind: RecordKind, home, store, as_json: bool = False) -> None:
    try:
        latest = records.latest(session(home, store), kind)
    except InputError as error:
        fail(error)
    if as_json:
        doc = {rid: entry.to_dict() for rid, entry in latest.items()}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    table = Table("id", "title", "residual risk", "review date", "entry", "by")
    table.columns[0].no_wrap = True
    for entry in latest.values():
        item = entry.item
        due = f"[bold red]{item.review_date} (overdue)[/]" if entry.review_overdue else str(item.review_date)
        table.add_row(item.id, item.title, item.residual_risk, due, str(entry.seq), entry.recorded_by)
    out.print(table)


@risk_app.command("record")
def risk_record(
    file: Annotated[Path, typer.Argument(help="The risk (YAML).")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record a risk (a known id records a new version)."""
    _record("risk", file, as_, home, store)


@risk_app.command("list")
def risk_list(as_json: JsonOption = False, home: HomeOption = None, store: StoreOption = None) -> None:
    """The register: the latest version of each risk; overdue reviews in red."""
    _list("risk", home, store, as_json)


@impact_app.command("record")
def impact_record(
    file: Annotated[Path, typer.Argument(help="The impact assessment (YAML).")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record an impact assessment (a known id records a new version)."""
    _record("impact", file, as_, home, store)


@impact_app.command("list")
def impact_list(as_json: JsonOption = False, home: HomeOption = None, store: StoreOption = None) -> None:
    """The latest version of each impact assessment."""
    _list("impact", home, store, as_json)


@incident_app.command("open")
def incident_open(
    title: Annotated[str, typer.Option("--title")],
    severity: Annotated[str, typer.Option("--severity", help="low, medium, high or critical")],
    as_: AsOption,
    run: Annotated[
        list[int] | None, typer.Option("--run", help="Affected audit run (entry number; repeatable).")
    ] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Open an incident."""
    try:
        opened = incidents.open_incident(
            session(home, store),
            as_,
            title=title,
            severity=severity,  # checked by the workflow: an unknown severity is exit 2 with the choices
            affected_runs=run or [],
            description=description,
        )
    except InputError as error:
        fail(error)
    out.print(f"Opened {opened.incident_id} as entry {opened.seq}.", highlight=False)


@incident_app.command("update")
def incident_update(
    incident_id: Annotated[str, typer.Argument(help="e.g. INC-0001")],
    note: Annotated[str, typer.Option("--note")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Add an event to an open incident's timeline."""
    try:
        updated = incidents.update_incident(session(home, store), as_, incident_id, note)
    except InputError as error:
        fail(error)
    out.print(f"Updated {incident_id}: entry {updated.seq}.", highlight=False)


@incident_app.command("close")
def incident_close(
    incident_id: Annotated[str, typer.Argument(help="e.g. INC-0001")],
    rollback: Annotated[str, typer.Option("--rollback", help='What was rolled back ("none" if nothing).')],
    resolution: Annotated[str, typer.Option("--resolution")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Close an incident with the rollback taken and the resolution."""
    try:
        closed = incidents.close_incident(
            session(home, store), as_, incident_id, rollback=rollback, resolution=resolution
        )
    except InputError as error:
        fail(error)
    out.print(f"Closed {incident_id}: entry {closed.seq}.", highlight=False)


@incident_app.command("list")
def incident_list(as_json: JsonOption = False, home: HomeOption = None, store: StoreOption = None) -> None:
    """Every incident: severity, state, affected runs."""
    try:
        known = incidents.incidents(session(home, store))
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps({k: asdict(v) for k, v in known.items()}, indent=2) + "\n")
        return
    table = Table("id", "severity", "state", "title", "affected runs", "opened by", "events")
    for i in known.values():
        table.add_row(
            i.id,
            i.severity,
            "closed" if i.closed else "open",
            i.title,
            ", ".join(map(str, i.affected_runs)) or "—",
            i.opened_by,
            str(len(i.timeline)),
        )
    out.print(table)


def docs(
    out_dir: Annotated[Path, typer.Argument(help="Where to write the documents.")] = Path("qtrust-docs"),
    provided: Annotated[
        Path | None,
        typer.Option(
            "--provided", help="YAML mapping Annex IV points (e.g. IV.1(b)) to the provider's own text."
        ),
    ] = None,
    trusted_keys: TrustedOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Write the EU AI Act Annex IV documentation pack (with its gaps) and the public transparency summary."""
    try:
        written = documents.write(session(home, store, trusted_keys), out_dir, provided)
    except InputError as error:
        fail(error)
    out.print(
        f"Wrote {written.technical_documentation} ({len(written.documents.gaps)} gaps listed) and "
        f"{written.transparency_summary}, from {written.documents.entries} evidence entries.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(risk_app, name="risk")
    app.add_typer(impact_app, name="impact")
    app.add_typer(incident_app, name="incident")
    app.command()(docs)
