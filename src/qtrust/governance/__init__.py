"""Governance: release checklists mapped to NIST AI RMF, EU AI Act Annex IV and ISO/IEC 42001, and the
governance approaches a project operates under, both resting on the signed evidence log.

Why here and not in a spreadsheet: a checklist item is only as good as what it rests on. Items are data
(``data/checklists/*.yaml``, extensible with the user's own files); each is satisfied either by evidence
already in the log (an audit with a noise sweep satisfies noise sensitivity) or by a signed attestation
carrying the digest of the document attested to, and only entries that verify against trusted keys count.

Public API: :func:`load_checklists`, :func:`evaluate_checklists`, :func:`attest`, :func:`load_approaches`,
:func:`record_approach`, :func:`current_approaches`.
"""

from __future__ import annotations

from qtrust.governance.approaches import (
    AdoptedApproaches,
    Approach,
    current_approaches,
    load_approaches,
    record_approach,
)
from qtrust.governance.attestations import Attestation, attest
from qtrust.governance.checklists import Checklist, ChecklistItem, find_item, load_checklists
from qtrust.governance.entries import ATTESTATION_V1, GOVERNANCE_APPROACH_V1
from qtrust.governance.status import ItemStatus, evaluate_checklists

__all__ = [
    "ATTESTATION_V1",
    "GOVERNANCE_APPROACH_V1",
    "AdoptedApproaches",
    "Approach",
    "Attestation",
    "Checklist",
    "ChecklistItem",
    "ItemStatus",
    "attest",
    "current_approaches",
    "evaluate_checklists",
    "find_item",
    "load_approaches",
    "load_checklists",
    "record_approach",
]
