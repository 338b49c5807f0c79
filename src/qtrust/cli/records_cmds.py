"""``qtrust risk | impact | incident``: the risk register, impact assessments and incidents.

Every record is signed by the person who makes it (``--as``); refused input records nothing (exit 2).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.evidence_cmds import (
    HomeOption,
    StoreOption,
    TrustedOption,
    fail,
    out,
    trusted_from,
    workspace,
)
from qtrust.cli.people_cmds import AsOption, read_ledger, signed_action
from qtrust.errors import InputError

risk_app = typer.Typer(
    help="The risk register: who benefits, who may be harmed, mitigations, residual risk.",
    no_args_is_help=True,
)
impact_app = typer.Typer(help="Impact assessments of the system.", no_args_is_help=True)
incident_app = typer.Typer(
    help="Incidents: open, update, close (with the rollback taken), list with their timelines.",
    no_args_is_help=True,
)


def _checklist_ids() -> set[str]:
    from qtrust.governance.checklists import load_checklists

    return {item.id for checklist in load_checklists() for item in checklist.items}


def _record(kind: str, file: Path, person: str, home, store) -> None:
    from qtrust.governance.records import load_record, record

    try:
        item = load_record(kind, file)
        with signed_action(person, home, store) as (log, ledger, key):
            recorded = record(log, ledger, person, key, kind, item, _checklist_ids())
    except InputError as error:
        fail(error)
    out.print(f"Recorded {kind} {item.id!r} as entry {recorded.seq}, signed by {person}.", highlight=False)


def _list(kind: str, home, store, as_json: bool = False) -> None:
    import datetime as dt

    from qtrust.governance.records import latest_records

    try:
        ws = workspace(home, store)
        log = ws.open_log()
        with log.store:
            records = latest_records(read_ledger(log, ws), kind)
    except InputError as error:
        fail(error)
    today = dt.date.today()
    if as_json:
        doc = {
            rid: item.model_dump(mode="json")
            | {"entry": seq, "recorded_by": by, "review_overdue": item.review_date < today}
            for rid, (item, seq, by) in records.items()
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    table = Table("id", "title", "residual risk", "review date", "entry", "by")
    table.columns[0].no_wrap = True
    for item, seq, by in records.values():
        due = (
            f"[bold red]{item.review_date} (overdue)[/]"
            if item.review_date < today
            else str(item.review_date)
        )
        table.add_row(item.id, item.title, item.residual_risk, due, str(seq), by)
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
def risk_list(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
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
def impact_list(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
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
    from qtrust.governance.records import open_incident

    try:
        with signed_action(as_, home, store) as (log, ledger, key):
            incident_id, recorded = open_incident(
                log,
                ledger,
                as_,
                key,
                title=title,
                severity=severity,
                affected_runs=run or [],
                description=description,
            )
    except InputError as error:
        fail(error)
    out.print(f"Opened {incident_id} as entry {recorded.seq}.", highlight=False)


@incident_app.command("update")
def incident_update(
    incident_id: Annotated[str, typer.Argument(help="e.g. INC-0001")],
    note: Annotated[str, typer.Option("--note")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Add an event to an open incident's timeline."""
    from qtrust.governance.records import update_incident

    try:
        with signed_action(as_, home, store) as (log, ledger, key):
            recorded = update_incident(log, ledger, as_, key, incident_id, note)
    except InputError as error:
        fail(error)
    out.print(f"Updated {incident_id}: entry {recorded.seq}.", highlight=False)


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
    from qtrust.governance.records import close_incident

    try:
        with signed_action(as_, home, store) as (log, ledger, key):
            recorded = close_incident(
                log, ledger, as_, key, incident_id, rollback=rollback, resolution=resolution
            )
    except InputError as error:
        fail(error)
    out.print(f"Closed {incident_id}: entry {recorded.seq}.", highlight=False)


@incident_app.command("list")
def incident_list(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Every incident: severity, state, affected runs."""
    from dataclasses import asdict

    from qtrust.governance.records import incidents

    try:
        ws = workspace(home, store)
        log = ws.open_log()
        with log.store:
            known = incidents(read_ledger(log, ws))
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


def _provided_text(path: Path | None) -> dict[str, str]:
    from qtrust.yamlfile import read_yaml_mapping

    if path is None:
        return {}
    doc = read_yaml_mapping(
        path, what="provided-text file", flag="--provided", fix="a YAML mapping of point → text"
    )
    if not isinstance(doc, dict) or not all(isinstance(v, str) and v.strip() for v in doc.values()):
        raise InputError(
            "expected a mapping of Annex IV point → non-empty text",
            where=str(path),
            fix='e.g. "IV.1(e)": "x86-64 servers"',
        )
    return {str(k): v for k, v in doc.items()}


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
    from qtrust.evidence.files import write_file_atomically
    from qtrust.governance.docs import snapshot, technical_documentation, transparency_summary

    try:
        ws = workspace(home, store)
        trusted = trusted_from(trusted_keys, ws.trusted)
        log = ws.open_log()
        with log.store:
            snap = snapshot(read_ledger(log, ws, trusted), log.origin)
        pack, gaps = technical_documentation(snap, _provided_text(provided))
        write_file_atomically(out_dir / "technical-documentation.md", pack.encode())
        write_file_atomically(out_dir / "transparency-summary.md", transparency_summary(snap).encode())
    except InputError as error:
        fail(error)
    out.print(
        f"Wrote {out_dir / 'technical-documentation.md'} ({len(gaps)} gaps listed) and "
        f"{out_dir / 'transparency-summary.md'}, from {snap.size} evidence entries.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(risk_app, name="risk")
    app.add_typer(impact_app, name="impact")
    app.add_typer(incident_app, name="incident")
    app.command()(docs)
