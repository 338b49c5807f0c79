"""Every prediction an audit makes, kept as compact arrays and written once as ``predictions.csv``.

One CSV row per test row × model × noise setting × prediction draw, so an auditor can recompute any metric.
In memory each stack stays one float64 array (8 bytes a prediction): the long table, with its text columns
repeated on every row, is about ten times larger, so it is built one stack at a time while the file is
written and never held whole (a 50,000-row audit makes millions of predictions).
Group values and model names come from the user's data and config, so text cells are written
spreadsheet-safe (:mod:`qtrust.data.csv_cells`): a group called ``=cmd`` reads back as ``'=cmd``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from qtrust.data.csv_cells import safe_frame

COLUMNS = ("model", "noise", "shots", "seed", "draw", "row", "group", "y_true", "proba", "y_pred")


@dataclass(frozen=True)
class _Stack:
    model: str
    noise: str
    shots: int
    seeds: np.ndarray  # training seed of each draw
    proba: np.ndarray  # (draws, rows), float64


@dataclass
class PredictionStore:
    rows: np.ndarray  # dataset row index of each test row
    groups: np.ndarray
    y_true: np.ndarray
    threshold: float
    _stacks: list[_Stack] = field(default_factory=list)

    def add(self, model: str, noise: str, proba: np.ndarray, seeds: list[int], shots: int = 0) -> None:
        """A (draws, rows) stack; ``seeds[d]`` is the training seed of draw d; ``shots`` 0 means exact."""
        proba = np.array(np.atleast_2d(proba), dtype=np.float64, order="C")
        if proba.shape[1] != len(self.rows):
            raise ValueError(f"a stack of {proba.shape[1]} rows for a test set of {len(self.rows)}")
        seeds_arr = np.asarray(seeds)
        if len(seeds_arr) != proba.shape[0]:
            raise ValueError(f"{len(seeds_arr)} seeds for {proba.shape[0]} draws")
        proba.flags.writeable = False  # handed out by ``stack``: an assessment must not change the record
        self._stacks.append(_Stack(model, noise, int(shots), seeds_arr, proba))

    def stack(self, model: str, noise: str = "none", shots: int = 0) -> np.ndarray:
        """The (draws, rows) probability stack stored for one model, noise setting and shot budget."""
        for s in self._stacks:
            if s.model == model and s.noise == noise and s.shots == shots:
                return s.proba
        raise KeyError(f"no predictions stored for {model} / {noise} / {shots} shots")

    def distribution_digests(self) -> list[dict]:
        """sha256 of each probability stack (float64, little-endian, C order), for the evidence log.

        The digest pins the exact distribution every metric was computed from, so a re-run can show its
        probabilities are bit-identical, not merely that the metrics agree.
        """
        return [
            {
                "model": s.model,
                "noise": s.noise,
                "shots": s.shots,
                "shape": list(s.proba.shape),
                "sha256": hashlib.sha256(s.proba.astype("<f8", copy=False).tobytes()).hexdigest(),
            }
            for s in self._stacks
        ]

    def _frames(self) -> Iterator[pd.DataFrame]:
        """The long table, one stack at a time."""
        for s in self._stacks:
            n_draws, n_rows = s.proba.shape
            flat = s.proba.reshape(-1)
            yield pd.DataFrame(
                {
                    "model": s.model,
                    "noise": s.noise,
                    "shots": s.shots,
                    "seed": np.repeat(s.seeds, n_rows),
                    "draw": np.repeat(np.arange(n_draws), n_rows),
                    "row": np.tile(self.rows, n_draws),
                    "group": np.tile(self.groups, n_draws),
                    "y_true": np.tile(self.y_true, n_draws),
                    "proba": flat,
                    "y_pred": (flat >= self.threshold).astype(int),
                },
                columns=list(COLUMNS),
            )

    def frame(self) -> pd.DataFrame:
        """The whole long table in memory: for small audits and tests (``write`` streams it instead)."""
        frames = list(self._frames())
        if not frames:
            return pd.DataFrame(columns=list(COLUMNS))
        return pd.concat(frames, ignore_index=True)

    def write(self, path: Path) -> None:
        """``predictions.csv``, written stack by stack so the long table is never in memory whole."""
        with open(path, "w", encoding="utf-8", newline="") as handle:
            header = True
            for frame in self._frames():
                safe_frame(frame).to_csv(handle, index=False, header=header, float_format="%.10g")
                header = False
            if header:
                safe_frame(pd.DataFrame(columns=list(COLUMNS))).to_csv(handle, index=False)
