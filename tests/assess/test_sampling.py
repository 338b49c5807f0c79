"""Large data: the privacy red team and the robustness search work on seeded stratified samples, and the
result says how many rows of how many — below the caps nothing changes."""

from __future__ import annotations

import numpy as np

from qtrust.assess.subsample import stratified_sample
from qtrust.audit import run_audit
from qtrust.config import config_from_dict
from tiny_audit import TINY


def test_a_stratified_sample_keeps_each_label_and_groups_share_and_is_seeded():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    g = np.where(rng.random(5000) < 0.1, "small", "large")  # a small group of about 10%
    rows = stratified_sample(y, g, 1000, 7, "stage")
    assert abs(len(rows) - 1000) <= 4
    assert np.all(np.diff(rows) > 0)
    for label in (0, 1):
        for group in ("small", "large"):
            share = np.mean((y == label) & (g == group))
            kept = np.mean((y[rows] == label) & (g[rows] == group))
            assert abs(kept - share) < 0.005
    assert np.array_equal(rows, stratified_sample(y, g, 1000, 7, "stage"))
    assert not np.array_equal(rows, stratified_sample(y, g, 1000, 8, "stage"))
    assert np.array_equal(
        stratified_sample(y, g, 6000, 7, "stage"), np.arange(5000)
    )  # no more rows than there are


def test_the_audit_records_what_it_sampled_and_nothing_below_the_caps():
    config = dict(TINY, data={"source": "synthetic", "synthetic": {"n_rows": 600, "n_features": 3}})
    config["privacy"] = {"n_references": 2, "noise": False, "shots": False, "max_rows": 200}
    config["robustness"] = {"n_draws": 2, "attack_steps": 1, "gaussian_sigmas": [0.1], "linf_epsilons": [0.1],
                            "max_rows": 60}  # fmt: skip
    result = run_audit(config_from_dict(config)).result
    design = result.privacy.design
    assert design.n_available == 600
    assert abs(design.n_pool - 200) <= 8
    assert "sampled to" in design.how
    assert result.robustness.rows_available == 180  # the 30% test split
    assert abs(result.robustness.rows - 60) <= 4
    config["privacy"]["max_rows"] = None
    config["robustness"]["max_rows"] = None
    whole = run_audit(config_from_dict(config)).result
    assert whole.privacy.design.n_available is None
    assert whole.privacy.design.n_pool == 600
    assert whole.robustness.rows is None
