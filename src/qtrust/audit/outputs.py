"""Write an audit's outputs as one atomic step: a directory appears complete, or not at all.

Files are written into a hidden temporary directory beside the target and renamed into place at the end;
a failure at any point removes the temporary directory, so a crashed or rejected audit never leaves an
output directory that looks complete.

Replacing an existing directory is where an audit could destroy someone's work (notes beside the report, a
``.qtrust/`` folder with signing keys and the evidence log). So qtrust writes a manifest,
``.qtrust-manifest.json``, into every output directory it creates: the name and sha256 of each file it
wrote. A non-empty directory is replaced only if its manifest is valid and it holds exactly the files that
manifest lists, unchanged: no other file, no subdirectory, no link. A file edited since qtrust wrote it
counts as the user's work too, so an edit is refused rather than thrown away. Anything else — a directory
of an earlier qtrust version (no manifest), a folder of the user's — is refused before the audit starts,
and even then only the files the manifest lists are deleted from the replaced directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from qtrust._version import __version__
from qtrust.errors import InputError

RESULTS = "results.json"
#: The file in each output directory that lists what qtrust wrote there.
MANIFEST = ".qtrust-manifest.json"
MANIFEST_FORMAT = "qtrust-output-manifest/v1"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_LISTED = 10
_MOVE_AWAY = "move it away (e.g. rename it) or choose another --out; qtrust replaces only a directory whose files it wrote itself"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f", ... ({len(names)} in all)" if len(names) > _LISTED else "")


def _entry_label(path: Path) -> str:
    return path.name + ("/" if path.is_dir() and not path.is_symlink() else "")


def _is_plain_name(name: object) -> bool:
    return (
        isinstance(name, str)
        and name not in ("", ".", "..", MANIFEST)
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
    )


def read_manifest(out: Path) -> dict[str, str] | None:
    """The files (name → ``sha256:…``) the manifest in ``out`` lists; None if there is no valid manifest."""
    path = out / MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        return None
    files = doc.get("files")
    if not isinstance(files, dict):
        return None
    if not all(_is_plain_name(k) and isinstance(v, str) and _DIGEST.fullmatch(v) for k, v in files.items()):
        return None
    return dict(files)


def _write_manifest(out: Path, files: dict[str, str]) -> None:
    """Write the manifest through a temporary file and a rename, so it is never half written."""
    doc = {
        "format": MANIFEST_FORMAT,
        "written_by": f"qtrust {__version__}",
        "files": dict(sorted(files.items())),
    }
    tmp = out / f"{MANIFEST}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def add_to_manifest(target: Path, name: str) -> None:
    """Record ``target/name`` (written after the audit's outputs, e.g. evidence.json) as qtrust's file.

    Without this the next audit into ``target`` would find a file the manifest does not list and refuse.
    """
    files = read_manifest(target)
    if files is None or not _is_plain_name(name) or not (target / name).is_file():
        raise InputError(
            f"cannot record {name} in {target / MANIFEST}: not a qtrust output directory or no such file",
            where="--out",
            fix="write the audit's outputs with qtrust first",
        )
    _write_manifest(target, files | {name: f"sha256:{sha256_of(target / name)}"})


def _check_replaceable(out: Path) -> None:
    """Refuse unless every entry of the non-empty directory ``out`` is a file qtrust wrote, unchanged."""
    entries = sorted(out.iterdir(), key=lambda p: p.name)
    if not entries:
        return
    files = read_manifest(out)
    if files is None:
        why = (
            f" (it has no valid {MANIFEST}: it may be the output of an earlier qtrust version, which did not "
            "record the files it wrote)"
            if (out / RESULTS).exists()
            else ""
        )
        raise InputError(
            f"{out} is not empty and is not a qtrust output directory{why}; it holds: "
            f"{_listing([_entry_label(p) for p in entries])}",
            where="--out",
            fix=_MOVE_AWAY,
        )
    unexpected = [
        _entry_label(p)
        for p in entries
        if p.name != MANIFEST and (p.name not in files or p.is_symlink() or not p.is_file())
    ]
    if unexpected:
        raise InputError(
            f"{out} holds entries qtrust did not write: {_listing(unexpected)}",
            where="--out",
            fix=f"move those entries out of {out}, or choose another --out",
        )
    edited = [p.name for p in entries if p.name in files and f"sha256:{sha256_of(p)}" != files[p.name]]
    if edited:
        raise InputError(
            f"{out}: {_listing(edited)} changed since qtrust wrote {'it' if len(edited) == 1 else 'them'}",
            where="--out",
            fix=f"move the edited file(s) out of {out}, or choose another --out",
        )


def check_target(out: Path) -> Path:
    """Fail early (before any work) if ``out`` cannot be written or holds anything qtrust did not write."""
    out = out.expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory", where="--out", fix="choose another --out")
    if out.is_dir():
        _check_replaceable(out)
    return out


def _remove_replaced(old: Path) -> None:
    """Delete the files the manifest of the replaced directory lists, then the directory if it is empty.

    Only listed files are deleted: anything that appeared after the check stays, in ``old``, never lost.
    """
    for name in read_manifest(old) or {}:
        (old / name).unlink(missing_ok=True)
    (old / MANIFEST).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something appeared after the check; it stays
        old.rmdir()


def write_atomically(
    out: Path, writers: dict[str, Callable[[Path], None]], last: tuple[str, Callable]
) -> dict:
    """Run each ``writers[name](path)`` inside a temporary directory, then ``last`` with the file digests.

    ``last = (name, writer(path, digests))`` writes the file that records the others' sha256 (results.json).
    The manifest is written last of all. Returns the digests of every file the caller named (the manifest is
    qtrust's bookkeeping, not an output, and changes when evidence.json is added).
    """
    out = check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the finished directory gets normal permissions
    try:
        digests = {}
        for name, writer in writers.items():
            writer(tmp / name)
            digests[name] = sha256_of(tmp / name)
        last_name, last_writer = last
        last_writer(tmp / last_name, digests)
        digests[last_name] = sha256_of(tmp / last_name)
        _write_manifest(tmp, {name: f"sha256:{digest}" for name, digest in digests.items()})
        check_target(out)  # again: the audit took minutes, and someone may have put a file there since
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
            tmp.rename(out)
            _remove_replaced(old)
        else:
            tmp.rename(out)
        return digests
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
