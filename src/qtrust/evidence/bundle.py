"""Offline bundles: everything an auditor needs to verify the log on another machine.

A bundle is one JSON file: the entries (exact envelope bytes, receipts), an inclusion proof of every entry
in the latest checkpoint, the checkpoints with a consistency proof between each successive pair and the
witnesses' cosignatures on them, and the exporter's public keys. ``--since N`` bundles carry the hashes of
the complete subtrees before N (so the roots can still be recomputed) and, with their inclusion proofs, the
entries before N that later ones depend on: the key history, rosters, policies, plans, requests, gate
decisions and sign-offs. Nothing in it needs a database or a network to check.

Nothing unsigned in a bundle is trusted: its key list is only a suggestion (``qtrust verify`` demands
``--trusted-keys``, or an explicit ``--trust-bundle-keys``), and output files are compared with the digests
inside signed statements, never with a list beside them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qtrust.encoding import b64decode, b64encode
from qtrust.errors import InputError
from qtrust.evidence import merkle, statements
from qtrust.evidence.checkpoint import CheckpointError, parse_checkpoint
from qtrust.evidence.keys import TrustedKeys
from qtrust.evidence.log import EvidenceLog
from qtrust.evidence.store import StoredCheckpoint, StoredCosignature, StoredEntry
from qtrust.evidence.verify import LogView, statement_of
from qtrust.files import write_file_atomically

BUNDLE_FORMAT = "https://qtrust.dev/bundle/v1"
# Entries before --since that a bundle leaves out: big, and nothing after them depends on their content.
NOT_CONTEXT = (statements.SLSA_PROVENANCE_V1, statements.TEST_RESULT_V01)


def _predicate_type(entry: StoredEntry) -> str | None:
    try:
        return statement_of(entry).get("predicateType")
    except (ValueError, TypeError, AttributeError):
        return None


def _entry_dict(entry: StoredEntry, proof: list[bytes]) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "envelope": b64encode(entry.envelope),
        "leaf_hash": b64encode(entry.leaf_hash),
        "integrated_time": entry.integrated_time,
        "receipt_keyid": entry.receipt_keyid,
        "receipt": b64encode(entry.receipt),
        "inclusion_proof": [b64encode(p) for p in proof],
    }


def subjects_of(entry: StoredEntry) -> list[dict[str, Any]]:
    """(name, digest) of every subject of an entry's signed statement (the caller verifies the entry)."""
    try:
        subjects = statement_of(entry).get("subject", [])
    except (ValueError, TypeError, AttributeError):
        return []
    return [
        {"seq": entry.seq, "name": s.get("name"), "digest": s.get("digest")}
        for s in subjects
        if isinstance(s, dict)
    ]


def export_bundle(log: EvidenceLog, path: Path, trusted: TrustedKeys, since: int = 0) -> dict[str, Any]:
    """Write the bundle of entries ``since``.. up to the latest checkpoint; returns a summary."""
    checkpoints = log.store.checkpoints()
    if not checkpoints:
        raise InputError(
            "the log has no checkpoint yet",
            where="export",
            fix="record something first (e.g. `qtrust audit`)",
        )
    size = checkpoints[-1].size
    if not 0 <= since < size:
        raise InputError(
            f"--since {since} is outside the checkpointed log (entries 0..{size - 1})",
            where="--since",
            fix=f"choose a number from 0 to {size - 1}",
        )
    # One pass over the leaf level builds the tree in memory: every proof is then a lookup, not a query.
    tree = merkle.MemoryTree(log.store.fetch_nodes((0, i) for i in range(size)).values())
    base = [c for c in checkpoints if c.size <= since]
    kept = ([base[-1]] if base else []) + [c for c in checkpoints if c.size > since]
    entries, context = [], []
    for entry in log.entries(0, size):
        if entry.seq < since:
            if _predicate_type(entry) not in NOT_CONTEXT:
                context.append(_entry_dict(entry, tree.inclusion_proof(entry.seq, size)))
            continue
        entries.append(_entry_dict(entry, tree.inclusion_proof(entry.seq, size)))
    kept_sizes = {c.size for c in kept}
    doc = {
        "format": BUNDLE_FORMAT,
        "origin": log.origin,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "start": since,
        "size": size,
        "prefix_nodes": [b64encode(h) for h in tree.fetch(merkle.root_plan(since)).values()] if since else [],
        "keys": trusted.to_json(),
        "context_entries": context,
        "entries": entries,
        "checkpoints": [
            {"idx": c.idx, "size": c.size, "note": c.note.decode("utf-8"), "created_at": c.created_at}
            for c in kept
        ],
        "consistency_proofs": [
            {
                "from": a.size,
                "to": b.size,
                "proof": [b64encode(p) for p in tree.consistency_proof(a.size, b.size)],
            }
            for a, b in itertools.pairwise(kept)
        ],
        "cosignatures": [
            {"size": c.size, "witness": c.witness, "lines": c.lines, "created_at": c.created_at}
            for c in log.store.cosignatures()
            if c.size in kept_sizes
        ],
    }
    write_file_atomically(Path(path), json.dumps(doc, separators=(",", ":")).encode("utf-8"))
    return {
        "entries": len(entries),
        "start": since,
        "size": size,
        "checkpoints": len(kept),
        "path": str(path),
    }


