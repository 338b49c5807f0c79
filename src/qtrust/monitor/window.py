"""One drift check of a window of served traffic against the reference window, every detector at once.

:func:`check_window` runs, for the windows it is given:

* per numeric feature of the serving schema: PSI (:mod:`~qtrust.monitor.psi`) and KS (:mod:`~qtrust.monitor.ks`);
* per categorical feature: PSI and the chi-square test (:mod:`~qtrust.monitor.chi_square`);
* on the encoded angles, when both windows carry them: MMD (:mod:`~qtrust.monitor.mmd`);
* on the served probabilities, when both carry them: the shot-noise-aware output test
  (:mod:`~qtrust.monitor.output_drift`), and CBPE (:mod:`~qtrust.monitor.cbpe`) when the reference also
  has labels.

Multiple testing: the per-feature tests (one KS or chi-square per feature) are one *family* — together they
ask "did any input feature move?" — and asking it k times at level alpha raises false alarms with k: with
19 features and no change at all, 1 − 0.95¹⁹ ≈ 62% of windows would raise at least one alarm. Their
p-values are therefore Holm-adjusted (:mod:`~qtrust.monitor._holm`), which holds the chance of any false
feature alarm in a window at alpha whatever the correlation between features (features are correlated), and
the adjusted p-value is the one reported (the raw one is in ``detail``). PSI is a magnitude on a fixed scale,
not a test, and stays uncorrected. MMD, the output test and CBPE each answer a different question about a
different object (the circuit's input, its output, its accuracy) and keep their own level: an operator reads
them separately, and folding them into the feature family would make the one detector that sees joint
changes (MMD) pay for the number of features.

Seeds: each random detector gets a seed derived from ``seed`` and its own name (:func:`qtrust.seeding.derive_seed`),
so adding a detector never changes another's draws; each result records the seed it used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from qtrust.errors import InputError
from qtrust.monitor._holm import holm
from qtrust.monitor.cbpe import cbpe
from qtrust.monitor.chi_square import chi_square
from qtrust.monitor.group_rate import group_rate
from qtrust.monitor.ks import ks
from qtrust.monitor.mmd import MAX_N, N_PERMUTATIONS, mmd
from qtrust.monitor.output_drift import output_drift
from qtrust.monitor.psi import THRESHOLD, psi
from qtrust.monitor.result import DriftResult
from qtrust.seeding import derive_seed


@dataclass(frozen=True)
class ReferenceWindow:
    """The baseline: the audit's (or a trusted period's) rows, with exact probabilities and, if known, labels."""

    features: pd.DataFrame  # one column per schema feature, by name
    angles: NDArray[np.float64] | None = None  # (n, d): what the circuit saw
    probabilities: NDArray[np.float64] | None = None  # exact P(favourable), one per row
    labels: NDArray[np.int64] | None = None  # 0 / 1 outcomes; enables CBPE
    group_rates: Mapping[str, Mapping[str, int]] | None = None  # group → {"positives", "rows"} of decisions


@dataclass(frozen=True)
class CurrentWindow:
    """A window of served traffic: the requests' features, their angles, the served probabilities."""

    features: pd.DataFrame
    angles: NDArray[np.float64] | None = None
    probabilities: NDArray[np.float64] | None = None  # as served: estimates from `shots` shots each
    shots: int | None = None  # None or 0: the served probabilities are exact
    labels: NDArray[np.int64] | None = None  # outcomes that have arrived; reported beside CBPE's estimate
    group_decisions: Sequence[tuple[str, int]] | None = None  # (group, decision) of the quantum answers


