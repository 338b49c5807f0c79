"""Membership and attribute inference: checked against sklearn, brute force and models with known leakage."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

from qtrust.assess.privacy import (
    MembershipDesign,
    MembershipSplit,
    PrivacyTarget,
    _weighted_roc,
    assess_privacy,
    attribute_inference,
    check_fprs,
    inclusion_mask,
    lira_offline,
    logit_confidence,
    loss_threshold_attack,
    measurable_fprs,
    membership_metrics,
    shadow_attack,
    split_membership,
    targets_from_audit,
    tpr_at_fpr,
)
from qtrust.assess.progress import NullProgress
from qtrust.audit.data_prep import prepare
from qtrust.audit.training import fit_all
from qtrust.config import config_from_dict
from qtrust.data import make_synthetic
from qtrust.errors import InputError
from qtrust.models import VariationalClassifier
from qtrust.quantum.noise import NoiseModel


def _brute_tpr_at_fpr(s1: np.ndarray, s0: np.ndarray, fpr: float) -> float:
    """Every threshold (each distinct score and +inf), flag score ≥ t; the best TPR with FPR ≤ fpr."""
    best = 0.0
    for t in [np.inf, *np.unique(np.concatenate([s1, s0]))]:
        if (s0 >= t).sum() <= fpr * len(s0) + 1e-9:
            best = max(best, float((s1 >= t).mean()))
    return best


class ConstantModel(ClassifierMixin, BaseEstimator):
    """Ignores its input: P(class 1) is the training base rate for every row."""

    def __init__(self, random_state: int | None = None) -> None:
        self.random_state = random_state

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.rate_ = float(np.mean(y))
        return self

    def predict_proba(self, X):
        p = np.full(len(X), self.rate_)
        return np.column_stack([1 - p, p])


@pytest.fixture(scope="module")
def random_label_design() -> MembershipDesign:
    """Angles with labels independent of them: anything a model learns about the labels is memorised."""
    rng = np.random.default_rng(0)
    n = 240
    X = rng.uniform(0, np.pi, (n, 3))
    y = rng.integers(0, 2, n)
    groups = rng.choice(["a", "b"], n)
    return MembershipDesign.from_pool(X, y, groups, seed=1)


# ---------------------------------------------------------------------------------------------------------
# metrics against independent references
# ---------------------------------------------------------------------------------------------------------


def test_loss_attack_scores_and_auc_match_sklearn():
    rng = np.random.default_rng(1)
    p1, p0 = rng.beta(4, 2, 150), rng.beta(2, 2, 120)
    y1, y0 = rng.integers(0, 2, 150), rng.integers(0, 2, 120)
    scores = loss_threshold_attack(p1, y1, p0, y0)
    assert np.allclose(scores.members[0], np.log(np.where(y1 == 1, p1, 1 - p1)))
    metrics = membership_metrics(scores, fprs=(1e-2,), n_boot=200, seed=3)
    labels = np.r_[np.ones(150), np.zeros(120)]
    expected = roc_auc_score(labels, np.r_[scores.members[0], scores.nonmembers[0]])
    assert metrics.auc.value == pytest.approx(expected, abs=1e-12)
    assert metrics.auc.ci_low < metrics.auc.value < metrics.auc.ci_high


def test_tpr_at_fpr_matches_brute_force_with_ties():
    rng = np.random.default_rng(2)
    for _ in range(20):
        s1 = np.round(rng.normal(0.6, 1, 80), 1)  # rounding makes ties between and within classes
        s0 = np.round(rng.normal(0, 1, 200), 1)
        for fpr in (0.005, 0.01, 0.05, 0.2):
            assert tpr_at_fpr(s1, s0, fpr) == pytest.approx(_brute_tpr_at_fpr(s1, s0, fpr), abs=1e-12)


def test_weighted_roc_equals_sklearn_on_resampled_rows():
    """The vectorised bootstrap ROC on counts equals sklearn on the rows repeated by those counts."""
    rng = np.random.default_rng(3)
    s1, s0 = np.round(rng.normal(0.5, 1, 60), 1), np.round(rng.normal(0, 1, 150), 1)
    w1 = rng.multinomial(60, np.full(60, 1 / 60), size=5).astype(float)
    w0 = rng.multinomial(150, np.full(150, 1 / 150), size=5).astype(float)
    w1[0], w0[0] = 1.0, 1.0
    auc, tpr = _weighted_roc(s1, s0, w1, w0, (0.01, 0.1))
    for b in range(5):
        r1, r0 = np.repeat(s1, w1[b].astype(int)), np.repeat(s0, w0[b].astype(int))
        labels = np.r_[np.ones(len(r1)), np.zeros(len(r0))]
        assert auc[b] == pytest.approx(roc_auc_score(labels, np.r_[r1, r0]), abs=1e-12)
        assert tpr[b, 0] == pytest.approx(_brute_tpr_at_fpr(r1, r0, 0.01), abs=1e-12)
        assert tpr[b, 1] == pytest.approx(tpr_at_fpr(r1, r0, 0.1), abs=1e-12)


def test_too_few_nonmembers_for_the_fpr_is_a_clear_error():
    with pytest.raises(
        InputError, match=r"TPR at 0\.1% FPR needs ≥ 1000 non-members; the split has 300"
    ) as info:
        check_fprs((1e-3, 1e-2), 300)
    assert "lower the FPR list or add non-members" in str(info.value)
    assert "(0.01,)" in str(info.value)
    assert check_fprs((1e-2,), 300) == (0.01,)
    assert measurable_fprs(300) == (0.01,)
    assert measurable_fprs(1000) == (0.001, 0.01)
    scores = loss_threshold_attack(np.full(5, 0.9), np.ones(5), np.full(300, 0.4), np.ones(300))
    with pytest.raises(InputError, match="needs ≥ 1000 non-members"):
        membership_metrics(scores)
    assert membership_metrics(scores, fprs=(1e-2,), n_boot=50).tpr_at_fpr[0.01].value == 1.0


def test_assessment_rejects_an_unmeasurable_fpr_before_training(random_label_design):
    def factory(seed):
        raise AssertionError("must not train")

    with pytest.raises(InputError, match="needs ≥ 1000 non-members; the split has 121"):
        assess_privacy([PrivacyTarget("m", factory, "classical")], random_label_design, seed=0)


# ---------------------------------------------------------------------------------------------------------
# attacks on models with known leakage
# ---------------------------------------------------------------------------------------------------------


def test_overfitted_model_leaks_and_constant_model_does_not(random_label_design):
    targets = [
        PrivacyTarget("forest", lambda s: RandomForestClassifier(60, random_state=s), "classical"),
        PrivacyTarget("constant", ConstantModel, "classical"),
    ]
    report = assess_privacy(
        targets, random_label_design, seed=0, fprs=(1e-2,), n_references=4, n_boot=300, attribute_rows=None
    )
    forest = report.model("forest").setting()
    constant = report.model("constant").setting()
    for attack in ("loss", "shadow", "lira"):
        leak = forest.attacks[attack].metrics
        assert leak.auc.value > 0.9, attack
        assert leak.tpr_at_fpr[0.01].value > 0.02, attack
        none = constant.attacks[attack].metrics.auc
        assert none.ci_low <= 0.5 <= none.ci_high, attack
        assert abs(none.value - 0.5) < 0.05, attack
    assert forest.attacks["lira"].details["variance"] == "global"  # 4 < 64 reference models
    assert forest.attacks["lira"].details["out_models_per_row"] == {"min": 2, "max": 2}


def test_lira_calibrates_per_row_difficulty_where_the_loss_attack_cannot():
    """Rows differ in how confident any model is on them; members sit +1 above their own OUT level."""
    rng = np.random.default_rng(4)
    n1, n0, k = 300, 300, 8
    level = rng.normal(0, 3, n1 + n0)  # per-row difficulty, larger than the membership effect
    phi_target = level + np.r_[np.ones(n1), np.zeros(n0)] + rng.normal(0, 0.3, n1 + n0)
    phi_ref = level + rng.normal(0, 0.3, (k, n1 + n0))

    def proba(phi):
        return 1 / (1 + np.exp(-phi))  # label 1 everywhere: φ is the logit of P(class 1)

    y1, y0 = np.ones(n1, int), np.ones(n0, int)
    p, r = proba(phi_target), proba(phi_ref)
    assert np.allclose(logit_confidence(p, np.ones(n1 + n0)), phi_target)
    loss = membership_metrics(loss_threshold_attack(p[:n1], y1, p[n1:], y0), fprs=(1e-2,), n_boot=100)
    lira_scores = lira_offline(p[:n1], y1, p[n1:], y0, ref_members=r[:, :n1], ref_nonmembers=r[:, n1:])
    lira = membership_metrics(lira_scores, fprs=(1e-2,), n_boot=100)
    assert loss.auc.value < 0.65
    assert lira.auc.value > 0.95
    assert lira.tpr_at_fpr[0.01].value > 10 * max(loss.tpr_at_fpr[0.01].value, 0.01)
    assert lira_scores.details["variance"] == "global"
    local = lira_offline(
        p[:n1], y1, p[n1:], y0, ref_members=r[:, :n1], ref_nonmembers=r[:, n1:], variance="local"
    )
    assert local.details["variance"] == "local"


def test_shadow_attack_learns_the_class_dependent_direction():
    """Members are confident in their own label: the direction flips with the class, so [p, y] alone fails."""
    rng = np.random.default_rng(5)
    k, n = 6, 400
    y = rng.integers(0, 2, n)
    inside = rng.uniform(size=(k, n)) < 0.5

    def outputs(member, labels):
        conf = np.where(member, rng.beta(8, 2, member.shape), rng.beta(3, 3, member.shape))
        return np.where(labels == 1, conf, 1 - conf)

    shadow_p = outputs(inside, y)
    members, nonmembers = np.arange(200), np.arange(200, 400)
    target_p = outputs(np.r_[np.ones(200, bool), np.zeros(200, bool)], y)
    scores = shadow_attack(
        target_p[members], y[members], target_p[nonmembers], y[nonmembers],
        shadow_p=shadow_p, shadow_y=y, shadow_in=inside,
    )  # fmt: skip
    assert membership_metrics(scores, fprs=(1e-2,), n_boot=100).auc.value > 0.8


def test_few_shots_push_membership_auc_towards_half(random_label_design):
    """A variational model memorising random labels; fewer shots, less leakage (fixed seeds, clear margin)."""
    target = PrivacyTarget(
        "vqc", lambda s: VariationalClassifier(n_layers=3, max_iter=100, random_state=s), "quantum"
    )
    report = assess_privacy(
        [target],
        random_label_design,
        seed=0,
        shots=(1, 10, 1000),
        attacks=("loss",),
        fprs=(1e-2,),
        shot_draws=8,
        n_boot=300,
        attribute_rows=None,
    )
    model = report.model("vqc")
    auc = {s.shots: s.attacks["loss"].metrics.auc for s in model.settings}
    assert auc[None].value > 0.62
    assert auc[None].value - 0.02 < auc[1000].value
    assert auc[1].value < auc[10].value - 0.03 < auc[None].value - 0.06
    assert abs(auc[1].value - 0.5) < 0.06
    drop = model.setting(shots=1).attacks["loss"].auc_drop
    assert drop is not None
    assert drop.ci_low > 0
    assert model.setting(shots=1).rng_labels["target"] == "privacy/shots/vqc/target/noiseless/shots=1"
    assert auc[1].n_draws == 8


# ---------------------------------------------------------------------------------------------------------
# the design, seeds and the audit wiring
# ---------------------------------------------------------------------------------------------------------


def test_membership_split_is_seeded_stratified_and_disjoint():
    y = np.r_[np.zeros(70, int), np.ones(130, int)]
    a = split_membership(200, 5, stratify=y)
    assert np.array_equal(a.members, split_membership(200, 5, stratify=y).members)
    assert not np.array_equal(a.members, split_membership(200, 6, stratify=y).members)
    assert np.array_equal(np.sort(a.rows), np.arange(200))
    assert y[a.members].sum() == 65
    assert a.n_members == 100
    with pytest.raises(InputError, match="both members and non-members"):
        MembershipSplit(np.array([1, 2]), np.array([2, 3]))
    mask = inclusion_mask(50, 8, seed=0)
    assert mask.shape == (8, 50)
    assert np.all(mask.sum(axis=0) == 4)
    with pytest.raises(InputError, match="at least 2 reference models"):
        inclusion_mask(50, 1, seed=0)


def test_attribute_inference_finds_a_leaking_output_and_not_an_independent_one():
    rng = np.random.default_rng(6)
    groups = rng.choice(["f", "m", "x"], 600, p=[0.3, 0.5, 0.2])
    shift = {"f": -1.5, "m": 0.0, "x": 1.5}
    leaking = 1 / (1 + np.exp(-(np.vectorize(shift.get)(groups) + rng.normal(0, 0.7, 600))))
    result = attribute_inference(leaking, groups, n_boot=200, seed=1)
    assert result.auc.value > 0.85
    assert result.auc.ci_low > 0.8
    assert result.accuracy.value > result.majority_accuracy + 0.1
    assert result.majority_group == "m"
    assert result.auc.value == pytest.approx(np.mean(list(result.per_group_auc.values())))
    independent = attribute_inference(rng.uniform(0.05, 0.95, 600), groups, n_boot=200, seed=1)
    assert independent.auc.ci_low <= 0.5 <= independent.auc.ci_high
    with_label = attribute_inference(leaking, groups, rng.integers(0, 2, 600), n_boot=100, seed=1)
    assert with_label.uses_label
    assert with_label.label_only_auc is not None
    assert with_label.label_only_auc.ci_low <= 0.5 <= with_label.label_only_auc.ci_high
    with pytest.raises(InputError, match="needs ≥ 5"):
        attribute_inference(leaking[:50], np.r_[["a"] * 47, ["b"] * 3])


def test_audit_models_under_noise_and_shots_with_every_seed_recorded():
    config = config_from_dict(
        {
            "seed": 3,
            "data": {"source": "synthetic", "synthetic": {"n_rows": 400, "n_features": 4}},
            "encoding": {"n_qubits": 3},
            "models": [
                {"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 15},
                {"kind": "quantum_kernel", "name": "qkernel", "bandwidth": 0.5},
            ],
            "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
            "reproducibility": {"seeds": [0, 1]},
        }
    )
    dataset = make_synthetic(400, 4, random_state=3)
    data = prepare(config, dataset)
    models = fit_all(config, data.X_train, data.y_train, [0], NullProgress())
    design = MembershipDesign.from_prepared(data)
    assert design.split.n_members == len(data.X_train)

    def run():
        return assess_privacy(
            targets_from_audit(config, models, 0),
            design,
            seed=config.seed,
            noises=[NoiseModel.single("depolarizing", 0.05), NoiseModel.single("readout", 0.02)],
            shots=(100,),
            n_references=2,
            shot_draws=2,
            reference_draws=2,
            fprs=(1e-2,),
            n_boot=100,
        )

    report = run()
    assert [len(m.settings) for m in report.models] == [4, 4, 1]  # classical: exact only
    vqc = report.model("vqc")
    assert [s.label for s in vqc.settings] == [
        "noiseless/exact",
        "noiseless/shots=100",
        "depolarizing=0.05/exact",
        "readout=0.02/exact",
    ]
    assert vqc.settings[0].attacks["lira"].auc_drop is None
    assert vqc.settings[2].attacks["lira"].auc_drop is not None
    # symmetric readout error maps the mean readout affinely, c -> e + (1 - 2e) c: loss ranks survive it
    assert vqc.settings[3].attacks["loss"].auc_drop.value == pytest.approx(0.0, abs=1e-12)
    assert vqc.references.random_states == report.model("logistic").references.random_states
    assert vqc.attribute is not None
    assert vqc.attribute.n_rows == 400
    record = report.to_dict()
    assert record["design"]["seed"] == data.split_seed
    assert record["bootstrap_seed"] == report.bootstrap_seed
    assert "reference/1" in record["models"][0]["settings"][1]["rng_labels"]
    again = run().to_dict()
    for m in (record, again):
        m.pop("seconds")
        for model in m["models"]:
            model.pop("timings")
            model["references"].pop("train_seconds")
    assert json.dumps(record, sort_keys=True) == json.dumps(again, sort_keys=True)