@dataclass
class Bundle:
    """A parsed bundle: the verifier's view plus the proofs and keys it carried."""

    view: LogView
    keys: TrustedKeys
    inclusion: dict[int, list[bytes]]
    latest_note: bytes | None
    leaf_hashes: list[bytes]
    start: int
    size: int


def _corrupt(path: Path, what: str) -> InputError:
    return InputError(
        f"corrupt bundle: {what}",
        where=str(path),
        fix="export it again with `qtrust export`; a bundle edited by hand or cut short cannot be checked",
    )


def load_bundle(path: Path) -> Bundle:
    """Parse a bundle; any structural damage is an InputError (exit 2), content is left to ``verify_log``."""
    path = Path(path)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            f"no bundle at {path}", where="BUNDLE", fix="give the path of a file from `qtrust export`"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise _corrupt(path, f"not readable JSON ({error})") from None
    if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
        raise _corrupt(path, f"not a qtrust bundle (format must be {BUNDLE_FORMAT!r})")
    try:
        origin = str(doc["origin"])
        start, size = int(doc["start"]), int(doc["size"])

        def entry(item: dict[str, Any]) -> tuple[StoredEntry, list[bytes]]:
            stored = StoredEntry(
                seq=int(item["seq"]),
                kind=str(item["kind"]),
                envelope=b64decode(item["envelope"]),
                leaf_hash=b64decode(item["leaf_hash"]),
                integrated_time=str(item["integrated_time"]),
                receipt_keyid=str(item["receipt_keyid"]),
                receipt=b64decode(item["receipt"]),
            )
            return stored, [b64decode(p) for p in item["inclusion_proof"]]

        entries = [entry(item) for item in doc["entries"]]
        context = [entry(item) for item in doc.get("context_entries", doc.get("key_entries", []))]
        checkpoints = [
            StoredCheckpoint(
                int(c["idx"]), int(c["size"]), str(c["note"]).encode("utf-8"), str(c["created_at"])
            )
            for c in doc["checkpoints"]
        ]
        proofs = {
            (int(p["from"]), int(p["to"])): [b64decode(h) for h in p["proof"]]
            for p in doc["consistency_proofs"]
        }
        prefix = [b64decode(h) for h in doc["prefix_nodes"]]
        cosignatures = [
            StoredCosignature(i, int(c["size"]), str(c["witness"]), str(c["lines"]), str(c["created_at"]))
            for i, c in enumerate(doc.get("cosignatures", []))
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _corrupt(path, f"a field is missing or malformed ({type(error).__name__}: {error})") from None
    keys = TrustedKeys.from_json(doc.get("keys"), where=f"{path} (keys)")

    def consistency(old: int, new: int) -> list[bytes]:
        if (old, new) not in proofs:
            raise LookupError("the bundle carries no such proof")
        return proofs[(old, new)]

    view = LogView(
        origin=origin,
        entries=[e for e, _ in entries],
        checkpoints=checkpoints,
        consistency_proof=consistency,
        start=start,
        prefix_nodes=prefix,
        context_entries=[e for e, _ in context],
        cosignatures=cosignatures,
    )
    inclusion = {e.seq: p for e, p in entries + context}
    latest = checkpoints[-1].note if checkpoints else None
    return Bundle(view, keys, inclusion, latest, [e.leaf_hash for e, _ in entries], start, size)


def check_inclusion_proofs(bundle: Bundle) -> list[tuple[int, str]]:
    """Every entry's inclusion proof against the bundle's latest checkpoint: (seq, reason) for failures."""
    if bundle.latest_note is None:
        return [(bundle.start, "the bundle has no checkpoint")]
    try:
        checkpoint, _ = parse_checkpoint(bundle.latest_note)
    except CheckpointError as error:
        return [(bundle.start, f"latest checkpoint: {error}")]
    failures = []
    for entry in [*bundle.view.context_entries, *bundle.view.entries]:
        proof = bundle.inclusion.get(entry.seq, [])
        if entry.seq >= checkpoint.size:
            # an export ends at its latest checkpoint: an entry past it means that checkpoint was dropped
            failures.append(
                (entry.seq, f"not covered by the bundle's latest checkpoint (size {checkpoint.size})")
            )
        elif not merkle.verify_inclusion(
            entry.seq, checkpoint.size, merkle.leaf_hash(entry.envelope), proof, checkpoint.root
        ):
            failures.append(
                (entry.seq, f"inclusion proof in the checkpoint of size {checkpoint.size} does not verify")
            )
    return failures
