"""``qtrust witness``: run a witness that cosigns the log's checkpoints only while the log stays append-only.

The witness keeps its own keys (``QTRUST_WITNESS_PASSPHRASE``) and its own memory of each log, ideally on
another machine and run by someone other than the log operator. Auditors pin its ``witness.json`` and pass
it to ``qtrust verify --witness``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.evidence_cmds import (
    HomeOption,
    StoreOption,
    TrustedOption,
    fail,
    out,
    secret,
    trusted_from,
    workspace,
)
from qtrust.errors import InputError

witness_app = typer.Typer(
    help="A witness: cosigns checkpoints only if the log still extends what it saw.", no_args_is_help=True
)
DirArgument = Annotated[Path, typer.Argument(help="The witness's directory (its keys and memory).")]


def witness_passphrase(*, confirm: bool = False) -> bytes:
    """The witness's own passphrase (QTRUST_WITNESS_PASSPHRASE): the log operator never holds it."""
    from qtrust.evidence.witness import WITNESS_PASSPHRASE_ENV

    return secret(WITNESS_PASSPHRASE_ENV, "Witness passphrase", "witness passphrase", confirm=confirm)


@witness_app.command("init")
def witness_init(
    directory: DirArgument,
    name: Annotated[str, typer.Option("--name", help="A schema-less URL naming the witness.")],
) -> None:
    """Create a witness: an Ed25519 and an ML-DSA-44 key, encrypted, and witness.json for auditors."""
    from qtrust.evidence.witness import WitnessDirectory

    try:
        witness = WitnessDirectory.create(directory, name, witness_passphrase(confirm=True))
    except InputError as error:
        fail(error)
    out.print(
        f"Created witness {name!r} in {directory}. Give auditors {witness.key_file} (qtrust verify --witness).",
        highlight=False,
    )


@witness_app.command("cosign")
def witness_cosign(
    directory: DirArgument,
    trusted_keys: TrustedOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Verify the log against what this witness saw before, then cosign its newest checkpoint."""
    from qtrust.evidence.witness import WitnessDirectory
    from qtrust.governance.rules import GovernanceRule

    try:
        witness = WitnessDirectory(directory)
        secret = witness_passphrase()
        trusted = trusted_from(trusted_keys, lambda: None)
        log = workspace(home, store).open_log(writable=True)
        with log.store:
            done = witness.cosign(log, secret, trusted=trusted, rules=[GovernanceRule()])
    except InputError as error:
        fail(error)
    since = (
        f" (it had cosigned size {done.previous_size})"
        if done.previous_size is not None
        else " (first contact)"
    )
    out.print(
        f"Cosigned the checkpoint of size {done.size} of log {done.origin}{since}.",
        highlight=False,
    )


@witness_app.command("show")
def witness_show(directory: DirArgument) -> None:
    """The witness's name and keys, and the last checkpoint it cosigned for each log."""
    import json

    from qtrust.evidence.witness import WitnessDirectory

    try:
        witness = WitnessDirectory(directory)
        public = witness.public()
        states = sorted((witness.path / "logs").glob("*.json")) if (witness.path / "logs").is_dir() else []
        logs = [json.loads(p.read_text(encoding="utf-8")) for p in states]
    except (InputError, OSError, ValueError) as error:
        fail(
            error
            if isinstance(error, InputError)
            else InputError(str(error), where=str(directory), fix="restore it")
        )
    out.print(f"witness {public.name}", highlight=False)
    for key in (public.ed25519, public.mldsa44):
        out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)
    for state in logs:
        out.print(f"  log {state['origin']}: cosigned size {state['size']}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(witness_app, name="witness")
