"""Where evidence lives for a command: the home directory (keys, default store) and the store URL.

State lives in ``.qtrust/`` under the current directory unless ``--home`` or ``QTRUST_HOME`` names
another; the log is the SQLite file ``<home>/evidence.db`` unless ``--store`` or ``QTRUST_STORE`` names a
PostgreSQL URL. Keys always live in ``<home>/keys``.

Readers (no passphrase) open the store read-only and create nothing, so an auditor with read access only
can verify. First use (``keys init``, or the first recorded audit) runs under a lock file in the home and
starts the log in one store transaction: concurrent first uses give one keyring and one log-init entry
that names it, never two.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.evidence.keys import KeyDirectory, LogKeys, TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.store import EvidenceStore, LogExistsError, open_store

HOME_ENV = "QTRUST_HOME"
STORE_ENV = "QTRUST_STORE"
LOCK_FILE = ".init.lock"
_HELD: dict[Path, int] = {}  # lock files this process holds, with their depth (the lock is re-entrant)


def _check_home(home: Path) -> Path:
    if home.exists() and not home.is_dir():
        raise InputError(
            f"the state directory {home} is a file, not a directory",
            where="--home / QTRUST_HOME",
            fix="point --home / QTRUST_HOME at a directory (it is created on first use)",
        )
    return home


@dataclass(frozen=True)
class Workspace:
    home: Path
    store_url: str | None

    @classmethod
    def resolve(cls, home: Path | None = None, store: str | None = None) -> Workspace:
        home = home or (Path(os.environ[HOME_ENV]) if os.environ.get(HOME_ENV) else Path.cwd() / ".qtrust")
        try:
            resolved = Path(home).expanduser().resolve()
        except (OSError, RuntimeError) as error:
            raise InputError(
                f"cannot use {home} as the state directory: {error}",
                where="--home / QTRUST_HOME",
                fix="point it at a directory you can read and write",
            ) from None
        return cls(_check_home(resolved), store or os.environ.get(STORE_ENV) or None)

    @property
    def keys(self) -> KeyDirectory:
        return KeyDirectory(self.home / "keys")

    def has_log(self) -> bool:
        """Whether a log may exist here (a PostgreSQL store is asked when opened)."""
        return self.store_url is not None or (self.home / "evidence.db").is_file()

    def open_store(self, *, read_only: bool = False) -> EvidenceStore:
        return open_store(self.store_url, self.home, read_only=read_only)

    def open_log(
        self, passphrase: bytes | None = None, *, create: bool = False, writable: bool | None = None
    ) -> EvidenceLog:
        """The log for reading (no passphrase: opened read-only) or for writing (the keys are decrypted first).

        ``create``: a writer with keys may start the log in an empty store (a team's new PostgreSQL
        database, say); the log-init entry then names these keys. ``writable`` forces a writable store
        without keys (a witness appends cosignatures, which need no log key).
        """
        keys = self.keys.load(passphrase) if passphrase is not None else None
        starting = create and keys is not None
        if not self.has_log() and not starting:
            raise InputError(
                f"no evidence log in {self.home}",
                where="--home / QTRUST_HOME",
                fix="run `qtrust keys init` first, or point --home at the directory that holds .qtrust state",
            )
        read_only = not (keys is not None or writable)
        store = self.open_store(read_only=read_only)
        try:
            if starting and store.origin() is None:
                with self._init_lock():
                    try:
                        return EvidenceLog.create(store, keys)
                    except LogExistsError:
                        pass  # another writer started it with these same keys a moment ago
            return EvidenceLog(store, keys)
        except BaseException:
            store.close()
            raise

    def trusted(self) -> TrustedKeys:
        return self.keys.trusted()

    @contextmanager
    def _init_lock(self) -> Iterator[None]:
        """An exclusive lock on ``<home>/.init.lock`` for first use; re-entrant within one process."""
        path = self.home / LOCK_FILE
        if _HELD.get(path):
            _HELD[path] += 1
            try:
                yield
            finally:
                _HELD[path] -= 1
            return
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            handle = (self.home / LOCK_FILE).open("a")
        except OSError as error:
            raise InputError(
                f"cannot write the state directory {self.home}: {error.strerror or error}",
                where="--home / QTRUST_HOME",
                fix="point --home / QTRUST_HOME at a directory you can write",
            ) from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            _HELD[path] = 1
            try:
                yield
            finally:
                _HELD.pop(path, None)
                fcntl.flock(handle, fcntl.LOCK_UN)

    def init(self, passphrase: bytes) -> tuple[EvidenceLog, LogKeys]:
        """Create the keys and start the log, once; on any failure nothing of ours is left behind."""
        with self._init_lock():
            return self._init_locked(passphrase)

    def _init_locked(self, passphrase: bytes) -> tuple[EvidenceLog, LogKeys]:
        if self.keys.exists():
            raise InputError(
                f"signing keys already exist in {self.keys.path}",
                where="keys init",
                fix="use `qtrust keys rotate` to replace them (the rotation is recorded in the log)",
            )
        keys = LogKeys.generate()
        store = self.open_store()  # an unreachable store fails here, before any key is written
        created_dir = not self.keys.path.exists()
        try:
            if store.origin() is not None:
                raise LogExistsError(
                    f"the store {store.location} already holds a log",
                    where="--store / QTRUST_STORE",
                    fix="use that log's keys (copy its keys directory here), or choose another store or ?schema=",
                )
            self.keys.create(passphrase, keys)
            log = EvidenceLog.create(store, keys)
        except BaseException:
            store.close()
            if created_dir:
                shutil.rmtree(self.keys.path, ignore_errors=True)
            raise
        return log, keys

    def init_or_open(self, passphrase: bytes) -> tuple[EvidenceLog, bool]:
        """The log for writing, creating keys and log on first use: (log, whether this call created them)."""
        with self._init_lock():
            if self.keys.exists():
                return self.open_log(passphrase, create=True), False
            return self._init_locked(passphrase)[0], True
