"""``qtrust keys | plan | log | verify | export | reproduce``: the evidence commands, thin over qtrust.evidence.

Exit codes as everywhere in qtrust: 0 done (for ``verify``: the log verified), 1 ``verify`` found a bad
entry or ``reproduce`` a mismatch, 2 bad input (wrong passphrase, missing key, corrupt bundle, unreachable
store), with nothing half-written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import (
    HomeOption,
    StoreOption,
    console,
    fail,
    out,
    session,
)
from qtrust.cli.model_loader import ModelOption, load_supplied
from qtrust.errors import InputError

keys_app = typer.Typer(help="Create, list, export and rotate the signing keys.", no_args_is_help=True)
plan_app = typer.Typer(help="Pre-register evaluation plans in the evidence log.", no_args_is_help=True)
log_app = typer.Typer(
    help="Read the evidence log: list entries, show one, prove its inclusion.", no_args_is_help=True
)


# --- keys --------------------------------------------------------------------------------------------------


@keys_app.command("init")
def keys_init(home: HomeOption = None, store: StoreOption = None) -> None:
    """Create the Ed25519 and ML-DSA-65 signing keys (encrypted, mode 0600) and start the evidence log."""
    from qtrust.workflow.evidence import start_log

    try:
        started = start_log(session(home, store))
    except InputError as error:
        fail(error)
    out.print(
        f"Created signing keys in {started.keys_path} and started log {started.origin} in {started.location}."
    )
    for key in started.public_keys:
        out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)
    out.print("Give auditors the public keys: qtrust keys export TRUST.json", highlight=False)


@keys_app.command("list")
def keys_list(home: HomeOption = None) -> None:
    """List every public key (active and retired)."""
    from qtrust.workflow.evidence import keyring

    try:
        keys = keyring(session(home, None))
    except InputError as error:
        fail(error)
    table = Table("status", "algorithm", "key id", "created")
    for item in keys:
        table.add_row(item.get("status", ""), item["algorithm"], item["keyid"], item.get("created", ""))
    out.print(table)


@keys_app.command("export")
def keys_export(
    path: Annotated[Path, typer.Argument(help="Where to write the trust file (public keys only).")],
    home: HomeOption = None,
) -> None:
    """Write the public keys as a trust file auditors pass to `qtrust verify --trusted-keys`."""
    from qtrust.workflow.evidence import export_trust

    try:
        count = export_trust(session(home, None), path)
    except InputError as error:
        fail(error)
    out.print(f"Wrote {count} public keys to {path}.", highlight=False)


@keys_app.command("rotate")
def keys_rotate(
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the log).")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Replace the signing keys; the rotation is a log entry signed by the old and the new key."""
    from qtrust.workflow.evidence import rotate_keys

    try:
        recorded, new_keys = rotate_keys(session(home, store), reason)
    except InputError as error:
        fail(error)
    out.print(f"Rotated the keys: entry {recorded.seq}. New keys:", highlight=False)
    for key in new_keys:
        out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)


# --- plans -------------------------------------------------------------------------------------------------


