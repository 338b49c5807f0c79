"""What every ``qtrust`` command shares: the options, the consoles, secrets from the environment or a
prompt, a :class:`~qtrust.workflow.session.Session` built from them, and one way to fail.

Exit codes as everywhere in qtrust: 0 done, 1 a check failed (a gate, a verification, a reproduction),
2 bad input — one line saying what, where and how to fix it — with nothing half-written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from qtrust.errors import InputError
from qtrust.evidence.keys import PASSPHRASE_ENV
from qtrust.evidence.witness import WITNESS_PASSPHRASE_ENV
from qtrust.governance.people import PERSON_PASSPHRASE_ENV
from qtrust.workflow.session import Session

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
AsOption = Annotated[str, typer.Option("--as", help="The person acting (their id on the roster).")]


def fail(error: InputError) -> NoReturn:
    console.print(f"[bold red]error:[/] {error.one_line()}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _from_env_or_prompt(env: str, prompt: str):
    """A passphrase source: the variable if set, else a hidden prompt on a terminal, else None. Never a
    command-line flag: flags end up in shell history and process listings."""

    def source(confirm: bool = False) -> bytes | None:
        value = os.environ.get(env)
        if value:
            return value.encode("utf-8")
        if sys.stdin.isatty():
            entered = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
            return entered.encode("utf-8") if entered else None
        return None

    return source


log_passphrase = _from_env_or_prompt(PASSPHRASE_ENV, "Key passphrase")
person_passphrase = _from_env_or_prompt(PERSON_PASSPHRASE_ENV, "Your personal passphrase")
witness_passphrase = _from_env_or_prompt(WITNESS_PASSPHRASE_ENV, "Witness passphrase")


def env_log_passphrase(confirm: bool = False) -> bytes | None:
    """The log passphrase only if the environment holds it: first use never prompts (see `qtrust audit`)."""
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def session(home: Path | None, store: str | None, trusted_keys: Path | None = None) -> Session:
    """The session of this command line: its home and store, secrets from the environment or a prompt."""
    return Session.at(
        home,
        store,
        log_passphrase=log_passphrase,
        person_passphrase=person_passphrase,
        trusted_keys=trusted_keys,
    )
