"""Benchmark: detection power and false-alarm rate of each drift detector (qtrust.monitor) on injected shifts
of known size.

Every setting is repeated ``--repeats`` times (default 200, MMD included). In each repetition a reference and
a current window of ``--window`` rows (default 500) are drawn *with replacement* from the 1,000 German Credit
rows, so with no injected shift both windows come from the same distribution exactly and every alarm is a
false alarm. The same windows serve every shift size of a detector (common random numbers), so powers are
compared on equal draws. Shifts injected into the current window:

* **numeric**: ``credit_amount`` + 0.1 / 0.25 / 0.5 × the reference window's standard deviation — PSI
  (alarm PSI > 0.2), KS alone (p < alpha), and KS inside a full window check, Holm-corrected over the 19
  per-feature tests as :func:`qtrust.monitor.check_window` does;
* **category**: 5% / 15% of the current window's rows moved to ``housing = rent`` (from other values) — PSI,
  chi-square alone, and chi-square inside the Holm family;
* **angles**: synthetic encoded angles, 4 columns in (0, π) with correlation 0.5 (π·Φ of a correlated
  normal), + 0.05 / 0.1 / 0.2 rad on one column — MMD (200 permutations), with KS on the shifted column
  alone for context;
* **output**: exact probabilities of a logistic regression fitted on all rows (one-hot features), + 0.02 /
  0.05 / 0.1 on the current window's probabilities (clipped to [0, 1]), served as Binomial(shots, p)/shots
  at 100 and at 1,000 shots — the shot-noise-aware output test;
* **CBPE**: the same probabilities with the real labels; covariate shift by resampling the current window
  with weight exp(−(p − 0.5)² / (2·0.1²)) for a share of 0 / 50% / 100% of its rows (rows, labels and
  P(y | x) unchanged: only which rows arrive moves). Its table adds how often the *realised* accuracy fell
  by more than the tolerance, the mean estimate against the mean realised accuracy, and how often the 95%
  interval covered the realised accuracy.

The rate's interval is the exact (Clopper–Pearson) binomial 95% interval over the repetitions; rows with
shift "none" are false-alarm rates. Every random draw comes from ``numpy.random.default_rng([seed,
repetition, stream])`` and every detector seed is the repetition number.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python bench/bench_drift.py [--repeats 200] [--window 500] [--seed 0]``.
"""

from __future__ import annotations

import _common  # noqa: F401  (pins BLAS/OpenMP threads; must be imported before numpy)

# isort: split

import argparse
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest, norm
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from _common import print_environment
from qtrust.audit.data_prep import load_dataset
from qtrust.config import config_from_dict
from qtrust.monitor import cbpe, chi_square, ks, mmd, output_drift, psi
from qtrust.monitor._holm import holm

# scipy's KS falls back from its exact to its asymptotic p-value on some large tied samples and says so on
# every call; the fallback is scipy's documented behaviour and the note would drown the table
warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful")

NUMERIC, CATEGORY, TARGET = "credit_amount", "housing", "rent"


@dataclass
class Tally:
    """Alarms of one detector at one shift over the repetitions."""

    detector: str
    shift: str
    alarms: int = 0
    trials: int = 0
    note: str = ""

    def add(self, alarm: bool) -> None:
        self.alarms += bool(alarm)
        self.trials += 1

    def row(self) -> tuple[str, ...]:
        low, high = binomtest(self.alarms, self.trials).proportion_ci(method="exact")
        rate = self.alarms / self.trials
        return (
            self.detector,
            self.shift,
            f"{self.alarms}/{self.trials}",
            f"{rate:.1%}",
            f"[{low:.1%}, {high:.1%}]",
            self.note,
        )


def print_rows(tallies: list[Tally]) -> None:
    headers = ("detector", "shift", "alarms", "rate", "95% CI", "")
    rows = [t.row() for t in tallies]
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(headers)]
    aligned = [f"{{:<{widths[0]}}}", f"{{:<{widths[1]}}}", *(f"{{:>{w}}}" for w in widths[2:5]), "{}"]
    fmt = "  ".join(aligned)
    print(fmt.format(*headers))
    print("-" * (sum(widths[:5]) + 10))
    for r in rows:
        print(fmt.format(*r))
    print()


