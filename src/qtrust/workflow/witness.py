"""Run a witness: create one, cosign a log's newest checkpoint after checking it still extends what the
witness saw, and read back what it has cosigned — `qtrust witness` as library calls.

The witness applies the governance rules too, so it will not cosign a log whose sign-offs do not verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.evidence.cosignature import WitnessKey
from qtrust.evidence.witness import WITNESS_PASSPHRASE_ENV, Cosigned, WitnessDirectory
from qtrust.governance.rules import GovernanceRule
from qtrust.workflow.session import PassphraseSource, Session, read_trusted_keys, require_passphrase


def create_witness(directory: Path, name: str, passphrase: PassphraseSource) -> WitnessDirectory:
    """A new witness: an Ed25519 and an ML-DSA-44 key under its own passphrase, and witness.json."""
    return WitnessDirectory.create(
        directory,
        name,
        require_passphrase(passphrase, "witness passphrase", WITNESS_PASSPHRASE_ENV, confirm=True),
    )


def cosign_log(
    session: Session, directory: Path, passphrase: PassphraseSource, trusted_keys: Path | None = None
) -> Cosigned:
    """Verify the session's log against the witness's memory, then cosign its newest checkpoint.

    ``trusted_keys`` pins the log's keys on first contact; afterwards the witness follows the log's own
    rotations from the keys it pinned.
    """
    witness = WitnessDirectory(directory)
    secret = require_passphrase(passphrase, "witness passphrase", WITNESS_PASSPHRASE_ENV)
    trusted = read_trusted_keys(trusted_keys) if trusted_keys is not None else None
    log = session.workspace.open_log(writable=True)  # cosignatures need no log key
    with log.store:
        return witness.cosign(log, secret, trusted=trusted, rules=[GovernanceRule()])


@dataclass
class WitnessState:
    public: WitnessKey
    logs: list[dict]  # per log: origin and the last cosigned size


def witness_state(directory: Path) -> WitnessState:
    """The witness's name and keys, and the last checkpoint it cosigned for each log."""
    witness = WitnessDirectory(directory)
    try:
        public = witness.public()
        folder = witness.path / "logs"
        states = sorted(folder.glob("*.json")) if folder.is_dir() else []
        logs = [json.loads(p.read_text(encoding="utf-8")) for p in states]
    except (OSError, ValueError) as error:
        raise InputError(str(error), where=str(directory), fix="restore the witness directory") from None
    return WitnessState(public, logs)
