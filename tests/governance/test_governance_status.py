"""Checklist status against a real audit, attestations with attachment digests, and forged entries."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from governance_support import AUDIT_SEQ, PLAN_SEQ, attest_as, start_roster, statuses

from qtrust.encoding import b64decode, b64encode, canonical_json
from qtrust.errors import InputError
from qtrust.evidence import EvidenceLog, LogKeys, TrustedKeys
from qtrust.evidence import statements as st
from qtrust.evidence.merkle import leaf_hash
from qtrust.governance import ATTESTATION_V1, evaluate_checklists, load_checklists
from qtrust.governance.entries import read_log

EVIDENCE_ITEMS = (
    "research-to-prototype.dataset-provenance",
    "pre-deployment.noise-sensitivity",
    "pre-deployment.fairness",
    "pre-deployment.failure-modes",
    "pre-deployment.reproducible-tests",
    "pre-deployment.forensic-logging",
)


def audit_statement(metrics: dict, licence: str = "CC0-1.0") -> dict:
    """A minimal SLSA provenance statement shaped like the one `qtrust audit` records."""
    return st.statement(
        [st.resource("results.json", "ab" * 32)],
        st.SLSA_PROVENANCE_V1,
        {
            "buildDefinition": {
                "buildType": st.AUDIT_BUILD_TYPE,
                "externalParameters": {"config": {}},
                "resolvedDependencies": [
                    st.resource(
                        "dataset:credit",
                        "cd" * 32,
                        annotations={
                            "provenance": {"source": "credit.csv", "licence": licence, "sha256": "cd" * 32}
                        },
                    )
                ],
            },
            "runDetails": {
                "byproducts": [st.resource("metrics", "ef" * 32, annotations={"metrics": metrics})]
            },
        },
    )


def test_a_recorded_audit_with_a_noise_sweep_satisfies_the_evidence_items_citing_its_entry(audited, open_log):
    log = open_log(audited, read_only=True)
    assert log.statement(AUDIT_SEQ)["predicateType"] == st.SLSA_PROVENANCE_V1
    found = statuses(audited, log)
    for item in EVIDENCE_ITEMS:
        assert found[item].status == "satisfied", (item, found[item].reason)
    noise = found["pre-deployment.noise-sensitivity"]
    assert noise.entries == (AUDIT_SEQ,)
    assert noise.reason == f"audit entry {AUDIT_SEQ} measured noise/vqc/depolarizing@0.01/accuracy"
    assert found["pre-deployment.reproducible-tests"].entries == (PLAN_SEQ, AUDIT_SEQ)
    assert "licence CC0-1.0" in found["research-to-prototype.dataset-provenance"].reason
    assert "the log verifies" in found["pre-deployment.forensic-logging"].reason
    # attestation items stay missing until someone signs for them, and say how
    consent = found["research-to-prototype.informed-consent"]
    assert consent.status == "missing"
    assert "qtrust checklist attest research-to-prototype.informed-consent" in consent.reason
    assert consent.to_dict()["mappings"]["eu_ai_act"] == ["IV.2(d)"]


def test_a_log_without_an_audit_leaves_the_evidence_items_missing_and_says_why(empty, open_log):
    log = open_log(empty)
    found = statuses(empty, log)
    for item in EVIDENCE_ITEMS:
        assert found[item].status == "missing"
        assert found[item].entries == ()
    assert found["pre-deployment.noise-sensitivity"].reason.startswith("no audit in the log")
    assert "no evaluation plan is registered" in found["pre-deployment.reproducible-tests"].reason
    # an audit without a noise sweep (only the noiseless reference) does not satisfy noise sensitivity,
    # and a user CSV with an unknown licence does not satisfy dataset provenance
    metrics = {
        "noise/vqc/reference/accuracy": {"value": 0.8},
        "fairness/vqc/overall/accuracy": {"value": 0.8},
    }
    seq = log.append(audit_statement(metrics, licence="unknown (user supplied)")).seq
    found = statuses(empty, log)
    assert found["pre-deployment.noise-sensitivity"].reason == (
        f"the newest audit (entry {seq}) has no metric matching noise/*/*@*/accuracy with a defined value"
    )
    assert (
        "lacks licence ('unknown (user supplied)')"
        in found["research-to-prototype.dataset-provenance"].reason
    )
    # an undefined value does not count either; a defined one does, and the newest audit is cited
    log.append(audit_statement({"noise/vqc/depolarizing@0.05/accuracy": {"value": None}}))
    assert statuses(empty, log)["pre-deployment.noise-sensitivity"].status == "missing"
    log.append(audit_statement({"noise/vqc/depolarizing@0.05/accuracy": {"value": 0.7}}))
    newest = log.append(audit_statement({"noise/vqc/depolarizing@0.01/accuracy": {"value": 0.75}})).seq
    noise = statuses(empty, log)["pre-deployment.noise-sensitivity"]
    assert noise.entries == (newest,)
    assert noise.reason == f"audit entry {newest} measured noise/vqc/depolarizing@0.01/accuracy"


def test_an_attestation_with_an_attachment_satisfies_its_item_and_records_the_digest(
    empty, open_log, tmp_path
):
    olga = start_roster(empty)
    log = open_log(empty)
    review = tmp_path / "ethics-board-decision.pdf"
    review.write_bytes(b"%PDF-1.7 approved with conditions\n" * 100)
    first = attest_as(
        empty, log, olga, "research-to-prototype.ethical-review", "Approved by the ethics board", review
    )
    statement = log.statement(first.seq)
    assert first.kind == "attestation"
    assert statement["predicateType"] == ATTESTATION_V1
    digest = hashlib.sha256(review.read_bytes()).hexdigest()
    assert statement["subject"] == [{"name": review.name, "digest": {"sha256": digest}}]
    predicate = statement["predicate"]
    assert predicate["attachment"] == {"name": review.name, "sha256": digest}
    assert (predicate["item"], predicate["checklist"], predicate["attested_by"]) == (
        "research-to-prototype.ethical-review",
        "research-to-prototype",
        "olga",
    )
    found = statuses(empty, log)["research-to-prototype.ethical-review"]
    assert found.status == "satisfied"
    assert found.entries == (first.seq,)
    assert digest[:12] in found.reason
    # a second attestation supersedes the first: the newest is cited
    second = attest_as(empty, log, olga, "research-to-prototype.ethical-review", "Conditions met", review)
    assert statuses(empty, log)["research-to-prototype.ethical-review"].entries == (second.seq,)
    # the other items are not satisfied by it
    assert statuses(empty, log)["research-to-prototype.threat-model"].status == "missing"


def test_attest_refuses_bad_input_before_writing(empty, open_log, tmp_path):
    olga = start_roster(empty)
    log = open_log(empty)
    size = log.size()

    def attest(_log, *args):
        return attest_as(empty, log, olga, *args)

    with pytest.raises(InputError, match="no file at"):
        attest(log, "policy-legal.vendor-contracts", "signed", tmp_path / "missing.pdf")
    with pytest.raises(InputError, match="requires the attested document"):
        attest(log, "policy-legal.vendor-contracts", "signed")
    with pytest.raises(InputError, match="satisfied by evidence"):
        attest(log, "pre-deployment.noise-sensitivity", "we tested it, trust us", tmp_path)
    with pytest.raises(InputError, match="the note is empty"):
        attest(log, "policy-legal.vendor-contracts", "   ", tmp_path)
    with pytest.raises(InputError, match="no checklist item"):
        attest(log, "policy-legal.vendor-contract", "signed")
    assert log.size() == size


def test_an_attestation_without_attachment_hashes_the_note_where_the_item_allows_it(
    empty, open_log, tmp_path
):
    extra = tmp_path / "ours.yaml"
    extra.write_text(
        json.dumps(
            {
                "checklist": {"id": "operations", "title": "Operations"},
                "items": [
                    {
                        "id": "operations.on-call",
                        "title": "On-call rota",
                        "description": "Someone is on call for the model.",
                        "mappings": {"nist_ai_rmf": ["MANAGE 4.3"]},
                        "satisfied_by": {"attestation": {}},
                    }
                ],
            }
        )
    )
    olga = start_roster(empty)
    log = open_log(empty)
    recorded = attest_as(
        empty, log, olga, "operations.on-call", "Rota in the ops wiki", checklists=load_checklists([extra])
    )
    subject = log.statement(recorded.seq)["subject"][0]
    assert subject["digest"]["sha256"] == hashlib.sha256(b"Rota in the ops wiki").hexdigest()
    assert statuses(empty, log, (extra,))["operations.on-call"].entries == (recorded.seq,)


def test_a_forged_attestation_and_a_forged_audit_satisfy_nothing(empty, open_log, tmp_path):
    """An attacker with database access but not the log's keys appends well-formed, self-signed entries."""
    log = open_log(empty)
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"no such contract")
    forger = EvidenceLog(log.store, LogKeys.generate())  # the same database, the attacker's own keys
    forged = forger.append(
        st.statement(
            [st.resource(contract.name, hashlib.sha256(contract.read_bytes()).hexdigest())],
            ATTESTATION_V1,
            {
                "item": "policy-legal.vendor-contracts",
                "checklist": "policy-legal",
                "note": "Signed with every vendor",
                "attachment": {
                    "name": contract.name,
                    "sha256": hashlib.sha256(contract.read_bytes()).hexdigest(),
                },
                "attested_at": "2026-01-01T00:00:00+00:00",
            },
        ),
        checkpoint=False,
    )
    forged_audit = forger.append(
        audit_statement({"noise/vqc/depolarizing@0.01/accuracy": {"value": 0.9}}), checkpoint=False
    )
    found = statuses(empty, log)
    noise, contracts = found["pre-deployment.noise-sensitivity"], found["policy-legal.vendor-contracts"]
    assert (noise.status, contracts.status) == ("missing", "missing")
    assert f"entry {forged.seq} attests it but does not verify" in contracts.reason
    assert f"entry {forged_audit.seq} would, but does not verify" in noise.reason
    assert found["pre-deployment.forensic-logging"].reason.startswith("the log does not verify")


