"""Write an audit's outputs as one atomic step: a directory appears complete, or not at all.

Files are written into a hidden temporary directory beside the target and renamed into place at the end;
a failure at any point removes the temporary directory, so a crashed or rejected audit never leaves an
output directory that looks complete. An existing *qtrust* output directory is replaced; any other
non-empty directory is left alone and the audit refuses to write.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from qtrust.errors import InputError

RESULTS = "results.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_target(out: Path) -> Path:
    """Fail early (before any work) if ``out`` cannot be written."""
    out = out.expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a directory", where="--out", fix="choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / RESULTS).is_file():
        raise InputError(
            f"{out} is not empty and is not a qtrust output directory",
            where="--out",
            fix="choose a new or empty directory, or remove its contents",
        )
    return out


def write_atomically(
    out: Path, writers: dict[str, Callable[[Path], None]], last: tuple[str, Callable]
) -> dict:
    """Run each ``writers[name](path)`` inside a temporary directory, then ``last`` with the file digests.

    ``last = (name, writer(path, digests))`` writes the file that records the others' sha256 (results.json).
    Returns the digests of every file, the last one included.
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
        if out.exists():
            old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
        return digests
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
