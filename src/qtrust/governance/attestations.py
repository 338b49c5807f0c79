"""Signed attestations: a person vouches for a checklist item, with a note and the digest of a document.

Why an attestation and not a checkbox: items such as "independent ethical review" or "contracts with
quantum-hardware vendors" are satisfied by documents qtrust cannot measure. An attestation is an in-toto
statement in the evidence log (predicate type :data:`ATTESTATION_V1`) whose subject is the SHA-256 of the
attached document (or of the note, when there is no attachment), so the document a reviewer later reads can
be checked against the one that was signed for, and the entry is as tamper-evident as an audit. A person
on the roster vouches (``attested_by``), with their own key; it only counts if it verifies against trusted
keys and the roster at that point (:mod:`qtrust.governance.entries`): a forged, edited or operator-signed
attestation satisfies nothing.

Predicate::

    {item, checklist, note, attachment: {name, sha256} | null, attested_at, attested_by}
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qtrust.audit.outputs import sha256_of
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.keys import SigningKey
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.governance.checklists import Checklist, find_item, load_checklists
from qtrust.governance.entries import ATTESTATION_V1, Entry, LogEntries
from qtrust.governance.signing import sign_checked

NOTE_LIMIT = 10_000  # characters; a note summarises, the attachment carries the document


@dataclass(frozen=True)
class Attestation:
    """A parsed attestation entry."""

    seq: int
    item: str
    checklist: str
    note: str
    attachment: dict[str, str] | None
    attested_at: str
    signers: tuple[str, ...]

    def describe(self) -> str:
        note = self.note if len(self.note) <= 80 else self.note[:77] + "..."
        text = f"attested in entry {self.seq} at {self.attested_at}: {note!r}"
        if self.attachment:
            text += f" (attachment {self.attachment['name']}, sha256 {self.attachment['sha256'][:12]}…)"
        return text


def note_digest(note: str) -> str:
    return hashlib.sha256(note.encode("utf-8")).hexdigest()


def parse_attestation(entry: Entry) -> tuple[Attestation | None, str | None]:
    """The attestation in ``entry``, or None and why it is malformed (a signed but malformed entry counts for nothing)."""
    p = entry.predicate
    item, checklist, note, attachment = p.get("item"), p.get("checklist"), p.get("note"), p.get("attachment")
    if not all(isinstance(v, str) and v for v in (item, checklist, note)):
        return None, "the attestation lacks its item, checklist or note"
    if attachment is not None and not (
        isinstance(attachment, dict)
        and isinstance(attachment.get("name"), str)
        and isinstance(attachment.get("sha256"), str)
    ):
        return None, "the attestation's attachment is not {name, sha256}"
    expected = attachment["sha256"] if attachment else note_digest(note)
    subjects = entry.statement.get("subject") or [{}]
    if (subjects[0].get("digest") or {}).get("sha256") != expected:
        return None, "the attestation's subject is not the digest of its attachment (or note)"
    return (
        Attestation(
            seq=entry.seq,
            item=item,
            checklist=checklist,
            note=note,
            attachment=dict(attachment) if attachment else None,
            attested_at=str(p.get("attested_at", entry.recorded_at)),
            signers=entry.signers,
        ),
        None,
    )


def attestation_statement(
    item_id: str, checklist: str, note: str, attachment: Path | None, attested_by: str
) -> dict[str, Any]:
    """The in-toto statement of an attestation (the attachment is hashed here, so it must be readable)."""
    described: dict[str, str] | None = None
    if attachment is not None:
        path = Path(attachment)
        if not path.exists():
            raise InputError(
                f"no file at {path}", where="--attachment", fix="give the path of the document attested to"
            )
        if not path.is_file():
            raise InputError(
                f"{path} is not a file", where="--attachment", fix="attach one file (archive a folder first)"
            )
        try:
            described = {"name": path.name, "sha256": sha256_of(path)}
        except OSError as error:
            raise InputError(
                f"cannot read {path}: {error}", where="--attachment", fix="check its permissions"
            ) from None
    subject = (
        statements.resource(described["name"], described["sha256"])
        if described
        else statements.resource(f"note:{item_id}", note_digest(note))
    )
    return statements.statement(
        [subject],
        ATTESTATION_V1,
        {
            "item": item_id,
            "checklist": checklist,
            "note": note,
            "attachment": described,
            "attested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "attested_by": attested_by,
        },
    )


def prepare_attestation(
    checklists: Sequence[Checklist],
    item_id: str,
    note: str,
    attachment_path: str | Path | None = None,
    *,
    attested_by: str,
) -> dict[str, Any]:
    """Check everything about an attestation and build its statement, without touching the log.

    Refuses: an unknown item; an item satisfied by evidence (a signature cannot replace a measurement);
    an empty or oversized note; a missing attachment where the item requires one, or an attachment that
    is not a readable file. Split from :func:`attest` so the CLI can refuse bad input before it asks for
    the key passphrase.
    """
    item = find_item(checklists, item_id)
    rule = item.satisfied_by.attestation
    if rule is None:
        rules = ", ".join(r.rule for r in item.satisfied_by.evidence or [])
        raise InputError(
            f"item {item_id!r} is satisfied by evidence ({rules}), not by attestation",
            where="ITEM",
            fix="record the evidence instead (e.g. run `qtrust audit`); `qtrust checklist status` says what is missing",
        )
    note = (note or "").strip()
    if not note:
        raise InputError(
            "the note is empty", where="--note", fix="say what was checked, by whom, and where the record is"
        )
    if len(note) > NOTE_LIMIT:
        raise InputError(
            f"the note has {len(note)} characters (limit {NOTE_LIMIT})",
            where="--note",
            fix="summarise it and attach the full document with --attachment",
        )
    if rule.require_attachment and attachment_path is None:
        raise InputError(
            f"item {item_id!r} requires the attested document",
            where="--attachment",
            fix="attach it: --attachment FILE (its SHA-256 is recorded, not its content)",
        )
    return attestation_statement(
        item.id,
        item.checklist,
        note,
        Path(attachment_path) if attachment_path is not None else None,
        attested_by,
    )


def attest(
    log: EvidenceLog,
    ledger: LogEntries,
    person_id: str,
    key: SigningKey,
    item_id: str,
    note: str,
    attachment_path: str | Path | None = None,
    *,
    checklists: Sequence[Checklist] | None = None,
) -> Recorded:
    """Record ``person_id``'s signed attestation of ``item_id`` (an item of the shipped checklists, or of
    ``checklists``); validated by :func:`prepare_attestation` and the governance rules before anything is written.
    """
    doc = prepare_attestation(
        checklists if checklists is not None else load_checklists(),
        item_id,
        note,
        attachment_path,
        attested_by=person_id,
    )
    return sign_checked(log, ledger, person_id, key, doc, where="checklist attest")
