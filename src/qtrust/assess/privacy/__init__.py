"""Privacy: what a trained classifier's outputs reveal about its training rows and its users' attributes.

**Membership inference** asks whether a row was in the training set. Three attacks of increasing strength,
all black-box on the model's output probability P(class 1):

* *Loss threshold* (Yeom, Giacomelli, Fredrikson & Jha, "Privacy Risk in Machine Learning: Analyzing the
  Connection to Overfitting", CSF 2018): members have lower loss, so the score is −cross-entropy of the
  true label. No shadow models; a floor any stronger attack should beat.
* *Shadow models* (Shokri, Stronati, Song & Shmatikov, "Membership Inference Attacks Against Machine
  Learning Models", S&P 2017): the attacker trains models like the target on data whose membership it
  knows, and fits an attack classifier on their in/out outputs. The shadow models here are the reference
  models below (same estimator factory, other seeds); the attack classifier is a logistic regression on
  the true-label logit confidence φ, the label y and φ·y, i.e. one monotone rule per class, which is what
  Shokri's per-class attack models reduce to for a single output probability.
* *LiRA, offline* (Carlini, Chien, Nasr, Song, Terzis & Tramèr, "Membership Inference Attacks From First
  Principles", S&P 2022): for each target row a Gaussian is fitted to φ(p) = log(p / (1 − p)) of its true
  label across reference models that did *not* train on it (OUT models); the row's score is how far the
  target's φ lies above that distribution, a one-sided test. With fewer than 64 reference models the
  paper recommends one global variance; ``variance="auto"`` follows that rule. Per-row means calibrate
  for how hard each row is, which is what lifts LiRA's TPR at low FPR above the loss attack.

Metrics are the ROC AUC and the TPR at fixed low FPRs (0.1 %, 1 %), as Carlini et al. argue average-case
AUC hides the rows an attacker can identify with confidence. The TPR at FPR α is read from the exact ROC
(``sklearn.metrics.roc_curve`` without dropping points): the largest TPR whose FPR ≤ α. It needs at least
1/α non-members (one false positive at most is allowed); fewer raises :class:`~qtrust.errors.InputError`
instead of reporting a number that is really the TPR at FPR 0. Intervals are stratified bootstraps over
rows (members and non-members resampled separately) crossed with prediction draws.

**Stochastic outputs.** A quantum model's deployed output is a shot estimate, possibly under hardware
noise, so every attack is run on exact probabilities and on shot-sampled / noisy ones, and each setting
reports its AUC drop against exact noiseless outputs with a paired interval (the same bootstrap resamples
for every model, attack and setting): "does shot noise protect privacy, and how much". The attacker is
assumed to know the deployment (``reference_noise="matched"``: its reference models are read out under the
same noise model and shot budget), the worst case an audit should assume; ``"noiseless"`` models an
attacker who ignores hardware noise. Shot estimates enter φ through the empirical logit
log((k + ½)/(S − k + ½)) of k successes in S shots (Haldane–Anscombe), so 0 and S shots stay finite.
Classical baselines have deterministic outputs: they are attacked at the exact setting only, on the same
members, non-members, reference inclusion mask and bootstrap resamples as the quantum models. Note that
noise which maps every output through one increasing function (symmetric readout error on the mean
readout is affine, c → ε + (1 − 2ε)c) leaves every rank-based ROC unchanged: only noise that reorders
rows — shot noise, or channels whose effect depends on the input — can protect against these attacks.

**Attribute inference** (Yeom et al. 2018; Fredrikson, Lantz, Jha, Lin, Page & Ristenpart, "Privacy in
Pharmacogenetics", USENIX Security 2014): how well the sensitive attribute can be recovered from the
model's output. A cross-validated logistic regression on [φ(p), φ(p)²] (optionally
with the true label: an attacker that knows the record's outcome, as in Yeom et al.; then a label-only
attack is reported beside it, so the model's own contribution is the difference) predicts the group;
reported: out-of-fold ROC AUC (one-vs-rest, macro over groups when there are more than two) against chance
(0.5), and the attack's accuracy against always guessing the majority group.

Every random draw (split, reference inclusion mask, reference training seeds, shot draws, bootstrap,
cross-validation folds) comes from :func:`qtrust.seeding.derive_rng` / :func:`~qtrust.seeding.derive_seed`
under one root seed and a label path, and every label path or derived seed is recorded in the result.

The code lives in one module per part, each importing only the parts listed before it: ``validation``,
``design``, ``references``, ``attacks``, ``roc``, ``attribute``, ``settings``, ``report``, ``assessment``.
This package re-exports the public names, so ``from qtrust.assess.privacy import ...`` keeps working.
"""

from __future__ import annotations

from qtrust.assess.privacy.assessment import ATTACKS, assess_privacy
from qtrust.assess.privacy.attacks import (
    AttackScores,
    lira_offline,
    logit_confidence,
    loss_threshold_attack,
    shadow_attack,
)
from qtrust.assess.privacy.attribute import AttributeInferenceResult, attribute_inference
from qtrust.assess.privacy.design import MembershipDesign, MembershipSplit, split_membership
from qtrust.assess.privacy.references import ReferenceModels, inclusion_mask, train_reference_models
from qtrust.assess.privacy.report import AttackResult, ModelPrivacy, PrivacyReport, SettingResult
from qtrust.assess.privacy.roc import MembershipMetrics, membership_metrics, tpr_at_fpr
from qtrust.assess.privacy.roc import _weighted_roc as _weighted_roc  # private; tests check it directly
from qtrust.assess.privacy.settings import (
    PrivacyTarget,
    Setting,
    audit_noise_models,
    privacy_settings,
    targets_from_audit,
)
from qtrust.assess.privacy.validation import DEFAULT_FPRS, check_fprs, measurable_fprs

__all__ = [
    "ATTACKS",
    "DEFAULT_FPRS",
    "AttackResult",
    "AttackScores",
    "AttributeInferenceResult",
    "MembershipDesign",
    "MembershipMetrics",
    "MembershipSplit",
    "ModelPrivacy",
    "PrivacyReport",
    "PrivacyTarget",
    "ReferenceModels",
    "Setting",
    "SettingResult",
    "assess_privacy",
    "attribute_inference",
    "audit_noise_models",
    "check_fprs",
    "inclusion_mask",
    "lira_offline",
    "logit_confidence",
    "loss_threshold_attack",
    "measurable_fprs",
    "membership_metrics",
    "privacy_settings",
    "shadow_attack",
    "split_membership",
    "targets_from_audit",
    "tpr_at_fpr",
    "train_reference_models",
]
