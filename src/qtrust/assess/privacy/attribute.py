"""Attribute inference: how well the sensitive attribute is recovered from the model's output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qtrust.assess.privacy.roc import _estimate, _stratified_counts, _weighted_roc
from qtrust.assess.privacy.validation import _LOGIT_EPS, _labels01, _probabilities
from qtrust.errors import InputError
from qtrust.results.schema import Estimate
from qtrust.seeding import derive_rng, derive_seed


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
