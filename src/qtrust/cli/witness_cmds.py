"""``qtrust witness``: run a witness that cosigns the log's checkpoints only while the log stays append-only.

The witness keeps its own keys (``QTRUST_WITNESS_PASSPHRASE``) and its own memory of each log, ideally on
another machine and run by someone other than the log operator. Auditors pin its ``witness.json`` and pass
it to ``qtrust verify --witness``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import HomeOption, StoreOption, TrustedOption, fail, out, session, witness_passphrase
from qtrust.errors import InputError

witness_app = typer.Typer(
    help="A witness: cosigns checkpoints only if the log still extends what it saw.", no_args_is_help=True
)
DirArgument = Annotated[Path, typer.Argument(help="The witness's directory (its keys and memory).")]


@witness_app.command("init")
def witness_init(
    directory: DirArgument,
    name: Annotated[str, typer.Option("--name", help="A schema-less URL naming the witness.")],
) -> None:
    """Create a witness: an Ed25519 and an ML-DSA-44 key, encrypted, and witness.json for auditors."""
    from qtrust.workflow.witness import create_witness

    try:
        witness = create_witness(directory, name, witness_passphrase)
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
    from qtrust.workflow.witness import cosign_log

    try:
        done = cosign_log(session(home, store), directory, witness_passphrase, trusted_keys)
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
    from qtrust.workflow.witness import witness_state

    try:
        state = witness_state(directory)
    except InputError as error:
        fail(error)
    public, logs = state.public, state.logs
    out.print(f"witness {public.name}", highlight=False)
    for key in (public.ed25519, public.mldsa44):
        out.print(f"  {key.algorithm:<10} {key.keyid}", highlight=False)
    for state in logs:
        out.print(f"  log {state['origin']}: cosigned size {state['size']}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(witness_app, name="witness")
