"""Benchmark: how often a sampled decision differs from the exact-probability decision, with and without
the guard's shot-aware rule (qtrust.serve.shot_rule), on an audited model's exact probabilities.

Reads ``predictions.csv`` of an audit (default ``qtrust-out/``, as `make audit` writes it): the noiseless,
exact (shots = 0) probabilities of every test row for every training seed of the model. For each row and
each of ``--repeats`` seeded draws it samples ``n`` shots (binomial in the exact probability) and compares:

* **plain**: decide ``k/n >= threshold`` — what a deployment without the rule does (the audit's flip rate);
* **rule**: :func:`decide_with_shots` with ``first_shots = n`` and ``budget = --budget-factor × n`` — a
  settled decision, or a deferral to the classical fallback.

Run: ``.venv/bin/python bench/bench_shot_rule.py [OUT_DIR] [--model vqc] [--repeats 20]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qtrust.serve.shot_rule import decide_with_shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("qtrust-out"))
    parser.add_argument("--model", default="vqc")
    parser.add_argument("--shots", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--budget-factor", type=int, default=8)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()

    frame = pd.read_csv(args.out / "predictions.csv")
    exact = frame[(frame.model == args.model) & (frame.noise == "none") & (frame.shots == 0)]
    p = exact.proba.to_numpy()
    truth = p >= args.threshold
    print(
        f"{args.model}: {len(p):,} exact probabilities ({exact.seed.nunique()} seeds × {exact.row.nunique()} rows) "
        f"from {args.out / 'predictions.csv'}; {args.repeats} seeded draws per row; threshold {args.threshold}, "
        f"confidence {args.confidence:.0%}, budget {args.budget_factor}× the first draw\n"
    )
    header = f"{'shots':>6} {'plain: differ':>14} {'rule: differ':>13} {'deferred':>9} {'mean shots':>11} {'time':>7}"
    print(header)
    print("-" * len(header))
    for n in args.shots:
        rng = np.random.default_rng(n)
        plain_wrong = rule_wrong = deferred = shots_used = draws = 0
        start = time.perf_counter()
        for prob, exact_decision in zip(p, truth, strict=True):
            for _ in range(args.repeats):
                seed = int(rng.integers(0, 2**31))

                def sample(shots: int, draw_seed: int, prob: float = prob) -> int:
                    return int(np.random.default_rng(draw_seed).binomial(shots, prob))

                first = np.random.default_rng(seed).binomial(n, prob)
                plain_wrong += (first / n >= args.threshold) != exact_decision
                result = decide_with_shots(
                    sample,
                    threshold=args.threshold,
                    confidence=args.confidence,
                    first_shots=n,
                    budget=args.budget_factor * n,
                    seed=seed,
                )
                draws += 1
                shots_used += result.shots
                if result.settled:
                    rule_wrong += bool(result.decision) != exact_decision
                else:
                    deferred += 1
        elapsed = time.perf_counter() - start
        print(
            f"{n:>6} {plain_wrong / draws:>13.2%} {rule_wrong / draws:>12.2%} {deferred / draws:>8.2%} "
            f"{shots_used / draws:>11,.0f} {elapsed:>6.1f}s"
        )
    print(
        "\nplain: the share of sampled decisions that differ from the exact one; rule: the share of all requests "
        "whose settled decision differs (deferred ones are answered by the fallback and said so)."
    )


if __name__ == "__main__":
    main()
