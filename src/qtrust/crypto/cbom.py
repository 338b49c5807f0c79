"""The scan as a CycloneDX 1.6 cryptography bill of materials (CBOM), byte for byte reproducible.

Why CycloneDX through ``cyclonedx-python-lib``: it is the format CBOMkit and sonar-cryptography write and
that dependency-track and other tools read, and the library serialises and validates it against the
published 1.6 JSON schema — qtrust does not hand-write a standard's JSON.

What goes in: one ``cryptographic-asset`` component per algorithm with its parameter and mode (RSA-2048,
AES-256-GCM, ML-DSA-65 …) with primitive, parameter set, curve, mode, OID, classical and NIST quantum
security levels and every occurrence (file, line, the evidence line); one per certificate (subject,
issuer, validity, the signature and subject-key algorithms as references); one per key file (related
crypto material: type, size, the algorithm as reference); one per protocol and version (TLS 1.2, SSH).
Each component also says, as a ``qtrust:quantum-vulnerable`` property, whether Shor's algorithm breaks it —
the binary verdict other tools give, kept beside the levels it comes from.

Reproducible: bom-refs are derived from the assets; the serial number is a UUID5 of the components'
canonical JSON; the timestamp is ``SOURCE_DATE_EPOCH`` or the scanned repository's last commit time, and
absent when neither exists (never the wall clock). The same tree gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.bom_ref import BomRef
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.crypto import (
    AlgorithmProperties,
    CertificateProperties,
    CryptoAssetType,
    CryptoMode,
    CryptoPrimitive,
    CryptoProperties,
    ProtocolProperties,
    ProtocolPropertiesType,
    RelatedCryptoMaterialProperties,
    RelatedCryptoMaterialType,
)
from cyclonedx.model.tool import Tool
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from qtrust._version import __version__
from qtrust.crypto.catalog import AlgorithmInfo, describe
from qtrust.crypto.findings import CryptoUse, ScanResult
from qtrust.errors import InputError

SKIPPED_NAMED = 200  # at most this many skipped files are named in the CBOM (all are counted)
_NAMESPACE = uuid.UUID("6f1d3c52-3a55-5b1e-9c3e-7a1f0c2b9d41")  # qtrust's CBOM serial-number namespace
_MODES = {m.value.upper(): m for m in CryptoMode}
_PRIMITIVES = {p.value: p for p in CryptoPrimitive}
_KEY_TYPES = {
    "private-key": RelatedCryptoMaterialType.PRIVATE_KEY,
    "public-key": RelatedCryptoMaterialType.PUBLIC_KEY,
}
_PROTOCOLS = {"TLS": ProtocolPropertiesType.TLS, "SSH": ProtocolPropertiesType.SSH}


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "-" for c in text)


def _occurrences(owner: str, uses: Sequence[CryptoUse]) -> ComponentEvidence | None:
    """Each use as an occurrence; its bom-ref names the component, file and line (the library would
    otherwise draw a random one, and order the occurrences by it)."""
    if not uses:
        return None
    out, seen = [], set()
    for use in uses:
        ref = f"{owner}@{use.file}:{use.line}"
        if ref in seen:
            continue
        seen.add(ref)
        context = f"{use.library}: {use.evidence}" if use.library else use.evidence
        out.append(
            Occurrence(bom_ref=ref, location=use.file, line=use.line, additional_context=context[:240])
        )
    return ComponentEvidence(occurrences=out)


def _properties(info: AlgorithmInfo | None, uses: Sequence[CryptoUse]) -> list[Property]:
    libraries = ", ".join(sorted({u.library for u in uses if u.library}))
    out = [Property(name="qtrust:libraries", value=libraries)] if libraries else []
    if info is not None:
        out.append(Property(name="qtrust:quantum-vulnerable", value=str(info.quantum_vulnerable).lower()))
    return out


def _algorithm_component(info: AlgorithmInfo, uses: Sequence[CryptoUse]) -> Component:
    curve = info.parameter_set if info.family in ("EC", "ECDSA", "ECDH") else None
    properties = AlgorithmProperties(
        primitive=_PRIMITIVES.get(info.primitive, CryptoPrimitive.UNKNOWN),
        parameter_set_identifier=None if curve else info.parameter_set,
        curve=curve,
        mode=_MODES.get(info.mode or "", CryptoMode.OTHER) if info.mode else None,
        classical_security_level=info.classical_bits,
        nist_quantum_security_level=info.nist_level,
    )
    return Component(
        type=ComponentType.CRYPTOGRAPHIC_ASSET,
        name=info.name,
        bom_ref=algorithm_ref(info),
        crypto_properties=CryptoProperties(
            asset_type=CryptoAssetType.ALGORITHM, algorithm_properties=properties, oid=info.oid
        ),
        evidence=_occurrences(algorithm_ref(info), uses),
        properties=_properties(info, uses),
    )


def algorithm_ref(info: AlgorithmInfo) -> str:
    """The bom-ref of an algorithm component: what the data-asset register links to."""
    return f"crypto/algorithm/{_slug(info.name)}"


def _date(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _certificate_component(use: CryptoUse, key: AlgorithmInfo, refs: dict[str, str]) -> Component:
    details = dict(use.details)
    signature = details.get("signature_algorithm", "")
    name = details.get("subject") or use.file
    ref = f"crypto/certificate/{_slug(use.file)}/{use.line}"
    return Component(
        type=ComponentType.CRYPTOGRAPHIC_ASSET,
        name=name,
        bom_ref=ref,
        crypto_properties=CryptoProperties(
            asset_type=CryptoAssetType.CERTIFICATE,
            certificate_properties=CertificateProperties(
                subject_name=details.get("subject"),
                issuer_name=details.get("issuer"),
                not_valid_before=_date(details.get("not_before")),
                not_valid_after=_date(details.get("not_after")),
                subject_public_key_ref=BomRef(refs[key.name]),
                certificate_format="X.509",
                certificate_extension=Path(use.file).suffix.lstrip(".") or None,
            ),
        ),
        evidence=_occurrences(ref, [use]),
        properties=[
            *_properties(key, [use]),
            *([Property(name="qtrust:signature-algorithm", value=signature)] if signature else []),
        ],
    )


def _key_component(use: CryptoUse, key: AlgorithmInfo, refs: dict[str, str]) -> Component:
    details = dict(use.details)
    kind = details.get("kind", "")
    size = int(key.parameter_set) if (key.parameter_set or "").isdigit() else None
    ref = f"crypto/key/{_slug(use.file)}/{use.line}"
    return Component(
        type=ComponentType.CRYPTOGRAPHIC_ASSET,
        name=f"{kind or 'key'} {use.file}",
        bom_ref=ref,
        crypto_properties=CryptoProperties(
            asset_type=CryptoAssetType.RELATED_CRYPTO_MATERIAL,
            related_crypto_material_properties=RelatedCryptoMaterialProperties(
                type=_KEY_TYPES.get(kind, RelatedCryptoMaterialType.KEY),
                algorithm_ref=BomRef(refs[key.name]),
                size=size,
                format=use.library.upper() or None,
            ),
        ),
        evidence=_occurrences(ref, [use]),
        properties=_properties(key, [use]),
    )


def _protocol_component(name: str, version: str | None, uses: Sequence[CryptoUse]) -> Component:
    label = f"{name} {version}" if version else name
    ref = f"crypto/protocol/{_slug(label)}"
    return Component(
        type=ComponentType.CRYPTOGRAPHIC_ASSET,
        name=label,
        bom_ref=ref,
        crypto_properties=CryptoProperties(
            asset_type=CryptoAssetType.PROTOCOL,
            protocol_properties=ProtocolProperties(
                type=_PROTOCOLS.get(name, ProtocolPropertiesType.OTHER), version=version
            ),
        ),
        evidence=_occurrences(ref, uses),
        properties=_properties(None, uses),
    )


def components(uses: Iterable[CryptoUse]) -> list[Component]:
    """Group the uses into CBOM components (algorithms first, then certificates, keys and protocols)."""
    by_algorithm: dict[str, list[CryptoUse]] = defaultdict(list)
    infos: dict[str, AlgorithmInfo] = {}
    materials: list[tuple[CryptoUse, AlgorithmInfo]] = []
    protocols: dict[tuple[str, str | None], list[CryptoUse]] = defaultdict(list)
    for use in sorted(uses):
        if use.asset_type == "protocol" or use.algorithm in _PROTOCOLS:
            protocols[(use.algorithm, use.parameter)].append(use)
            continue
        info = describe(use.algorithm, use.parameter, use.mode)
        infos.setdefault(info.name, info)
        if use.asset_type == "algorithm":
            by_algorithm[info.name].append(use)
        else:
            by_algorithm.setdefault(info.name, [])
            materials.append((use, info))
    refs = {name: algorithm_ref(info) for name, info in infos.items()}
    out = [_algorithm_component(infos[name], by_algorithm[name]) for name in sorted(by_algorithm)]
    for use, info in materials:
        maker = _certificate_component if use.asset_type == "certificate" else _key_component
        out.append(maker(use, info, refs))
    out += [
        _protocol_component(n, v, protocols[(n, v)])
        for n, v in sorted(protocols, key=lambda k: (k[0], k[1] or ""))
    ]
    return out


def source_timestamp(roots: Sequence[Path]) -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` if set, else the last commit time of the first scanned root in a git work tree,
    else None: a CBOM's time comes from its source, never from when it was written."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except ValueError:
            raise InputError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds",
                where="SOURCE_DATE_EPOCH",
                fix="set it to a Unix time, e.g. $(git log -1 --format=%ct)",
            ) from None
    for root in roots[:1]:
        folder = root if root.is_dir() else root.parent
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), "log", "-1", "--format=%ct"],
                capture_output=True, text=True, timeout=10, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return dt.datetime.fromtimestamp(int(done.stdout.strip()), tz=dt.UTC)
    return None


def build_bom(scan: ScanResult, *, name: str, timestamp: dt.datetime | None) -> Bom:
    parts = components(scan.uses)
    metadata = BomMetaData(
        component=Component(name=name, type=ComponentType.APPLICATION, bom_ref=f"scanned/{_slug(name)}"),
        timestamp=timestamp,
        properties=[
            Property(name="qtrust:files-scanned", value=str(scan.files_scanned)),
            Property(name="qtrust:files-skipped", value=str(len(scan.skipped))),
            # which files were not read and why, so a reader of the CBOM alone knows what it does not cover
            *[
                Property(name="qtrust:skipped", value=f"{s.file}: {s.reason}")
                for s in scan.skipped[:SKIPPED_NAMED]
            ],
        ],
    )
    metadata.tools.tools.add(Tool(vendor="qtrust", name="qtrust crypto scan", version=__version__))
    bom = Bom(components=parts, metadata=metadata)
    bom.metadata.timestamp = timestamp  # the library defaults to now; a reproducible CBOM must not
    by_ref = {str(c.bom_ref): c for c in parts}
    for part in parts:  # a certificate or key depends on its algorithm: the graph a reader walks
        crypto = part.crypto_properties
        target = None
        if crypto and crypto.certificate_properties:
            target = crypto.certificate_properties.subject_public_key_ref
        elif crypto and crypto.related_crypto_material_properties:
            target = crypto.related_crypto_material_properties.algorithm_ref
        if target is not None:
            bom.register_dependency(part, [by_ref[str(target)]])
    bom.register_dependency(metadata.component, parts)
    return bom


def _serialised(bom: Bom) -> str:
    return JsonV1Dot6(bom).output_as_string(indent=2)


def cbom_json(scan: ScanResult, *, name: str, timestamp: dt.datetime | None) -> bytes:
    """The CBOM's bytes: serialised, its serial number derived from the content, validated against the
    CycloneDX 1.6 JSON schema (a failure is qtrust's bug and stops before anything is written)."""
    bom = build_bom(scan, name=name, timestamp=timestamp)
    bom.serial_number = uuid.UUID(int=0)
    content = json.loads(_serialised(bom))
    content.pop("serialNumber", None)
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    bom.serial_number = uuid.uuid5(_NAMESPACE, digest)
    text = _serialised(bom)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise RuntimeError(f"qtrust wrote a CBOM that is not valid CycloneDX 1.6: {error}")
    return (text + "\n").encode()


def skipped_files(cbom: dict[str, Any]) -> list[dict[str, str]]:
    """The files the scan did not read, as the CBOM names them: {file, reason}."""
    out = []
    for prop in (cbom.get("metadata") or {}).get("properties", []):
        if prop.get("name") == "qtrust:skipped":
            file, _, reason = str(prop.get("value", "")).partition(": ")
            out.append({"file": file, "reason": reason})
    return out


def summary(cbom: dict[str, Any]) -> dict[str, int]:
    """Counts a reader wants first: assets, quantum-vulnerable ones, occurrences."""
    parts = cbom.get("components", [])
    vulnerable = [
        c for c in parts
        if any(p.get("name") == "qtrust:quantum-vulnerable" and p.get("value") == "true" for p in c.get("properties", []))
    ]  # fmt: skip
    occurrences = sum(len((c.get("evidence") or {}).get("occurrences", [])) for c in parts)
    return {"components": len(parts), "quantum_vulnerable": len(vulnerable), "occurrences": occurrences}
