"""The timeline against its published anchors, Mosca's exposure against hand-worked numbers, the NIST
IR 8547 (draft) dates, overdue keys and retention, and the readiness gate."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml
from scipy.stats import lognorm

from qtrust.crypto.readiness import DEFAULT_POLICY, ReadinessCheck, ReadinessPolicy, assess, judge
from qtrust.crypto.register import DataAsset, load_register
from qtrust.crypto.timeline import GRI_2023, Timeline, add_years, load_timeline
from qtrust.errors import InputError

TODAY = dt.date(2026, 12, 7)
CBOM = {
    "bomFormat": "CycloneDX",
    "components": [
        {"bom-ref": "crypto/algorithm/RSA-2048", "name": "RSA-2048",
         "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"classicalSecurityLevel": 112}},
         "properties": [{"name": "qtrust:quantum-vulnerable", "value": "true"}]},
        {"bom-ref": "crypto/algorithm/ECDSA-P-384", "name": "ECDSA-P-384",
         "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"classicalSecurityLevel": 192}},
         "properties": [{"name": "qtrust:quantum-vulnerable", "value": "true"}]},
        {"bom-ref": "crypto/algorithm/AES-256-GCM", "name": "AES-256-GCM",
         "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"classicalSecurityLevel": 256, "nistQuantumSecurityLevel": 5}},
         "properties": [{"name": "qtrust:quantum-vulnerable", "value": "false"}]},
        {"bom-ref": "crypto/algorithm/RC4", "name": "RC4",
         "cryptoProperties": {"assetType": "algorithm", "algorithmProperties": {"classicalSecurityLevel": 0, "nistQuantumSecurityLevel": 0}},
         "properties": [{"name": "qtrust:quantum-vulnerable", "value": "false"}]},
        {"bom-ref": "crypto/protocol/TLS-1.3", "name": "TLS 1.3",
         "cryptoProperties": {"assetType": "protocol", "protocolProperties": {"type": "tls", "version": "1.3"}}},
    ],
}  # fmt: skip


def asset(**fields) -> DataAsset:
    base = {
        "id": "records",
        "title": "Applicants' records",
        "owner": "olga",
        "data_classes": ["personal"],
        "confidentiality_years": 20,
        "protected_by": {
            "at_rest": ["crypto/algorithm/AES-256-GCM"],
            "in_transit": ["crypto/algorithm/RSA-2048"],
        },
        "migration": {"years": 3},
    }
    return DataAsset.model_validate(base | fields)


def test_the_default_timeline_passes_through_the_survey_points_and_is_a_lognormal():
    assert GRI_2023.cdf(add_years(GRI_2023.origin, 5)) == pytest.approx(0.11, abs=1e-3)
    assert GRI_2023.cdf(add_years(GRI_2023.origin, 10)) == pytest.approx(0.31, abs=1e-3)
    reference = lognorm(s=GRI_2023.sigma, scale=math.exp(GRI_2023.mu))  # scipy's own log-normal
    for years in (1, 7.5, 16, 30):
        assert GRI_2023.cdf(add_years(GRI_2023.origin, years)) == pytest.approx(
            reference.cdf(years), abs=2e-4
        )
    assert (
        GRI_2023.quantile(0.31) == add_years(GRI_2023.origin, 10)
        or abs((GRI_2023.quantile(0.31) - add_years(GRI_2023.origin, 10)).days) <= 2
    )
    assert "Quantum Threat Timeline Report 2023" in GRI_2023.describe()


def test_mosca_exposure_by_hand():
    done = assess([asset()], CBOM, GRI_2023, as_of=TODAY)
    e = done.assets[0]
    # not planned: migration assumed to start today and take 3 years; then 20 years secret
    assert e.harvest_ends == add_years(TODAY, 3)
    assert e.secret_until == add_years(add_years(TODAY, 3), 20)
    assert e.exposure_probability == pytest.approx(GRI_2023.cdf(e.secret_until))
    years = (e.secret_until - GRI_2023.origin).days / 365.2425
    assert e.exposure_probability == pytest.approx(
        lognorm(s=GRI_2023.sigma, scale=math.exp(GRI_2023.mu)).cdf(years), abs=1e-6
    )
    # latest safe start: P(Z <= s + 23 years) = 5%
    s = e.latest_safe_start
    assert GRI_2023.cdf(add_years(add_years(s, 3), 20)) == pytest.approx(0.05, abs=1e-3)
    assert e.late  # with X + Y = 23 years, the 5% date is long past
    assert e.nist_deprecated_from == dt.date(2031, 1, 1)  # RSA-2048: 112 bits → deprecated after 2030
    assert e.nist_disallowed_from == dt.date(2036, 1, 1)
    assert e.nist_latest_start == add_years(dt.date(2036, 1, 1), -3)
    assert done.metrics["crypto/summary/max_exposure_without_migration_date"] == pytest.approx(
        e.exposure_probability, abs=1e-6
    )


def test_quantum_safe_protection_has_no_exposure_and_unlinked_counts_as_vulnerable():
    safe = asset(id="safe", protected_by={"at_rest": ["crypto/algorithm/AES-256-GCM"]})
    unlinked = asset(id="unlinked", protected_by={"at_rest": ["crypto/algorithm/Twofish-256"]})
    strong = asset(id="strong", protected_by={"in_transit": ["crypto/algorithm/ECDSA-P-384"]})
    weak = asset(id="weak", protected_by={"at_rest": ["crypto/algorithm/RC4"]})  # not Shor, but no protection
    done = assess([safe, unlinked, strong, weak], CBOM, GRI_2023, as_of=TODAY)
    by_id = {e.asset.id: e for e in done.assets}
    assert by_id["safe"].exposure_probability == 0.0
    assert not by_id["safe"].vulnerable
    assert by_id["unlinked"].vulnerable
    assert not by_id["unlinked"].protections[0].found
    assert by_id["weak"].vulnerable
    assert "below NIST category 1" in by_id["weak"].protections[0].reason
    assert by_id["weak"].nist_disallowed_from is None  # IR 8547 dates public-key algorithms, not RC4
    assert by_id["safe"].protections[0].reason == "quantum-safe at NIST category 5"
    assert by_id["strong"].nist_deprecated_from is None  # 192 bits: only the 2035 disallowance applies
    assert done.metrics["crypto/summary/unlinked_references"] == 1
    assert [e.asset.id for e in done.assets][-1] == "safe"  # ranked by exposure


def test_a_planned_start_moves_the_harvest_window_and_shorter_secrets_lower_exposure():
    planned = asset(migration={"years": 2, "start": "2028-01-01"}, confidentiality_years=2)
    e = assess([planned], CBOM, GRI_2023, as_of=TODAY).assets[0]
    assert e.harvest_ends == add_years(dt.date(2028, 1, 1), 2)
    assert not e.assumed_start_today
    assert (
        e.exposure_probability < assess([asset()], CBOM, GRI_2023, as_of=TODAY).assets[0].exposure_probability
    )


def test_overdue_keys_and_retention_are_flagged():
    a = asset(
        retention={"limit_years": 5, "oldest_record": "2020-01-01"},
        keys=[{"name": "db", "rotation_days": 365, "last_rotated": "2025-01-01"},
              {"name": "fresh", "rotation_days": 365, "last_rotated": "2026-11-01"}],
    )  # fmt: skip
    done = assess([a], CBOM, GRI_2023, as_of=TODAY)
    e = done.assets[0]
    assert e.retention_days_over == (TODAY - add_years(dt.date(2020, 1, 1), 5)).days > 0
    assert [k.overdue for k in e.keys] == [True, False]
    assert e.keys[0].days_overdue == (TODAY - dt.date(2025, 1, 1)).days - 365
    assert done.metrics["crypto/summary/keys_past_rotation"] == 1
    assert done.metrics["crypto/summary/retention_breaches"] == 1


def test_the_gate_fails_an_unplanned_exposed_asset_and_passes_when_it_is_safe():
    exposed = assess([asset()], CBOM, GRI_2023, as_of=TODAY)
    verdicts = {c.id: c.status for c in judge(DEFAULT_POLICY, exposed.metrics)}
    assert verdicts["migration-planned"] == "fail"
    safe = assess(
        [asset(protected_by={"at_rest": ["crypto/algorithm/AES-256-GCM"]})], CBOM, GRI_2023, as_of=TODAY
    )
    assert {c.status for c in judge(DEFAULT_POLICY, safe.metrics)} == {"pass"}
    per_asset = ReadinessPolicy(
        name="p", checks=[ReadinessCheck(id="each", metric="crypto/asset/*/exposure_probability", max=0.5)]
    )
    assert judge(per_asset, exposed.metrics)[0].status == (
        "fail" if exposed.assets[0].exposure_probability > 0.5 else "pass"
    )
    none = ReadinessPolicy(name="p", checks=[ReadinessCheck(id="x", metric="crypto/asset/*/no_such", max=1)])
    assert judge(none, exposed.metrics)[0].status == "inconclusive"


def test_a_users_timeline_is_a_piecewise_linear_cdf(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "source": "our board, 2026",
                "start": "2026-01-01",
                "cdf": {"2036-01-01": 0.2, "2046-01-01": 0.6},
            }
        )
    )
    z = load_timeline(path)
    assert isinstance(z, Timeline)
    assert z.cdf(dt.date(2031, 1, 1)) == pytest.approx(0.1, abs=1e-3)
    assert z.cdf(dt.date(2041, 1, 1)) == pytest.approx(0.4, abs=1e-3)
    assert z.cdf(dt.date(2090, 1, 1)) == 0.6  # flat after the last point
    assert z.quantile(0.7) is None
    path.write_text(
        yaml.safe_dump({"source": "x", "start": "2026-01-01", "cdf": {"2036-01-01": 0.5, "2046-01-01": 0.4}})
    )
    with pytest.raises(InputError, match="rise"):
        load_timeline(path)


def test_a_malformed_register_names_the_field(tmp_path):
    path = tmp_path / "assets.yaml"
    path.write_text(yaml.safe_dump({"assets": [{"id": "a", "title": "t", "owner": "o", "data_classes": ["personal"],
        "confidentiality_years": -1, "protected_by": {"at_rest": ["crypto/algorithm/AES-256-GCM"]}, "migration": {"years": 1}}]}))  # fmt: skip
    with pytest.raises(InputError) as raised:
        load_register(path)
    assert "confidentiality_years" in raised.value.one_line()
    path.write_text(yaml.safe_dump({"assets": [{"id": "a", "title": "t", "owner": "o", "data_classes": ["personal"],
        "confidentiality_years": 1, "protected_by": {"at_rest": ["AES"]}, "migration": {"years": 1}}]}))  # fmt: skip
    with pytest.raises(InputError, match="bom-ref"):
        load_register(path)