def check_window(
    reference: ReferenceWindow,
    current: CurrentWindow,
    *,
    features_schema: Sequence[Mapping[str, Any]],
    alpha: float = 0.05,
    seed: int = 0,
    psi_threshold: float = THRESHOLD,
    n_permutations: int = N_PERMUTATIONS,
    max_n: int = MAX_N,
    decision_threshold: float = 0.5,
    tolerance: float = 0.05,
) -> list[DriftResult]:
    """Every applicable detector on ``current`` against ``reference``, feature tests Holm-corrected.

    ``features_schema`` is the serving artefact's schema: ``{"name", "type": "number", "min", "max"}`` or
    ``{"name", "type": "category", "values"}`` per feature. Results come in schema order (PSI, then the
    test, per feature), then MMD, output drift and CBPE.
    """
    features: list[DriftResult] = []
    for entry in features_schema:
        name, kind = _schema_entry(entry)
        ref_values = _column(reference.features, name, "reference")
        cur_values = _column(current.features, name, "current")
        if kind == "number":
            drift = psi(ref_values, cur_values, subject=name, kind="number", threshold=psi_threshold)
            outside = _out_of_range(cur_values, entry)
            features += [
                replace(drift, detail=drift.detail | outside),
                ks(ref_values, cur_values, subject=name, alpha=alpha),
            ]
        else:
            known = [str(value) for value in entry.get("values", ())]
            drift = psi(
                ref_values,
                cur_values,
                subject=name,
                kind="category",
                categories=known,
                threshold=psi_threshold,
            )
            unknown = sorted(set(map(str, cur_values)) - set(known)) if known else []
            features += [
                replace(drift, detail=drift.detail | {"unknown_values": unknown}),
                chi_square(ref_values, cur_values, subject=name, categories=known, alpha=alpha),
            ]
    results = _holm_family(features, alpha)

    if _both(reference.angles, current.angles, "angles"):
        results.append(
            mmd(
                reference.angles,
                current.angles,
                alpha=alpha,
                n_permutations=n_permutations,
                max_n=max_n,
                seed=derive_seed(seed, "monitor", "mmd", "angles"),
            )
        )
    if _both(reference.probabilities, current.probabilities, "probabilities"):
        results.append(
            output_drift(
                reference.probabilities,
                current.probabilities,
                shots=current.shots,
                alpha=alpha,
                seed=derive_seed(seed, "monitor", "output_shot_noise", "probability"),
            )
        )
        if reference.labels is not None:
            results.append(
                cbpe(
                    reference.probabilities,
                    current.probabilities,
                    reference_labels=reference.labels,
                    current_labels=current.labels,
                    threshold=decision_threshold,
                    tolerance=tolerance,
                    shots=current.shots,
                    seed=derive_seed(seed, "monitor", "cbpe", "accuracy"),
                )
            )
    if reference.group_rates is not None and current.group_decisions is not None:
        results += group_rate(reference.group_rates, current.group_decisions, alpha=alpha)
    return results


def _holm_family(results: list[DriftResult], alpha: float) -> list[DriftResult]:
    """The tests among ``results`` with Holm-adjusted p-values and alarms; PSI rows unchanged."""
    tests = [(i, result.p_value) for i, result in enumerate(results) if result.p_value is not None]
    adjusted = holm([p_value for _, p_value in tests])
    out = list(results)
    for (i, _), p_value in zip(tests, adjusted, strict=True):
        raw = results[i]
        out[i] = replace(
            raw,
            p_value=float(p_value),
            threshold=alpha,
            drifted=bool(p_value < alpha),
            detail=raw.detail | {"p_value_raw": raw.p_value, "correction": "holm", "family_size": len(tests)},
        )
    return out


def _schema_entry(entry: Mapping[str, Any]) -> tuple[str, str]:
    name, kind = entry.get("name"), entry.get("type")
    if not isinstance(name, str) or kind not in ("number", "category"):
        raise InputError(
            f"schema entry {dict(entry)!r} needs a 'name' and a 'type' of 'number' or 'category'",
            where="features_schema",
            fix="pass the 'features' list of the serving artefact's manifest",
        )
    return name, kind


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"feature {name!r} of the schema is not a column",
            where=f"{role} window features",
            fix=f"include every schema feature; the columns are: {', '.join(map(str, frame.columns))}",
        )
    return frame[name]


def _out_of_range(values: pd.Series, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The share of current values outside the schema's training range (the server refuses none of them)."""
    if "min" not in entry or "max" not in entry:
        return {}
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    outside = (numbers < float(entry["min"])) | (numbers > float(entry["max"]))
    return {"out_of_range_fraction": float(outside.mean()) if len(numbers) else 0.0}


def _both(reference: Any, current: Any, what: str) -> bool:
    if reference is None and current is None:
        return False
    if reference is None or current is None:
        missing = "reference" if reference is None else "current"
        raise InputError(
            f"only one window has {what}",
            where=f"{missing} window",
            fix=f"give both windows {what}, or neither",
        )
    return True
