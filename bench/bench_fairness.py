"""Benchmark: fairness metrics of a stack of prediction draws, fairlearn loop vs qtrust.

A quantum classifier's audit evaluates the same metrics on hundreds of prediction draws. The reference
way is to loop fairlearn over the draws; qtrust's ``StackMetricFrame`` does all draws in one vectorised
pass. This script times both on the same hard predictions (200 draws x 1,000 rows, 2 groups by default),
checks that every value agrees to 1e-12, and prints medians of several repeats. BLAS/OpenMP threads are
pinned to one so the comparison is about the algorithm, not the core count.

Run: ``python bench/bench_fairness.py [--draws 200] [--rows 1000] [--repeats 5]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import fairlearn  # noqa: E402
import numpy as np  # noqa: E402
from fairlearn import metrics as flm  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from qtrust.metrics import StackMetricFrame  # noqa: E402

OVERALL = {
    "demographic_parity_difference": flm.demographic_parity_difference,
    "disparate_impact_ratio": flm.demographic_parity_ratio,
    "equalized_odds_difference": flm.equalized_odds_difference,
    "equal_opportunity_difference": flm.equal_opportunity_difference,
}
BY_GROUP = {"accuracy": accuracy_score, "tpr": flm.true_positive_rate, "fpr": flm.false_positive_rate}


def make_data(n_draws: int, n_rows: int, seed: int = 0):
    """Labels, two unequal groups, and a (draws, rows) stack of probabilities with a group skew."""
    rng = np.random.default_rng(seed)
    groups = rng.choice(np.array(["group_a", "group_b"]), n_rows, p=[0.35, 0.65])
    y = rng.integers(0, 2, n_rows)
    logits = 1.5 * (y - 0.5) + 0.4 * (groups == "group_b") + rng.normal(0, 1, (n_draws, n_rows))
    proba = 1.0 / (1.0 + np.exp(-logits))
    return y, groups, proba


def fairlearn_loop(y, groups, y_pred) -> dict[str, np.ndarray]:
    """The reference: fairlearn called once per draw."""
    overall = {key: [] for key in OVERALL}
    by_group = {key: [] for key in BY_GROUP}
    for row in y_pred:
        for key, fn in OVERALL.items():
            overall[key].append(fn(y, row, sensitive_features=groups))
        frame = flm.MetricFrame(metrics=BY_GROUP, y_true=y, y_pred=row, sensitive_features=groups)
        for key in BY_GROUP:
            by_group[key].append(frame.by_group[key].to_numpy(float))
    return {
        **{k: np.asarray(v) for k, v in overall.items()},
        **{k: np.asarray(v) for k, v in by_group.items()},
    }


def qtrust_frame(y, groups, y_pred) -> dict[str, np.ndarray]:
    """qtrust: one StackMetricFrame over the whole stack (validation and grouping included)."""
    frame = StackMetricFrame(y, y_pred=y_pred, sensitive_features=groups)
    return {**{k: frame.overall[k] for k in OVERALL}, **{k: frame.by_group[k] for k in BY_GROUP}}


def qtrust_full(y, groups, proba) -> dict[str, np.ndarray]:
    """qtrust from probabilities: thresholding plus every metric the frame offers (AUC and Brier too)."""
    frame = StackMetricFrame(y, proba, sensitive_features=groups)
    return {**frame.overall, **frame.by_group}


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fairlearn loop")
    args = parser.parse_args()

    y, groups, proba = make_data(args.draws, args.rows)
    y_pred = (proba >= 0.5).astype(int)

    with threadpool_limits(limits=1):
        reference = fairlearn_loop(y, groups, y_pred)
        ours = qtrust_frame(y, groups, y_pred)
        worst = max(float(np.max(np.abs(ours[key] - reference[key]))) for key in reference)
        assert worst <= 1e-12, f"qtrust and fairlearn disagree by {worst:.3g}"
        full = qtrust_full(y, groups, proba)
        assert max(float(np.max(np.abs(full[key] - ours[key]))) for key in ours) <= 1e-12

        t_fairlearn = median_time(lambda: fairlearn_loop(y, groups, y_pred), args.repeats)
        t_qtrust = median_time(lambda: qtrust_frame(y, groups, y_pred), 10 * args.repeats)
        t_full = median_time(lambda: qtrust_full(y, groups, proba), 10 * args.repeats)

    print(
        f"fairness metrics on {args.draws} draws x {args.rows} rows, 2 groups; threads pinned to 1; "
        f"median of {args.repeats} (fairlearn) / {10 * args.repeats} (qtrust) repeats"
    )
    print(f"python {platform.python_version()}, numpy {np.__version__}, fairlearn {fairlearn.__version__}")
    print(f"max |qtrust - fairlearn| over {len(reference)} metrics and all draws: {worst:.1e}")
    print()
    header = f"{'method':<58}{'time (s)':>12}{'speed-up':>12}"
    print(header)
    print("-" * len(header))
    rows = [
        ("fairlearn, looped over draws (4 disparities + MetricFrame)", t_fairlearn),
        ("qtrust StackMetricFrame, same hard predictions", t_qtrust),
        ("qtrust StackMetricFrame from proba (+ AUC, Brier)", t_full),
    ]
    for label, seconds in rows:
        print(f"{label:<58}{seconds:>12.5f}{t_fairlearn / seconds:>11.1f}x")


if __name__ == "__main__":
    main()
