"""A live store seen by the verifier (the bundle module builds the offline equivalent)."""

from __future__ import annotations

from qtrust.evidence import merkle
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.verify import LogView


def store_view(log: EvidenceLog) -> LogView:
    """Consistency proofs come from the store's own tree nodes, so corrupted nodes are caught too."""
    store = log.store
    return LogView(
        origin=log.origin,
        entries=store.entries(),
        checkpoints=store.checkpoints(),
        consistency_proof=lambda old, new: merkle.consistency_proof(old, new, store.fetch_nodes),
        cosignatures=store.cosignatures(),
    )
