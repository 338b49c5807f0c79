"""Per-entry receipts: the log's Ed25519 signature binding a sequence number to a leaf hash.

Why: a checkpoint vouches for the tree as a whole, so on its own it tells a verifier *that* something
under it changed but not *which* entry. A receipt, signed inside the writer lock when the entry gets its
sequence number, pins each entry to its position: a swapped, renumbered or substituted entry fails its own
receipt, and the verifier can name it.
"""

from __future__ import annotations

from qtrust.encoding import b64encode

RECEIPT_CONTEXT = b"qtrust.dev/receipt/v1"


def receipt_message(origin: str, seq: int, leaf_hash: bytes, integrated_time: str) -> bytes:
    return b"%b\n%b\n%d\n%b\n%b\n" % (
        RECEIPT_CONTEXT,
        origin.encode(),
        seq,
        b64encode(leaf_hash).encode(),
        integrated_time.encode(),
    )
