"""``FILE.py:NAME``: a team's own model, built or loaded by their own Python file.

The file runs with its own directory on ``sys.path`` so it can import its neighbours. ``NAME`` may hold one
model (audited as a candidate named ``NAME``), a :class:`~qtrust.audit.supplied.Supplied`, or a list or dict
of them. The file's sha256 is recorded with the audit, so an auditor can tell whether the file they re-run
is the one that was audited; a sweep member refuses a file whose digest is not the one its client planned.
Used by ``qtrust audit --model`` and by a sweep's ``supplied`` models axis.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qtrust.audit.supplied import Supplied
from qtrust.errors import InputError


def _split(spec: str) -> tuple[Path, str]:
    path_text, sep, name = spec.rpartition(":")
    if not sep or not path_text or not name.isidentifier():
        raise InputError(
            f"--model {spec!r} is not FILE.py:NAME",
            where="--model",
            fix="name the Python file and the variable that holds the fitted model, e.g. model.py:classifier",
        )
    return Path(path_text), name


def _describe(error: BaseException) -> str:
    """``Type: message`` of an exception from the user's code, even one whose ``str()`` fails itself."""
    try:
        message = str(error)
    except Exception:
        message = "(its message cannot be shown)"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _module(path: Path) -> Any:
    if not path.is_file():
        raise InputError(f"{path} does not exist", where="--model", fix="give the path of a Python file")
    module_name = f"qtrust_supplied_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"{path} cannot be imported", where="--model", fix="give a .py file")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except InputError:
        raise
    except SystemExit as error:  # sys.exit() in the file would end qtrust itself, with its exit code
        raise InputError(
            f"running {path} stopped the program (sys.exit({error.code!r})) before it bound a model",
            where="--model",
            fix="remove the sys.exit/exit() call, or put script code under `if __name__ == '__main__':`",
        ) from None
    except Exception as error:  # the user's code failed: say where, keep their message
        raise InputError(
            f"running {path} failed: {_describe(error)}",
            where="--model",
            fix="run the file with python first and fix the error",
        ) from error
    finally:
        if folder in sys.path:  # the file may have edited sys.path itself
            sys.path.remove(folder)
    return module


def file_digest(spec: str) -> str:
    """The sha256 of the Python file ``FILE.py:NAME`` names (what a sweep member holds its worker to)."""
    path, _ = _split(spec)
    if not path.is_file():
        raise InputError(f"{path} does not exist", where="--model", fix="give the path of a Python file")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_supplied(spec: str, expected_sha256: str | None = None) -> list[Supplied]:
    """The supplied models ``FILE.py:NAME`` names, each with the file's path and sha256 as provenance.

    With ``expected_sha256``, a file whose digest differs is refused before any of its code runs.
    """
    path, name = _split(spec)
    if expected_sha256 is not None and file_digest(spec) != expected_sha256:
        raise InputError(
            f"{path} (sha256 {file_digest(spec)[:12]}…) is not the file that was planned ({expected_sha256[:12]}…)",
            where="--model",
            fix="give every worker the same model file the client read",
        )
    module = _module(path)
    if not hasattr(module, name):
        public = sorted(n for n in vars(module) if not n.startswith("_"))
        raise InputError(
            f"{path} defines no {name!r}",
            where="--model",
            fix=f"use one of the names it defines: {', '.join(public[:20]) or 'none'}",
        )
    provenance = {"file": str(path), "name": name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    value = getattr(module, name)
    if isinstance(value, Supplied):
        items = [value]
    elif isinstance(value, Mapping) and value and all(isinstance(v, Supplied) for v in value.values()):
        items = list(value.values())
    elif isinstance(value, list | tuple) and value and all(isinstance(v, Supplied) for v in value):
        items = list(value)
    else:
        items = [Supplied(name, value)]
    for item in items:
        item.provenance = {**provenance, **item.provenance}
    return items