def model_probabilities(frame: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Exact P(good credit) of every row from a logistic regression on one-hot features (all rows)."""
    x = StandardScaler().fit_transform(pd.get_dummies(frame, dtype=float).to_numpy())
    return LogisticRegression(max_iter=2_000).fit(x, y).predict_proba(x)[:, 1]


def window_pvalues(reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, float]:
    """Raw p-value of every feature's test (KS or chi-square), as the window check computes them."""
    out = {}
    for column in reference.columns:
        if pd.api.types.is_numeric_dtype(reference[column]):
            out[column] = ks(reference[column], current[column]).p_value
        else:
            out[column] = chi_square(reference[column], current[column]).p_value
    return out


def holm_alarm(pvalues: dict[str, float], feature: str, alpha: float) -> bool:
    names = list(pvalues)
    return bool(holm([pvalues[n] for n in names])[names.index(feature)] < alpha)


def run_group(title: str, body: Callable[[], list[Tally]]) -> None:
    start = time.perf_counter()
    tallies = body()
    print(f"{title} ({time.perf_counter() - start:.1f} s)")
    print_rows(tallies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--window", type=int, default=500)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--permutations", type=int, default=200)
    args = parser.parse_args()
    reps, w, alpha, seed = args.repeats, args.window, args.alpha, args.seed

    print_environment("qtrust drift detectors: power and false-alarm rate", ["scipy", "scikit-learn"])
    dataset = load_dataset(config_from_dict({}))
    frame, y = dataset.model_features(), np.asarray(dataset.y)
    n = len(frame)
    p = model_probabilities(frame, y)
    print(
        f"German Credit: {n} rows, {frame.shape[1]} features; windows of {w} rows resampled with replacement; "
        f"{reps} repetitions per setting; alpha {alpha}; seed {seed}\n"
    )

    def windows(rep: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([seed, rep, 0])
        return rng.integers(0, n, w), rng.integers(0, n, w)

    total = time.perf_counter()

    def numeric_and_category() -> list[Tally]:
        sds = (0.1, 0.25, 0.5)
        moves = (0.05, 0.15)
        t: dict[tuple[str, float], Tally] = {}
        for name in ("PSI > 0.2", "KS", "KS in window (Holm, 19)"):
            for s in (0.0, *sds):
                t[f"{name}: {NUMERIC}", s] = Tally(f"{name}: {NUMERIC}", "none" if s == 0 else f"+{s:g} SD")
        for name in ("PSI > 0.2", "chi-square", "chi-square in window (Holm, 19)"):
            for m in (0.0, *moves):
                label = "none" if m == 0 else f"{m:.0%} rows -> {TARGET}"
                t[f"{name}: {CATEGORY}", m] = Tally(f"{name}: {CATEGORY}", label)
        fwer = Tally("any feature test in window (Holm, 19)", "none")
        for rep in range(reps):
            ref_i, cur_i = windows(rep)
            ref, cur = frame.iloc[ref_i].reset_index(drop=True), frame.iloc[cur_i].reset_index(drop=True)
            pvalues = window_pvalues(ref, cur)
            fwer.add(bool(np.any(holm(list(pvalues.values())) < alpha)))
            sd = float(ref[NUMERIC].std())
            for s in (0.0, *sds):
                shifted = cur[NUMERIC].to_numpy(dtype=float) + s * sd
                t[f"PSI > 0.2: {NUMERIC}", s].add(psi(ref[NUMERIC], shifted).drifted)
                test = ks(ref[NUMERIC], shifted, alpha=alpha)
                t[f"KS: {NUMERIC}", s].add(test.drifted)
                t[f"KS in window (Holm, 19): {NUMERIC}", s].add(
                    holm_alarm(pvalues | {NUMERIC: test.p_value}, NUMERIC, alpha)
                )
            movable = np.flatnonzero(cur[CATEGORY].to_numpy() != TARGET)
            order = np.random.default_rng([seed, rep, 1]).permutation(movable)
            for m in (0.0, *moves):
                moved = cur[CATEGORY].to_numpy(dtype=object).copy()
                moved[order[: round(m * w)]] = TARGET
                t[f"PSI > 0.2: {CATEGORY}", m].add(psi(ref[CATEGORY], moved, kind="category").drifted)
                test = chi_square(ref[CATEGORY], moved, alpha=alpha)
                t[f"chi-square: {CATEGORY}", m].add(test.drifted)
                t[f"chi-square in window (Holm, 19): {CATEGORY}", m].add(
                    holm_alarm(pvalues | {CATEGORY: test.p_value}, CATEGORY, alpha)
                )
        return [*t.values(), fwer]

    def angles() -> list[Tally]:
        shifts = (0.0, 0.05, 0.1, 0.2)
        corr = np.full((4, 4), 0.5) + 0.5 * np.eye(4)
        chol = np.linalg.cholesky(corr)
        t_mmd = {
            s: Tally(f"MMD ({args.permutations} perm.): 4 angles", "none" if s == 0 else f"+{s:g} rad")
            for s in shifts
        }
        t_ks = {
            s: Tally("KS on the shifted angle alone (context)", "none" if s == 0 else f"+{s:g} rad")
            for s in shifts
        }
        for rep in range(reps):
            rng = np.random.default_rng([seed, rep, 3])
            ref = np.pi * norm.cdf(rng.standard_normal((w, 4)) @ chol.T)
            cur = np.pi * norm.cdf(rng.standard_normal((w, 4)) @ chol.T)
            for s in shifts:
                moved = cur.copy()
                moved[:, 0] += s
                t_mmd[s].add(mmd(ref, moved, alpha=alpha, n_permutations=args.permutations, seed=rep).drifted)
                t_ks[s].add(ks(ref[:, 0], moved[:, 0], alpha=alpha).drifted)
        return [*t_mmd.values(), *t_ks.values()]

    def outputs() -> list[Tally]:
        shifts = (0.0, 0.02, 0.05, 0.1)
        out = []
        for shots in (100, 1000):
            t = {
                s: Tally(f"output vs shot noise: {shots} shots", "none" if s == 0 else f"+{s:g}")
                for s in shifts
            }
            for rep in range(reps):
                ref_i, cur_i = windows(rep)
                for s in shifts:
                    true = np.clip(p[cur_i] + s, 0.0, 1.0)
                    # the same stream for every shift size: the shot draws are paired across shifts
                    served = np.random.default_rng([seed, rep, 2, shots]).binomial(shots, true) / shots
                    t[s].add(output_drift(p[ref_i], served, shots=shots, alpha=alpha, seed=rep).drifted)
            out += t.values()
        return out

    def performance() -> list[Tally]:
        shares = (0.0, 0.5, 1.0)
        weight = np.exp(-((p - 0.5) ** 2) / (2 * 0.1**2))
        weight /= weight.sum()
        t = {}
        stats = {s: {"estimate": [], "realised": [], "covered": 0, "fell": 0} for s in shares}
        for s in shares:
            t[s] = Tally(
                "CBPE (estimate < ref. accuracy - 0.05)", "none" if s == 0 else f"{s:.0%} rows near 0.5"
            )
        for rep in range(reps):
            ref_i, cur_i = windows(rep)
            near = np.random.default_rng([seed, rep, 5]).choice(n, size=w, p=weight)
            for s in shares:
                k = round(s * w)
                rows = np.concatenate([near[:k], cur_i[k:]])
                result = cbpe(p[ref_i], p[rows], reference_labels=y[ref_i], current_labels=y[rows])
                t[s].add(result.drifted)
                low, high = result.detail["interval"]
                realised = result.detail["realised_accuracy"]
                record = stats[s]
                record["estimate"].append(result.statistic)
                record["realised"].append(realised)
                record["covered"] += low <= realised <= high
                record["fell"] += realised < result.detail["reference_accuracy"] - 0.05
        for s in shares:
            record = stats[s]
            t[s].note = (
                f"realised fell >0.05: {record['fell'] / reps:.0%}; est. {np.mean(record['estimate']):.3f} "
                f"vs realised {np.mean(record['realised']):.3f}; 95% interval covered {record['covered'] / reps:.0%}"
            )
        return list(t.values())

    run_group("Input features (German Credit)", numeric_and_category)
    run_group("Encoded angles (synthetic)", angles)
    run_group("Served probabilities (logistic regression on German Credit, shot noise simulated)", outputs)
    run_group("Label-free accuracy (logistic regression, real labels)", performance)
    print(f"total {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main()
