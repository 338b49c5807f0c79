"""``qtrust people | request | approve | approvals``: the roster and the sign-off workflow.

A person makes their key on their own machine (``people keygen``, under their own passphrase from
``QTRUST_PERSON_PASSPHRASE`` or a prompt) and acts with ``--as ID``: their key signs the entry. The log key
(``QTRUST_KEY_PASSPHRASE``) only appends it and adds the receipt and checkpoint; it cannot sign for anyone,
and it cannot change the roster after the first one. Statuses are read from entries that verify.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.evidence_cmds import HomeOption, StoreOption, fail, out, passphrase, secret, workspace
from qtrust.errors import InputError

people_app = typer.Typer(help="The project's people, their roles and signing keys.", no_args_is_help=True)
request_app = typer.Typer(
    help="Ask for a sign-off: a release, or an experiment on production data.", no_args_is_help=True
)
AsOption = Annotated[str, typer.Option("--as", help="The person acting (their id on the roster).")]


def person_passphrase(*, confirm: bool = False) -> bytes:
    """The acting person's own passphrase (QTRUST_PERSON_PASSPHRASE), never the log key's."""
    from qtrust.governance.people import PERSON_PASSPHRASE_ENV

    return secret(PERSON_PASSPHRASE_ENV, "Your personal passphrase", "personal passphrase", confirm=confirm)


def read_ledger(log, ws, trusted=None):
    """The log read through the verifier with the governance rules, trusting the workspace keyring."""
    from qtrust.governance.entries import read_log

    return read_log(log, trusted if trusted is not None else ws.trusted())


@contextmanager
def signed_action(person_id: str, home, store, *, create: bool = False):
    """(log with its keys, the verified ledger, the acting person's decrypted key), for one signed action."""
    from qtrust.governance.people import PersonKeys

    ws = workspace(home, store)
    key = PersonKeys(ws.home).load(person_id, person_passphrase())  # a wrong personal passphrase fails first
    log = ws.open_log(passphrase(), create=create)
    with log.store:
        yield log, read_ledger(log, ws), key


@people_app.command("keygen")
def people_keygen(
    person_id: Annotated[str, typer.Argument(help="Your id on the roster, e.g. alice.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace your key: the old one endorses the new one.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Make your signing key on your own machine, under your own passphrase; give the owner the claim file."""
    from qtrust.governance.people import PersonKeys

    try:
        keys = PersonKeys(workspace(home, None).home)
        keys.keygen(person_id, person_passphrase(confirm=not replace), replace=replace)
    except InputError as error:
        fail(error)
    out.print(
        f"Made {person_id}'s key in {keys.key_file(person_id)} (encrypted with your passphrase).\n"
        f"Give the owner {keys.claim_file(person_id)} (public key and key claim; nothing secret):\n"
        f"  qtrust people add {person_id} --name NAME --role ROLE --key {keys.claim_file(person_id).name} --as OWNER"
        + ("\nThe claim carries your old key's endorsement, so the owner can re-key you." if replace else ""),
        highlight=False,
    )


def _claim(path: Path | None, ws, person_id: str):
    from qtrust.governance.people import ClaimFile, PersonKeys

    if path is not None:
        return ClaimFile.read(path)
    local = PersonKeys(ws.home).claim_file(person_id)
    return ClaimFile.read(local) if local.is_file() else None


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
    from qtrust.governance.roster import add_person

    try:
        ws = workspace(home, store)
        claim = _claim(key, ws, person_id)
        with signed_action(as_, home, store, create=True) as (log, ledger, acting_key):
            recorded, person = add_person(
                log,
                ledger,
                as_,
                acting_key,
                person_id=person_id,
                name=name,
                roles=role,
                email=email,
                claim=claim,
                project_name=project_name,
            )
            project_name = ledger.rule.project.name
    except InputError as error:
        fail(error)
    out.print(
        f"Recorded the roster of {project_name!r} as entry {recorded.seq}, signed by {as_}: "
        f"{person_id} ({', '.join(person.roles)}).",
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
    from qtrust.governance.roster import remove_person

    try:
        with signed_action(as_, home, store) as (log, ledger, acting_key):
            recorded = remove_person(log, ledger, as_, acting_key, person_id, revoke_reason=revoke)
    except InputError as error:
        fail(error)
    revoked = " and revoked their key" if revoke else ""
    out.print(f"Removed {person_id}{revoked}: roster entry {recorded.seq}.", highlight=False)


@people_app.command("transfer")
def people_transfer(
    new_owner: Annotated[str, typer.Argument(help="The person who becomes the owner.")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Hand over ownership of the project (the current owner signs)."""
    from qtrust.governance.roster import transfer_ownership

    try:
        with signed_action(as_, home, store) as (log, ledger, acting_key):
            recorded = transfer_ownership(log, ledger, as_, acting_key, new_owner)
    except InputError as error:
        fail(error)
    out.print(f"{new_owner} owns the project from roster entry {recorded.seq}.", highlight=False)


@people_app.command("list")
def people_list(home: HomeOption = None, store: StoreOption = None) -> None:
    """The roster in force (from entries that verify)."""
    try:
        ws = workspace(home, store)
        log = ws.open_log()
        with log.store:
            ledger = read_ledger(log, ws)
    except InputError as error:
        fail(error)
    project = ledger.rule.project
    if project is None:
        out.print(
            "No people yet: `qtrust people keygen ID`, then `qtrust people add ID --name NAME --role owner --as ID`."
        )
        return
    table = Table(
        "id", "name", "roles", "key id", title=f"{project.name} (roster entry {ledger.rule.project_seq})"
    )
    for p in project.people:
        table.add_row(p.id, p.name, ", ".join(p.roles), p.key.keyid[:23] + "…")
    out.print(table)
    policy = ledger.rule.policy
    out.print(
        f"Release policy in force: {policy.name!r} (entry {policy.seq}, registered by {policy.registered_by})"
        if policy
        else "No release policy in force: the owner registers one with `qtrust policy register`.",
        highlight=False,
    )


def _request(kind: str, subject: dict, person_id: str, note: str, home, store) -> None:
    from qtrust.governance.approvals import open_request

    try:
        with signed_action(person_id, home, store) as (log, ledger, key):
            recorded = open_request(log, ledger, person_id, key, kind, subject, note)
            roles = ", ".join(ledger.rule.policy.roles(kind))
    except InputError as error:
        fail(error)
    out.print(
        f"Request {recorded.seq} ({kind}) recorded, signed by {person_id}; it needs sign-off by: {roles}.",
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
    _request("release", {"gate": gate}, as_, note, home, store)


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
    _request("experiment", {"dataset": dataset, "backend": backend}, as_, note, home, store)


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
        with signed_action(as_, home, store) as (log, ledger, key):
            recorded, status = sign_off(
                log, ledger, as_, key, request, decision="reject" if reject else "approve", note=note
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
    """Every request and where it stands, from entries that verify; exit 1 if the one asked for is not approved."""
    from qtrust.governance.approvals import request_status

    try:
        ws = workspace(home, store)
        log = ws.open_log()
        with log.store:
            ledger = read_ledger(log, ws)
            statuses = (
                [request_status(ledger, request)]
                if request is not None
                else list(ledger.rule.requests.values())
            )
    except InputError as error:
        fail(error)
    table = Table("request", "kind", "by", "state", "signed", "missing")
    for s in statuses:
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
    ignored = [
        (e.seq, reason)
        for e, reason in ledger.rejected
        if e.predicate_type.endswith(("/approval/v1", "/approval-request/v1", "/project/v1", "/policy/v1"))
    ]
    for seq, reason in ignored:
        out.print(
            f"[yellow]not counted:[/] entry {seq} does not verify: {reason}", highlight=False, soft_wrap=True
        )
    if request is not None and statuses[0].state != "approved":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
    app.add_typer(request_app, name="request")
    app.command()(approve)
    app.command()(approvals)
