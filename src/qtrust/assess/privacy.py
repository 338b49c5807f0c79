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
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qtrust.errors import InputError
from qtrust.metrics import percentile_interval
from qtrust.quantum.noise import NoiseModel
from qtrust.results.schema import Estimate
from qtrust.seeding import derive_rng, derive_seed

if TYPE_CHECKING:
    from qtrust.audit.data_prep import PreparedData
    from qtrust.audit.training import FittedModel
    from qtrust.config.schema import AuditConfig

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

ATTACKS = ("loss", "shadow", "lira")
DEFAULT_FPRS = (1e-3, 1e-2)
LIRA_LOCAL_VARIANCE_MIN_MODELS = 64  # Carlini et al. 2022: below this, a global variance is better
_LOSS_EPS = 1e-12  # clip of the true-label probability before the log (ranking is unaffected)
_LOGIT_EPS = 1e-12  # clip of exact probabilities before the logit
_FPR_TOL = 1e-9  # relative slack when comparing an FPR (a ratio of counts) with its target
_BLOCK_ELEMENTS = 2_000_000  # bound on the (replicates × distinct scores) blocks of the bootstrap ROC
_SIGMA_FLOOR = 1e-9


# ---------------------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------------------


def _probabilities(p: ArrayLike, n: int | None, where: str) -> NDArray[np.float64]:
    """``p`` as a (draws, rows) float array of probabilities in [0, 1]."""
    array = np.asarray(p, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] == 0:
        raise InputError(
            f"expected probabilities of shape (rows,) or (draws, rows), got {np.shape(p)}", where=where
        )
    if n is not None and array.shape[1] != n:
        raise InputError(f"expected {n} rows of probabilities, got {array.shape[1]}", where=where)
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise InputError(
            "probabilities must be finite and in [0, 1]", where=where, fix="pass P(class 1) per row"
        )
    return array


def _labels01(y: ArrayLike, where: str) -> NDArray[np.int64]:
    array = np.asarray(y)
    if array.ndim != 1 or array.shape[0] == 0:
        raise InputError(f"expected a non-empty 1-D label array, got shape {array.shape}", where=where)
    if not np.all(np.isin(array, (0, 1))):
        raise InputError(
            "labels must be 0/1 (1 = the class whose probability the model outputs)",
            where=where,
            fix="encode the label as 0/1",
        )
    return array.astype(np.int64)


def _scores(s: ArrayLike, where: str) -> NDArray[np.float64]:
    array = np.asarray(s, dtype=float)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] == 0:
        raise InputError(f"expected scores of shape (rows,) or (draws, rows), got {np.shape(s)}", where=where)
    if not np.all(np.isfinite(array)):
        raise InputError("attack scores must be finite", where=where)
    return array


def _fpr_text(fpr: float) -> str:
    return f"{fpr * 100:g}%"


def measurable_fprs(n_nonmembers: int, fprs: Sequence[float] = DEFAULT_FPRS) -> tuple[float, ...]:
    """The FPRs of ``fprs`` whose TPR the split can measure: those with ``n_nonmembers ≥ 1/FPR``."""
    return tuple(f for f in fprs if n_nonmembers >= math.ceil(1.0 / f - _FPR_TOL))


def check_fprs(fprs: Sequence[float], n_nonmembers: int) -> tuple[float, ...]:
    """Validate the FPR list against the number of non-members.

    With n non-members the ROC's smallest non-zero FPR is 1/n, so "TPR at FPR α" for α < 1/n is really the
    TPR at FPR 0: a different, much stricter number. Rather than report it under the wrong name, this
    raises and says how many non-members α needs.
    """
    out = []
    for fpr in fprs:
        if isinstance(fpr, bool) or not 0.0 < float(fpr) < 1.0:
            raise InputError(f"FPR {fpr!r} is not in (0, 1)", where="fprs", fix="use e.g. fprs=(0.001, 0.01)")
        fpr = float(fpr)
        needed = math.ceil(1.0 / fpr - _FPR_TOL)
        if n_nonmembers < needed:
            ok = measurable_fprs(n_nonmembers, fprs)
            hint = f"fprs={ok!r} is measurable here" if ok else f"no FPR below {1 / n_nonmembers:.3g} is"
            raise InputError(
                f"TPR at {_fpr_text(fpr)} FPR needs ≥ {needed} non-members; the split has {n_nonmembers}",
                where="fprs",
                fix=f"lower the FPR list or add non-members ({hint})",
            )
        out.append(fpr)
    return tuple(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------------------
# Member / non-member design
# ---------------------------------------------------------------------------------------------------------


def _digest(indices: NDArray[np.int64]) -> str:
    return hashlib.sha256(np.ascontiguousarray(indices, dtype="<i8").tobytes()).hexdigest()


@dataclass(frozen=True)
class MembershipSplit:
    """Which rows of a pool the target model trained on (members) and which it never saw (non-members).

    Indices point into the pool arrays (``X``, ``y``, groups). The same split is used for every model, so
    membership leakage is compared between models on identical rows. ``seed`` is the root seed the split
    was drawn from (``None`` when the indices were passed in, e.g. the audit's own train/test split).
    """

    members: NDArray[np.int64]
    nonmembers: NDArray[np.int64]
    seed: int | None = None
    how: str = "given"

    def __post_init__(self) -> None:
        members = np.asarray(self.members, dtype=np.int64).ravel()
        nonmembers = np.asarray(self.nonmembers, dtype=np.int64).ravel()
        if len(members) == 0 or len(nonmembers) == 0:
            raise InputError("a membership split needs at least one member and one non-member", where="split")
        if len(np.unique(members)) != len(members) or len(np.unique(nonmembers)) != len(nonmembers):
            raise InputError("a membership split lists a row twice", where="split")
        if np.intersect1d(members, nonmembers).size:
            raise InputError(
                "rows are both members and non-members", where="split", fix="pass disjoint index sets"
            )
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "nonmembers", nonmembers)

    @property
    def n_members(self) -> int:
        return len(self.members)

    @property
    def n_nonmembers(self) -> int:
        return len(self.nonmembers)

    @property
    def rows(self) -> NDArray[np.int64]:
        """Members first, then non-members: the order every per-row array of the attacks uses."""
        return np.concatenate([self.members, self.nonmembers])

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "seed": self.seed,
            "how": self.how,
            "members_sha256": _digest(self.members),
            "nonmembers_sha256": _digest(self.nonmembers),
        }


def split_membership(
    n_rows: int, seed: int, *, member_fraction: float = 0.5, stratify: ArrayLike | None = None
) -> MembershipSplit:
    """Split a pool of ``n_rows`` into members and non-members, deterministically from ``seed``.

    Rows are drawn by :func:`derive_rng` ``(seed, "privacy", "membership-split")``; with ``stratify`` (e.g.
    the label, or label and group joined as strings) each stratum is split in the same proportion, so
    members and non-members share a class balance and class balance alone cannot give membership away.
    """
    if isinstance(n_rows, bool) or int(n_rows) != n_rows or n_rows < 2:
        raise InputError(f"n_rows={n_rows!r} must be an integer ≥ 2", where="split_membership")
    if not 0.0 < member_fraction < 1.0:
        raise InputError(
            f"member_fraction={member_fraction} is not in (0, 1)", where="split_membership", fix="use 0.5"
        )
    if stratify is None:
        strata = np.zeros(n_rows, dtype=np.int64)
    else:
        labels = np.asarray(stratify).astype(str)
        if labels.shape != (n_rows,):
            raise InputError(
                f"stratify has shape {labels.shape}, expected ({n_rows},)", where="split_membership"
            )
        strata = np.unique(labels, return_inverse=True)[1]
    rng = derive_rng(seed, "privacy", "membership-split")
    members = []
    for stratum in range(int(strata.max()) + 1):
        rows = rng.permutation(np.flatnonzero(strata == stratum))
        members.append(rows[: round(member_fraction * len(rows))])
    chosen = np.sort(np.concatenate(members))
    rest = np.setdiff1d(np.arange(n_rows), chosen)
    return MembershipSplit(chosen, rest, seed=seed, how=f"seeded split, member_fraction={member_fraction:g}")


