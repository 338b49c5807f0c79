"""The data-asset register: what data a system keeps, how long it must stay secret, and what protects it.

Why a register beside the CBOM: a CBOM says *where* RSA is; it cannot say whether that matters. "Harvest
now, decrypt later" matters for data whose confidentiality must outlive the arrival of a quantum computer
(Mosca: shelf life X plus migration time Y against the time Z until a cryptographically relevant quantum
computer). Only the data's owner knows X, Y and which cryptography protects the data at rest and in transit,
so they write it down here, linked to CBOM components by bom-ref, and the register is recorded as signed
entries like the risk register (:mod:`qtrust.governance.records`).

A file is YAML with one key, ``assets``, a list of :class:`DataAsset` (see ``qtrust crypto register
--example``); a bad field is a one-line error naming it (exit 2).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.identifiers import RecordId
from qtrust.yamlfile import read_yaml_mapping, validate

DataClass = Literal[
    "personal", "special-category", "model-weights", "evidence", "credentials", "business", "public"
]
#: A CBOM component's bom-ref, as `qtrust crypto scan` writes them.
BOM_REF = r"crypto/(algorithm|certificate|key|protocol)/[A-Za-z0-9._/-]+"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Retention(_Strict):
    """How long records may be kept, and the date of the oldest one held: a record past its limit is a
    breach of the retention policy (and more data to harvest)."""

    limit_years: float = Field(gt=0, description="keep a record at most this long")
    oldest_record: dt.date = Field(description="creation date of the oldest record still held")


class Protection(_Strict):
    """The cryptography protecting the data, by CBOM bom-ref (``crypto/algorithm/AES-256-GCM``)."""

    at_rest: list[str] = Field(default_factory=list)
    in_transit: list[str] = Field(default_factory=list)

    @field_validator("at_rest", "in_transit")
    @classmethod
    def _refs(cls, value: list[str]) -> list[str]:
        for ref in value:
            if not re.fullmatch(BOM_REF, ref):
                raise ValueError(f"{ref!r} is not a CBOM bom-ref (e.g. crypto/algorithm/RSA-2048)")
        return value


class Migration(_Strict):
    """Y: how long moving this asset to quantum-safe cryptography takes, and when it starts (if planned)."""

    years: float = Field(gt=0, le=50, description="Y: migration time, in years")
    start: dt.date | None = Field(None, description="the planned start; none: not planned yet")


class Key(_Strict):
    """A key protecting the asset, and its rotation rule."""

    name: str = Field(min_length=1)
    rotation_days: int = Field(gt=0, description="rotate at least this often")
    last_rotated: dt.date


class DataAsset(_Strict):
    """One data asset and what its confidentiality needs."""

    id: RecordId
    title: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    data_classes: list[DataClass] = Field(min_length=1)
    confidentiality_years: float = Field(
        ge=0, le=200, description="X: how long a record must stay confidential after it is created"
    )
    retention: Retention | None = None
    protected_by: Protection
    migration: Migration
    keys: list[Key] = Field(default_factory=list)
    checklist_items: list[str] = Field(
        default_factory=list, description="ids of the checklist items it informs"
    )

    @model_validator(mode="after")
    def _protected(self) -> DataAsset:
        if not self.protected_by.at_rest and not self.protected_by.in_transit:
            raise ValueError("protected_by needs at least one CBOM bom-ref (at_rest or in_transit)")
        return self


class Register(_Strict):
    assets: list[DataAsset] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Register:
        seen: set[str] = set()
        for asset in self.assets:
            if asset.id in seen:
                raise ValueError(f"asset id {asset.id!r} appears twice")
            seen.add(asset.id)
        return self


FIX = "see `qtrust crypto register --example` for every field"


def load_register(path: Path) -> Register:
    """The register in ``path``; a missing file or a bad field is an InputError naming it."""
    data = read_yaml_mapping(path, what="data-asset register", flag="REGISTER", fix=FIX)
    return validate(Register, data, str(path), fix=FIX)


EXAMPLE = """\
# qtrust data-asset register: what must stay confidential, for how long, and what protects it.
# protected_by names CBOM components by bom-ref (`qtrust crypto scan` prints them).
assets:
  - id: applicant-records
    title: Loan applicants' records (features, decisions)
    owner: olga
    data_classes: [personal, special-category]
    confidentiality_years: 25        # X: secret for 25 years after each record is made
    retention: {limit_years: 10, oldest_record: 2017-03-01}
    protected_by:
      at_rest: [crypto/algorithm/AES-256-GCM]
      in_transit: [crypto/protocol/TLS-1.2, crypto/algorithm/RSA-2048]
    migration: {years: 3}           # Y; add `start: 2027-06-01` once planned
    keys:
      - {name: records-db-key, rotation_days: 365, last_rotated: 2025-11-01}
  - id: model-weights
    title: The trained quantum model's weights
    owner: alice
    data_classes: [model-weights]
    confidentiality_years: 3
    protected_by:
      in_transit: [crypto/algorithm/Ed25519]
    migration: {years: 1, start: 2027-01-15}
"""
