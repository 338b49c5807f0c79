"""``qtrust people | request | approve | approvals``: the roster and the sign-off workflow.

A person acts with ``--as ID``: their own key (from ``<home>/people``, passphrase from
``QTRUST_PERSON_PASSPHRASE`` or a prompt) signs the entry; the log key (``QTRUST_KEY_PASSPHRASE``) adds the
receipt and checkpoint.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.evidence_cmds import HomeOption, StoreOption, fail, out, passphrase, workspace
from qtrust.errors import InputError

people_app = typer.Typer(help="The project's people, their roles and signing keys.", no_args_is_help=True)
request_app = typer.Typer(
    help="Ask for a sign-off: a release, or an experiment on production data.", no_args_is_help=True
)
AsOption = Annotated[str, typer.Option("--as", help="The person acting (their id on the roster).")]


def person_passphrase(*, confirm: bool = False) -> bytes:
    import os

    from qtrust.governance.people import PERSON_PASSPHRASE_ENV

    value = os.environ.get(PERSON_PASSPHRASE_ENV)
    if value:
        return value.encode()
    if sys.stdin.isatty():
        entered = typer.prompt("Your personal passphrase", hide_input=True, confirmation_prompt=confirm)
        if entered:
            return entered.encode()
    raise InputError(
        "no personal passphrase",
        where=PERSON_PASSPHRASE_ENV,
        fix=f"set {PERSON_PASSPHRASE_ENV} (or run in a terminal to be asked)",
    )


def _project_or_new(log, name: str | None):
    from qtrust.governance.people import Project, current_project

    found = current_project(log)
    if found is not None:
        return found[0]
    return Project(name=name or "qtrust-project")


@contextmanager
def signed_action(person_id: str, home, store):
    """The log (with its keys) and the acting person's project and decrypted key, for one signed action."""
    ws = workspace(home, store)
    log = ws.open_log(passphrase())
    with log.store:
        project, key = acting(log, ws, person_id)
        yield log, project, key


def acting(log, ws, person_id: str):
    """(project, the person's decrypted key): refuses anyone not on the roster."""
    from qtrust.governance.people import PersonKeys, current_project

    found = current_project(log)
    if found is None:
        raise InputError(
            "the project has no people yet", where="--as", fix="add them with `qtrust people add`"
        )
    project = found[0]
    project.person(person_id)
    return project, PersonKeys(ws.home).load(person_id, person_passphrase())


