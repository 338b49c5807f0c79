"""in-toto Statements v1: what each evidence entry says, and about which artefacts.

A statement names its subjects by SHA-256 digest and carries one typed predicate. qtrust uses the standard
predicates where one fits, so that generic supply-chain tooling can read its log:

- an audit run is SLSA provenance v1 (the config as external parameters, the dataset and code digests as
  resolved dependencies, the models, noise model and probability digests as byproducts);
- assessment outcomes are the in-toto test-result predicate (passed / warned / failed findings);
- the rest have qtrust's own versioned predicate types, listed below.
"""

from __future__ import annotations

from typing import Any

from qtrust.numbers import inexact_integers

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
TEST_RESULT_V01 = "https://in-toto.io/attestation/test-result/v0.1"
QTRUST_PREDICATES = "https://qtrust.dev/evidence"
LOG_INIT_V1 = f"{QTRUST_PREDICATES}/log-init/v1"
KEY_ROTATION_V1 = f"{QTRUST_PREDICATES}/key-rotation/v1"
PLAN_V1 = f"{QTRUST_PREDICATES}/plan/v1"
GATE_DECISION_V1 = f"{QTRUST_PREDICATES}/gate-decision/v1"
PROJECT_V1 = f"{QTRUST_PREDICATES}/project/v1"  # the roster: people, roles and their public keys
APPROVAL_REQUEST_V1 = f"{QTRUST_PREDICATES}/approval-request/v1"
APPROVAL_V1 = f"{QTRUST_PREDICATES}/approval/v1"
RISK_V1 = f"{QTRUST_PREDICATES}/risk/v1"
IMPACT_ASSESSMENT_V1 = f"{QTRUST_PREDICATES}/impact-assessment/v1"
INCIDENT_V1 = f"{QTRUST_PREDICATES}/incident/v1"
POLICY_V1 = f"{QTRUST_PREDICATES}/policy/v1"  # the release policy the owner put in force
ATTESTATION_V1 = f"{QTRUST_PREDICATES}/attestation/v1"
GOVERNANCE_APPROACH_V1 = f"{QTRUST_PREDICATES}/governance-approach/v1"
DEPLOYMENT_V1 = f"{QTRUST_PREDICATES}/deployment/v1"  # a model artefact put into service, and how
DRILL_V1 = (
    f"{QTRUST_PREDICATES}/drill/v1"  # an incident drill: the failure injected and how fast it was handled
)
ROLLOUT_PLAN_V1 = f"{QTRUST_PREDICATES}/rollout-plan/v1"  # a registered rollout plan (policy code)
ROLLOUT_V1 = f"{QTRUST_PREDICATES}/rollout/v1"  # a canary rollout's start, step decisions and people's moves
CBOM_V1 = f"{QTRUST_PREDICATES}/cbom/v1"  # a cryptography bill of materials (CycloneDX 1.6) and its scan
DATA_ASSET_V1 = f"{QTRUST_PREDICATES}/data-asset/v1"  # one data asset of the register, signed by who wrote it
CRYPTO_READINESS_V1 = f"{QTRUST_PREDICATES}/crypto-readiness/v1"  # exposure metrics and the readiness gate
SWEEP_V1 = f"{QTRUST_PREDICATES}/sweep/v1"  # a sweep of member audits: its grid, every member's digest
SYSTEM_ACTOR = (
    "system:"  # prefix of an actor that is qtrust itself (an automatic incident), signed by the log key
)
AUDIT_BUILD_TYPE = "https://qtrust.dev/audit/v1"

KINDS = {
    SLSA_PROVENANCE_V1: "audit",
    TEST_RESULT_V01: "assessment",
    LOG_INIT_V1: "log-init",
    KEY_ROTATION_V1: "key-rotation",
    PLAN_V1: "plan",
    GATE_DECISION_V1: "gate-decision",
    PROJECT_V1: "project",
    APPROVAL_REQUEST_V1: "approval-request",
    APPROVAL_V1: "approval",
    RISK_V1: "risk",
    IMPACT_ASSESSMENT_V1: "impact-assessment",
    INCIDENT_V1: "incident",
    POLICY_V1: "policy",
    ATTESTATION_V1: "attestation",
    GOVERNANCE_APPROACH_V1: "governance-approach",
    DEPLOYMENT_V1: "deployment",
    ROLLOUT_V1: "rollout",
    DRILL_V1: "drill",
    ROLLOUT_PLAN_V1: "rollout-plan",
    CBOM_V1: "cbom",
    DATA_ASSET_V1: "data-asset",
    CRYPTO_READINESS_V1: "crypto-readiness",
    SWEEP_V1: "sweep",
}


def kind_of(predicate_type: str) -> str:
    """A short, human label of an entry (stored beside it for listing; never trusted for verification)."""
    return KINDS.get(
        predicate_type, predicate_type.rstrip("/").rsplit("/", 2)[-2] if "/" in predicate_type else "other"
    )


def resource(name: str, sha256: str, **fields: Any) -> dict[str, Any]:
    """An in-toto ResourceDescriptor with a SHA-256 digest (hex, without the ``sha256:`` prefix)."""
    digest = sha256.removeprefix("sha256:")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"resource {name!r}: {sha256!r} is not a hex SHA-256 digest")
    return {"name": name, "digest": {"sha256": digest}, **{k: v for k, v in fields.items() if v is not None}}


def statement(
    subjects: list[dict[str, Any]], predicate_type: str, predicate: dict[str, Any]
) -> dict[str, Any]:
    doc = {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": predicate_type,
        "predicate": predicate,
    }
    check_statement(doc)
    return doc


def check_exact_integers(doc: Any) -> None:
    """Raise ValueError naming where ``doc`` holds an integer beyond ±(2**53 − 1).

    in-toto's protobuf readers parse numbers as doubles (I-JSON, RFC 7493), so such a number — a seed, say —
    would read back as another one. Checked when an entry is written (:meth:`EvidenceLog.append_many`), not
    when one is verified: a log written before the rule still verifies. Inputs that take seeds check them on
    entry (:func:`qtrust.numbers.as_seed`); this is the last line, so no new entry holds one.
    """
    inexact = inexact_integers(doc)
    if inexact:
        raise ValueError(
            f"{', '.join(inexact[:3])}: integers beyond ±(2**53 − 1) do not survive JSON readers that parse "
            "numbers as doubles (I-JSON, RFC 7493); record it below 2**53"
        )


def check_statement(doc: Any) -> None:
    """Raise ValueError naming what is wrong if ``doc`` is not an in-toto Statement v1."""
    if not isinstance(doc, dict):
        raise ValueError("statement is not a JSON object")
    if doc.get("_type") != STATEMENT_TYPE:
        raise ValueError(f"_type is {doc.get('_type')!r}, expected {STATEMENT_TYPE!r}")
    subjects = doc.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise ValueError("subject must be a non-empty list")
    for i, subject in enumerate(subjects):
        if (
            not isinstance(subject, dict)
            or not isinstance(subject.get("digest"), dict)
            or not subject["digest"]
        ):
            raise ValueError(f"subject[{i}] needs a digest")
    if not isinstance(doc.get("predicateType"), str) or not doc["predicateType"]:
        raise ValueError("predicateType must be a non-empty string (a URI)")
    if not isinstance(doc.get("predicate"), dict):
        raise ValueError("predicate must be a JSON object")
