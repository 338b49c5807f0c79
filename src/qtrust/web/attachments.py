"""Attachments of attestations: stored by content, limited in size and type, served so no browser runs them.

An uploaded file is named by its SHA-256 (the digest the attestation signs), never by the name the browser
sent: a name like ``../../keys/log.pem`` is only ever shown, escaped, as text. Only a few document types are
accepted, recognised by their first bytes rather than by the name or the browser's claim: PDF, PNG, JPEG, and
UTF-8 text. Downloads are ``Content-Disposition: attachment`` with ``nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.files import write_file_atomically

MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
)
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Attachment:
    sha256: str
    path: Path
    media_type: str
    name: str  # what the uploader called it, for display only


def _media_type(data: bytes) -> str:
    for media_type, magic in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return "text/plain; charset=utf-8"
    raise InputError(
        "the attachment is not a PDF, PNG, JPEG or UTF-8 text file",
        where="attachment",
        fix="attach the document as PDF, an image (PNG/JPEG) or plain text",
    )


def display_name(name: str) -> str:
    """The uploaded name without any directory part or control character, at most 100 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "".join(ch for ch in base if ch.isprintable())[:100] or "attachment"


class Attachments:
    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "attachments"

    def store(self, data: bytes, name: str) -> Attachment:
        if len(data) > MAX_BYTES:
            raise InputError(
                f"the attachment has {len(data):,} bytes",
                where="attachment",
                fix=f"at most {MAX_BYTES:,} bytes",
            )
        if not data:
            raise InputError("the attachment is empty", where="attachment", fix="attach the document")
        media_type = _media_type(data)
        digest = hashlib.sha256(data).hexdigest()
        path = self.root / digest
        if not path.is_file():
            write_file_atomically(path, data)
        meta = {"media_type": media_type, "name": display_name(name)}
        write_file_atomically(self.root / f"{digest}.json", json.dumps(meta).encode())
        return Attachment(digest, path, media_type, meta["name"])

    def get(self, digest: str) -> Attachment | None:
        if not _DIGEST.fullmatch(digest) or not (self.root / digest).is_file():
            return None
        meta = json.loads((self.root / f"{digest}.json").read_text())
        return Attachment(digest, self.root / digest, meta["media_type"], meta["name"])
