"""``qtrust keys | plan | log | verify | export | reproduce``: the evidence commands, thin over qtrust.evidence.

Exit codes as everywhere in qtrust: 0 done (for ``verify``: the log verified), 1 ``verify`` found a bad
entry or ``reproduce`` a mismatch, 2 bad input (wrong passphrase, missing key, corrupt bundle, unreachable
store), with nothing half-written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qtrust.cli.model_loader import ModelOption, load_supplied
from qtrust.errors import InputError

console = Console(stderr=True)
out = Console(soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="State directory (keys, SQLite log). Default: $QTRUST_HOME or ./.qtrust"),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Evidence store URL, e.g. postgresql://host/db. Default: $QTRUST_STORE or SQLite."
    ),
]
TrustedOption = Annotated[
    Path | None,
    typer.Option(
        "--trusted-keys",
        help="Count only entries signed by these keys (from `qtrust keys export`; default: the local keyring).",
    ),
]

keys_app = typer.Typer(help="Create, list, export and rotate the signing keys.", no_args_is_help=True)
plan_app = typer.Typer(help="Pre-register evaluation plans in the evidence log.", no_args_is_help=True)
log_app = typer.Typer(
    help="Read the evidence log: list entries, show one, prove its inclusion.", no_args_is_help=True
)


def fail(error: InputError) -> None:
    console.print(f"[bold red]error:[/] {error.one_line()}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def secret(env: str, prompt: str, what: str, *, confirm: bool = False, fix: str = "") -> bytes:
    """A passphrase from ``env``, else a hidden prompt on a terminal; never from a command-line flag (flags
    end up in shell history and process listings). Shared by the log's, a person's and a witness's keys."""
    value = os.environ.get(env)
    if value:
        return value.encode("utf-8")
    if sys.stdin.isatty():
        entered = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
        if entered:
            return entered.encode("utf-8")
    raise InputError(f"no {what}", where=env, fix=f"set {env} (or run in a terminal to be asked){fix}")


def passphrase(*, confirm: bool = False) -> bytes:
    """The log key's passphrase (QTRUST_KEY_PASSPHRASE)."""
    from qtrust.evidence.keys import PASSPHRASE_ENV

    return secret(
        PASSPHRASE_ENV,
        "Key passphrase",
        "key passphrase",
        confirm=confirm,
        fix="; `qtrust audit` and `qtrust gate` also take --no-record",
    )


def workspace(home: Path | None, store: str | None):
    from qtrust.evidence.workspace import Workspace

    return Workspace.resolve(home, store)


# --- keys --------------------------------------------------------------------------------------------------


@keys_app.command("init")
def keys_init(home: HomeOption = None, store: StoreOption = None) -> None:
    """Create the Ed25519 and ML-DSA-65 signing keys (encrypted, mode 0600) and start the evidence log."""
    try:
        ws = workspace(home, store)
        log, keys = ws.init(passphrase(confirm=True))
        with log.store:
            out.print(
                f"Created signing keys in {ws.keys.path} and started log {log.origin} in {log.store.location}."
            )
            for key in keys.public_keys():
                out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)
            out.print("Give auditors the public keys: qtrust keys export TRUST.json", highlight=False)
    except InputError as error:
        fail(error)


@keys_app.command("list")
def keys_list(home: HomeOption = None) -> None:
    """List every public key (active and retired)."""
    try:
        ws = workspace(home, None)
        doc = json.loads(ws.keys.keyring_path.read_text()) if ws.keys.exists() else None
        if doc is None:
            raise InputError(f"no keys in {ws.keys.path}", where="--home", fix="run `qtrust keys init`")
        table = Table("status", "algorithm", "key id", "created")
        for item in doc["keys"]:
            table.add_row(item.get("status", ""), item["algorithm"], item["keyid"], item.get("created", ""))
        out.print(table)
    except InputError as error:
        fail(error)


@keys_app.command("export")
def keys_export(
    path: Annotated[Path, typer.Argument(help="Where to write the trust file (public keys only).")],
    home: HomeOption = None,
) -> None:
    """Write the public keys as a trust file auditors pass to `qtrust verify --trusted-keys`."""
    from qtrust.evidence.files import write_file_atomically

    try:
        trusted = workspace(home, None).trusted()
        write_file_atomically(path, (json.dumps(trusted.to_json(), indent=2) + "\n").encode())
        out.print(f"Wrote {len(trusted)} public keys to {path}.", highlight=False)
    except InputError as error:
        fail(error)


@keys_app.command("rotate")
def keys_rotate(
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the log).")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Replace the signing keys; the rotation is a log entry signed by the old and the new key."""
    from qtrust.evidence.keys import LogKeys

    try:
        ws = workspace(home, store)
        secret = passphrase()
        log = ws.open_log(secret)
        with log.store:
            old = log.keys
            new = LogKeys.generate()
            ws.keys.stage(new, secret)  # the new private keys are on disk before the log names them
            try:
                recorded = log.rotate_keys(new, reason)
            except BaseException:
                ws.keys.unstage()
                raise
            ws.keys.rotate(old, new, secret)
        out.print(f"Rotated the keys: entry {recorded.seq}. New keys:", highlight=False)
        for key in new.public_keys():
            out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)
    except InputError as error:
        fail(error)


