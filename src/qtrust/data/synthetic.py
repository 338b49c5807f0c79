"""Synthetic tabular data with a known, controllable amount of bias, for prototyping without personal data.

Because the bias is set rather than discovered, an audit on this data has a ground truth: the labels'
demographic-parity difference is ``group_bias`` (up to label-noise sampling), and one feature, ``proxy``,
correlates with the group at ``proxy_strength``. That makes it the test bed for checking that fairness
metrics and fairness-through-unawareness behave as claimed.

How a dataset is drawn (every draw from :func:`qtrust.seeding.derive_rng` under ``random_state``):

1. ``round(minority_fraction * n_rows)`` rows are ``"unprivileged"``, the rest ``"privileged"``.
2. Features: ``proxy`` = ``proxy_strength * g + sqrt(1 - proxy_strength**2) * noise`` with ``g`` the
   standardised group indicator (so its correlation with the group is ``proxy_strength``); ``segment``, a
   categorical feature ("a", "b", "c") independent of the group; numeric ``x1 ... x{n_features-2}``,
   independent of the group, with different scales. ``group`` itself is kept as the sensitive column.
3. A latent merit score mixes ``segment`` and the ``x`` features (never the group). Within each group the
   top-scoring rows get y = 1, as many as make the group's base rate, after label noise, equal to
   ``0.5 ± group_bias / 2`` (privileged +, unprivileged -).
4. Each label flips with probability ``label_noise``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from qtrust.data.dataset import MIN_GROUP_ROWS, Dataset, FeatureType, Provenance, content_digest
from qtrust.errors import InputError
from qtrust.seeding import derive_rng

PRIVILEGED = "privileged"
UNPRIVILEGED = "unprivileged"
_SEGMENTS = ("a", "b", "c")
_SEGMENT_PROBABILITIES = (0.5, 0.3, 0.2)
_SEGMENT_EFFECT = {"a": 0.0, "b": 0.5, "c": -0.5}


def _check(ok: bool, problem: str, parameter: str, fix: str) -> None:
    if not ok:
        raise InputError(problem, where=f"make_synthetic({parameter}=...)", fix=fix)


def _validate(
    n_rows: int,
    n_features: int,
    group_bias: float,
    proxy_strength: float,
    minority_fraction: float,
    label_noise: float,
) -> int:
    """Check the parameters; return the number of unprivileged rows."""
    _check(n_features >= 2, f"n_features={n_features} is below 2", "n_features", "use n_features >= 2")
    _check(
        0.0 <= label_noise < 0.5,
        f"label_noise={label_noise} is outside [0, 0.5)",
        "label_noise",
        "use a flip probability in [0, 0.5)",
    )
    limit = 1.0 - 2.0 * label_noise
    _check(
        abs(group_bias) <= limit,
        f"|group_bias|={abs(group_bias)} exceeds 1 - 2*label_noise = {limit:g}",
        "group_bias",
        f"use a group_bias in [-{limit:g}, {limit:g}] or lower label_noise",
    )
    _check(
        0.0 <= proxy_strength <= 1.0,
        f"proxy_strength={proxy_strength} is outside [0, 1]",
        "proxy_strength",
        "use a correlation in [0, 1]",
    )
    _check(
        0.0 < minority_fraction < 1.0,
        f"minority_fraction={minority_fraction} is outside (0, 1)",
        "minority_fraction",
        "use a fraction strictly between 0 and 1",
    )
    n_unprivileged = round(minority_fraction * n_rows)
    _check(
        min(n_unprivileged, n_rows - n_unprivileged) >= MIN_GROUP_ROWS,
        f"n_rows={n_rows} with minority_fraction={minority_fraction} gives groups of "
        f"{n_unprivileged} and {n_rows - n_unprivileged} rows",
        "n_rows",
        f"raise n_rows or move minority_fraction towards 0.5 so each group has {MIN_GROUP_ROWS}+ rows",
    )
    return n_unprivileged


def _labels(score: np.ndarray, unprivileged: np.ndarray, clean_rates: dict[bool, float]) -> np.ndarray:
    """y = 1 for the top-scoring ``clean_rate`` share of rows within each group."""
    y = np.zeros(len(score), dtype=np.int64)
    for is_unprivileged, rate in clean_rates.items():
        rows = np.flatnonzero(unprivileged == is_unprivileged)
        n_positive = round(rate * len(rows))
        ranked = rows[np.argsort(-score[rows], kind="stable")]
        y[ranked[:n_positive]] = 1
    return y


def make_synthetic(
    n_rows: int = 1000,
    n_features: int = 6,
    *,
    group_bias: float = 0.2,
    proxy_strength: float = 0.5,
    minority_fraction: float = 0.3,
    label_noise: float = 0.05,
    random_state: int = 0,
) -> Dataset:
    """A synthetic :class:`Dataset` whose label bias and proxy leakage are set by the caller.

    ``group_bias`` is P(y=1 | privileged) - P(y=1 | unprivileged) in expectation (negative favours the
    unprivileged group); ``proxy_strength`` is the correlation of feature ``proxy`` with the group;
    ``n_features`` counts the model features (``proxy``, ``segment`` and ``n_features - 2`` numeric
    ``x`` columns), the sensitive column ``group`` comes on top. Groups: ``"privileged"`` and
    ``"unprivileged"`` (the minority). See the module docstring for the generative model.
    """
    n_unprivileged = _validate(n_rows, n_features, group_bias, proxy_strength, minority_fraction, label_noise)

    unprivileged = np.zeros(n_rows, dtype=bool)
    unprivileged[:n_unprivileged] = True
    unprivileged = derive_rng(random_state, "data/synthetic/groups").permutation(unprivileged)
    group = np.where(unprivileged, UNPRIVILEGED, PRIVILEGED)

    indicator = unprivileged.astype(float)
    standardised = (indicator - indicator.mean()) / indicator.std()
    proxy_noise = derive_rng(random_state, "data/synthetic/proxy").standard_normal(n_rows)
    proxy = proxy_strength * standardised + math.sqrt(1.0 - proxy_strength**2) * proxy_noise

    rng = derive_rng(random_state, "data/synthetic/features")
    segment = rng.choice(_SEGMENTS, size=n_rows, p=_SEGMENT_PROBABILITIES)
    n_numeric = n_features - 2
    latent = rng.standard_normal((n_rows, n_numeric))
    scales = np.arange(1, n_numeric + 1, dtype=float)
    numeric = 10.0 * scales + scales * latent

    rng = derive_rng(random_state, "data/synthetic/labels")
    weights = rng.uniform(0.5, 1.5, n_numeric) * rng.choice([-1.0, 1.0], n_numeric)
    segment_effect = np.array([_SEGMENT_EFFECT[s] for s in segment])
    score = latent @ weights + segment_effect + 0.5 * rng.standard_normal(n_rows)
    target_rates = {False: 0.5 + group_bias / 2.0, True: 0.5 - group_bias / 2.0}
    clean_rates = {k: (rate - label_noise) / (1.0 - 2.0 * label_noise) for k, rate in target_rates.items()}
    y = _labels(score, unprivileged, clean_rates)
    flips = derive_rng(random_state, "data/synthetic/label_noise").random(n_rows) < label_noise
    y = np.where(flips, 1 - y, y)

    columns: dict[str, object] = {"group": group, "proxy": proxy, "segment": segment}
    columns.update({f"x{j + 1}": numeric[:, j] for j in range(n_numeric)})
    features = pd.DataFrame(columns)
    feature_types: dict[str, FeatureType] = {
        c: "categorical" if c in ("group", "segment") else "numeric" for c in features.columns
    }
    params = {
        "n_rows": n_rows,
        "n_features": n_features,
        "group_bias": group_bias,
        "proxy_strength": proxy_strength,
        "minority_fraction": minority_fraction,
        "label_noise": label_noise,
    }
    provenance = Provenance(
        name="synthetic",
        source="qtrust.data.make_synthetic",
        licence="CC0-1.0",
        # No source bytes exist: the generated content's digest is what a re-run must reproduce.
        sha256=content_digest(features, y, group),
        citation="",
        description="Synthetic tabular data with controlled label bias and a group proxy feature.",
        extra={
            "generator": "qtrust.data.make_synthetic",
            "params": params,
            "random_state": random_state,
            "privileged_group": PRIVILEGED,
            "unprivileged_group": UNPRIVILEGED,
            "proxy_feature": "proxy",
        },
    )
    return Dataset(
        name="synthetic",
        features=features,
        y=y,
        group=group,
        sensitive="group",
        label_name="outcome",
        positive_label="1",
        provenance=provenance,
        sensitive_source_columns=("group",),
        feature_types=feature_types,
    )