@dataclass(frozen=True)
class MembershipDesign:
    """The pool (angle features, 0/1 labels, sensitive groups) and its member / non-member split."""

    X: NDArray[np.float64]
    y: NDArray[np.int64]
    groups: NDArray[np.str_]
    split: MembershipSplit

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=float)
        if X.ndim != 2:
            raise InputError(f"expected a 2-D feature array, got shape {X.shape}", where="design.X")
        y = _labels01(self.y, "design.y")
        groups = np.asarray(self.groups).astype(str)
        if not len(X) == len(y) == len(groups):
            raise InputError(
                f"X, y and groups disagree on the number of rows ({len(X)}, {len(y)}, {len(groups)})",
                where="design",
            )
        rows = self.split.rows
        if rows.min() < 0 or rows.max() >= len(X):
            raise InputError("split indices fall outside the pool", where="design.split")
        for name, idx in (("members", self.split.members), ("non-members", self.split.nonmembers)):
            if len(np.unique(y[idx])) < 2:
                raise InputError(f"the {name} contain only one class", where="design.split")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "groups", groups)

    @classmethod
    def from_prepared(cls, data: PreparedData) -> MembershipDesign:
        """The audit's design: members are its training rows, non-members its held-out test rows.

        The audit's models were fitted on exactly ``X_train``, so their existing fits are the targets; the
        test split was drawn from the same data, stratified by label × group (same distribution).
        """
        X = np.vstack([data.X_train, data.X_test])
        y = np.concatenate([data.y_train, data.y_test])
        groups = np.concatenate([data.groups_train, data.groups_test])
        n_train = len(data.X_train)
        split = MembershipSplit(
            np.arange(n_train),
            np.arange(n_train, len(X)),
            seed=data.split_seed,
            how="audit train (members) / test (non-members) split",
        )
        return cls(X, y, groups, split)

    @classmethod
    def from_pool(
        cls,
        X: ArrayLike,
        y: ArrayLike,
        groups: ArrayLike,
        seed: int,
        *,
        member_fraction: float = 0.5,
    ) -> MembershipDesign:
        """A fresh seeded split of a pool, stratified by label × group (targets are then trained on it)."""
        y_arr = np.asarray(y)
        g_arr = np.asarray(groups).astype(str)
        strata = np.char.add(np.char.add(y_arr.astype(str), "|"), g_arr)
        split = split_membership(len(y_arr), seed, member_fraction=member_fraction, stratify=strata)
        return cls(np.asarray(X, dtype=float), y_arr, g_arr, split)

    def to_dict(self) -> dict[str, Any]:
        return {"n_pool": len(self.y), **self.split.to_dict()}


# ---------------------------------------------------------------------------------------------------------
# Reference (shadow) models
# ---------------------------------------------------------------------------------------------------------


def inclusion_mask(n_rows: int, n_models: int, seed: int, pkeep: float = 0.5) -> NDArray[np.bool_]:
    """(n_models, n_rows) mask: row i is in reference model j's training set.

    Carlini et al.'s balanced design: each row is IN exactly ``floor(pkeep · n_models)`` models, chosen at
    random per row (``derive_rng(seed, "privacy", "reference-mask")``), so every row has the same number of
    OUT models for LiRA and model training sets are ≈ ``pkeep · n_rows`` rows.
    """
    if isinstance(n_models, bool) or int(n_models) != n_models or n_models < 2:
        raise InputError(
            f"n_references={n_models!r}: need at least 2 reference models (each row needs an OUT model)",
            where="n_references",
            fix="use e.g. 8",
        )
    n_in = math.floor(pkeep * n_models)
    if not 1 <= n_in < n_models:
        raise InputError(
            f"pkeep={pkeep} with {n_models} reference models puts each row in {n_in} of them",
            where="pkeep",
            fix="use pkeep=0.5",
        )
    rng = derive_rng(seed, "privacy", "reference-mask")
    order = rng.uniform(size=(n_models, n_rows)).argsort(axis=0)
    return order < n_in


@dataclass
class ReferenceModels:
    """Models trained like the target on seeded subsets of the pool; ``keep[j, i]``: model j saw row i."""

    fits: list[Any]
    keep: NDArray[np.bool_]
    random_states: list[int]
    mask_seed: int
    train_seconds: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_models": len(self.fits),
            "random_states": list(self.random_states),
            "mask_seed": self.mask_seed,
            "rows_per_model": [int(k.sum()) for k in self.keep],
            "train_seconds": [round(s, 4) for s in self.train_seconds],
        }


def train_reference_models(
    factory: Callable[[int], Any],
    X: ArrayLike,
    y: ArrayLike,
    n_models: int,
    seed: int,
    *,
    pkeep: float = 0.5,
    keep: NDArray[np.bool_] | None = None,
) -> ReferenceModels:
    """Fit ``n_models`` estimators from ``factory(random_state)`` on the balanced subsets of :func:`inclusion_mask`.

    ``factory`` is the audit's estimator factory for the model (same hyper-parameters, same training
    engine), so references differ from the target only in data and seed; reference j gets
    ``random_state = derive_seed(seed, "privacy", "reference", j)`` — the same for every model, as the
    audit's training seeds are. Pass ``keep`` to reuse one mask across models (paired comparisons).
    """
    X = np.asarray(X, dtype=float)
    y = _labels01(y, "train_reference_models(y)")
    mask_seed = derive_seed(seed, "privacy", "reference-mask")
    if keep is None:
        keep = inclusion_mask(len(y), n_models, seed, pkeep)
    if keep.shape != (n_models, len(y)):
        raise InputError(f"keep has shape {keep.shape}, expected ({n_models}, {len(y)})", where="keep")
    fits, states, seconds = [], [], []
    for j in range(n_models):
        rows = np.flatnonzero(keep[j])
        if len(np.unique(y[rows])) < 2:
            raise InputError(
                f"reference model {j} would train on one class only", where="n_references", fix="add rows"
            )
        state = derive_seed(seed, "privacy", "reference", j)
        start = time.perf_counter()
        fits.append(factory(state).fit(X[rows], y[rows]))
        seconds.append(time.perf_counter() - start)
        states.append(state)
    return ReferenceModels(fits, keep, states, mask_seed, seconds)


# ---------------------------------------------------------------------------------------------------------
# Attacks on probability arrays
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttackScores:
    """Membership scores (higher = more likely a member), shape (draws, rows), for members and non-members."""

    attack: str
    members: NDArray[np.float64]
    nonmembers: NDArray[np.float64]
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        members = _scores(self.members, f"{self.attack}.members")
        nonmembers = _scores(self.nonmembers, f"{self.attack}.nonmembers")
        if members.shape[0] != nonmembers.shape[0]:
            raise InputError(
                f"members have {members.shape[0]} draws, non-members {nonmembers.shape[0]}",
                where=self.attack,
            )
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "nonmembers", nonmembers)

    @property
    def n_draws(self) -> int:
        return self.members.shape[0]