@plan_app.command("register")
def plan_register(
    plan_file: Annotated[Path, typer.Argument(help="The evaluation plan (YAML).")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record an evaluation plan before any result exists; a known name is recorded as an amendment."""
    from qtrust.workflow.evidence import register_plan_file

    try:
        done = register_plan_file(session(home, store), plan_file)
    except InputError as error:
        fail(error)
    plan, recorded, previous, changes = done.plan, done.recorded, done.previous, done.changes
    if recorded is None:
        out.print(
            f"Plan {plan.name!r} is already registered in this form (entry {previous.seq}); nothing recorded."
        )
        return
    if previous is None:
        out.print(
            f"Registered plan {plan.name!r} as entry {recorded.seq} (sha256 {plan.digest()}).",
            highlight=False,
        )
        return
    loosened = [c for c in changes if c.kind == "loosened"]
    style = "bold yellow" if loosened else "green"
    out.print(
        f"[{style}]Recorded an amendment[/] to plan {plan.name!r} (entry {previous.seq}) as entry {recorded.seq}.",
        highlight=False,
    )
    for change in changes:
        out.print(f"  {change.kind:<9} {change.what}", highlight=False)
    if loosened:
        out.print("[yellow]Loosened thresholds are shown in every report of an audit under this plan.[/]")


# --- log ---------------------------------------------------------------------------------------------------


@log_app.command("list")
def log_list(
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only entries of this kind (audit, plan, ...).")
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """One line per entry: sequence number, kind (from its signed statement), time, subjects."""
    from qtrust.workflow.evidence import list_entries

    try:
        lines = list_entries(session(home, store), kind)
    except InputError as error:
        fail(error)
    table = Table("seq", "kind", "recorded (UTC)", "subjects")
    for line in lines:
        more = f" (+{len(line.subjects) - 3})" if len(line.subjects) > 3 else ""
        table.add_row(str(line.seq), line.kind, line.recorded_at, ", ".join(line.subjects[:3]) + more)
    out.print(table)


@log_app.command("checkpoint")
def log_checkpoint(home: HomeOption = None, store: StoreOption = None) -> None:
    """Sign a checkpoint (Ed25519 + ML-DSA-65) over every entry: entries after the last one do not verify."""
    from qtrust.workflow.evidence import checkpoint

    try:
        made, size = checkpoint(session(home, store))
    except InputError as error:
        fail(error)
    out.print(
        f"Signed a checkpoint of size {size}."
        if made
        else f"The latest checkpoint already covers all {size} entries.",
        highlight=False,
    )


@log_app.command("show")
def log_show(
    seq: Annotated[int, typer.Argument(help="Sequence number.")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Print an entry's in-toto statement (the signed payload) as JSON."""
    from qtrust.workflow.evidence import show_entry

    try:
        statement = show_entry(session(home, store), seq)
    except InputError as error:
        fail(error)
    sys.stdout.write(json.dumps(statement, indent=2) + "\n")


@log_app.command("proof")
def log_proof(
    seq: Annotated[int, typer.Argument(help="Sequence number.")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Print the inclusion proof of an entry in the latest checkpoint (RFC 9162), with that checkpoint."""
    from qtrust.workflow.evidence import inclusion_proof

    try:
        doc = inclusion_proof(session(home, store), seq)
    except InputError as error:
        fail(error)
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


# --- verify / export / reproduce ---------------------------------------------------------------------------


def verify(
    bundle: Annotated[Path | None, typer.Argument(help="An exported bundle; default: the local log.")] = None,
    trusted_keys: Annotated[
        Path | None,
        typer.Option("--trusted-keys", help="Trust only these public keys (from `qtrust keys export`)."),
    ] = None,
    trust_bundle_keys: Annotated[
        bool,
        typer.Option(
            "--trust-bundle-keys",
            help="Accept the keys a bundle carries itself (anyone who can edit the bundle chose them).",
        ),
    ] = False,
    known: Annotated[
        list[Path] | None,
        typer.Option(
            "--known", help="An earlier bundle or checkpoint you kept: the log must still extend it."
        ),
    ] = None,
    witness: Annotated[
        list[Path] | None,
        typer.Option(
            "--witness",
            help="Demand this witness's cosignature over every entry (its witness.json, or its directory, "
            "whose latest cosigned checkpoint the log must then also extend). Repeatable.",
        ),
    ] = None,
    outputs: Annotated[
        Path | None,
        typer.Option(
            "--outputs", help="Check these audit output files against the digests signed in the log."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Check every signature, leaf, root, checkpoint, sign-off and witness; exit 1 at the first bad entry."""
    from qtrust.workflow.verification import verify_bundle, verify_local

    try:
        if bundle is not None:
            done = verify_bundle(
                bundle,
                trusted_keys=trusted_keys,
                trust_bundle_keys=trust_bundle_keys,
                known=known or [],
                witnesses=witness or [],
                outputs=outputs,
            )
        else:
            if trust_bundle_keys:
                raise InputError(
                    "--trust-bundle-keys applies to a bundle", where="--trust-bundle-keys", fix="pass BUNDLE"
                )
            done = verify_local(
                session(home, store, trusted_keys),
                known=known or [],
                witnesses=witness or [],
                outputs=outputs,
            )
    except InputError as error:
        fail(error)
    report, source, trusted = done.report, done.source, done.trusted
    unpinned, self_trusted = done.unpinned, done.self_trusted
    prefix = "[bold yellow]UNPINNED KEYS[/] " if unpinned else ""
    if as_json:
        doc = report.to_dict() | {"keys": "bundle (unpinned)" if unpinned else "pinned"}
        if self_trusted:
            doc |= {
                "ok": False,
                "reason": "the bundle's own keys were not pinned (--trusted-keys) nor accepted (--trust-bundle-keys)",
            }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        if unpinned:
            console.print(
                f"{prefix}trusting the keys the bundle carries itself: whoever edits a bundle chooses them; pin the "
                "log owner's keys with --trusted-keys (a file from `qtrust keys export`):",
                highlight=False,
                soft_wrap=True,
            )
            for key in trusted:
                console.print(f"{prefix}  {key.algorithm:<10} {key.keyid}", highlight=False, soft_wrap=True)
        if report.ok:
            witnessed = "".join(
                f", witnessed by {name} up to {size}" for name, size in report.witnessed.items()
            )
            # Without pinned keys a bundle only proves it agrees with itself: say that, not "verified".
            verdict = "[bold yellow]self-consistent[/]" if self_trusted else "[bold green]verified[/]"
            out.print(
                f"{prefix}{verdict} {source}: {report.entries} entries, all under {report.checkpoints} "
                f"checkpoints (Ed25519 + ML-DSA-65){witnessed}, {report.known_checkpoints} earlier checkpoints; "
                f"log {report.origin}",
                highlight=False,
                soft_wrap=True,
            )
        else:
            first = report.first
            where = f"first bad entry: {first.seq}" if first.seq is not None else "problem"
            out.print(
                f"{prefix}[bold red]FAILED[/] {source}: {where} — {first.reason}",
                highlight=False,
                soft_wrap=True,
            )
            others = len(report.problems) - 1
            if others:
                out.print(
                    f"{prefix}  and {others} more problem{'s' if others > 1 else ''} (--json lists them)"
                )
        if self_trusted:
            out.print(
                f"{prefix}[bold red]NOT TRUSTED[/]: nothing ties these keys to the log's owner; exit 1 unless you pass "
                "--trusted-keys TRUST.json or, knowingly, --trust-bundle-keys",
                highlight=False,
                soft_wrap=True,
            )
    raise typer.Exit(0 if done.passed else 1)


def export(
    bundle: Annotated[Path, typer.Argument(help="The bundle file to write (JSON).")],
    since: Annotated[
        int, typer.Option("--since", help="First entry to include (earlier ones by hash only).")
    ] = 0,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Write an offline bundle: entries, proofs, checkpoints, cosignatures, the exporter's public keys."""
    from qtrust.workflow.evidence import export as export_log

    try:
        summary = export_log(session(home, store), bundle, since)
    except InputError as error:
        fail(error)
    out.print(
        f"Wrote {summary['path']}: entries {summary['start']}..{summary['size'] - 1}, "
        f"{summary['checkpoints']} checkpoints. Verify anywhere with: qtrust verify {summary['path']} --trusted-keys TRUST.json",
        highlight=False,
    )


def _reproduce_member(folder: Path, member: str | None) -> None:
    from qtrust.workflow.sweep import reproduce_member

    if member is None:
        fail(
            InputError("--sweep needs --member ID", where="--member", fix="an id from the sweep's sweep.json")
        )
    console.print(f"Re-running sweep member {member} from its recorded config…")
    try:
        done = reproduce_member(folder, member)
    except InputError as error:
        fail(error)
    counts = done.report.counts
    out.print(
        f"member {member}: {counts.get('exact', 0)} metrics exact, {counts.get('within_ci', 0)} within their "
        f"recorded CI, {counts.get('mismatch', 0)} mismatched, {counts.get('missing', 0)} missing; metric-table "
        f"digest {'identical' if done.identical else 'differs'} ({done.digest_now[:16]}…)",
        highlight=False,
    )
    for c in done.report.mismatches[:25]:
        out.print(f"  {c.path}: {c.detail}", highlight=False)
    out.print("[bold green]reproduced[/]" if done.report.ok else "[bold red]NOT reproduced[/]")
    raise typer.Exit(0 if done.report.ok else 1)


def reproduce(
    seq: Annotated[
        int | None, typer.Argument(help="Sequence number of the audit entry (as `qtrust audit` printed).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every comparison as JSON on stdout.")
    ] = False,
    model: ModelOption = None,
    sweep: Annotated[
        Path | None,
        typer.Option("--sweep", help="A sweep's folder: reproduce one of its members (with --member)."),
    ] = None,
    member: Annotated[str | None, typer.Option("--member", help="The sweep member's id.")] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Re-run a recorded audit (or a sweep member) from its recorded config and seeds; compare metric by metric.

    Translated circuits supplied to the audit are rebuilt from the record; other supplied models (scikit-learn,
    black boxes, QNodes on their own device) are code, so pass the same file again with --model.
    """
    from qtrust.workflow.evidence import reproduce_entry

    if sweep is not None:
        _reproduce_member(sweep, member)
    if seq is None:
        fail(
            InputError(
                "give the audit entry's number, or --sweep DIR --member ID", where="SEQ", fix="see --help"
            )
        )
    try:
        supplied = [item for spec in model or [] for item in load_supplied(spec)]
        console.print(f"Re-running audit entry {seq} from its recorded config and seeds…")
        result = reproduce_entry(session(home, store), seq, supplied)
    except InputError as error:
        fail(error)
    report = result.report
    if as_json:
        sys.stdout.write(
            json.dumps(
                {
                    "seq": seq,
                    "ok": result.ok,
                    "counts": report.counts,
                    "distributions_identical": result.distributions_identical,
                    "distributions_differing": result.distributions_differing,
                    "environment_differences": {
                        k: list(v) for k, v in result.environment_differences.items()
                    },
                    "comparisons": [
                        {"path": c.path, "status": c.status, "detail": c.detail} for c in report.comparisons
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    sink = console if as_json else out  # with --json, stdout carries only the JSON
    counts = report.counts
    total_dists = result.distributions_identical + len(result.distributions_differing)
    sink.print(
        f"entry {result.seq}: {counts.get('exact', 0)} metrics exact, {counts.get('within_ci', 0)} within their recorded CI, "
        f"{counts.get('mismatch', 0)} mismatched, {counts.get('missing', 0)} missing; "
        f"{result.distributions_identical}/{total_dists} probability stacks bit-identical",
        highlight=False,
    )
    if result.environment_differences:
        sink.print(f"environment differs in: {', '.join(result.environment_differences)}", highlight=False)
    failed = [c for c in report.comparisons if c.status in ("mismatch", "missing")]
    if failed:
        table = Table("metric", "status", "detail")
        for c in failed[:25]:
            table.add_row(c.path, c.status, c.detail)
        sink.print(table)
    sink.print("[bold green]reproduced[/]" if result.ok else "[bold red]NOT reproduced[/]")
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    app.add_typer(plan_app, name="plan")
    app.add_typer(log_app, name="log")
    app.command()(verify)
    app.command()(export)
    app.command()(reproduce)
