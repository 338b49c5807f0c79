"""Signed, verifiable evidence: in-toto statements in DSSE envelopes on an RFC 9162 Merkle log.

The public API: ``Workspace`` finds the keys and the store; ``EvidenceLog`` appends, checkpoints and
proves; ``verify_log`` checks a store or a bundle; ``export_bundle`` / ``load_bundle`` move a log offline.
"""

from __future__ import annotations

from qtrust.evidence.bundle import export_bundle, load_bundle
from qtrust.evidence.keys import KeyDirectory, LogKeys, PublicKey, SigningKey, TrustedKeys
from qtrust.evidence.log import EvidenceLog, Recorded
from qtrust.evidence.verify import KnownCheckpoint, LogView, VerifyReport, verify_log
from qtrust.evidence.workspace import Workspace

__all__ = [
    "EvidenceLog",
    "KeyDirectory",
    "KnownCheckpoint",
    "LogKeys",
    "LogView",
    "PublicKey",
    "Recorded",
    "SigningKey",
    "TrustedKeys",
    "VerifyReport",
    "Workspace",
    "export_bundle",
    "load_bundle",
    "verify_log",
]
