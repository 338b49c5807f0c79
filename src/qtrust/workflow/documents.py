"""The EU AI Act Annex IV pack and the transparency summary, as operations any shell can call.

Why here and not in the CLI: a web app serves the same documents ``qtrust docs`` writes — filled from one
verified read of the log, every gap listed, the provider's own text marked as such — and may want the
markdown rather than files. :func:`render` gives the text, :func:`write` puts it in a directory. The
documents themselves are :mod:`qtrust.governance.docs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from qtrust.errors import InputError
from qtrust.files import write_file_atomically
from qtrust.governance.docs import snapshot, technical_documentation, transparency_summary
from qtrust.workflow.session import Session
from qtrust.yamlfile import read_yaml_mapping

TECHNICAL_DOCUMENTATION = "technical-documentation.md"
TRANSPARENCY_SUMMARY = "transparency-summary.md"
#: The provider's own text for Annex IV points: a mapping point → text, or a YAML file of one.
ProvidedText = Mapping[str, str] | Path


@dataclass(frozen=True)
class Documents:
    """Both documents as markdown, the gaps the pack lists, and how many log entries they were read from."""

    technical_documentation: str
    transparency_summary: str
    gaps: list[tuple[str, str]]  # (Annex IV point, what is missing)
    entries: int


@dataclass(frozen=True)
class DocumentsWritten:
    """Where the documents were written, and what they say."""

    technical_documentation: Path
    transparency_summary: Path
    documents: Documents


def provided_text(provided: ProvidedText | None) -> dict[str, str]:
    """The provider's statements as point → non-empty text (a file is read as YAML); anything else is refused."""
    if provided is None:
        return {}
    where = str(provided) if isinstance(provided, Path) else "--provided"
    doc = (
        read_yaml_mapping(
            provided, what="provided-text file", flag="--provided", fix="a YAML mapping of point → text"
        )
        if isinstance(provided, Path)
        else provided
    )
    if not isinstance(doc, Mapping) or not all(isinstance(v, str) and v.strip() for v in doc.values()):
        raise InputError(
            "expected a mapping of Annex IV point → non-empty text",
            where=where,
            fix='e.g. "IV.1(e)": "x86-64 servers"',
        )
    return {str(k): v for k, v in doc.items()}


def render(session: Session, provided: ProvidedText | None = None) -> Documents:
    """Both documents from one verified read of the log (pinned keys if the session has them)."""
    with session.reading() as (log, ledger):
        snap = snapshot(ledger, log.origin)
    pack, gaps = technical_documentation(snap, provided_text(provided))
    return Documents(pack, transparency_summary(snap), gaps, snap.size)


def write(session: Session, out_dir: Path, provided: ProvidedText | None = None) -> DocumentsWritten:
    """Write both documents into ``out_dir`` (each file replaced whole, never half-written)."""
    documents = render(session, provided)
    pack, summary = out_dir / TECHNICAL_DOCUMENTATION, out_dir / TRANSPARENCY_SUMMARY
    write_file_atomically(pack, documents.technical_documentation.encode())
    write_file_atomically(summary, documents.transparency_summary.encode())
    return DocumentsWritten(pack, summary, documents)
