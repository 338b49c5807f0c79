"""``qtrust crypto scan | register | assets | report``: quantum-safe readiness from the command line.

A thin shell over :mod:`qtrust.workflow.crypto`: each command checks its input, makes one call, and prints
what it returns. A refused input records nothing and exits 2; a readiness gate that fails exits 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError

crypto_app = typer.Typer(
    help="Quantum-safe readiness: find cryptography (CBOM), register data assets, weigh them against a quantum computer.",
    no_args_is_help=True,
)
NoRecordOption = Annotated[bool, typer.Option("--no-record", help="Write the files; record nothing.")]


@crypto_app.command("scan")
def scan(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders to scan (Python, keys and certificates, TLS/SSH configs)."),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the CycloneDX 1.6 CBOM.")] = Path(
        "cbom.json"
    ),
    name: Annotated[str | None, typer.Option("--name", help="The scanned system's name in the CBOM.")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", help="Skip files larger than this.")] = 5_000_000,
    no_record: NoRecordOption = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Find cryptography and write a CBOM (recorded in the evidence log, signed by the log key)."""
    from qtrust.workflow.crypto import scan_to_cbom

    try:
        done = scan_to_cbom(
            session(home, store), paths, out_file, name=name, record=not no_record, max_bytes=max_bytes
        )
    except InputError as error:
        fail(error)
    result, summary = done.scan, done.summary
    table = Table("asset", "where", "library", "evidence")
    for use in result.uses[:40]:
        label = " ".join(p for p in (use.algorithm, use.parameter, use.mode) if p)
        table.add_row(label, f"{use.file}:{use.line}", use.library, use.evidence[:70])
    if result.uses:
        out.print(table)
    if len(result.uses) > 40:
        out.print(f"… and {len(result.uses) - 40} more (all in the CBOM)")
    out.print(
        f"{result.files_scanned} files, {result.lines_scanned:,} lines: {len(result.uses)} uses in "
        f"{summary['components']} CBOM components, {summary['quantum_vulnerable']} quantum-vulnerable; "
        f"{len(result.skipped)} files skipped.",
        highlight=False,
    )
    for skipped in result.skipped[:10]:
        out.print(f"  skipped {skipped.file}: {skipped.reason}", highlight=False)
    where = f"recorded as entry {done.recorded}" if done.recorded is not None else "not recorded"
    out.print(f"Wrote {done.path} (sha256 {done.sha256[:16]}…), {where}.", highlight=False)


@crypto_app.command("register")
def register_assets(
    file: Annotated[Path | None, typer.Argument(help="The data-asset register (YAML).")] = None,
    as_: Annotated[
        str | None, typer.Option("--as", help="The person recording it (their id on the roster).")
    ] = None,
    example: Annotated[bool, typer.Option("--example", help="Print an example register and exit.")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record the data-asset register: each asset a signed entry (a known id records a new version)."""
    from qtrust.crypto.register import EXAMPLE
    from qtrust.workflow.crypto import record_register

    if example:
        sys.stdout.write(EXAMPLE)
        return
    if file is None or as_ is None:
        fail(
            InputError(
                "give the register file and --as ID", where="qtrust crypto register", fix="see --example"
            )
        )
    try:
        made = record_register(session(home, store), as_, file)
    except InputError as error:
        fail(error)
    for asset in made:
        out.print(
            f"Recorded data asset {asset.id!r} as entry {asset.seq}, signed by {asset.signed_by}.",
            highlight=False,
        )


@crypto_app.command("assets")
def assets(home: HomeOption = None, store: StoreOption = None) -> None:
    """The recorded data assets (latest version of each)."""
    from qtrust.workflow.crypto import recorded_assets

    try:
        entries = recorded_assets(session(home, store))
    except InputError as error:
        fail(error)
    table = Table("id", "title", "owner", "X (years)", "Y (years)", "migration start", "entry", "by")
    table.columns[0].no_wrap = True
    for e in entries:
        a = e.asset
        table.add_row(a.id, a.title, a.owner, f"{a.confidentiality_years:g}", f"{a.migration.years:g}",
                      str(a.migration.start or "not planned"), str(e.seq), e.recorded_by)  # fmt: skip
    out.print(table)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(InputError(f"{value!r} is not a date", where="--as-of", fix="write it as YYYY-MM-DD"))


@crypto_app.command("report")
def report(
    cbom: Annotated[Path, typer.Option("--cbom", help="The CBOM `qtrust crypto scan` wrote.")] = Path(
        "cbom.json"
    ),
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for report.html and readiness.json.")] = Path(
        "qtrust-crypto"
    ),
    register: Annotated[
        Path | None,
        typer.Option(
            "--register", help="Preview an unrecorded register file instead of the recorded assets."
        ),
    ] = None,
    timeline: Annotated[
        Path | None,
        typer.Option("--timeline", help="Your own distribution of the time to a quantum computer (YAML)."),
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="A readiness policy (YAML); default: the built-in one.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge as of this date (YYYY-MM-DD; default today).")
    ] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Exposure probability you accept.")] = 0.05,
    key_rotation_days: Annotated[
        int, typer.Option("--evidence-key-rotation-days", help="Rotation age for qtrust's own log keys.")
    ] = 365,
    no_record: NoRecordOption = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Rank the data assets by exposure, date the plan, gate on the readiness metrics (exit 1 if it fails)."""
    from qtrust.workflow.crypto import readiness_report

    try:
        done = readiness_report(
            session(home, store), cbom, out_dir, register=register, timeline=timeline, policy=policy,
            as_of=_date(as_of), tolerance=tolerance, evidence_key_rotation_days=key_rotation_days, record=not no_record,
        )  # fmt: skip
    except InputError as error:
        fail(error)
    table = Table("asset", "exposure", "secret until", "latest safe start", "NIST IR 8547 (draft) start by")
    table.columns[0].no_wrap = True
    for e in done.readiness.assets:
        table.add_row(
            e.asset.id,
            f"{e.exposure_probability:.1%}",
            str(e.secret_until or "—"),
            ("[bold red]" + str(e.latest_safe_start) + " (late)[/]")
            if e.late
            else str(e.latest_safe_start or "—"),
            str(e.nist_latest_start or "—"),
        )
    out.print(table)
    for check in done.checks:
        style = {"pass": "green", "fail": "bold red"}.get(check.status, "yellow")
        out.print(f"[{style}]{check.status}[/] {check.id}: {check.detail}", highlight=False)
    where = f"recorded as entry {done.recorded}" if done.recorded is not None else "not recorded"
    out.print(f"Readiness {done.decision}: {done.folder / 'report.html'}, {where}.", highlight=False)
    if done.decision == "fail":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(crypto_app, name="crypto")
