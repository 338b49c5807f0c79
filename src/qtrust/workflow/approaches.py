"""Governance approaches as operations any shell can call: the reference list, which are adopted, adopt some.

Why here and not in the CLI: a report or a dashboard cites the adoption exactly as ``qtrust governance
approaches`` does, and a server records one with the same checks (unknown ids refused before the log key's
passphrase is asked for). The reference data and the record live in :mod:`qtrust.governance.approaches`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qtrust.governance.approaches import (
    AdoptedApproaches,
    Approach,
    current_approaches,
    load_approaches,
    record_approach,
    resolve_approaches,
)
from qtrust.workflow.session import Session


@dataclass(frozen=True)
class Approaches:
    """The reference approaches, and the adoption in force (None: none recorded, or no log here yet)."""

    approaches: tuple[Approach, ...]
    adopted: AdoptedApproaches | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "approaches": [a.model_dump(mode="json") for a in self.approaches],
            "adopted": self.adopted.to_dict() if self.adopted else None,
        }


@dataclass(frozen=True)
class Adopted:
    """The entry that records which approaches the project operates under."""

    seq: int
    approach_ids: tuple[str, ...]


def approaches(session: Session) -> Approaches:
    """The five approaches and which are adopted; a home without a log simply has none adopted."""
    reference = load_approaches()
    ws = session.workspace
    if not (ws.has_log() and ws.keys.exists()):
        return Approaches(reference, None)
    with session.reading() as (_, ledger):
        return Approaches(reference, current_approaches(ledger))


def adopt(session: Session, approach_ids: Sequence[str], note: str) -> Adopted:
    """Record, signed by the log key, that the project operates under ``approach_ids`` (starting the log if new)."""
    chosen = resolve_approaches(approach_ids)  # unknown ids fail before the passphrase is asked for
    log = session.workspace.open_log(session.log_key_passphrase(), create=True)
    with log.store:
        recorded = record_approach(log, approach_ids, note)
    return Adopted(recorded.seq, tuple(a.id for a in chosen))
