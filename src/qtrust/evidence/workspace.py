"""Where evidence lives for a command: the home directory (keys, default store) and the store URL.

State lives in ``.qtrust/`` under the current directory unless ``--home`` or ``QTRUST_HOME`` names
another; the log is the SQLite file ``<home>/evidence.db`` unless ``--store`` or ``QTRUST_STORE`` names a
PostgreSQL URL. Keys always live in ``<home>/keys``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.evidence.keys import PASSPHRASE_ENV, KeyDirectory, LogKeys, TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.store import EvidenceStore, open_store

HOME_ENV = "QTRUST_HOME"
STORE_ENV = "QTRUST_STORE"


@dataclass(frozen=True)
class Workspace:
    home: Path
    store_url: str | None

    @classmethod
    def resolve(cls, home: Path | None = None, store: str | None = None) -> Workspace:
        home = home or (Path(os.environ[HOME_ENV]) if os.environ.get(HOME_ENV) else Path.cwd() / ".qtrust")
        return cls(Path(home).expanduser().resolve(), store or os.environ.get(STORE_ENV) or None)

    @property
    def keys(self) -> KeyDirectory:
        return KeyDirectory(self.home / "keys")

    def open_store(self) -> EvidenceStore:
        return open_store(self.store_url, self.home)

    def open_log(self, passphrase: bytes | None = None, *, create: bool = False) -> EvidenceLog:
        """The log for reading (no passphrase) or for writing (the keys are decrypted first).

        ``create``: a writer with keys may start the log in an empty store (a team's new PostgreSQL
        database, say); the log-init entry then names these keys.
        """
        keys = self.keys.load(passphrase) if passphrase is not None else None
        starting = create and keys is not None
        if self.store_url is None and not (self.home / "evidence.db").exists() and not starting:
            raise InputError(
                f"no evidence log in {self.home}",
                where="--home / QTRUST_HOME",
                fix="run `qtrust keys init` first, or point --home at the directory that holds .qtrust state",
            )
        store = self.open_store()
        try:
            if starting and store.origin() is None:
                return EvidenceLog.create(store, keys)
            return EvidenceLog(store, keys)
        except BaseException:
            store.close()
            raise

    def trusted(self) -> TrustedKeys:
        return self.keys.trusted()

    def init(self, passphrase: bytes) -> tuple[EvidenceLog, LogKeys]:
        """Create the keys and start the log; on any failure nothing is left behind."""
        if self.keys.exists():
            raise InputError(
                f"signing keys already exist in {self.keys.path}",
                where="keys init",
                fix="use `qtrust keys rotate` to replace them (the rotation is recorded in the log)",
            )
        keys = LogKeys.generate()
        store = self.open_store()  # an unreachable store fails here, before any key is written
        if store.origin() is not None and store.size() > 0:
            store.close()
            raise InputError(
                f"the store {store.location} already holds a log",
                where="--store / QTRUST_STORE",
                fix="use that log's keys (copy its keys directory here), or choose another store or ?schema=",
            )
        created_dir = not self.keys.path.exists()
        try:
            self.keys.create(passphrase, keys)
            log = EvidenceLog.create(store, keys)
        except BaseException:
            store.close()
            if created_dir:
                shutil.rmtree(self.keys.path, ignore_errors=True)
            raise
        return log, keys


def passphrase_from_env() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None