def _true_confidence(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.where(y == 1, p, 1.0 - p)


def logit_confidence(p: ArrayLike, y: ArrayLike, shots: int | None = None) -> NDArray[np.float64]:
    """φ = log(c / (1 − c)) of the true label's confidence c (Carlini et al.'s logit scaling).

    Exact probabilities are clipped to [1e-12, 1 − 1e-12]. With ``shots`` = S, outputs that are binomial
    estimates k/S (a variational model's readout) use the empirical logit log((k + ½)/(S − k + ½)): finite
    at 0 and S successes and the least-biased logit of a binomial count. Outputs off that grid (a kernel
    model's shot-noisy kernel passed through its SVM) are continuous and are treated as exact.
    """
    p_arr = np.asarray(p, dtype=float)
    y_arr = np.asarray(y)
    conf = _true_confidence(p_arr, y_arr)
    if shots is not None:
        k = conf * shots
        counts = np.rint(k)
        if np.all(np.abs(k - counts) <= 1e-9 * shots):
            return np.log(counts + 0.5) - np.log(shots - counts + 0.5)
    conf = np.clip(conf, _LOGIT_EPS, 1.0 - _LOGIT_EPS)
    return np.log(conf) - np.log1p(-conf)


def loss_threshold_attack(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
) -> AttackScores:
    """Yeom et al. (2018): score = −cross-entropy of the true label, log P(y | x).

    A member's loss is lower because training minimised it; thresholding the loss is the attack, and its
    ROC is that of the scores. ``p_*`` are P(class 1) per row, shape (rows,) or (draws, rows) for shot
    draws; probabilities are clipped at 1e-12 before the log (only ties at exactly 0 are affected).
    """
    y1 = _labels01(y_members, "loss_threshold_attack(y_members)")
    y0 = _labels01(y_nonmembers, "loss_threshold_attack(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "loss_threshold_attack(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "loss_threshold_attack(p_nonmembers)")
    if p1.shape[0] != p0.shape[0]:
        raise InputError(
            "members and non-members need the same number of draws", where="loss_threshold_attack"
        )

    def score(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.log(np.clip(_true_confidence(p, y), _LOSS_EPS, 1.0))

    return AttackScores("loss", score(p1, y1), score(p0, y0), {"score": "log P(true label)"})


def _reference_draws(p: ArrayLike, k: int | None, n: int, where: str) -> NDArray[np.float64]:
    """Reference outputs as (models, draws, rows)."""
    array = np.asarray(p, dtype=float)
    if array.ndim == 2:
        array = array[:, np.newaxis, :]
    if array.ndim != 3 or (k is not None and array.shape[0] != k) or array.shape[2] != n:
        raise InputError(
            f"expected reference outputs of shape (models, rows) or (models, draws, rows) with {n} rows, "
            f"got {np.shape(p)}",
            where=where,
        )
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise InputError("reference probabilities must be finite and in [0, 1]", where=where)
    return array


def _shadow_features(phi: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
    """[φ, y, φ·y]: a per-class slope and intercept on the true-label logit confidence."""
    yb = np.broadcast_to(y, phi.shape).astype(float)
    return np.column_stack([phi.ravel(), yb.ravel(), (phi * yb).ravel()])


def shadow_attack(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
    *,
    shadow_p: ArrayLike,
    shadow_y: ArrayLike,
    shadow_in: ArrayLike,
    shots: int | None = None,
) -> AttackScores:
    """Shokri et al. (2017): learn "member or not" from shadow models whose training sets are known.

    ``shadow_p`` holds the shadow models' P(class 1) on the shadow pool, shape (models, rows) or
    (models, draws, rows); ``shadow_in[j, i]`` says whether shadow model j trained on pool row i. The attack
    classifier — a class-balanced logistic regression on [φ, y, φ·y] with φ the true-label logit confidence
    (:func:`logit_confidence`) — is fitted on every (model, draw, row) triple and scores the target's
    outputs by its log-odds. Using φ rather than p, and a slope per class, is what makes one linear model
    equivalent to Shokri's per-class attack models on a single output probability.
    """
    y1 = _labels01(y_members, "shadow_attack(y_members)")
    y0 = _labels01(y_nonmembers, "shadow_attack(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "shadow_attack(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "shadow_attack(p_nonmembers)")
    sy = _labels01(shadow_y, "shadow_attack(shadow_y)")
    inside = np.asarray(shadow_in, dtype=bool)
    sp = _reference_draws(shadow_p, None, len(sy), "shadow_attack(shadow_p)")
    if inside.shape != (sp.shape[0], len(sy)):
        raise InputError(
            f"shadow_in has shape {inside.shape}, expected ({sp.shape[0]}, {len(sy)})", where="shadow_attack"
        )
    if inside.all() or not inside.any():
        raise InputError("shadow models need both in and out rows", where="shadow_attack(shadow_in)")
    phi = logit_confidence(sp, sy, shots)  # (k, D, n)
    features = _shadow_features(phi, sy)
    labels = np.broadcast_to(inside[:, np.newaxis, :], phi.shape).ravel()
    classifier = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000))
    classifier.fit(features, labels)

    def score(p: NDArray[np.float64], y: NDArray[np.int64]) -> NDArray[np.float64]:
        return classifier.decision_function(_shadow_features(logit_confidence(p, y, shots), y)).reshape(
            p.shape
        )

    coef = classifier[-1].coef_[0]
    return AttackScores(
        "shadow",
        score(p1, y1),
        score(p0, y0),
        {
            "n_shadow_models": int(sp.shape[0]),
            "shadow_draws": int(sp.shape[1]),
            "n_training_examples": len(labels),
            "features": ["phi", "y", "phi*y"],
            "coef_standardised": [float(c) for c in coef],
            "intercept": float(classifier[-1].intercept_[0]),
        },
    )


def lira_offline(
    p_members: ArrayLike,
    y_members: ArrayLike,
    p_nonmembers: ArrayLike,
    y_nonmembers: ArrayLike,
    *,
    ref_members: ArrayLike,
    ref_nonmembers: ArrayLike,
    out_members: ArrayLike | None = None,
    out_nonmembers: ArrayLike | None = None,
    variance: Literal["auto", "global", "local"] = "auto",
    shots: int | None = None,
) -> AttackScores:
    """Carlini et al. (2022), offline LiRA: a one-sided test against each row's OUT distribution.

    ``ref_members`` / ``ref_nonmembers`` are the reference models' P(class 1) on the target's members and
    non-members, shape (models, rows) or (models, draws, rows); ``out_*[j, i]`` is True when reference j did
    *not* train on row i (default: none did). For each row, φ over its OUT references is fitted with a
    Gaussian N(μ_i, σ²); the score is z = (φ_target − μ_i)/σ, a strictly increasing transform of the paper's
    Λ = Pr[Z < φ_target] = Φ(z), kept as z because Φ saturates to 1.0 in floating point and would turn
    the most confident members into ties. σ is one pooled within-row variance ("global", recommended
    below 64 reference models) or each row's own ("local"); "auto" picks by that rule. A row without any
    OUT reference falls back to the mean of its class's OUT values (counted in ``details``).
    """
    y1 = _labels01(y_members, "lira_offline(y_members)")
    y0 = _labels01(y_nonmembers, "lira_offline(y_nonmembers)")
    p1 = _probabilities(p_members, len(y1), "lira_offline(p_members)")
    p0 = _probabilities(p_nonmembers, len(y0), "lira_offline(p_nonmembers)")
    r1 = _reference_draws(ref_members, None, len(y1), "lira_offline(ref_members)")
    r0 = _reference_draws(ref_nonmembers, r1.shape[0], len(y0), "lira_offline(ref_nonmembers)")
    if r1.shape[1] != r0.shape[1]:
        raise InputError("reference draws differ between members and non-members", where="lira_offline")
    k, n_ref_draws = r1.shape[0], r1.shape[1]
    y = np.concatenate([y1, y0])
    phi_ref = logit_confidence(np.concatenate([r1, r0], axis=2), y, shots)  # (k, D, n)
    outs = []
    for name, out, n in (("out_members", out_members, len(y1)), ("out_nonmembers", out_nonmembers, len(y0))):
        mask = np.ones((k, n), dtype=bool) if out is None else np.asarray(out, dtype=bool)
        if mask.shape != (k, n):
            raise InputError(f"{name} has shape {mask.shape}, expected ({k}, {n})", where="lira_offline")
        outs.append(mask)
    out = np.concatenate(outs, axis=1)
    weight = np.broadcast_to(out[:, np.newaxis, :], phi_ref.shape).astype(float)
    count = weight.sum(axis=(0, 1))
    n_out_models = out.sum(axis=0)
    mu = np.empty(len(y))
    has_out = count > 0
    mu[has_out] = (phi_ref * weight).sum(axis=(0, 1))[has_out] / count[has_out]
    for cls in (0, 1):
        missing = ~has_out & (y == cls)
        if missing.any():
            pool = phi_ref[:, :, y == cls][weight[:, :, y == cls] > 0]
            mu[missing] = pool.mean() if pool.size else 0.0
    deviation = ((phi_ref - mu) ** 2 * weight).sum(axis=(0, 1))
    dof = np.maximum(count - 1.0, 0.0)
    if dof.sum() > 0:
        global_var = float(deviation.sum() / dof.sum())
    else:  # one OUT value per row: fall back to the spread of all OUT values (Carlini's np.std(dat_out))
        global_var = float(np.var(phi_ref[weight > 0])) if (weight > 0).any() else 0.0
    if variance not in ("auto", "global", "local"):
        raise InputError(
            f"unknown variance {variance!r}", where="lira_offline", fix="use auto, global or local"
        )
    min_out = int(n_out_models.min())
    use_local = variance == "local" or (variance == "auto" and min_out >= LIRA_LOCAL_VARIANCE_MIN_MODELS)
    var = np.full(len(y), global_var)
    if use_local:
        local = dof > 0
        var[local] = deviation[local] / dof[local]
    sigma = np.sqrt(np.maximum(var, _SIGMA_FLOOR**2))

    n1 = len(y1)
    z1 = (logit_confidence(p1, y1, shots) - mu[:n1]) / sigma[:n1]
    z0 = (logit_confidence(p0, y0, shots) - mu[n1:]) / sigma[n1:]
    return AttackScores(
        "lira",
        z1,
        z0,
        {
            "variant": "offline",
            "variance": "local" if use_local else "global",
            "global_sd": math.sqrt(max(global_var, 0.0)),
            "n_reference_models": int(k),
            "reference_draws": int(n_ref_draws),
            "out_models_per_row": {"min": min_out, "max": int(n_out_models.max())},
            "rows_without_out_models": int((~has_out).sum()),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# ROC metrics with bootstrap intervals
# ---------------------------------------------------------------------------------------------------------


def roc_points(scores: AttackScores, max_points: int = 80) -> dict[str, list[float]]:
    """The ROC curve of the draw-averaged scores, thinned to at most ``max_points`` for a report chart."""
    from sklearn.metrics import roc_curve

    members = np.asarray(scores.members, dtype=float).mean(axis=0)
    nonmembers = np.asarray(scores.nonmembers, dtype=float).mean(axis=0)
    labels = np.r_[np.ones(members.size), np.zeros(nonmembers.size)]
    fpr, tpr, _ = roc_curve(labels, np.r_[members, nonmembers])
    keep = np.unique(np.linspace(0, fpr.size - 1, min(max_points, fpr.size)).round().astype(int))
    return {"fpr": [round(float(v), 5) for v in fpr[keep]], "tpr": [round(float(v), 5) for v in tpr[keep]]}


def tpr_at_fpr(member_scores: ArrayLike, nonmember_scores: ArrayLike, fpr: float) -> float:
    """The largest TPR on the exact ROC whose FPR ≤ ``fpr`` (members = positives, higher score = member).

    Uses ``roc_curve(..., drop_intermediate=False)``: dropping "collinear" points can drop the very point
    that sits under the FPR limit when scores are tied.
    """
    s1 = np.asarray(member_scores, dtype=float).ravel()
    s0 = np.asarray(nonmember_scores, dtype=float).ravel()
    labels = np.concatenate([np.ones(len(s1)), np.zeros(len(s0))])
    fprs, tprs, _ = roc_curve(labels, np.concatenate([s1, s0]), drop_intermediate=False)
    return float(tprs[fprs <= fpr * (1 + _FPR_TOL)].max())


def _binned(index: NDArray[np.intp], weights: NDArray[np.float64], n_values: int) -> NDArray[np.float64]:
    """(replicates, n_values) sums of each replicate's row weights per distinct score, highest score first."""
    size = weights.shape[0]
    offsets = (np.arange(size) * n_values)[:, np.newaxis]
    flat = np.bincount((index + offsets).ravel(), weights=weights.ravel(), minlength=size * n_values)
    return flat.reshape(size, n_values)[:, ::-1]


def _weighted_roc(
    s1: NDArray[np.float64],
    s0: NDArray[np.float64],
    w1: NDArray[np.float64],
    w0: NDArray[np.float64],
    fprs: Sequence[float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """AUC (B,) and TPR at each FPR (B, F) for B row weightings (bootstrap counts) at once.

    Scores are binned on their distinct values, each replicate's member / non-member weights summed per bin
    (one bincount), and the ROC read off cumulative sums from the highest score down — the same ROC
    ``roc_curve`` builds, ties counted half in the AUC as ``roc_auc_score`` does.
    """
    values, inverse = np.unique(np.concatenate([s1, s0]), return_inverse=True)
    n_values = len(values)
    i1, i0 = inverse[: len(s1)], inverse[len(s1) :]
    n_rep = w1.shape[0]
    auc = np.empty(n_rep)
    tpr = np.empty((n_rep, len(fprs)))
    block = max(1, _BLOCK_ELEMENTS // max(n_values, 1))
    for start in range(0, n_rep, block):
        stop = min(start + block, n_rep)
        b1 = _binned(i1, w1[start:stop], n_values)
        b0 = _binned(i0, w0[start:stop], n_values)
        c1 = np.cumsum(b1, axis=1)
        c0 = np.cumsum(b0, axis=1)
        t1 = c1[:, -1:]
        t0 = c0[:, -1:]
        auc[start:stop] = (b1 * (t0 - c0 + 0.5 * b0)).sum(axis=1) / (t1 * t0)[:, 0]
        rate1, rate0 = c1 / t1, c0 / t0
        for f, target in enumerate(fprs):
            tpr[start:stop, f] = np.where(rate0 <= target * (1 + _FPR_TOL), rate1, 0.0).max(axis=1)
    return auc, tpr


def _stratified_counts(n: int, n_boot: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """(n_boot, n) resample counts of ``n`` rows drawn with replacement."""
    rows = rng.integers(0, n, size=(n_boot, n))
    offsets = (np.arange(n_boot) * n)[:, np.newaxis]
    return np.bincount((rows + offsets).ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _estimate(
    per_draw: NDArray[np.float64], replicates: NDArray[np.float64], confidence: float, method: str
) -> Estimate:
    low, high, undefined = percentile_interval(replicates, confidence)
    return Estimate(
        value=float(per_draw.mean()),
        ci_low=float(low),
        ci_high=float(high),
        confidence=confidence,
        sd=float(per_draw.std(ddof=1)) if len(per_draw) > 1 else None,
        n_draws=len(per_draw),
        n_boot=len(replicates),
        n_undefined=int(undefined),
        method=method,
    )


@dataclass(frozen=True)
class MembershipMetrics:
    """ROC AUC and TPR at low FPRs of one attack, with stratified-bootstrap intervals.

    ``auc_replicates`` / ``tpr_replicates`` are the bootstrap replicates (not serialised): with the same
    ``bootstrap_seed`` and split they are paired across attacks, models and settings, so differences
    between any two get a paired interval (:meth:`auc_difference`).
    """

    auc: Estimate
    tpr_at_fpr: dict[float, Estimate]
    n_members: int
    n_nonmembers: int
    n_draws: int
    bootstrap_seed: int
    auc_per_draw: NDArray[np.float64] = field(repr=False)
    auc_replicates: NDArray[np.float64] = field(repr=False)
    tpr_replicates: NDArray[np.float64] = field(repr=False)

    def auc_difference(self, other: MembershipMetrics, confidence: float | None = None) -> Estimate:
        """``other.auc − self.auc`` (e.g. exact − shots: how much the shots lowered the AUC), paired."""
        if self.bootstrap_seed != other.bootstrap_seed or len(self.auc_replicates) != len(
            other.auc_replicates
        ):
            raise InputError("paired differences need metrics from the same bootstrap seed", where="metrics")
        confidence = self.auc.confidence if confidence is None else confidence
        diff = other.auc_replicates - self.auc_replicates
        low, high, undefined = percentile_interval(diff, confidence)
        return Estimate(
            value=float(other.auc_per_draw.mean() - self.auc_per_draw.mean()),
            ci_low=float(low),
            ci_high=float(high),
            confidence=confidence,
            sd=None,
            n_draws=self.n_draws,
            n_boot=len(diff),
            n_undefined=int(undefined),
            method="paired stratified bootstrap over rows (same resamples for both)",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "auc": self.auc.model_dump(),
            "tpr_at_fpr": {f"{fpr:g}": est.model_dump() for fpr, est in self.tpr_at_fpr.items()},
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "n_draws": self.n_draws,
            "bootstrap_seed": self.bootstrap_seed,
        }


def membership_metrics(
    scores: AttackScores,
    *,
    fprs: Sequence[float] = DEFAULT_FPRS,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> MembershipMetrics:
    """AUC and TPR at each FPR of ``scores``, averaged over draws, with bootstrap intervals.

    Point values: per draw, ``roc_auc_score`` and :func:`tpr_at_fpr`, then the mean over draws (``sd`` is
    their spread between draws). Intervals: replicate b resamples members and non-members separately
    (``derive_rng(seed, "privacy", "bootstrap", "members" | "nonmembers")``; the counts of each class stay
    fixed, so the FPR grid is the same in every replicate) and is evaluated on draw b mod D, so the
    interval covers both row sampling and shot / draw variability.
    """
    n1, n0 = scores.members.shape[1], scores.nonmembers.shape[1]
    fprs = check_fprs(fprs, n0)
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 2:
        raise InputError(f"n_boot={n_boot!r} must be an integer ≥ 2", where="n_boot")
    if not 0.5 < confidence < 1.0:
        raise InputError(f"confidence={confidence} must be in (0.5, 1)", where="confidence")
    labels = np.concatenate([np.ones(n1), np.zeros(n0)])
    n_draws = scores.n_draws
    auc_draw = np.empty(n_draws)
    tpr_draw = np.empty((n_draws, len(fprs)))
    for d in range(n_draws):
        s1, s0 = scores.members[d], scores.nonmembers[d]
        auc_draw[d] = roc_auc_score(labels, np.concatenate([s1, s0]))
        tpr_draw[d] = [tpr_at_fpr(s1, s0, f) for f in fprs]
    w1 = _stratified_counts(n1, n_boot, derive_rng(seed, "privacy", "bootstrap", "members"))
    w0 = _stratified_counts(n0, n_boot, derive_rng(seed, "privacy", "bootstrap", "nonmembers"))
    auc_rep = np.empty(n_boot)
    tpr_rep = np.empty((n_boot, len(fprs)))
    for d in range(n_draws):
        reps = np.arange(d, n_boot, n_draws)
        auc_rep[reps], tpr_rep[reps] = _weighted_roc(
            scores.members[d], scores.nonmembers[d], w1[reps], w0[reps], fprs
        )
    method = "stratified bootstrap over members and non-members" + (
        f" × {n_draws} prediction draws" if n_draws > 1 else ""
    )
    return MembershipMetrics(
        auc=_estimate(auc_draw, auc_rep, confidence, method),
        tpr_at_fpr={
            f: _estimate(tpr_draw[:, i], tpr_rep[:, i], confidence, method) for i, f in enumerate(fprs)
        },
        n_members=n1,
        n_nonmembers=n0,
        n_draws=n_draws,
        bootstrap_seed=seed,
        auc_per_draw=auc_draw,
        auc_replicates=auc_rep,
        tpr_replicates=tpr_rep,
    )


# ---------------------------------------------------------------------------------------------------------
# Attribute inference
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeInferenceResult:
    """How well the sensitive attribute is recovered from the model's output (out-of-fold attack).

    ``auc`` is the ROC AUC of the attack's out-of-fold group probabilities (one-vs-rest, macro-averaged
    over groups when there are more than two); chance is 0.5. ``accuracy`` is the share of rows whose
    group the attack guesses right, against ``majority_accuracy``, always guessing the largest group.
    With ``uses_label``, ``label_only_auc`` is the same attack on the label alone: what the data, not the
    model, gives away; the model's contribution is ``auc − label_only_auc``.
    """

    groups: list[str]
    n_rows: int
    group_shares: dict[str, float]
    features: list[str]
    uses_label: bool
    auc: Estimate
    per_group_auc: dict[str, float]
    accuracy: Estimate
    majority_group: str
    majority_accuracy: float
    label_only_auc: Estimate | None
    chance_auc: float
    seeds: dict[str, int | str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "n_rows": self.n_rows,
            "group_shares": self.group_shares,
            "features": self.features,
            "uses_label": self.uses_label,
            "auc": self.auc.model_dump(),
            "per_group_auc": self.per_group_auc,
            "accuracy": self.accuracy.model_dump(),
            "majority_group": self.majority_group,
            "majority_accuracy": self.majority_accuracy,
            "label_only_auc": None if self.label_only_auc is None else self.label_only_auc.model_dump(),
            "chance_auc": self.chance_auc,
            "seeds": self.seeds,
        }


def _attribute_features(p: NDArray[np.float64], y: NDArray[np.int64] | None) -> NDArray[np.float64]:
    conf = np.clip(p, _LOGIT_EPS, 1.0 - _LOGIT_EPS)
    phi = np.log(conf) - np.log1p(-conf)
    columns = [phi, phi**2]
    if y is not None:
        yf = y.astype(float)
        columns += [yf, phi * yf, phi**2 * yf]
    return np.column_stack(columns)


def _oof_probabilities(features: NDArray[np.float64], codes: NDArray[np.intp], folds: StratifiedKFold) -> Any:
    attacker = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return cross_val_predict(attacker, features, codes, cv=folds, method="predict_proba")


def _macro_auc_replicates(
    oof: NDArray[np.float64], codes: NDArray[np.intp], counts: NDArray[np.float64]
) -> NDArray[np.float64]:
    per_group = []
    for g in range(oof.shape[1]):
        inside = codes == g
        auc, _ = _weighted_roc(oof[inside, g], oof[~inside, g], counts[:, inside], counts[:, ~inside], ())
        per_group.append(auc)
    return np.mean(per_group, axis=0)


def attribute_inference(
    p: ArrayLike,
    sensitive: ArrayLike,
    y: ArrayLike | None = None,
    *,
    n_folds: int = 5,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> AttributeInferenceResult:
    """Recover the sensitive attribute from the model's output P(class 1) (Yeom et al. 2018).

    The attacker is a logistic regression (multinomial for more than two groups) on [φ, φ²] with φ the
    logit of ``p`` — the square lets it catch groups that sit at moderate rather than extreme scores —
    plus, when ``y`` is given, the label and its interactions. It is scored out of fold
    (``StratifiedKFold(n_folds, shuffle=True)`` seeded by ``derive_seed(seed, "privacy", "attribute",
    "folds")``), so the AUC is what the attacker achieves on rows it did not fit on. Intervals: bootstrap
    over rows stratified by group (``derive_rng(seed, "privacy", "attribute", "bootstrap")``).
    """
    p_arr = _probabilities(p, None, "attribute_inference(p)")
    if p_arr.shape[0] != 1:
        raise InputError(
            "attribute inference takes one probability per row (rows,)", where="attribute_inference"
        )
    p_arr = p_arr[0]
    groups = np.asarray(sensitive).astype(str)
    if groups.shape != p_arr.shape:
        raise InputError(
            f"sensitive has {groups.shape} rows, p has {p_arr.shape}", where="attribute_inference(sensitive)"
        )
    names, codes = np.unique(groups, return_inverse=True)
    if len(names) < 2:
        raise InputError("the sensitive attribute has a single group", where="attribute_inference(sensitive)")
    sizes = np.bincount(codes)
    if sizes.min() < n_folds:
        small = names[int(sizes.argmin())]
        raise InputError(
            f"group {small!r} has {int(sizes.min())} rows; {n_folds}-fold attribute inference needs ≥ {n_folds}",
            where="attribute_inference(sensitive)",
            fix="lower n_folds or add rows of that group",
        )
    y_arr = None if y is None else _labels01(y, "attribute_inference(y)")
    if y_arr is not None and len(y_arr) != len(p_arr):
        raise InputError("y and p disagree on the number of rows", where="attribute_inference(y)")
    fold_seed = derive_seed(seed, "privacy", "attribute", "folds")
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=fold_seed)
    oof = _oof_probabilities(_attribute_features(p_arr, y_arr), codes, folds)

    rng = derive_rng(seed, "privacy", "attribute", "bootstrap")
    counts = np.zeros((n_boot, len(p_arr)))
    for g in range(len(names)):
        rows = np.flatnonzero(codes == g)
        counts[:, rows] = _stratified_counts(len(rows), n_boot, rng)
    method = "out-of-fold attack; stratified bootstrap over rows"

    def auc_estimate(probabilities: NDArray[np.float64]) -> tuple[Estimate, dict[str, float]]:
        per_group = {
            str(names[g]): float(roc_auc_score(codes == g, probabilities[:, g])) for g in range(len(names))
        }
        value = np.array([np.mean(list(per_group.values()))])
        return _estimate(
            value, _macro_auc_replicates(probabilities, codes, counts), confidence, method
        ), per_group

    auc, per_group = auc_estimate(oof)
    correct = (oof.argmax(axis=1) == codes).astype(float)
    accuracy = _estimate(np.array([correct.mean()]), counts @ correct / len(correct), confidence, method)
    label_only = None
    if y_arr is not None:
        label_oof = _oof_probabilities(y_arr[:, np.newaxis].astype(float), codes, folds)
        label_only, _ = auc_estimate(label_oof)
    shares = sizes / sizes.sum()
    return AttributeInferenceResult(
        groups=[str(n) for n in names],
        n_rows=len(p_arr),
        group_shares={str(n): float(s) for n, s in zip(names, shares, strict=True)},
        features=["phi", "phi^2"] + (["y", "phi*y", "phi^2*y"] if y_arr is not None else []),
        uses_label=y_arr is not None,
        auc=auc,
        per_group_auc=per_group,
        accuracy=accuracy,
        majority_group=str(names[int(sizes.argmax())]),
        majority_accuracy=float(shares.max()),
        label_only_auc=label_only,
        chance_auc=0.5,
        seeds={"root": seed, "folds": fold_seed, "bootstrap": "privacy/attribute/bootstrap"},
    )


# ---------------------------------------------------------------------------------------------------------
# The assessment: every model, every attack, every (noise, shots) setting
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """How the model's output is read: under ``noise`` (None: noiseless), exactly or from ``shots`` shots."""

    noise: NoiseModel | None = None
    shots: int | None = None

    @property
    def noise_label(self) -> str:
        return "noiseless" if self.noise is None else (self.noise.label or "noisy")

    @property
    def label(self) -> str:
        return f"{self.noise_label}/{'exact' if self.shots is None else f'shots={self.shots}'}"

    @property
    def is_reference(self) -> bool:
        return self.noise is None and self.shots is None


def privacy_settings(
    noises: Sequence[NoiseModel] = (), shots: Sequence[int] = (), *, cross: bool = False
) -> list[Setting]:
    """Exact noiseless first (the reference), then shots alone, noise alone, and with ``cross`` both."""
    budgets = sorted({int(s) for s in shots})
    if any(s < 1 for s in budgets):
        raise InputError(f"shot budgets must be positive, got {budgets}", where="shots")
    labels = [n.label for n in noises]
    if len(set(labels)) != len(labels) or "noiseless" in labels:
        raise InputError(
            f"noise models need distinct labels (they name settings and seed shot draws), got {labels}",
            where="noises",
            fix="build them with NoiseModel.single or give each a label",
        )
    settings = [Setting()]
    settings += [Setting(None, s) for s in budgets]
    for noise in noises:
        settings.append(Setting(noise, None))
        if cross:
            settings += [Setting(noise, s) for s in budgets]
    return settings


def audit_noise_models(config: AuditConfig) -> list[NoiseModel]:
    """The audit's noise sweep: every channel at every non-zero level (as the noise assessment runs it)."""
    return [
        NoiseModel.single(channel, level)
        for channel in config.noise.channels
        for level in config.noise.levels
        if level > 0
    ]


@dataclass
class PrivacyTarget:
    """A model to attack: its name, family, estimator factory (for references) and fitted target.

    ``fit`` must have been trained on exactly the design's members (the audit's fits on ``X_train`` are);
    ``None`` trains one here with ``factory(derive_seed(seed, "privacy", "target"))``.
    """

    name: str
    factory: Callable[[int], Any] | None
    family: Literal["quantum", "classical"]
    fit: Any | None = None

    @property
    def quantum(self) -> bool:
        return self.family == "quantum"


def targets_from_audit(
    config: AuditConfig, models: Sequence[FittedModel], training_seed: int
) -> list[PrivacyTarget]:
    """The audit's fitted models (training seed ``training_seed``) with their estimator factories.

    The factories are the models' own (:func:`qtrust.audit.training.plan_models` for configured models, a
    scikit-learn clone for supplied ones), so reference models are built and trained by the very code path
    the targets were. A black box has no factory: only the attacks that need no reference model run on it.
    """
    return [
        PrivacyTarget(m.name, m.factory, "quantum" if m.quantum else "classical", m.fits[training_seed])
        for m in models
    ]


@dataclass(frozen=True)
class AttackResult:
    """One attack on one model at one setting; ``auc_drop`` = exact-noiseless AUC − this AUC (paired)."""

    attack: str
    metrics: MembershipMetrics
    auc_drop: Estimate | None
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attack": self.attack,
            **self.metrics.to_dict(),
            "auc_drop": None if self.auc_drop is None else self.auc_drop.model_dump(),
            "details": self.details,
        }


@dataclass(frozen=True)
class SettingResult:
    noise: str
    shots: int | None
    attacks: dict[str, AttackResult]
    rng_labels: dict[str, str]

    @property
    def label(self) -> str:
        return f"{self.noise}/{'exact' if self.shots is None else f'shots={self.shots}'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "noise": self.noise,
            "shots": self.shots,
            "attacks": {name: a.to_dict() for name, a in self.attacks.items()},
            "rng_labels": self.rng_labels,
        }


@dataclass(frozen=True)
class ModelPrivacy:
    model: str
    family: str
    target_random_state: int | None
    references: ReferenceModels
    settings: list[SettingResult]
    attribute: AttributeInferenceResult | None
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def setting(self, noise: str = "noiseless", shots: int | None = None) -> SettingResult:
        for s in self.settings:
            if s.noise == noise and s.shots == shots:
                return s
        raise KeyError(f"{self.model} has no setting {noise}/{shots}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "family": self.family,
            "target_random_state": self.target_random_state,
            "references": self.references.to_dict(),
            "settings": [s.to_dict() for s in self.settings],
            "attribute_inference": None if self.attribute is None else self.attribute.to_dict(),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PrivacyReport:
    """Membership and attribute inference for every model, with the design and every seed recorded.

    Random generators are ``derive_rng(seed, *path.split("/"))`` for each recorded label path (the
    derivation joins labels with "/", so the joined path reproduces the draw exactly).
    """

    seed: int
    design: dict[str, Any]
    fprs: tuple[float, ...]
    confidence: float
    n_boot: int
    bootstrap_seed: int
    n_references: int
    reference_noise: str
    shot_draws: int
    reference_draws: int
    attacks: tuple[str, ...]
    models: list[ModelPrivacy]
    seconds: float

    def model(self, name: str) -> ModelPrivacy:
        for m in self.models:
            if m.model == name:
                return m
        raise KeyError(name)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per (model, setting, attack): the table a report shows."""
        out = []
        for m in self.models:
            for s in m.settings:
                for name, a in s.attacks.items():
                    row = {
                        "model": m.model,
                        "family": m.family,
                        "noise": s.noise,
                        "shots": s.shots,
                        "attack": name,
                        "auc": a.metrics.auc.value,
                        "auc_ci": (a.metrics.auc.ci_low, a.metrics.auc.ci_high),
                        "auc_drop": None if a.auc_drop is None else a.auc_drop.value,
                        "auc_drop_ci": None
                        if a.auc_drop is None
                        else (a.auc_drop.ci_low, a.auc_drop.ci_high),
                    }
                    for fpr, est in a.metrics.tpr_at_fpr.items():
                        row[f"tpr@{fpr:g}"] = est.value
                    out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "design": self.design,
            "fprs": list(self.fprs),
            "confidence": self.confidence,
            "n_boot": self.n_boot,
            "bootstrap_seed": self.bootstrap_seed,
            "n_references": self.n_references,
            "reference_noise": self.reference_noise,
            "shot_draws": self.shot_draws,
            "reference_draws": self.reference_draws,
            "attacks": list(self.attacks),
            "models": [m.to_dict() for m in self.models],
            "seconds": round(self.seconds, 4),
        }


def _outputs(
    fit: Any,
    quantum: bool,
    X: NDArray[np.float64],
    noise: NoiseModel | None,
    shots: int | None,
    draws: int,
    rng: np.random.Generator | None,
) -> NDArray[np.float64]:
    """(draws, rows) P(class 1): exact (one draw) or ``draws`` shot estimates, under ``noise``."""
    if not quantum:
        return np.asarray(fit.predict_proba(X)[:, 1], dtype=float)[np.newaxis, :]
    if shots is None:
        return np.asarray(fit.probabilities(X, noise), dtype=float)[np.newaxis, :]
    assert rng is not None
    return np.asarray(fit.sample_probabilities(X, shots, draws, rng, noise), dtype=float)


@dataclass(frozen=True)
class _Plan:
    """What :func:`assess_privacy` validated once and every target shares."""

    design: MembershipDesign
    seed: int
    settings: list[Setting]
    attacks: tuple[str, ...]
    keep: NDArray[np.bool_]  # (references, pool rows)
    n_references: int
    needs_refs: bool
    shot_draws: int
    reference_draws: int
    reference_noise: str
    lira_variance: Literal["auto", "global", "local"]
    fprs: tuple[float, ...]
    confidence: float
    n_boot: int
    bootstrap_seed: int
    attribute_rows: str | None
    attribute_uses_label: bool

    @property
    def rows(self) -> NDArray[np.int64]:
        return self.design.split.rows

    @property
    def n1(self) -> int:
        return self.design.split.n_members


class _Clock:
    """Seconds per part of the work, summed (the bench and the audit's timings read them)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._part = ""
        self._start = 0.0

    def __call__(self, part: str) -> _Clock:
        self._part = part
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.seconds[self._part] = self.seconds.get(self._part, 0.0) + time.perf_counter() - self._start


def _read_out(
    plan: _Plan, name: str, quantum: bool, fit: Any, refs: ReferenceModels, setting: Setting
) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[str, str]]:
    """Target (draws, rows) and reference (models, draws, rows) outputs on the split's rows, and RNG labels."""
    X = plan.design.X[plan.rows]
    labels: dict[str, str] = {}

    def rng(key: str, label: str) -> np.random.Generator | None:
        if setting.shots is None:
            return None
        labels[key] = label
        return derive_rng(plan.seed, label)

    target = _outputs(
        fit,
        quantum,
        X,
        setting.noise,
        setting.shots,
        plan.shot_draws,
        rng("target", f"privacy/shots/{name}/target/{setting.label}"),
    )
    if not plan.needs_refs:
        return target, np.empty((0, 1, len(plan.rows))), labels
    ref_noise = setting.noise if plan.reference_noise == "matched" else None
    references = np.stack(
        [
            _outputs(
                ref,
                quantum,
                X,
                ref_noise,
                setting.shots,
                plan.reference_draws,
                rng(f"reference/{j}", f"privacy/shots/{name}/reference/{j}/{setting.label}"),
            )
            for j, ref in enumerate(refs.fits)
        ]
    )
    return target, references, labels


def _attack(
    plan: _Plan, attack: str, target_p: NDArray[np.float64], ref_p: NDArray[np.float64], shots: int | None
) -> AttackScores:
    n1 = plan.n1
    y = plan.design.y[plan.rows]
    p1, y1, p0, y0 = target_p[:, :n1], y[:n1], target_p[:, n1:], y[n1:]
    if attack == "loss":
        return loss_threshold_attack(p1, y1, p0, y0)
    keep = plan.keep[:, plan.rows]
    if attack == "shadow":
        return shadow_attack(p1, y1, p0, y0, shadow_p=ref_p, shadow_y=y, shadow_in=keep, shots=shots)
    return lira_offline(
        p1,
        y1,
        p0,
        y0,
        ref_members=ref_p[:, :, :n1],
        ref_nonmembers=ref_p[:, :, n1:],
        out_members=~keep[:, :n1],
        out_nonmembers=~keep[:, n1:],
        variance=plan.lira_variance,
        shots=shots,
    )


def _part(setting: Setting) -> str:
    if setting.is_reference:
        return "outputs_exact"
    if setting.noise is None:
        return "outputs_shots"
    return "outputs_noise" if setting.shots is None else "outputs_noise+shots"


def _assess_target(plan: _Plan, target: PrivacyTarget, step: Callable[[str], None]) -> ModelPrivacy:
    notes: list[str] = []
    if target.factory is None and plan.needs_refs:
        skipped = [a for a in plan.attacks if a != "loss"]
        notes.append(
            f"{', '.join(skipped)} not run: they need reference models trained like the target, and this "
            "model cannot be retrained (a black box without fit/get_params)"
        )
        plan = replace(
            plan, attacks=tuple(a for a in plan.attacks if a == "loss"), needs_refs=False, n_references=0
        )
    design, split = plan.design, plan.design.split
    clock = _Clock()
    fit, target_state = target.fit, None
    if fit is None:
        step(f"{target.name}: training the target")
        target_state = derive_seed(plan.seed, "privacy", "target")
        if target.factory is None:
            raise InputError(
                f"{target.name} has no fitted model and no factory to train one",
                where="privacy targets",
                fix="pass the fitted target or an estimator factory",
            )
        with clock("train_target"):
            fit = target.factory(target_state).fit(design.X[split.members], design.y[split.members])
    refs = ReferenceModels([], plan.keep, [], derive_seed(plan.seed, "privacy", "reference-mask"))
    if plan.needs_refs:
        step(f"{target.name}: training {plan.n_references} reference models")
        with clock("train_references"):
            refs = train_reference_models(
                target.factory, design.X, design.y, plan.n_references, plan.seed, keep=plan.keep
            )

    exact: dict[str, MembershipMetrics] = {}
    setting_results = []
    for setting in plan.settings if target.quantum else plan.settings[:1]:
        step(f"{target.name}: {setting.label}")
        with clock(_part(setting)):
            target_p, ref_p, rng_labels = _read_out(plan, target.name, target.quantum, fit, refs, setting)
        attack_results = {}
        for attack in plan.attacks:
            with clock(f"attack_{attack}"):
                scores = _attack(plan, attack, target_p, ref_p, setting.shots)
            with clock("metrics"):
                metrics = membership_metrics(
                    scores,
                    fprs=plan.fprs,
                    confidence=plan.confidence,
                    n_boot=plan.n_boot,
                    seed=plan.bootstrap_seed,
                )
            if setting.is_reference:
                exact[attack] = metrics
            drop = None if setting.is_reference else metrics.auc_difference(exact[attack])
            details = dict(scores.details)
            if setting.is_reference:
                details["roc"] = roc_points(scores)
            attack_results[attack] = AttackResult(attack, metrics, drop, details)
        setting_results.append(SettingResult(setting.noise_label, setting.shots, attack_results, rng_labels))

    attribute = None
    if plan.attribute_rows is not None:
        step(f"{target.name}: attribute inference")
        chosen = {"all": plan.rows, "members": split.members, "nonmembers": split.nonmembers}[
            plan.attribute_rows
        ]
        with clock("attribute"):
            attribute = attribute_inference(
                _outputs(fit, target.quantum, design.X[chosen], None, None, 1, None)[0],
                design.groups[chosen],
                design.y[chosen] if plan.attribute_uses_label else None,
                confidence=plan.confidence,
                n_boot=plan.n_boot,
                seed=plan.seed,
            )
    return ModelPrivacy(
        model=target.name,
        family=target.family,
        target_random_state=target_state,
        references=refs,
        settings=setting_results,
        attribute=attribute,
        timings=clock.seconds,
        notes=notes,
    )


def assess_privacy(
    targets: Sequence[PrivacyTarget],
    design: MembershipDesign,
    *,
    seed: int,
    noises: Sequence[NoiseModel] = (),
    shots: Sequence[int] = (),
    cross: bool = False,
    attacks: Sequence[str] = ATTACKS,
    n_references: int = 8,
    pkeep: float = 0.5,
    shot_draws: int = 10,
    reference_draws: int = 4,
    reference_noise: Literal["matched", "noiseless"] = "matched",
    lira_variance: Literal["auto", "global", "local"] = "auto",
    fprs: Sequence[float] = DEFAULT_FPRS,
    confidence: float = 0.95,
    n_boot: int = 1000,
    attribute_rows: Literal["all", "members", "nonmembers"] | None = "all",
    attribute_uses_label: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> PrivacyReport:
    """Run every requested attack on every target at every (noise, shots) setting, on one design.

    For each target: ``n_references`` reference models are trained from its factory on the balanced
    inclusion mask over the whole pool (one mask and one set of reference seeds for all models); they are
    the shadow models of :func:`shadow_attack` and the OUT models of :func:`lira_offline`. Quantum targets
    are then read out exactly and under every setting of :func:`privacy_settings` (``shot_draws`` draws for
    the target, ``reference_draws`` per reference model); classical targets at the exact setting only. Each
    attack's metrics share one bootstrap seed, so every ``auc_drop`` (exact noiseless − setting) is paired.
    Attribute inference runs on the exact noiseless outputs of the ``attribute_rows`` rows (``None``
    skips it). ``on_step`` is called with a short description before each unit of work (progress bars).

    Raises :class:`InputError` before any training when the FPR list needs more non-members than the
    design has, an attack is unknown, or the design cannot train references.
    """
    fprs = check_fprs(fprs, design.split.n_nonmembers)
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown or not attacks:
        raise InputError(
            f"unknown attack(s) {unknown}", where="attacks", fix=f"use any of: {', '.join(ATTACKS)}"
        )
    if reference_noise not in ("matched", "noiseless"):
        raise InputError(f"unknown reference_noise {reference_noise!r}", fix="use 'matched' or 'noiseless'")
    if attribute_rows not in (None, "all", "members", "nonmembers"):
        raise InputError(f"unknown attribute_rows {attribute_rows!r}", fix="use all, members or nonmembers")
    for name, value in (("shot_draws", shot_draws), ("reference_draws", reference_draws)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise InputError(f"{name}={value!r} must be a positive integer", where=name)
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise InputError(f"target names repeat: {names}", where="targets")
    needs_refs = bool({"shadow", "lira"} & set(attacks))
    plan = _Plan(
        design=design,
        seed=seed,
        settings=privacy_settings(noises, shots, cross=cross),
        attacks=tuple(attacks),
        keep=inclusion_mask(len(design.y), n_references, seed, pkeep),
        n_references=n_references if needs_refs else 0,
        needs_refs=needs_refs,
        shot_draws=int(shot_draws),
        reference_draws=int(reference_draws),
        reference_noise=reference_noise,
        lira_variance=lira_variance,
        fprs=fprs,
        confidence=confidence,
        n_boot=n_boot,
        bootstrap_seed=derive_seed(seed, "privacy", "bootstrap"),
        attribute_rows=attribute_rows,
        attribute_uses_label=attribute_uses_label,
    )
    start = time.perf_counter()
    step = on_step or (lambda _: None)
    models = [_assess_target(plan, target, step) for target in targets]
    return PrivacyReport(
        seed=seed,
        design={**design.to_dict(), "attribute_rows": attribute_rows},
        fprs=fprs,
        confidence=confidence,
        n_boot=n_boot,
        bootstrap_seed=plan.bootstrap_seed,
        n_references=plan.n_references,
        reference_noise=reference_noise,
        shot_draws=plan.shot_draws,
        reference_draws=plan.reference_draws,
        attacks=plan.attacks,
        models=models,
        seconds=time.perf_counter() - start,
    )
