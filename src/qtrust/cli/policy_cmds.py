"""``qtrust gate`` and ``qtrust policy``: judge an audit against the release policy, record the decision.

The policy is the one the owner put in force in the log (``qtrust policy register``), unless ``--policy``
names a file; without a log, qtrust's default. Whenever a log exists the gate asks it whether the results
are a recorded audit's (by sha256, among entries that verify) — recording or not: results no verified audit
names are marked unverified and cannot pass.

Exit codes: 0 every check passes; 1 a check fails or is inconclusive; 2 bad input (no results file, an
unknown metric in the policy, results that are not in the evidence log when recording, a wrong passphrase),
with nothing recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import HomeOption, StoreOption, TrustedOption, console, fail, out, session
from qtrust.errors import InputError

STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow"}


def gate(
    results: Annotated[Path, typer.Argument(help="The audit's results.json.")] = Path(
        "qtrust-out/results.json"
    ),
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", help="Policy YAML; default: the policy in force in the log, else qtrust's default."
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write the checks as JUnit XML here.")] = None,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Sign the decision into the evidence log.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON on stdout.")] = False,
    trusted_keys: TrustedOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Judge an audit against the release policy (and its pre-registered plan): exit 0 only if every check passes."""
    from qtrust.workflow.gate import gate_results

    try:
        done = gate_results(
            session(home, store, trusted_keys), results, policy_file=policy, record=record, junit=junit
        )
    except InputError as error:
        fail(error)
    outcome, provenance, recorded = done.outcome, done.provenance, done.recorded
    rules = outcome.policy
    audit_seq = provenance.audit_seq
    if as_json:
        sys.stdout.write(json.dumps(done.to_dict(), indent=2) + "\n")
    sink = console if as_json else out
    table = Table("check", "source", "result", "description", title=f"qtrust gate — policy {rules.name}")
    for check in outcome.checks:
        table.add_row(check.id, check.source, f"[{STYLE[check.status]}]{check.status}[/]", check.description)
    sink.print(table)
    for check in outcome.checks:  # the reasons in full, outside the table, so nothing is cut
        sink.print(
            f"[{STYLE[check.status]}]{check.status:>12}[/] {check.id}: {check.reason}",
            highlight=False,
            soft_wrap=True,
        )
    for note in outcome.notes:
        sink.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    verdict = "[bold green]PASS[/]" if outcome.passed else "[bold red]FAIL[/]"
    counts = outcome.counts
    tail = f" · decision recorded as entry {recorded.seq} (audit entry {audit_seq})" if recorded else ""
    mark = "" if provenance.status == "verified" else " · [bold yellow]results UNVERIFIED[/]"
    sink.print(
        f"{verdict}: {counts['pass']} pass, {counts['fail']} fail, {counts['inconclusive']} inconclusive{mark}{tail}",
        highlight=False,
    )
    raise typer.Exit(0 if outcome.passed else 1)


policy_app = typer.Typer(
    help="The release policy in force, registered by the project's owner.", no_args_is_help=True
)


@policy_app.command("register")
def policy_register(
    as_: Annotated[str, typer.Option("--as", help="The project's owner (signs with their key).")],
    policy_file: Annotated[
        Path | None, typer.Argument(help="The policy (YAML); default: qtrust's default policy.")
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Put a release policy in force: its checks judge gates, its approvals name who must sign a release."""
    from qtrust.workflow.gate import put_policy_in_force

    try:
        rules, recorded = put_policy_in_force(session(home, store), as_, policy_file)
    except InputError as error:
        fail(error)
    if recorded is None:
        out.print(f"Policy {rules.name!r} is already in force; nothing recorded.", highlight=False)
        return
    out.print(
        f"Policy {rules.name!r} (sha256 {rules.digest()[:12]}…) is in force from entry {recorded.seq}, "
        f"signed by {as_}. Releases need: {', '.join(rules.approvals.release)}; experiments: "
        f"{', '.join(rules.approvals.experiment)}.",
        highlight=False,
    )


@policy_app.command("show")
def policy_show(
    trusted_keys: TrustedOption = None, home: HomeOption = None, store: StoreOption = None
) -> None:
    """Print the policy in force (from entries that verify) as JSON."""
    from qtrust.workflow.gate import policy_in_force

    try:
        policy = policy_in_force(session(home, store, trusted_keys))
    except InputError as error:
        fail(error)
    if policy is None:
        out.print(
            "No release policy in force: the owner registers one with `qtrust policy register FILE --as OWNER`."
        )
        raise typer.Exit(1)
    doc = {
        "entry": policy.seq,
        "registered_by": policy.registered_by,
        "digest": policy.digest,
        "policy": policy.content,
    }
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    app.command()(gate)
    app.add_typer(policy_app, name="policy")