def test_an_edited_attestation_no_longer_counts(empty, open_log, tmp_path):
    """A genuine attestation whose signed payload is changed afterwards (note rewritten, leaf rehashed)."""
    olga = start_roster(empty)
    log = open_log(empty)
    threat_model = tmp_path / "threats.md"
    threat_model.write_text("# Threat model\n")
    seq = attest_as(empty, log, olga, "research-to-prototype.threat-model", "Reviewed", threat_model).seq
    assert statuses(empty, log)["research-to-prototype.threat-model"].status == "satisfied"

    db = sqlite3.connect(empty.home / "evidence.db")
    db.execute("DROP TRIGGER entries_no_update")
    envelope = json.loads(db.execute("SELECT envelope FROM entries WHERE seq = ?", (seq,)).fetchone()[0])
    payload = json.loads(b64decode(envelope["payload"]))
    payload["predicate"]["note"] = "Reviewed and approved by the CISO"
    envelope["payload"] = b64encode(canonical_json(payload))
    raw = canonical_json(envelope)
    db.execute("UPDATE entries SET envelope = ?, leaf_hash = ? WHERE seq = ?", (raw, leaf_hash(raw), seq))
    db.commit()
    db.close()

    status = statuses(empty, log)["research-to-prototype.threat-model"]
    assert status.status == "missing"
    assert f"entry {seq} attests it but does not verify" in status.reason


def test_only_entries_signed_by_trusted_keys_count(audited, open_log):
    log = open_log(audited, read_only=True)
    stranger = TrustedKeys(LogKeys.generate().public_keys())
    found = evaluate_checklists(load_checklists(), read_log(log, stranger))
    assert all(s.status == "missing" for s in found)


def test_an_attestation_signed_by_the_log_key_alone_satisfies_nothing(empty, open_log, tmp_path):
    """The operator holds the log key, not a person's: an attestation must be a person's on the roster."""
    from qtrust.governance.attestations import prepare_attestation

    start_roster(empty)
    log = open_log(empty)
    review = tmp_path / "review.pdf"
    review.write_bytes(b"approved")
    doc = prepare_attestation(
        load_checklists(), "research-to-prototype.ethical-review", "Approved", review, attested_by="olga"
    )
    seq = log.append(doc).seq  # signed by the log key only, naming olga
    found = statuses(empty, log)["research-to-prototype.ethical-review"]
    assert found.status == "missing"
    assert (
        f"entry {seq} attests it but does not verify (this attestation names olga but is not signed by olga's key"
        in found.reason
    )
