"""Evidence stores: SQLite by default, PostgreSQL for teams, behind one interface."""

from __future__ import annotations

from pathlib import Path

from qtrust.errors import InputError
from qtrust.evidence.store.base import EvidenceStore, StoredCheckpoint, StoredEntry

__all__ = ["EvidenceStore", "StoredCheckpoint", "StoredEntry", "open_store"]


def open_store(location: str | None, home: Path) -> EvidenceStore:
    """``None`` → SQLite in ``home``; ``postgresql://…`` → PostgreSQL; ``sqlite:///path`` → that file."""
    if location is None or location == "":
        from qtrust.evidence.store.sqlite import SQLiteStore

        return SQLiteStore(Path(home) / "evidence.db")
    if location.startswith(("postgresql://", "postgres://")):
        from qtrust.evidence.store.postgres import PostgresStore

        return PostgresStore(location)
    if location.startswith("sqlite:///"):
        from qtrust.evidence.store.sqlite import SQLiteStore

        return SQLiteStore(Path(location.removeprefix("sqlite:///")))
    raise InputError(
        f"unknown store {location!r}",
        where="--store / QTRUST_STORE",
        fix="use postgresql://user@host:port/db (optionally ?schema=name) or sqlite:///path/to/evidence.db",
    )
