"""``qtrust people | request | approve | approvals``: the roster and the sign-off workflow.

A person makes their key on their own machine (``people keygen``, under their own passphrase from
``QTRUST_PERSON_PASSPHRASE`` or a prompt) and acts with ``--as ID``: their key signs the entry. The log key
(``QTRUST_KEY_PASSPHRASE``) only appends it and adds the receipt and checkpoint; it cannot sign for anyone,
and it cannot change the roster after the first one. Statuses are read from entries that verify.

Each command parses its arguments, makes one call into :mod:`qtrust.workflow.people` or
:mod:`qtrust.workflow.signoff`, and prints what it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import AsOption, HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError
from qtrust.workflow import people, signoff

people_app = typer.Typer(help="The project's people, their roles and signing keys.", no_args_is_help=True)
request_app = typer.Typer(
    help="Ask for a sign-off: a release, or an experiment on production data.", no_args_is_help=True
)


@people_app.command("keygen")
def people_keygen(
    person_id: Annotated[str, typer.Argument(help="Your id on the roster, e.g. alice.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace your key: the old one endorses the new one.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Make your signing key on your own machine, under your own passphrase; give the owner the claim file."""
    try:
        made = people.keygen(session(home, None), person_id, replace=replace)
    except InputError as error:
        fail(error)
    out.print(
        f"Made {person_id}'s key in {made.key_file} (encrypted with your passphrase).\n"
        f"Give the owner {made.claim_file} (public key and key claim; nothing secret):\n"
        f"  qtrust people add {person_id} --name NAME --role ROLE --key {made.claim_file.name} --as OWNER"
        + ("\nThe claim carries your old key's endorsement, so the owner can re-key you." if replace else ""),
        highlight=False,
    )


