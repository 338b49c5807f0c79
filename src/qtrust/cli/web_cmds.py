"""``qtrust web``: serve the governance app over this workspace; ``qtrust web account`` manages its logins."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError

PASSWORD_ENV = "QTRUST_WEB_PASSWORD"
web_app = typer.Typer(
    help="The governance web app: audits, gates, sign-offs, incidents and the evidence log in a browser.",
    invoke_without_command=True,
)


@web_app.callback()
def web(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind; keep 127.0.0.1 behind a proxy.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    outputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--outputs", help="Audit output folders to show reports from (repeatable; digests checked)."
        ),
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark cookies Secure (when a proxy serves HTTPS).")
    ] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Serve the app (pages work without JavaScript); people log in with `qtrust web account set`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from qtrust.web.accounts import Accounts
    from qtrust.web.app import create_web_app

    here = session(home, store)
    try:
        if not Accounts(here.workspace.home).ids():
            raise InputError(
                "no web account yet",
                where="--home",
                fix="create one: `qtrust web account set ID` (the person must be on the roster)",
            )
        app = create_web_app(here, secure_cookies=secure_cookies, outputs=outputs or [])
    except InputError as error:
        fail(error)
    out.print(f"qtrust web on http://{host}:{port} over {here.workspace.home}", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


account_app = typer.Typer(
    help="Web logins: one per person on the roster, argon2-hashed.", no_args_is_help=True
)


@account_app.command("set")
def account_set(
    person_id: Annotated[str, typer.Argument(help="The person's id on the roster.")],
    home: HomeOption = None,
) -> None:
    """Create or reset a login; the password comes from $QTRUST_WEB_PASSWORD or a hidden prompt."""
    from qtrust.web.accounts import Accounts

    password = os.environ.get(PASSWORD_ENV) or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        Accounts(session(home, None).workspace.home).set_password(person_id, password)
    except InputError as error:
        fail(error)
    out.print(f"Web login for {person_id} set.", highlight=False)


def register(app: typer.Typer) -> None:
    web_app.add_typer(account_app, name="account")
    app.add_typer(web_app, name="web")