@people_app.command("add")
def people_add(
    person_id: Annotated[str, typer.Argument(help="Short id, e.g. alice.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[
        list[str],
        typer.Option("--role", help="owner, researcher, reviewer, approver, legal or auditor (repeatable)."),
    ],
    email: Annotated[str, typer.Option("--email")] = "",
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="Their public key (PEM) if their key lives on their machine."),
    ] = None,
    project_name: Annotated[
        str | None, typer.Option("--project", help="Project name (first person only).")
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Add a person (or change their roles); the new roster is recorded, signed by the log key."""
    from pydantic import ValidationError

    from qtrust.evidence.keys import ED25519, PublicKey, SigningKey
    from qtrust.governance.people import Person, PersonKeys, Project, record_project

    try:
        ws = workspace(home, store)
        log = ws.open_log(passphrase(), create=True)
        with log.store:
            project = _project_or_new(log, project_name)
            existing = {p.id: p for p in project.people}
            new_key = None
            if public_key is not None:
                try:
                    pem = PublicKey.from_pem(Path(public_key).read_bytes()).pem()
                except (OSError, ValueError) as error:
                    raise InputError(
                        f"cannot read the public key: {error}", where="--public-key", fix="pass a PEM file"
                    ) from None
            elif person_id in existing:
                pem = existing[person_id].public_key_pem
            else:  # a new person working on this machine: the key is made here, stored once the roster is valid
                new_key = SigningKey.generate(ED25519)
                pem = new_key.public.pem()
            try:
                person = Person(id=person_id, name=name, email=email, roles=role, public_key_pem=pem)
                others = [p for p in project.people if p.id != person_id]
                candidate = Project(name=project.name, people=[*others, person])
            except ValidationError as error:
                raise InputError(
                    error.errors()[0]["msg"].removeprefix("Value error, "),
                    where=f"people add {person_id}",
                    fix="roles: owner, researcher, reviewer, approver, legal, auditor; exactly one owner",
                ) from None
            if new_key is not None:
                PersonKeys(ws.home).save(person_id, new_key, person_passphrase(confirm=True))
            recorded = record_project(log, candidate)
    except InputError as error:
        fail(error)
    out.print(
        f"Recorded the roster of {candidate.name!r} as entry {recorded.seq}: {person_id} ({', '.join(person.roles)}).",
        highlight=False,
    )


@people_app.command("list")
def people_list(home: HomeOption = None, store: StoreOption = None) -> None:
    """The current roster."""
    from qtrust.governance.people import current_project

    try:
        log = workspace(home, store).open_log()
        with log.store:
            found = current_project(log)
    except InputError as error:
        fail(error)
    if found is None:
        out.print("No people yet: `qtrust people add ID --name NAME --role owner`.")
        return
    project, seq = found
    table = Table("id", "name", "roles", "key id", title=f"{project.name} (roster entry {seq})")
    for p in project.people:
        table.add_row(p.id, p.name, ", ".join(p.roles), p.key.keyid[:23] + "…")
    out.print(table)


def _request(
    kind: str, subject: dict, person_id: str, note: str, policy_path: Path | None, home, store
) -> None:
    from qtrust.governance.approvals import open_request
    from qtrust.policy.policy import load_policy

    try:
        rules = load_policy(policy_path)
        with signed_action(person_id, home, store) as (log, project, key):
            recorded = open_request(log, project, person_id, key, kind, subject, rules, note)
    except InputError as error:
        fail(error)
    roles = ", ".join(getattr(rules.approvals, kind))
    out.print(
        f"Request {recorded.seq} ({kind}) recorded, signed by {person_id}; it needs sign-off by: {roles}.",
        highlight=False,
    )


@request_app.command("release")
def request_release(
    gate: Annotated[int, typer.Option("--gate", help="The entry of a passing `qtrust gate` decision.")],
    as_: AsOption,
    note: Annotated[str, typer.Option("--note")] = "",
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Policy naming the roles (default: qtrust's).")
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Ask for release sign-off of an audited model whose gate passed."""
    _request("release", {"gate": gate}, as_, note, policy, home, store)


@request_app.command("experiment")
def request_experiment(
    dataset: Annotated[str, typer.Option("--dataset", help="The production dataset.")],
    backend: Annotated[str, typer.Option("--backend", help="The quantum backend (provider and device).")],
    as_: AsOption,
    note: Annotated[str, typer.Option("--note")] = "",
    policy: Annotated[Path | None, typer.Option("--policy")] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Ask for approval to run production data on a quantum backend."""
    _request("experiment", {"dataset": dataset, "backend": backend}, as_, note, policy, home, store)


def approve(
    request: Annotated[int, typer.Argument(help="The request's entry number.")],
    as_: AsOption,
    reject: Annotated[bool, typer.Option("--reject", help="Record a rejection instead.")] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Sign off a request in a role it still needs (never your own request)."""
    from qtrust.governance.approvals import approve as sign_off

    try:
        with signed_action(as_, home, store) as (log, project, key):
            recorded, status = sign_off(
                log, project, as_, key, request, decision="reject" if reject else "approve", note=note
            )
    except InputError as error:
        fail(error)
    out.print(
        f"{'Rejection' if reject else 'Approval'} by {as_} recorded as entry {recorded.seq}; request {request} is "
        f"{status.state}"
        + (f" (still needs: {', '.join(status.missing_roles)})" if status.state == "pending" else "")
        + ".",
        highlight=False,
    )


def approvals(
    request: Annotated[int | None, typer.Argument(help="One request; default: all.")] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Every request and where it stands; exit 1 if the one asked for is not approved."""
    from qtrust.governance.approvals import request_status

    try:
        log = workspace(home, store).open_log()
        with log.store:
            seqs = (
                [request]
                if request is not None
                else [e.seq for e, _ in log.statements_of("approval-request")]
            )
            statuses = [request_status(log, s) for s in seqs]
    except InputError as error:
        fail(error)
    table = Table("request", "kind", "by", "state", "signed", "missing")
    for s in statuses:
        signed = ", ".join(f"{role}: {who} (#{seq})" for role, (who, seq) in s.approvals.items())
        table.add_row(
            str(s.seq), s.kind, s.requested_by, s.state, signed or "—", ", ".join(s.missing_roles) or "—"
        )
    out.print(table)
    if request is not None and statuses[0].state != "approved":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
    app.add_typer(request_app, name="request")
    app.command()(approve)
    app.command()(approvals)