# --- plans -------------------------------------------------------------------------------------------------


@plan_app.command("register")
def plan_register(
    plan_file: Annotated[Path, typer.Argument(help="The evaluation plan (YAML).")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record an evaluation plan before any result exists; a known name is recorded as an amendment."""
    from qtrust.evidence import statements
    from qtrust.evidence.plans import register_plan
    from qtrust.governance.entries import read_log
    from qtrust.policy.plan import load_plan

    try:
        plan = load_plan(plan_file)
        ws = workspace(home, store)
        log = ws.open_log(passphrase(), create=True)
        with log.store:
            ledger = read_log(log, ws.trusted())
            verified = [(e.seq, e.recorded_at, e.statement) for e in ledger.of(statements.PLAN_V1)]
            recorded, previous, changes = register_plan(log, plan, verified)
    except InputError as error:
        fail(error)
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
    from qtrust.evidence import statements
    from qtrust.evidence.verify import statement_of

    try:
        log = workspace(home, store).open_log()
        with log.store:
            table = Table("seq", "kind", "recorded (UTC)", "subjects")
            for entry in log.store.entries():
                try:
                    doc = statement_of(entry)
                    label = statements.kind_of(str(doc.get("predicateType")))
                    subjects = [s.get("name", "?") for s in doc.get("subject", [])]
                except (ValueError, TypeError, AttributeError):
                    label, subjects = "unreadable", []
                if kind is not None and label != kind:
                    continue
                shown = ", ".join(subjects[:3]) + (f" (+{len(subjects) - 3})" if len(subjects) > 3 else "")
                table.add_row(str(entry.seq), label, entry.integrated_time[:19], shown)
            out.print(table)
    except InputError as error:
        fail(error)


@log_app.command("checkpoint")
def log_checkpoint(home: HomeOption = None, store: StoreOption = None) -> None:
    """Sign a checkpoint (Ed25519 + ML-DSA-65) over every entry: entries after the last one do not verify."""
    try:
        log = workspace(home, store).open_log(passphrase())
        with log.store:
            made = log.checkpoint()
            size = log.size()
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
    try:
        log = workspace(home, store).open_log()
        with log.store:
            sys.stdout.write(json.dumps(log.statement(seq), indent=2) + "\n")
    except InputError as error:
        fail(error)


@log_app.command("proof")
def log_proof(
    seq: Annotated[int, typer.Argument(help="Sequence number.")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Print the inclusion proof of an entry in the latest checkpoint (RFC 9162), with that checkpoint."""
    from qtrust.encoding import b64encode

    try:
        log = workspace(home, store).open_log()
        with log.store:
            checkpoint = log.store.checkpoints()[-1]
            entry = log.entry(seq)
            if seq >= checkpoint.size:
                raise InputError(
                    f"entry {seq} is not checkpointed yet", where="N", fix="record anything to checkpoint"
                )
            doc = {
                "seq": seq,
                "leaf_hash": b64encode(entry.leaf_hash),
                "tree_size": checkpoint.size,
                "inclusion_proof": [b64encode(h) for h in log.inclusion_proof(seq, checkpoint.size)],
                "checkpoint": checkpoint.note.decode(),
            }
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    except InputError as error:
        fail(error)


# --- verify / export / reproduce ---------------------------------------------------------------------------


def trusted_from(path: Path | None, fallback):
    from qtrust.evidence.keys import TrustedKeys

    if path is None:
        return fallback()
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            f"cannot read the trust file: {error}",
            where="--trusted-keys",
            fix="pass a file from `qtrust keys export`",
        ) from None
    return TrustedKeys.from_json(doc, where=str(path))


def _known_checkpoints(paths: list[Path]):
    from qtrust.evidence.bundle import BUNDLE_FORMAT, load_bundle
    from qtrust.evidence.files import read_named_file
    from qtrust.evidence.verify import KnownCheckpoint

    known = []
    for path in paths:
        head = read_named_file(path, where="--known", fix="pass an earlier bundle or checkpoint file")
        if head.lstrip().startswith(b"{") and BUNDLE_FORMAT.encode() in head[:400]:
            earlier = load_bundle(path)
            if earlier.latest_note is None:
                continue
            prefix = [b""] * earlier.start  # unknown leaves before an earlier --since bundle
            known.append(
                KnownCheckpoint(
                    earlier.latest_note, str(path), [*prefix, *earlier.leaf_hashes][: earlier.size]
                )
            )
        else:
            known.append(KnownCheckpoint(head, str(path)))
    return known


def _check_outputs(directory: Path, ledger) -> list[str]:
    """Each file in ``directory`` against the digests inside signed statements of entries that verify."""
    from qtrust.audit.outputs import sha256_of

    problems = []
    recorded: dict[str, set[str]] = {}
    for entry in ledger.verified:
        for subject in entry.statement.get("subject", []):
            digest = (subject.get("digest") or {}).get("sha256") if isinstance(subject, dict) else None
            if subject.get("name") and digest:
                recorded.setdefault(subject["name"], set()).add(digest)
    try:
        files = sorted(p for p in Path(directory).iterdir() if p.is_file())
    except OSError as error:
        raise InputError(
            f"cannot read {directory}: {error}", where="--outputs", fix="give an audit's output folder"
        ) from None
    checked = 0
    for path in files:
        if path.name in recorded:
            checked += 1
            if sha256_of(path) not in recorded[path.name]:
                problems.append(f"{path} does not match any digest a verified entry records for {path.name}")
    if checked == 0:
        problems.append(f"no file in {directory} is named by a verified entry")
    return problems


def _witnesses(paths: list[Path], origin: str):
    """Witness keys from witness.json files or witness directories; a directory's latest cosigned
    checkpoint for this log also becomes a checkpoint the log must still extend."""
    from qtrust.evidence.cosignature import load_witness_key
    from qtrust.evidence.files import read_named_file
    from qtrust.evidence.witness import WitnessDirectory

    keys, known = [], []
    for path in paths:
        if Path(path).is_dir():
            witness = WitnessDirectory(path)
            keys.append(witness.public())
            latest = witness.latest_checkpoint(origin)
            if latest is not None:
                known.append(latest)
            continue
        data = read_named_file(path, where="--witness", fix="pass a witness.json or a witness directory")
        keys.append(load_witness_key(data, str(path)))
    return keys, known


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
    from qtrust.evidence.bundle import check_inclusion_proofs, load_bundle
    from qtrust.evidence.verify import Problem
    from qtrust.evidence.view import store_view
    from qtrust.governance.entries import read_view

    self_trusted = False
    try:
        known_list = _known_checkpoints(known or [])
        if bundle is not None:
            loaded = load_bundle(bundle)
            if trusted_keys is None and not trust_bundle_keys:
                self_trusted = True  # verified below, but the result cannot pass
            trusted = trusted_from(trusted_keys, lambda: loaded.keys)
            witnesses, witness_known = _witnesses(witness or [], loaded.view.origin)
            ledger = read_view(loaded.view, trusted, [*known_list, *witness_known], witnesses)
            ledger.report.problems += [Problem(seq, reason) for seq, reason in check_inclusion_proofs(loaded)]
            source = str(bundle)
            unpinned = trusted_keys is None
        else:
            if trust_bundle_keys:
                raise InputError(
                    "--trust-bundle-keys applies to a bundle", where="--trust-bundle-keys", fix="pass BUNDLE"
                )
            ws = workspace(home, store)
            trusted = trusted_from(trusted_keys, ws.trusted)
            log = ws.open_log()
            with log.store:
                witnesses, witness_known = _witnesses(witness or [], log.origin)
                ledger = read_view(store_view(log), trusted, [*known_list, *witness_known], witnesses)
                source = log.store.location
            unpinned = False
        report = ledger.report
        if outputs is not None:
            report.problems += [Problem(None, p) for p in _check_outputs(outputs, ledger)]
    except InputError as error:
        fail(error)
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
    raise typer.Exit(0 if report.ok and not self_trusted else 1)


def export(
    bundle: Annotated[Path, typer.Argument(help="The bundle file to write (JSON).")],
    since: Annotated[
        int, typer.Option("--since", help="First entry to include (earlier ones by hash only).")
    ] = 0,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Write an offline bundle: entries, proofs, checkpoints, cosignatures, the exporter's public keys."""
    from qtrust.evidence.bundle import export_bundle

    try:
        ws = workspace(home, store)
        trusted = ws.trusted() if ws.keys.exists() else None
        log = ws.open_log()
        with log.store:
            if trusted is None:
                raise InputError(
                    f"no keyring in {ws.keys.path} to put in the bundle",
                    where="--home",
                    fix="run where the keys live",
                )
            summary = export_bundle(log, bundle, trusted, since)
    except InputError as error:
        fail(error)
    out.print(
        f"Wrote {summary['path']}: entries {summary['start']}..{summary['size'] - 1}, "
        f"{summary['checkpoints']} checkpoints. Verify anywhere with: qtrust verify {summary['path']} --trusted-keys TRUST.json",
        highlight=False,
    )


def reproduce(
    seq: Annotated[
        int, typer.Argument(help="Sequence number of the audit entry (as `qtrust audit` printed).")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every comparison as JSON on stdout.")
    ] = False,
    model: ModelOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Re-run a recorded audit from its recorded config and seeds, and compare metric by metric.

    Translated circuits supplied to the audit are rebuilt from the record; other supplied models (scikit-learn,
    black boxes, QNodes on their own device) are code, so pass the same file again with --model.
    """
    from qtrust.evidence.reproduce import reproduce as run_reproduction

    try:
        supplied = [item for spec in model or [] for item in load_supplied(spec)]
        log = workspace(home, store).open_log()
        with log.store:
            console.print(f"Re-running audit entry {seq} from its recorded config and seeds…")
            result = run_reproduction(log, seq, supplied=supplied)
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
