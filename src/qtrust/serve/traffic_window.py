"""The recent traffic the drift monitor looks at: kept in memory only, never written anywhere.

Feature values stay out of every log (the prediction log has none), so input drift can only be judged from
what the server has just seen: the last ``size`` rows' feature values and encoded angles, and the quantum
model's probabilities where it answered. A restart starts an empty window.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np


@dataclass(frozen=True)
class WindowSnapshot:
    features: list[dict[str, Any]]
    angles: np.ndarray
    probabilities: np.ndarray  # quantum-answered rows only
    group_decisions: list[tuple[str, int]]  # (group, decision) of quantum-answered rows that named a group
    shots: int | None  # the first draw's shots when sampled; None when exact
    first: str  # time of the oldest row
    last: str


class TrafficWindow:
    def __init__(self, size: int = 2_000) -> None:
        self._rows: deque = deque(maxlen=size)
        self._lock = threading.Lock()
        self.size = size
        self.added = 0  # rows ever added: a monitor checks only windows it has not seen

    def add(
        self,
        features: Sequence[Mapping[str, Any]],
        angles: np.ndarray,
        probabilities: Sequence[float | None],
        shots: int | None,
        groups: Sequence[str | None] | None = None,
        decisions: Sequence[int] | None = None,
    ) -> None:
        """One request's rows; ``probabilities`` holds None where the quantum model did not answer."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        groups = groups if groups is not None else [None] * len(features)
        decisions = decisions if decisions is not None else [None] * len(features)
        with self._lock:
            for row, angle, p, group, decision in zip(
                features, angles, probabilities, groups, decisions, strict=True
            ):
                self._rows.append((now, dict(row), np.asarray(angle, dtype=float), p, shots, group, decision))
                self.added += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)

    def snapshot(self) -> WindowSnapshot | None:
        with self._lock:
            rows = list(self._rows)
        if not rows:
            return None
        answered = [r for r in rows if r[3] is not None]
        sampled = [r[4] for r in answered if r[4]]
        return WindowSnapshot(
            features=[r[1] for r in rows],
            angles=np.vstack([r[2] for r in rows]),
            probabilities=np.asarray([r[3] for r in answered], dtype=float),
            group_decisions=[(r[5], int(r[6])) for r in answered if r[5] is not None and r[6] is not None],
            shots=min(sampled) if sampled else None,
            first=rows[0][0],
            last=rows[-1][0],
        )
