"""The evidence log's own operations: start it, rotate its keys, pre-register plans, list and show entries,
checkpoint, export a bundle, re-run a recorded audit — `qtrust keys | plan | log | export | reproduce`
as library calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qtrust.audit.supplied import Supplied
from qtrust.encoding import b64encode
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.bundle import export_bundle
from qtrust.evidence.keys import LogKeys, PublicKey
from qtrust.evidence.log import Recorded
from qtrust.evidence.plans import register_plan
from qtrust.evidence.reproduce import Reproduction, reproduce
from qtrust.evidence.store import StoredEntry
from qtrust.evidence.verify import statement_of
from qtrust.files import write_file_atomically
from qtrust.policy.plan import EvaluationPlan, PlanChange, load_plan
from qtrust.workflow.session import Session


@dataclass
class StartedLog:
    origin: str
    location: str
    keys_path: Path
    public_keys: list[PublicKey]


def start_log(session: Session) -> StartedLog:
    """Create the Ed25519 and ML-DSA-65 signing keys (encrypted, mode 0600) and the log's first entry."""
    ws = session.workspace
    log, keys = ws.init(session.log_key_passphrase(confirm=True))
    with log.store:
        return StartedLog(log.origin, log.store.location, ws.keys.path, list(keys.public_keys()))


def keyring(session: Session) -> list[dict[str, Any]]:
    """Every public key of the workspace, active and retired, as the keyring records it."""
    keys = session.workspace.keys
    if not keys.exists():
        raise InputError(f"no keys in {keys.path}", where="--home", fix="run `qtrust keys init`")
    return list(json.loads(keys.keyring_path.read_text(encoding="utf-8"))["keys"])


def export_trust(session: Session, path: Path) -> int:
    """Write the public keys as the trust file auditors pin; returns how many keys it holds."""
    trusted = session.workspace.trusted()
    write_file_atomically(path, (json.dumps(trusted.to_json(), indent=2) + "\n").encode())
    return len(trusted)


def rotate_keys(session: Session, reason: str) -> tuple[Recorded, list[PublicKey]]:
    """Replace the signing keys; the rotation is an entry signed by the old and the new key.

    The new private keys are on disk (staged) before the log names them, so a crash cannot leave a log whose
    newest keys nobody holds.
    """
    ws = session.workspace
    secret = session.log_key_passphrase()
    log = ws.open_log(secret)
    with log.store:
        old = log.keys
        new = LogKeys.generate()
        ws.keys.stage(new, secret)
        try:
            recorded = log.rotate_keys(new, reason)
        except BaseException:
            ws.keys.unstage()
            raise
        ws.keys.rotate(old, new, secret)
    return recorded, list(new.public_keys())


@dataclass
class PlanRegistration:
    plan: EvaluationPlan
    recorded: Recorded | None  # None: this exact plan is already registered
    previous: Any = None  # the earlier registration of the same name (an amendment), if any
    changes: list[PlanChange] = field(default_factory=list)


def register_plan_file(session: Session, plan_file: Path) -> PlanRegistration:
    """Pre-register an evaluation plan; a known name is recorded as an amendment with its changes."""
    plan = load_plan(plan_file)
    with session.writing(create=True) as (log, ledger):
        verified = [(e.seq, e.recorded_at, e.statement) for e in ledger.of(statements.PLAN_V1)]
        recorded, previous, changes = register_plan(log, plan, verified)
    return PlanRegistration(plan, recorded, previous, list(changes))


@dataclass(frozen=True)
class EntryLine:
    seq: int
    kind: str  # from the signed statement; "unreadable" when the stored row cannot be parsed
    recorded_at: str
    subjects: list[str]


def _line(entry: StoredEntry) -> EntryLine:
    try:
        doc = statement_of(entry)
        kind = statements.kind_of(str(doc.get("predicateType")))
        subjects = [s.get("name", "?") for s in doc.get("subject", [])]
    except (ValueError, TypeError, AttributeError):
        kind, subjects = "unreadable", []
    return EntryLine(entry.seq, kind, entry.integrated_time[:19], subjects)


def list_entries(session: Session, kind: str | None = None) -> list[EntryLine]:
    """One line per entry, its kind read from the signed statement (not from a store column)."""
    log = session.workspace.open_log()
    with log.store:
        lines = [_line(entry) for entry in log.store.entries()]
    return [line for line in lines if kind is None or line.kind == kind]


def show_entry(session: Session, seq: int) -> dict[str, Any]:
    """An entry's signed in-toto statement."""
    log = session.workspace.open_log()
    with log.store:
        return log.statement(seq)


def checkpoint(session: Session) -> tuple[bool, int]:
    """Sign a checkpoint over every entry: (whether one was needed, the log's size)."""
    log = session.workspace.open_log(session.log_key_passphrase())
    with log.store:
        return log.checkpoint(), log.size()


def inclusion_proof(session: Session, seq: int) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of entry ``seq`` in the latest checkpoint, with that checkpoint."""
    log = session.workspace.open_log()
    with log.store:
        latest = log.store.checkpoints()[-1]
        entry = log.entry(seq)
        if seq >= latest.size:
            raise InputError(
                f"entry {seq} is not checkpointed yet", where="N", fix="record anything to checkpoint"
            )
        return {
            "seq": seq,
            "leaf_hash": b64encode(entry.leaf_hash),
            "tree_size": latest.size,
            "inclusion_proof": [b64encode(h) for h in log.inclusion_proof(seq, latest.size)],
            "checkpoint": latest.note.decode(),
        }


def export(session: Session, path: Path, since: int = 0) -> dict[str, Any]:
    """Write an offline bundle of entries ``since``.. with proofs, checkpoints, cosignatures and the keys."""
    ws = session.workspace
    if not ws.keys.exists():
        raise InputError(
            f"no keyring in {ws.keys.path} to put in the bundle",
            where="--home",
            fix="run where the keys live",
        )
    trusted = ws.trusted()
    log = ws.open_log()
    with log.store:
        return export_bundle(log, path, trusted, since)


def reproduce_entry(session: Session, seq: int, supplied: Sequence[Supplied] = ()) -> Reproduction:
    """Re-run recorded audit ``seq`` from its recorded config and seeds, and compare metric by metric."""
    log = session.workspace.open_log()
    with log.store:
        return reproduce(log, seq, supplied=list(supplied))
