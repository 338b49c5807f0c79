"""Large data: the privacy red team and the robustness search work on seeded stratified samples, and the
result says how many rows of how many — below the caps nothing changes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from qtrust.assess.privacy_audit import audit_design
from qtrust.assess.progress import NullProgress
from qtrust.assess.subsample import smallest_training_cap, stratified_sample, training_sample
from qtrust.audit import run_audit
from qtrust.audit.data_prep import prepare
from qtrust.audit.training import fit_all
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


def test_a_smaller_training_cap_draws_inside_a_larger_one():
    """Nested caps are what let the red team call a row a member of every capped model."""
    rng = np.random.default_rng(1)
    y, g = rng.integers(0, 2, 3000), rng.integers(0, 3, 3000)
    small, large = training_sample(y, g, 300, 5), training_sample(y, g, 1200, 5)
    assert set(small) <= set(large)
    assert training_sample(y, g, None, 5) is None
    assert training_sample(y, g, 3000, 5) is None
    assert smallest_training_cap([object(), SimpleNamespace(max_train_rows=900),
                                  SimpleNamespace(max_train_rows=400)]) == 400  # fmt: skip


def test_kernel_machines_fit_on_their_recorded_sample_and_members_are_rows_they_saw():
    config = dict(TINY, data={"source": "synthetic", "synthetic": {"n_rows": 600, "n_features": 3}})
    config["models"] = [
        *TINY["models"],
        {"kind": "quantum_kernel", "name": "qkernel", "max_train_rows": 150},
    ]
    config["baselines"] = [*TINY["baselines"], {"kind": "rbf_svm", "name": "rbf_svm", "max_train_rows": 300}]
    config["privacy"] = {"n_references": 2, "noise": False, "shots": False, "attacks": ["loss"],
                         "max_rows": 200}  # fmt: skip
    result = run_audit(config_from_dict(config)).result
    records = {m.name: m for m in result.models}
    assert records["vqc"].trained_on is None
    assert records["logistic"].trained_on is None
    assert records["qkernel"].trained_on.of == 420  # the 70% training split
    assert abs(records["qkernel"].trained_on.rows - 150) <= 4
    assert abs(records["rbf_svm"].trained_on.rows - 300) <= 4
    # the fitted kernel machine saw exactly the recorded sample: its Gram matrix is that sample's size, the
    # same for every training seed
    config_obj = config_from_dict(config)
    data = prepare(config_obj)
    sample = training_sample(data.y_train, data.groups_train, 150, config_obj.seed)
    assert sample is not None
    assert len(sample) == records["qkernel"].trained_on.rows
    assert abs(np.mean(data.y_train[sample]) - np.mean(data.y_train)) < 0.02  # label balance kept
    # members of the red team are rows every model was fitted on (inside the smallest cap's sample)
    design = audit_design(config_obj, data)
    members = data.X_train[sample]
    member_rows = design.X[design.split.members]
    assert all(any(np.array_equal(row, seen) for seen in members) for row in member_rows)
    assert "every model was fitted on" in result.privacy.design.how
    # refit as the audit does: each fit's Gram matrix (qkernel) and scaler (rbf_svm) saw exactly its sample
    models = {m.name: m for m in fit_all(config_obj, data.X_train, data.y_train, [0, 1], NullProgress(),
                                         groups=data.groups_train)}  # fmt: skip
    assert {fit.gram_train_.shape for fit in models["qkernel"].fits.values()} == {(len(sample),) * 2}
    svm_rows = training_sample(data.y_train, data.groups_train, 300, config_obj.seed)
    assert {fit[0].n_samples_seen_ for fit in models["rbf_svm"].fits.values()} == {len(svm_rows)}
    assert np.allclose(models["rbf_svm"].fits[0][0].mean_, data.X_train[svm_rows].mean(axis=0))
