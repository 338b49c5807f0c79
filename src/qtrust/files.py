"""Files qtrust writes and reads: atomic writes (a file appears complete, with its final mode, or not at all),
and reads of a file the user named that fail as one line saying which option it came from (a ground-layer leaf).

Written to a temporary name in the same directory (created with the final mode, so a private key is never
readable by others even for a moment), fsynced, then renamed over the target; any failure removes the
temporary file and leaves an existing target untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qtrust.errors import InputError


def write_file_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_named_file(path: Path | str, *, where: str, fix: str) -> bytes:
    """The bytes of a file the user passed with ``where``; an unreadable one is an :class:`InputError`."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error}", where=where, fix=fix) from None
