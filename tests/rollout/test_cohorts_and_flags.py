"""Cohorts by the documented hash, and the OpenFeature flag that routes requests — classical on any failure."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails
from openfeature.provider import AbstractProvider, Metadata
from scipy.stats import binomtest, chisquare

from qtrust.rollout.cohorts import BUCKETS, bucket, in_canary
from qtrust.rollout.flags import FlagRouter, FlagState, RolloutProvider

KEYS = [f"customer-{i}" for i in range(50_000)]


def test_the_bucket_is_the_documented_formula():
    # the README and the module docstring define it; any change must get a new version name
    for key, salt in [("customer-1", "r1"), ("ü-ß", "rollout-2026"), ("", "")]:
        digest = hashlib.sha256(b"qtrust-cohort/v1\x00" + salt.encode() + b"\x00" + key.encode()).digest()
        assert bucket(key, salt) == int.from_bytes(digest[:8], "big") % 10_000


def test_buckets_are_uniform_and_cohorts_only_grow():
    buckets = np.array([bucket(k, "r1") for k in KEYS])
    assert chisquare(np.bincount(buckets // 1_000, minlength=10)).pvalue > 1e-3
    for percent in (1, 5, 25, 50):
        share = binomtest(int(np.sum(buckets < percent * BUCKETS / 100)), len(KEYS))
        low, high = share.proportion_ci(0.999)
        assert low <= percent / 100 <= high
    at_5 = {k for k in KEYS[:5_000] if in_canary(k, "r1", 5)}
    at_25 = {k for k in KEYS[:5_000] if in_canary(k, "r1", 25)}
    assert at_5 < at_25  # a promotion only adds users
    other = {k for k in KEYS[:5_000] if in_canary(k, "r2", 25)}
    assert 0.03 < len(at_25 & other) / 5_000 < 0.10  # independent salts: about 25% of 25%


def test_cohorts_do_not_depend_on_the_process():
    code = "from qtrust.rollout.cohorts import bucket; print([bucket(f'k{i}', 's') for i in range(20)])"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env=os.environ | {"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {str([bucket(f"k{i}", "s") for i in range(20)]) + "\n"}


def _router(state: FlagState | None) -> FlagRouter:
    return FlagRouter(RolloutProvider(lambda: state), label=lambda: state.label if state else None)


def test_the_flag_routes_by_cohort_consent_and_rollback():
    state = FlagState("r1", 50.0)
    router = _router(state)
    inside = next(k for k in KEYS if in_canary(k, "r1", 50))
    outside = next(k for k in KEYS if not in_canary(k, "r1", 50))
    assert router.route(inside, {}).variant == "quantum"
    routed = router.route(outside, {})
    assert (routed.variant, routed.rollout) == ("classical", "r1@50%")
    assert "qtrust-cohort/v1" in routed.reason
    assert router.route(None, {}).variant == "classical"  # no key: the default
    opt_in = _router(FlagState("r1", 50.0, opt_in=True))
    assert opt_in.route(inside, {}).variant == "classical"
    assert opt_in.route(inside, {"consent": True}).variant == "quantum"
    rolled = _router(FlagState("r1", 50.0, rolled_back=True)).route(inside, {})
    assert (rolled.variant, rolled.rollout) == ("classical", "r1@rolled-back")
    assert _router(None).route(inside, {}).variant == "classical"  # no rollout yet
    router.close()
    assert router.route(inside, {}).variant == "classical"  # a closed router serves classical


class Broken(AbstractProvider):
    def __init__(self, how: str) -> None:
        self.how = how

    def get_metadata(self) -> Metadata:
        return Metadata(name="broken")

    def resolve_string_details(self, flag_key, default_value, evaluation_context=None):
        if self.how == "raises":
            raise ConnectionError("flag service unreachable")
        if self.how == "error":
            return FlagResolutionDetails(default_value, ErrorCode.GENERAL, "stale config")
        return FlagResolutionDetails("both", variant="both")

    resolve_boolean_details = resolve_integer_details = resolve_float_details = resolve_object_details = (
        resolve_string_details
    )


@pytest.mark.parametrize(
    ("how", "reason"), [("raises", "flag failure"), ("error", "flag failure"), ("odd", "unknown variant")]
)
def test_a_failing_flag_serves_the_classical_model(how, reason):
    routed = FlagRouter(Broken(how)).route("customer-1", {})
    assert routed.variant == "classical"
    assert reason in routed.reason
