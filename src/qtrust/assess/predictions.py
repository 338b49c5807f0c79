"""Every prediction an audit makes, kept as arrays and written once as ``predictions.csv``.

One row per test row × model × noise setting × prediction draw, so an auditor can recompute any metric.
Group values and model names come from the user's data and config, so text cells are written
spreadsheet-safe (:mod:`qtrust.data.csv_cells`): a group called ``=cmd`` reads back as ``'=cmd``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from qtrust.data.csv_cells import safe_frame

COLUMNS = ("model", "noise", "shots", "seed", "draw", "row", "group", "y_true", "proba", "y_pred")


@dataclass
class PredictionStore:
    rows: np.ndarray  # dataset row index of each test row
    groups: np.ndarray
    y_true: np.ndarray
    threshold: float
    _blocks: list[pd.DataFrame] = field(default_factory=list)

    def add(self, model: str, noise: str, proba: np.ndarray, seeds: list[int], shots: int = 0) -> None:
        """A (draws, rows) stack; ``seeds[d]`` is the training seed of draw d; ``shots`` 0 means exact."""
        proba = np.atleast_2d(proba)
        n_draws, n_rows = proba.shape
        self._blocks.append(
            pd.DataFrame(
                {
                    "model": model,
                    "noise": noise,
                    "shots": shots,
                    "seed": np.repeat(np.asarray(seeds), n_rows),
                    "draw": np.repeat(np.arange(n_draws), n_rows),
                    "row": np.tile(self.rows, n_draws),
                    "group": np.tile(self.groups, n_draws),
                    "y_true": np.tile(self.y_true, n_draws),
                    "proba": proba.reshape(-1),
                    "y_pred": (proba.reshape(-1) >= self.threshold).astype(int),
                }
            )
        )

    def stack(self, model: str, noise: str = "none", shots: int = 0) -> np.ndarray:
        """The (draws, rows) probability stack stored for one model, noise setting and shot budget."""
        for block in self._blocks:
            head = block.iloc[0]
            if head["model"] == model and head["noise"] == noise and int(head["shots"]) == shots:
                return block["proba"].to_numpy().reshape(-1, len(self.rows))
        raise KeyError(f"no predictions stored for {model} / {noise} / {shots} shots")

    def distribution_digests(self) -> list[dict]:
        """sha256 of each probability stack (float64, little-endian, C order), for the evidence log.

        The digest pins the exact distribution every metric was computed from, so a re-run can show its
        probabilities are bit-identical, not merely that the metrics agree.
        """
        out = []
        for block in self._blocks:
            n_draws = int(block["draw"].max()) + 1 if len(block) else 0
            proba = np.ascontiguousarray(block["proba"].to_numpy(dtype="<f8"))
            out.append(
                {
                    "model": str(block["model"].iloc[0]),
                    "noise": str(block["noise"].iloc[0]),
                    "shots": int(block["shots"].iloc[0]),
                    "shape": [n_draws, len(block) // max(n_draws, 1)],
                    "sha256": hashlib.sha256(proba.tobytes()).hexdigest(),
                }
            )
        return out

    def frame(self) -> pd.DataFrame:
        if not self._blocks:
            return pd.DataFrame(columns=list(COLUMNS))
        return pd.concat(self._blocks, ignore_index=True)[list(COLUMNS)]

    def write(self, path: Path) -> None:
        safe_frame(self.frame()).to_csv(path, index=False, float_format="%.10g")
