"""Reference (shadow) models: trained like the target on seeded subsets, for the shadow and LiRA attacks."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.assess.privacy.validation import _labels01
from qtrust.errors import InputError
from qtrust.parallel import SERIAL, Mapper, timed_fit
from qtrust.seeding import derive_rng, derive_seed


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
    mapper: Mapper = SERIAL,
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
    jobs, states = [], []
    for j in range(n_models):
        rows = np.flatnonzero(keep[j])
        if len(np.unique(y[rows])) < 2:
            raise InputError(
                f"reference model {j} would train on one class only", where="n_references", fix="add rows"
            )
        states.append(derive_seed(seed, "privacy", "reference", j))
        jobs.append((factory, states[-1], X[rows], y[rows]))
    done = mapper.map(timed_fit, jobs)  # independent fits, each seeded by its index: anywhere, same result
    return ReferenceModels([f for f, _ in done], keep, states, mask_seed, [t for _, t in done])