@people_app.command("add")
def people_add(
    person_id: Annotated[str, typer.Argument(help="Short id, e.g. alice.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[
        list[str],
        typer.Option("--role", help="owner, researcher, reviewer, approver, legal or auditor (repeatable)."),
    ],
    as_: AsOption,
    email: Annotated[str, typer.Option("--email")] = "",
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="Their key claim (ID.claim.json from `qtrust people keygen ID` on their machine). "
            "Default: the one in this home, if they made their key here.",
        ),
    ] = None,
    project_name: Annotated[
        str | None, typer.Option("--project", help="Project name (first person only).")
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Add a person, or change their roles or key; the owner signs the new roster (the first: the log key too)."""
    try:
        added = people.add_person(
            session(home, store),
            as_,
            person_id=person_id,
            name=name,
            roles=role,
            email=email,
            claim=key,
            project_name=project_name,
        )
    except InputError as error:
        fail(error)
    out.print(
        f"Recorded the roster of {added.project_name!r} as entry {added.seq}, signed by {as_}: "
        f"{person_id} ({', '.join(added.person.roles)}).",
        highlight=False,
    )


@people_app.command("remove")
def people_remove(
    person_id: Annotated[str, typer.Argument(help="Who leaves the project.")],
    as_: AsOption,
    revoke: Annotated[
        str | None,
        typer.Option(
            "--revoke", help="Also revoke their key for good, with this reason (lost, stolen, ...)."
        ),
    ] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Take a person off the roster (the owner signs); their key no longer signs anything."""
    try:
        removed = people.remove_person(session(home, store), as_, person_id, revoke_reason=revoke)
    except InputError as error:
        fail(error)
    revoked = " and revoked their key" if removed.revoked else ""
    out.print(f"Removed {person_id}{revoked}: roster entry {removed.seq}.", highlight=False)


@people_app.command("transfer")
def people_transfer(
    new_owner: Annotated[str, typer.Argument(help="The person who becomes the owner.")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Hand over ownership of the project (the current owner signs)."""
    try:
        moved = people.transfer_ownership(session(home, store), as_, new_owner)
    except InputError as error:
        fail(error)
    out.print(f"{new_owner} owns the project from roster entry {moved.seq}.", highlight=False)


@people_app.command("list")
def people_list(home: HomeOption = None, store: StoreOption = None) -> None:
    """The roster in force (from entries that verify)."""
    try:
        roster = people.roster(session(home, store))
    except InputError as error:
        fail(error)
    project = roster.project
    if project is None:
        out.print(
            "No people yet: `qtrust people keygen ID`, then `qtrust people add ID --name NAME --role owner --as ID`."
        )
        return
    table = Table(
        "id", "name", "roles", "key id", title=f"{project.name} (roster entry {roster.project_seq})"
    )
    for p in project.people:
        table.add_row(p.id, p.name, ", ".join(p.roles), p.key.keyid[:23] + "…")
    out.print(table)
    policy = roster.policy
    out.print(
        f"Release policy in force: {policy.name!r} (entry {policy.seq}, registered by {policy.registered_by})"
        if policy
        else "No release policy in force: the owner registers one with `qtrust policy register`.",
        highlight=False,
    )


def _print_request(opened: signoff.RequestOpened) -> None:
    out.print(
        f"Request {opened.seq} ({opened.kind}) recorded, signed by {opened.requested_by}; "
        f"it needs sign-off by: {', '.join(opened.needs)}.",
        highlight=False,
    )


@request_app.command("release")
def request_release(
    gate: Annotated[int, typer.Option("--gate", help="The entry of a passing `qtrust gate` decision.")],
    as_: AsOption,
    note: Annotated[str, typer.Option("--note")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Ask for release sign-off of an audited model whose gate passed under the policy in force."""
    try:
        opened = signoff.request_release(session(home, store), as_, gate, note)
    except InputError as error:
        fail(error)
    _print_request(opened)


@request_app.command("experiment")
def request_experiment(
    dataset: Annotated[str, typer.Option("--dataset", help="The production dataset.")],
    backend: Annotated[str, typer.Option("--backend", help="The quantum backend (provider and device).")],
    as_: AsOption,
    note: Annotated[str, typer.Option("--note")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Ask for approval to run production data on a quantum backend."""
    try:
        opened = signoff.request_experiment(session(home, store), as_, dataset, backend, note)
    except InputError as error:
        fail(error)
    _print_request(opened)


def approve(
    request: Annotated[int, typer.Argument(help="The request's entry number.")],
    as_: AsOption,
    reject: Annotated[bool, typer.Option("--reject", help="Record a rejection instead.")] = False,
    note: Annotated[str, typer.Option("--note")] = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Sign off a request in a role it still needs (never your own request)."""
    try:
        signed = signoff.approve(session(home, store), as_, request, reject=reject, note=note)
    except InputError as error:
        fail(error)
    still = f" (still needs: {', '.join(signed.missing_roles)})" if signed.state == "pending" else ""
    out.print(
        f"{'Rejection' if reject else 'Approval'} by {as_} recorded as entry {signed.seq}; "
        f"request {request} is {signed.state}{still}.",
        highlight=False,
    )


def approvals(
    request: Annotated[int | None, typer.Argument(help="One request; default: all.")] = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Every request and where it stands, from entries that verify; exit 1 if the one asked for is not approved."""
    try:
        found = signoff.approvals(session(home, store), request)
    except InputError as error:
        fail(error)
    table = Table("request", "kind", "by", "state", "signed", "missing")
    for s in found.requests:
        signed = ", ".join(f"{role}: {who} (#{seq})" for role, (who, seq) in s.approvals.items())
        rejected = ", ".join(f"rejected by {who} as {role} (#{seq})" for who, role, seq in s.rejections)
        table.add_row(
            str(s.seq),
            s.kind,
            s.requested_by,
            s.state,
            "; ".join(x for x in (signed, rejected) if x) or "—",
            ", ".join(s.missing_roles) or "—",
        )
    out.print(table)
    for ignored in found.not_counted:
        out.print(
            f"[yellow]not counted:[/] entry {ignored.seq} does not verify: {ignored.reason}",
            highlight=False,
            soft_wrap=True,
        )
    if request is not None and not found.approved:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
    app.add_typer(request_app, name="request")
    app.command()(approve)
    app.command()(approvals)
