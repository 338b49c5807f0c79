"""``qtrust gate``: judge an audit against a release policy, write JUnit, record the decision.

Exit codes: 0 every check passes; 1 a check fails or is inconclusive; 2 bad input (no results file, an
unknown metric in the policy, results that are not in the evidence log, a wrong passphrase), with nothing
recorded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from qtrust.cli.evidence_cmds import HomeOption, StoreOption, console, fail, out, passphrase, workspace
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


def _audit_entry(log, results_sha256: str) -> int:
    """The evidence entry of the audit that wrote this results.json (matched by its sha256)."""
    found = None
    for entry, doc in log.statements_of("audit"):
        if any(
            s.get("name") == "results.json" and s.get("digest", {}).get("sha256") == results_sha256
            for s in doc.get("subject", [])
        ):
            found = entry.seq
    if found is None:
        raise InputError(
            f"this results.json (sha256 {results_sha256[:12]}…) is not recorded in the evidence log",
            where="RESULTS",
            fix="gate an audit that was recorded (qtrust audit records by default), or pass --no-record",
        )
    return found


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
        Path | None, typer.Option("--policy", help="Policy YAML; default: qtrust's default policy.")
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write the checks as JUnit XML here.")] = None,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="Sign the decision into the evidence log.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON on stdout.")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Judge an audit against a release policy (and its pre-registered plan): exit 0 only if every check passes."""
    from qtrust.audit.outputs import sha256_of
    from qtrust.evidence.files import write_file_atomically
    from qtrust.policy.gate import junit_xml, run_gate
    from qtrust.policy.policy import load_policy

    recorded = None
    try:
        result = _load_results(results)
        rules = load_policy(policy)
        digest = sha256_of(results)
        log = workspace(home, store).open_log(passphrase()) if record else None
        try:
            audit_seq = _audit_entry(log, digest) if log is not None else None
            outcome = run_gate(result, rules)
            if log is not None:
                recorded = log.append(_decision_statement(outcome, audit_seq, digest, result))
        finally:
            if log is not None:
                log.store.close()
        if junit is not None:
            write_file_atomically(junit, junit_xml(outcome))
    except InputError as error:
        fail(error)
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
        sink.print(f"[yellow]note:[/] {note}", highlight=False)
    verdict = "[bold green]PASS[/]" if outcome.passed else "[bold red]FAIL[/]"
    counts = outcome.counts
    tail = f" · decision recorded as entry {recorded.seq} (audit entry {audit_seq})" if recorded else ""
    sink.print(
        f"{verdict}: {counts['pass']} pass, {counts['fail']} fail, {counts['inconclusive']} inconclusive{tail}",
        highlight=False,
    )
    raise typer.Exit(0 if outcome.passed else 1)


def register(app: typer.Typer) -> None:
    app.command()(gate)
