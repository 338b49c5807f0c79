"""Who acts, and where: the evidence workspace, how secrets are obtained, and which keys are trusted.

Every recorded operation needs the same few things — the evidence home or store, the log key's passphrase
when it writes, a person's passphrase when they sign, the public keys a reader trusts — and each shell gets
them differently: the CLI from the environment or a hidden prompt, a server from its secret store, a test
from a constant. A :class:`Session` carries them as callables, so the operations in :mod:`qtrust.workflow`
never prompt, print or exit, and any shell can call them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.evidence.keys import PASSPHRASE_ENV, SigningKey, TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.workspace import Workspace
from qtrust.governance.entries import LogEntries, read_log
from qtrust.governance.people import PERSON_PASSPHRASE_ENV, PersonKeys

#: ``source(confirm)``: the passphrase, or None where none is available (no variable set, no terminal).
#: ``confirm`` asks a prompting shell to have it typed twice (a new key is being encrypted with it).
PassphraseSource = Callable[[bool], bytes | None]


def no_passphrase(confirm: bool = False) -> None:
    """A source that never has one: read-only sessions."""
    return None


def require_passphrase(
    source: PassphraseSource, what: str, env: str, *, confirm: bool = False, also: str = ""
) -> bytes:
    """The passphrase ``source`` gives, or the one-line error naming the variable that would give it."""
    value = source(confirm)
    if not value:
        raise InputError(f"no {what}", where=env, fix=f"set {env} (or run in a terminal to be asked){also}")
    return value


def read_trusted_keys(path: Path | str) -> TrustedKeys:
    """Public keys an auditor pinned (a file from `qtrust keys export`)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(
            f"cannot read the trust file: {error}",
            where="--trusted-keys",
            fix="pass a file from `qtrust keys export`",
        ) from None
    return TrustedKeys.from_json(doc, where=str(path))


@dataclass
class Session:
    """The evidence workspace plus the means to open it: passphrases on demand, the keys a reader trusts."""

    workspace: Workspace
    log_passphrase: PassphraseSource = no_passphrase
    person_passphrase: PassphraseSource = no_passphrase
    trusted_keys: Path | None = None  # pinned public keys; None: the workspace's own keyring

    @classmethod
    def at(
        cls,
        home: Path | None = None,
        store: str | None = None,
        *,
        log_passphrase: PassphraseSource = no_passphrase,
        person_passphrase: PassphraseSource = no_passphrase,
        trusted_keys: Path | None = None,
    ) -> Session:
        """The session of a home directory (default ``$QTRUST_HOME`` or ``./.qtrust``) and store URL."""
        return cls(Workspace.resolve(home, store), log_passphrase, person_passphrase, trusted_keys)

    def log_key_passphrase(self, *, confirm: bool = False) -> bytes:
        """The log key's passphrase, or a one-line error saying how to give it."""
        return require_passphrase(
            self.log_passphrase,
            "key passphrase",
            PASSPHRASE_ENV,
            confirm=confirm,
            also="; `qtrust audit` and `qtrust gate` also take --no-record",
        )

    def personal_key(self, person_id: str) -> SigningKey:
        """``person_id``'s own key, decrypted with their passphrase (never the log key's)."""
        value = require_passphrase(self.person_passphrase, "personal passphrase", PERSON_PASSPHRASE_ENV)
        return PersonKeys(self.workspace.home).load(person_id, value)

    def trusted(self) -> TrustedKeys:
        return read_trusted_keys(self.trusted_keys) if self.trusted_keys else self.workspace.trusted()

    def ledger(self, log: EvidenceLog) -> LogEntries:
        """The log read through the verifier with the governance rules: only entries that verify count."""
        return read_log(log, self.trusted())

    @contextmanager
    def reading(self) -> Iterator[tuple[EvidenceLog, LogEntries]]:
        """The log opened read-only, and its verified ledger."""
        log = self.workspace.open_log()
        with log.store:
            yield log, self.ledger(log)

    def require_log(self, what: str) -> None:
        """Checked before any work: a command asked to record ``what`` needs a log to record it in."""
        if not self.workspace.has_log():
            raise InputError(
                f"no evidence log in {self.workspace.home} to record the {what} in",
                where="--home / QTRUST_HOME",
                fix="start one with `qtrust keys init` (or `make audit`), or pass --no-record",
            )

    @contextmanager
    def writing(self, *, create: bool = False) -> Iterator[tuple[EvidenceLog, LogEntries]]:
        """The log opened with its signing keys (``create``: start it on first use), and its ledger."""
        log = self.workspace.open_log(self.log_key_passphrase(confirm=False), create=create)
        with log.store:
            yield log, self.ledger(log)

    @contextmanager
    def appending(self, what: str) -> Iterator[EvidenceLog]:
        """The log opened with its signing keys and no ledger: for an entry the log key signs alone (a CBOM,
        a sweep), whose recording no governance rule judges, so the log is not verified again to add it."""
        self.require_log(what)
        log = self.workspace.open_log(self.log_key_passphrase(confirm=False))
        with log.store:
            yield log

    @contextmanager
    def acting_as(
        self, person_id: str, *, create: bool = False
    ) -> Iterator[tuple[EvidenceLog, LogEntries, SigningKey]]:
        """For one signed action: the writable log, its ledger, and the acting person's key.

        The personal key is decrypted first, so a wrong personal passphrase is named before the log's is asked.
        """
        key = self.personal_key(person_id)
        with self.writing(create=create) as (log, ledger):
            yield log, ledger, key
