"""Each data asset's quantum exposure: the probability its secrets outlive the arrival of a quantum computer,
the latest safe date to start migrating, the NIST deadlines, and what is overdue now.

The model (Mosca): records protected by quantum-vulnerable cryptography can be harvested until the
asset's migration is finished, at ``end = start + Y`` (start: the planned date, or today if none is
planned); the last record harvested must stay secret for X years after that. The asset is exposed if a
cryptographically relevant quantum computer exists before ``end + X``, so its exposure probability is
``P(Z ≤ end + X)`` under the timeline's distribution of Z. The latest safe start for a tolerance α is the
date s with ``P(Z ≤ s + Y + X) = α``. An asset protected only by quantum-safe cryptography (ML-KEM, ML-DSA,
AES-256, SHA-384 …) has exposure 0. A protection the CBOM does not contain is counted as vulnerable and
listed as unlinked: what cannot be checked is not assumed safe.

Deadlines: NIST IR 8547 (initial public draft, November 2024 — a draft, and marked as one wherever it is
shown) deprecates quantum-vulnerable public-key algorithms at 112 bits of classical security after 2030
and disallows every quantum-vulnerable public-key algorithm after 2035.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.crypto.register import DataAsset
from qtrust.crypto.timeline import Timeline, add_years

NIST_IR_8547 = "NIST IR 8547 (initial public draft, November 2024)"
DEPRECATED_AFTER_2030 = dt.date(2031, 1, 1)
DISALLOWED_AFTER_2035 = dt.date(2036, 1, 1)


@dataclass(frozen=True)
class Protection:
    """One bom-ref an asset names, resolved against the CBOM."""

    ref: str
    where: str  # "at rest" | "in transit"
    found: bool
    vulnerable: bool
    name: str
    classical_bits: int | None
    reason: str
    public_key: bool = (
        True  # the quantum-vulnerable public-key kind NIST IR 8547 dates (or not known otherwise)
    )

    @property
    def deprecated_from(self) -> dt.date | None:
        if not self.vulnerable or not self.found or not self.public_key:
            return None
        return DEPRECATED_AFTER_2030 if (self.classical_bits or 112) <= 112 else None

    @property
    def disallowed_from(self) -> dt.date | None:
        return DISALLOWED_AFTER_2035 if self.vulnerable and self.public_key else None


@dataclass(frozen=True)
class KeyAge:
    """A key and how overdue its rotation is (negative: days left)."""

    asset: str
    name: str
    last_rotated: dt.date
    rotation_days: int
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class AssetExposure:
    asset: DataAsset
    protections: tuple[Protection, ...]
    exposure_probability: float
    harvest_ends: dt.date | None  # when migration finishes (None: nothing vulnerable to migrate)
    secret_until: dt.date | None  # harvest end + X
    latest_safe_start: dt.date | None  # None: not vulnerable, or the timeline never reaches the tolerance
    assumed_start_today: bool
    late: bool
    nist_deprecated_from: dt.date | None
    nist_disallowed_from: dt.date | None
    nist_latest_start: dt.date | None
    retention_days_over: int | None  # > 0: records past the retention limit
    keys: tuple[KeyAge, ...]

    @property
    def vulnerable(self) -> bool:
        return any(p.vulnerable for p in self.protections)


@dataclass(frozen=True)
class Readiness:
    as_of: dt.date
    tolerance: float
    timeline: str
    assets: tuple[AssetExposure, ...]  # ranked by exposure, highest first
    other_keys: tuple[KeyAge, ...]  # keys outside the register (qtrust's own evidence keys)
    vulnerable_components: int
    metrics: dict[str, float] = field(default_factory=dict)


def _components(cbom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c.get("bom-ref", ""): c for c in cbom.get("components", [])}


def _property(component: dict[str, Any], name: str) -> str | None:
    return next((p.get("value") for p in component.get("properties", []) if p.get("name") == name), None)


def _algorithm_field(component: dict[str, Any], by_ref: dict[str, dict[str, Any]], name: str) -> Any:
    """A field of the component's algorithm properties — a certificate's or key's through its algorithm."""
    crypto = component.get("cryptoProperties") or {}
    algorithm = crypto.get("algorithmProperties")
    if algorithm:
        return algorithm.get(name)
    for holder, key in (
        ("certificateProperties", "subjectPublicKeyRef"),
        ("relatedCryptoMaterialProperties", "algorithmRef"),
    ):
        ref = (crypto.get(holder) or {}).get(key)
        if ref and ref in by_ref:
            return _algorithm_field(by_ref[ref], by_ref, name)
    return None


