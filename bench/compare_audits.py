"""Compare two audits' numbers exactly: every metric path, and every predicted probability.

For refactors that must not change a number (issue 12's "what must not change"): run the audit before and
after with the same config and thread count, then

    .venv/bin/python bench/compare_audits.py snapshot OUT_DIR before.json   # before the change
    .venv/bin/python bench/compare_audits.py compare before.json OUT_DIR    # after it (a dir or a snapshot)

A snapshot holds the flattened metric table (``qtrust.results.flatten_metrics``: the metric paths gates,
plans and reproduction share) and the sha256 of ``predictions.csv`` with its probability column, so it
survives a change of the result schema as long as the metric paths stay. Equality is exact (NaN equals
NaN); the script prints the count of equal metrics, every difference, and exits 1 on any.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import pandas as pd

from qtrust.results import AuditResult, flatten_metrics


def snapshot_of(out: Path) -> dict:
    """The metric table and prediction digests of the audit written to ``out``."""
    result = AuditResult.model_validate_json((out / "results.json").read_text(encoding="utf-8"))
    metrics = {path: metric.value for path, metric in flatten_metrics(result).items()}
    predictions = (out / "predictions.csv").read_bytes()
    frame = pd.read_csv(out / "predictions.csv", dtype=str, keep_default_na=False)
    return {
        "metrics": metrics,
        "predictions_sha256": hashlib.sha256(predictions).hexdigest(),
        "proba_sha256": hashlib.sha256("\n".join(frame["proba"]).encode()).hexdigest(),
        "prediction_rows": len(frame),
    }


def load(source: Path) -> dict:
    return snapshot_of(source) if source.is_dir() else json.loads(source.read_text(encoding="utf-8"))


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def compare(before: dict, after: dict) -> list[str]:
    problems = []
    old, new = before["metrics"], after["metrics"]
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            problems.append(f"missing after: {path}")
        elif path not in old:
            problems.append(f"new after: {path}")
        elif not same(old[path], new[path]):
            problems.append(f"changed: {path}: {old[path]!r} -> {new[path]!r}")
    for key in ("prediction_rows", "proba_sha256", "predictions_sha256"):
        if before[key] != after[key]:
            problems.append(f"{key} differs: {before[key]} -> {after[key]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="write the snapshot of an audit output folder")
    snap.add_argument("out", type=Path)
    snap.add_argument("snapshot", type=Path)
    cmp = commands.add_parser("compare", help="compare two audits (folders or snapshots)")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        doc = snapshot_of(args.out)
        args.snapshot.write_text(json.dumps(doc, indent=1, sort_keys=True), encoding="utf-8")
        print(
            f"{len(doc['metrics']):,} metrics, {doc['prediction_rows']:,} prediction rows -> {args.snapshot}"
        )
        return 0
    before, after = load(args.before), load(args.after)
    problems = compare(before, after)
    equal = sum(
        1
        for p in before["metrics"]
        if p in after["metrics"] and same(before["metrics"][p], after["metrics"][p])
    )
    print(
        f"{equal:,} of {len(before['metrics']):,} metrics equal; predictions.csv "
        f"{'bit-identical' if before['predictions_sha256'] == after['predictions_sha256'] else 'DIFFERENT'} "
        f"({before['prediction_rows']:,} rows); probabilities "
        f"{'bit-identical' if before['proba_sha256'] == after['proba_sha256'] else 'DIFFERENT'}"
    )
    for line in problems[:50]:
        print("  " + line)
    if len(problems) > 50:
        print(f"  ... and {len(problems) - 50} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
