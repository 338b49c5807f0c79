"""``--model FILE.py:NAME``: bring your own model to the command line (loading: :mod:`qtrust.audit.model_file`)."""

from __future__ import annotations

from typing import Annotated

import typer

from qtrust.audit.model_file import load_supplied

__all__ = ["ModelOption", "load_supplied"]

ModelOption = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        help="Bring your own model: FILE.py:NAME binds a fitted model (or qtrust.Supplied items). Repeatable.",
    ),
]
