"""The exact check's one-dimensional search: the optimal family of eigen-populations, bisected in log τ."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_ZERO_WEIGHT = 1e-60  # eigen-populations below this are treated as exactly zero (the degenerate case)
_LOG_TAU = (math.log(1e-35), math.log(1e25))  # bisection range of τ = min m − λ (gaps are at most 1)
_BISECTIONS = 110


@dataclass(frozen=True)
class _Frontier:
    """The optimal family u_k ∝ √w_k / (v_k − λ) for rows of (values v, eigen-populations w).

    ``values`` (R, d) are the scores the adversary wants to push down (m for label 1, 1 − m for label 0);
    ``weights`` (R, d) are w_k = ⟨k|ρ|k⟩. τ = λ_max − λ > 0 parameterises the family; r_k = τ/(gap_k + τ)
    stays in (0, 1], so nothing blows up as λ approaches min v.
    """

    values: np.ndarray
    weights: np.ndarray
    gaps: np.ndarray
    hard: np.ndarray  # min v is carried only by eigenvectors with w = 0
    v_zero: np.ndarray  # min v over w = 0 (∞ if none)
    z_star: np.ndarray  # argmin of v over w = 0
    h_star: np.ndarray  # overlap at the λ → min v limit of a hard row
    f_star: np.ndarray  # value there
    q_star: np.ndarray  # distribution there

    @classmethod
    def of(cls, values: np.ndarray, weights: np.ndarray) -> _Frontier:
        weights = np.where(weights < _ZERO_WEIGHT, 0.0, weights)
        weights = weights / weights.sum(axis=1, keepdims=True)
        pos = weights > 0
        v_plus = np.where(pos, values, np.inf).min(axis=1)
        masked_zero = np.where(pos, np.inf, values)
        v_zero = masked_zero.min(axis=1)
        z_star = masked_zero.argmin(axis=1)
        hard = v_zero < v_plus
        lam = np.minimum(v_plus, v_zero)
        gaps = np.maximum(values - lam[:, None], 0.0)
        wr = np.zeros_like(weights)
        wr2 = np.zeros_like(weights)
        sel = pos & hard[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            wr[sel] = weights[sel] / gaps[sel]
            wr2[sel] = weights[sel] / gaps[sel] ** 2
        n2 = wr2.sum(axis=1)
        safe = np.where(n2 > 0, n2, 1.0)
        h_star = np.where(hard, wr.sum(axis=1) / np.sqrt(safe), 0.0)
        q_star = wr2 / safe[:, None]
        f_star = np.where(hard, (q_star * values).sum(axis=1), np.inf)
        return cls(values, weights, gaps, hard, v_zero, z_star, h_star, f_star, q_star)

    def point(self, log_tau: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """(overlap Σ√(q w), value Σ q v, q) at τ = exp(log_tau) for the selected rows."""
        rows = np.arange(self.values.shape[0]) if rows is None else rows
        tau = np.exp(log_tau)[:, None]
        r = tau / (self.gaps[rows] + tau)
        wr = self.weights[rows] * r
        wr2 = wr * r
        n2 = wr2.sum(axis=1)
        q = wr2 / n2[:, None]
        return wr.sum(axis=1) / np.sqrt(n2), (q * self.values[rows]).sum(axis=1), q

    def _bisect(self, rows: np.ndarray, true_at_hi: Callable[[np.ndarray, np.ndarray], np.ndarray]):
        """Bisection in log τ keeping ``true_at_hi(overlap, value)`` true at hi and false at lo."""
        lo = np.full(rows.size, _LOG_TAU[0])
        hi = np.full(rows.size, _LOG_TAU[1])
        for _ in range(_BISECTIONS):
            mid = (lo + hi) / 2
            h, f, _ = self.point(mid, rows)
            ok = true_at_hi(h, f)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        return lo, hi

    def worst(self, min_fidelity: float) -> np.ndarray:
        """argmin_q Σ q v subject to (Σ √(q w))² ≥ ``min_fidelity``: the worst distribution per row."""
        s0 = math.sqrt(max(min_fidelity, 0.0))
        q = self.weights.copy()  # σ = ρ when nothing else is feasible (c rounds to 1)
        segment = self.hard & (self.h_star >= s0)
        if segment.any():
            a2 = (s0 / self.h_star[segment]) ** 2
            q[segment] = a2[:, None] * self.q_star[segment]
            q[segment, self.z_star[segment]] += 1.0 - a2
        rest = np.flatnonzero(~segment)
        if rest.size:
            h_lo, _, q_lo = self.point(np.full(rest.size, _LOG_TAU[0]), rest)
            h_hi, _, _ = self.point(np.full(rest.size, _LOG_TAU[1]), rest)
            at_lo = h_lo >= s0
            q[rest[at_lo]] = q_lo[at_lo]
            search = rest[~at_lo & (h_hi >= s0)]
            if search.size:
                _, hi = self._bisect(search, lambda h, f: h >= s0)
                q[search] = self.point(hi, search)[2]
        return q

    def max_fidelity(self, target: float, strict: np.ndarray) -> np.ndarray:
        """max (Σ √(q w))² over q with Σ q v below ``target`` (< where ``strict``, else ≤); NaN when none."""
        n_rows = self.values.shape[0]
        out = np.full(n_rows, np.nan)
        v_min = self.values.min(axis=1)
        reachable = np.where(strict, v_min < target, v_min <= target)
        start = (self.weights * self.values).sum(axis=1)  # the input's own score
        at_start = reachable & (start <= target)
        out[at_start] = 1.0
        segment = reachable & ~at_start & self.hard & (self.f_star > target)
        if segment.any():
            a2 = (target - self.v_zero[segment]) / (self.f_star[segment] - self.v_zero[segment])
            out[segment] = np.clip(a2, 0.0, 1.0) * self.h_star[segment] ** 2
        rest = np.flatnonzero(reachable & ~at_start & ~segment)
        if rest.size:
            lo, _ = self._bisect(rest, lambda h, f: f > target)
            out[rest] = self.point(lo, rest)[0] ** 2
        return out
