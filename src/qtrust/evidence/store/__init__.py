"""Evidence stores: SQLite by default, PostgreSQL for teams, behind one interface."""

from __future__ import annotations

from pathlib import Path

from qtrust.credentials import redact
from qtrust.errors import InputError
from qtrust.evidence.store.base import (
    EvidenceStore,
    LogExistsError,
    StoredCheckpoint,
    StoredCosignature,
    StoredEntry,
)

__all__ = [
    "EvidenceStore",
    "LogExistsError",
    "StoredCheckpoint",
    "StoredCosignature",
    "StoredEntry",
    "open_store",
]


def open_store(location: str | None, home: Path, *, read_only: bool = False) -> EvidenceStore:
    """``None`` → SQLite in ``home``; ``postgresql://…`` → PostgreSQL; ``sqlite:///path`` → that file.

    ``read_only`` opens without creating or changing anything (no directory, file, schema or journal).
    """
    if location is not None and not isinstance(location, str):
        raise InputError(
            f"the store must be a URL string, not {type(location).__name__}",
            where="--store / QTRUST_STORE",
            fix="use postgresql://user@host:port/db (optionally ?schema=name) or sqlite:///path/to/evidence.db",
        )
    if location is None or location == "":
        from qtrust.evidence.store.sqlite import SQLiteStore

        return SQLiteStore(Path(home) / "evidence.db", read_only=read_only)
    if location.startswith(("postgresql://", "postgres://")):
        from qtrust.evidence.store.postgres import PostgresStore

        return PostgresStore(location, read_only=read_only)
    if location.startswith("sqlite:///"):
        from qtrust.evidence.store.sqlite import SQLiteStore

        return SQLiteStore(Path(location.removeprefix("sqlite:///")), read_only=read_only)
    raise InputError(
        f"unknown store {redact(location)!r}",
        where="--store / QTRUST_STORE",
        fix="use postgresql://user@host:port/db (optionally ?schema=name) or sqlite:///path/to/evidence.db",
    )
