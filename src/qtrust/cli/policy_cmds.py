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
from typing import Annotated, Any

import typer
from rich.table import Table

from qtrust.cli.evidence_cmds import (
    HomeOption,
    StoreOption,
    TrustedOption,
    console,
    fail,
    out,
    passphrase,
    trusted_from,
    workspace,
)
from qtrust.errors import InputError

STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow"}


def _load_results(path: Path):
    from pydantic import ValidationError

    from qtrust.results.schema import AuditResult

    try:
        return AuditResult.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            f"no audit results at {path}",
            where="RESULTS",
            fix="run `qtrust audit` first, or give the path of its results.json",
        ) from None
    except (OSError, ValueError, ValidationError) as error:
        first = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        raise InputError(
            f"{path} is not a qtrust results.json: {first}",
            where="RESULTS",
            fix="give the results.json an audit wrote",
        ) from None


def _provenance(ledger, results_sha256: str):
    """Verified if a verified audit entry names this results.json's sha256 (the newest such entry)."""
    from qtrust.evidence import statements
    from qtrust.policy.gate import Provenance

    found = [
        e.seq
        for e in ledger.of(statements.SLSA_PROVENANCE_V1)
        if any(
            s.get("name") == "results.json" and (s.get("digest") or {}).get("sha256") == results_sha256
            for s in e.statement.get("subject", [])
        )
    ]
    if found:
        return Provenance("verified", f"results.json is the output of audit entry {found[-1]}", found[-1])
    return Provenance(
        "unverified",
        f"no verified audit entry in the evidence log names this results.json (sha256 {results_sha256[:12]}…): "
        "it was edited after the audit, or never recorded",
    )


def _decision_statement(gate, audit_seq: int, results_sha256: str, result) -> dict[str, Any]:
    from qtrust.evidence import statements

    policy = gate.policy
    plan = result.plan
    return statements.statement(
        [
            statements.resource("results.json", results_sha256),
            statements.resource(f"policy:{policy.name}", policy.digest()),
        ],
        statements.GATE_DECISION_V1,
        {
            "decision": "pass" if gate.passed else "fail",
            "audit": {"seq": audit_seq, "results_sha256": results_sha256},
            "plan": {"name": plan.name, "digest": plan.digest, "seq": plan.seq} if plan else None,
            "policy": {
                "name": policy.name,
                "digest": policy.digest(),
                "content": policy.model_dump(mode="json"),
            },
            "counts": gate.counts,
            "checks": [c.to_dict() for c in gate.checks],
            "notes": gate.notes,
        },
    )


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
    from qtrust.audit.outputs import sha256_of
    from qtrust.cli.people_cmds import read_ledger
    from qtrust.evidence.files import write_file_atomically
    from qtrust.policy.gate import Provenance, junit_xml, run_gate
    from qtrust.policy.policy import Policy, load_policy

    recorded = None
    try:
        result = _load_results(results)
        digest = sha256_of(results)
        rules = load_policy(policy) if policy is not None else None
        ws = workspace(home, store)
        log = ws.open_log(passphrase()) if record else (ws.open_log() if ws.has_log() else None)
        try:
            if log is not None:
                ledger = read_ledger(log, ws, trusted_from(trusted_keys, ws.trusted))
                provenance = _provenance(ledger, digest)
                if record and provenance.status != "verified":
                    raise InputError(
                        provenance.detail,
                        where="RESULTS",
                        fix="gate the results.json of a recorded audit (qtrust audit records by default), "
                        "or pass --no-record to judge it unrecorded",
                    )
                in_force = ledger.rule.policy
                if rules is None and in_force is not None:
                    rules = Policy.model_validate(in_force.content)
            else:
                provenance = Provenance("unverified", "there is no evidence log to check the results against")
            rules = rules or load_policy(None)
            outcome = run_gate(result, rules).with_provenance(provenance, required=log is not None)
            if log is not None and record:
                recorded = log.append(_decision_statement(outcome, provenance.audit_seq, digest, result))
        finally:
            if log is not None:
                log.store.close()
        if junit is not None:
            write_file_atomically(junit, junit_xml(outcome))
    except InputError as error:
        fail(error)
    audit_seq = provenance.audit_seq
    if as_json:
        doc = outcome.to_dict() | {"entry": recorded.seq if recorded else None, "audit_entry": audit_seq}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
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
    from qtrust.cli.people_cmds import signed_action
    from qtrust.governance.policies import register_policy
    from qtrust.policy.policy import load_policy

    try:
        rules = load_policy(policy_file)
        with signed_action(as_, home, store) as (log, ledger, key):
            recorded = register_policy(log, ledger, as_, key, rules)
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
    from qtrust.cli.people_cmds import read_ledger

    try:
        ws = workspace(home, store)
        log = ws.open_log()
        with log.store:
            ledger = read_ledger(log, ws, trusted_from(trusted_keys, ws.trusted))
    except InputError as error:
        fail(error)
    policy = ledger.rule.policy
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