def resolve(ref: str, where: str, by_ref: dict[str, dict[str, Any]]) -> Protection:
    """What one named protection is worth against a quantum computer; what cannot be checked is not safe."""
    component = by_ref.get(ref)
    if component is None:
        return Protection(ref, where, False, True, ref, None, "not in the CBOM: counted as vulnerable")
    name = component.get("name", ref)
    bits = _algorithm_field(component, by_ref, "classicalSecurityLevel")
    level = _algorithm_field(component, by_ref, "nistQuantumSecurityLevel")
    verdict = _property(component, "qtrust:quantum-vulnerable")
    if verdict is None:  # a protocol: its key exchange is classical unless the CBOM shows otherwise
        return Protection(
            ref, where, True, True, name, bits, "protocol key exchange assumed classical (ECDHE / RSA)"
        )
    if verdict == "true":
        return Protection(ref, where, True, True, name, bits, "broken by Shor's algorithm")
    if not level:  # 0 or unknown: DES, RC4, MD5, JWT "none", an unrecognised algorithm — nothing to count on
        return Protection(
            ref,
            where,
            True,
            True,
            name,
            bits,
            "below NIST category 1, or of unknown strength",
            public_key=False,
        )
    return Protection(
        ref, where, True, False, name, bits, f"quantum-safe at NIST category {level}", public_key=False
    )


def _key_ages(asset_id: str, keys: Any, as_of: dt.date) -> tuple[KeyAge, ...]:
    return tuple(
        KeyAge(
            asset_id, k.name, k.last_rotated, k.rotation_days, (as_of - k.last_rotated).days - k.rotation_days
        )
        for k in keys
    )


def assess_asset(asset: DataAsset, by_ref: dict[str, dict[str, Any]], timeline: Timeline, as_of: dt.date,
                 tolerance: float) -> AssetExposure:  # fmt: skip
    protections = tuple(
        [resolve(r, "at rest", by_ref) for r in asset.protected_by.at_rest]
        + [resolve(r, "in transit", by_ref) for r in asset.protected_by.in_transit]
    )
    x, y = asset.confidentiality_years, asset.migration.years
    vulnerable = [p for p in protections if p.vulnerable]
    retention = None
    if asset.retention is not None:
        retention = (as_of - add_years(asset.retention.oldest_record, asset.retention.limit_years)).days
    keys = _key_ages(asset.id, asset.keys, as_of)
    if not vulnerable:
        return AssetExposure(
            asset, protections, 0.0, None, None, None, False, False, None, None, None, retention, keys
        )
    planned = asset.migration.start
    start = planned if planned is not None else as_of
    harvest_ends = add_years(start, y)
    secret_until = add_years(harvest_ends, x)
    probability = timeline.cdf(secret_until)
    arrival = timeline.quantile(tolerance)
    latest_safe = None if arrival is None else add_years(add_years(arrival, -x), -y)
    late = latest_safe is not None and (latest_safe < as_of or start > latest_safe)
    deprecated = min((d for p in vulnerable if (d := p.deprecated_from)), default=None)
    disallowed = min((d for p in vulnerable if (d := p.disallowed_from)), default=None)
    return AssetExposure(
        asset, protections, probability, harvest_ends, secret_until, latest_safe, planned is None, late,
        deprecated, disallowed, add_years(disallowed, -y) if disallowed else None, retention, keys,
    )  # fmt: skip


def assess(
    assets: list[DataAsset],
    cbom: dict[str, Any],
    timeline: Timeline,
    *,
    as_of: dt.date,
    tolerance: float = 0.05,
    other_keys: tuple[KeyAge, ...] = (),
) -> Readiness:
    """Every asset's exposure, ranked, with the readiness metrics a policy gates on."""
    by_ref = _components(cbom)
    ranked = sorted(
        (assess_asset(a, by_ref, timeline, as_of, tolerance) for a in assets),
        key=lambda e: (-e.exposure_probability, e.asset.id),
    )
    vulnerable_components = sum(_property(c, "qtrust:quantum-vulnerable") == "true" for c in by_ref.values())
    readiness = Readiness(
        as_of, tolerance, timeline.describe(), tuple(ranked), other_keys, vulnerable_components
    )
    readiness.metrics.update(metrics(readiness))
    return readiness


