"""Local accounts of the web app: one per person on the roster, an argon2 password hash at rest.

An account only lets a person *in*; what they may do comes from the signed roster (their roles), and what
they sign is signed with their own key, decrypted with their personal passphrase at the moment they sign
(step-up) — the web password never unlocks a key. The file is written atomically, readable by the server's
user only.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qtrust.errors import InputError
from qtrust.files import write_file_atomically

FILE = "web-accounts.json"
MIN_PASSWORD = 12
_HASHER = PasswordHasher()  # argon2id with the library's current parameters
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class Accounts:
    def __init__(self, home: Path) -> None:
        self.path = Path(home) / FILE

    def _read(self) -> dict[str, str]:
        if not self.path.is_file():
            return {}
        try:
            return dict(json.loads(self.path.read_text()))
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot read {self.path}: {error}", where=str(self.path), fix="restore it from a backup"
            ) from None

    def set_password(self, person_id: str, password: str) -> None:
        """Create or reset ``person_id``'s account (the person must also be on the roster to log in)."""
        if not _ID.fullmatch(person_id):
            raise InputError(f"{person_id!r} is not a person id", where="ID", fix="the id on the roster")
        if len(password) < MIN_PASSWORD:
            raise InputError(
                f"the password has {len(password)} characters",
                where="password",
                fix=f"at least {MIN_PASSWORD}",
            )
        accounts = self._read() | {person_id: _HASHER.hash(password)}
        write_file_atomically(self.path, (json.dumps(accounts, indent=2, sort_keys=True) + "\n").encode())
        os.chmod(self.path, 0o600)

    def check(self, person_id: str, password: str) -> bool:
        """Whether the password is ``person_id``'s; a stored hash with old parameters is upgraded."""
        accounts = self._read()
        stored = accounts.get(person_id)
        if stored is None:
            _HASHER.hash(password)  # the same work as a real check: no timing hint that the id is unknown
            return False
        try:
            _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        if _HASHER.check_needs_rehash(stored):
            self.set_password(person_id, password)
        return True

    def ids(self) -> list[str]:
        return sorted(self._read())