def metrics(readiness: Readiness) -> dict[str, float]:
    """Flat metric paths (``crypto/...``) a readiness policy names, as :mod:`qtrust.results` paths do."""
    out: dict[str, float] = {}
    for e in readiness.assets:
        base = f"crypto/asset/{e.asset.id}"
        out[f"{base}/exposure_probability"] = round(e.exposure_probability, 6)
        out[f"{base}/has_migration_date"] = float(e.asset.migration.start is not None)
        if e.latest_safe_start is not None:
            out[f"{base}/days_to_latest_safe_start"] = float((e.latest_safe_start - readiness.as_of).days)
    unplanned = [e.exposure_probability for e in readiness.assets if e.asset.migration.start is None]
    keys = [k for e in readiness.assets for k in e.keys] + list(readiness.other_keys)
    out |= {
        "crypto/summary/max_exposure_probability": max((e.exposure_probability for e in readiness.assets), default=0.0),
        "crypto/summary/max_exposure_without_migration_date": max(unplanned, default=0.0),
        "crypto/summary/assets_late": float(sum(e.late for e in readiness.assets)),
        "crypto/summary/keys_past_rotation": float(sum(k.overdue for k in keys)),
        "crypto/summary/retention_breaches": float(sum((e.retention_days_over or 0) > 0 for e in readiness.assets)),
        "crypto/summary/unlinked_references": float(sum(not p.found for e in readiness.assets for p in e.protections)),
        "crypto/summary/quantum_vulnerable_components": float(readiness.vulnerable_components),
    }  # fmt: skip
    return {k: round(v, 6) for k, v in out.items()}


# --- a readiness policy: limits on those metrics -----------------------------------------------------------


class ReadinessCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    description: str = ""
    metric: str = Field(description="a crypto/... metric path; * matches one segment")
    max: float | None = None
    min: float | None = None

    @field_validator("metric")
    @classmethod
    def _crypto(cls, value: str) -> str:
        if not value.startswith("crypto/") or len(value.split("/")) < 3:
            raise ValueError(
                f"{value!r} is not a readiness metric path (crypto/summary/... or crypto/asset/*/...)"
            )
        return value

    @model_validator(mode="after")
    def _one_limit(self) -> ReadinessCheck:
        if (self.max is None) == (self.min is None):
            raise ValueError(f"check {self.id!r} needs exactly one of max or min")
        return self


class ReadinessPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    checks: list[ReadinessCheck] = Field(min_length=1)


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: str  # pass | fail | inconclusive
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "detail": self.detail}


def _matches(pattern: str, path: str) -> bool:
    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(
        fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True)
    )


def judge(policy: ReadinessPolicy, values: dict[str, float]) -> list[CheckResult]:
    """Each check against every metric it names: fail if any breaks the limit; inconclusive if none matches."""
    out = []
    for check in policy.checks:
        matched = {p: v for p, v in sorted(values.items()) if _matches(check.metric, p)}
        if not matched:
            out.append(CheckResult(check.id, "inconclusive", f"no metric matches {check.metric}"))
            continue
        broken = {
            p: v for p, v in matched.items()
            if (check.max is not None and v > check.max) or (check.min is not None and v < check.min)
        }  # fmt: skip
        limit = f"≤ {check.max:g}" if check.max is not None else f"≥ {check.min:g}"
        if broken:
            listed = ", ".join(f"{p} = {v:g}" for p, v in list(broken.items())[:5])
            out.append(CheckResult(check.id, "fail", f"{listed} (limit {limit})"))
        else:
            out.append(CheckResult(check.id, "pass", f"{len(matched)} metric(s) {limit}"))
    return out


DEFAULT_POLICY = ReadinessPolicy(
    name="quantum-safe-readiness",
    checks=[
        ReadinessCheck(
            id="migration-planned",
            description="No asset whose exposure probability exceeds 5% lacks a migration start date.",
            metric="crypto/summary/max_exposure_without_migration_date",
            max=0.05,
        ),
        ReadinessCheck(
            id="not-late",
            description="No asset's planned migration starts after its latest safe start.",
            metric="crypto/summary/assets_late",
            max=0,
        ),
        ReadinessCheck(
            id="keys-rotated",
            description="No key, qtrust's evidence keys included, is past its rotation age.",
            metric="crypto/summary/keys_past_rotation",
            max=0,
        ),
        ReadinessCheck(
            id="retention",
            description="No asset holds records past its retention limit.",
            metric="crypto/summary/retention_breaches",
            max=0,
        ),
    ],
)
