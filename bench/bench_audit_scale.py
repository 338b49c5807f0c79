"""Time and peak memory of a ``qtrust audit --quick`` against the number of rows (issue 17's scale goal).

Each size runs as its own process (``--one N``), as a user's audit would: the full ``qtrust audit --quick``
command (written outputs and the evidence record included) on ``make_synthetic`` data of N rows (6 feature
columns, 30% test split); the peak is that process's maximum resident set size. The goal: 48,842 rows (the
UCI Adult size) in under 10 minutes and 6 GB on the 2-core development machine. Writes the measurements as
JSON and draws ``bench/img/audit-scale.svg`` (time and peak memory against rows; earlier measurements passed
with ``--before`` are drawn dashed).

Run: ``.venv/bin/python bench/bench_audit_scale.py [--rows 1000 5000 10000 25000 50000]
[--before before.json] [--json out.json] [--svg bench/img/audit-scale.svg]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # first: pins BLAS threads in the environment the audits inherit

GOAL_ROWS, GOAL_SECONDS, GOAL_GB = 48_842, 600.0, 6.0


def one(rows: int) -> dict:
    """Run one audit in this process and report its wall time, peak memory and stage timings."""
    import yaml

    from qtrust.cli.app import app

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "scale.yaml"
        config.write_text(yaml.safe_dump({"data": {"source": "synthetic", "synthetic": {"n_rows": rows}}}))
        out = Path(tmp) / "out"
        os.environ.update(QTRUST_HOME=str(Path(tmp) / "home"), QTRUST_KEY_PASSPHRASE="bench")
        start = time.perf_counter()
        try:
            app(["audit", str(config), "--quick", "--no-progress", "--out", str(out)], prog_name="qtrust")
        except SystemExit as done:
            if done.code not in (0, 1, None):  # 1: the audit has failing findings, which is an answer
                raise
        seconds = time.perf_counter() - start
        timings = json.loads((out / "results.json").read_text())["timings"]
        predictions_mb = (out / "predictions.csv").stat().st_size / 1e6
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux; GB = 10^9 bytes
    return {"rows": rows, "seconds": seconds, "peak_gb": peak_gb, "predictions_mb": predictions_mb,
            "timings": timings}  # fmt: skip


def chart(after: list[dict], before: list[dict]) -> str:
    """Two panels, time and peak memory against rows (log axes), with the goal drawn as a line."""
    from qtrust.report import svg

    width, height, gap = 760, 300, 70
    panel_w = (width - gap - 80) / 2
    top, bottom = 40, height - 50
    rows = [p["rows"] for p in after + before]
    x_dom = svg.padded_log_domain(rows, 1.25)
    body = [
        svg.text(10, 18, "qtrust audit --quick on N synthetic rows (2 cores, 1 BLAS thread)", weight="bold")
    ]
    for i, (key, label, goal, unit) in enumerate(
        (("seconds", "wall time (s)", GOAL_SECONDS, "s"), ("peak_gb", "peak memory (GB)", GOAL_GB, "GB"))
    ):
        left = 60 + i * (panel_w + gap)
        x = svg.LogScale(x_dom, (left, left + panel_w))
        values = [p[key] for p in after + before] + [goal]
        y = svg.LogScale(svg.padded_log_domain(values, 1.3), (bottom, top))
        body.append(svg.axis_bottom(x, bottom, x.ticks(), fmt=lambda v: f"{v:,.0f}", label="rows",
                                    x_range=(left, left + panel_w), grid_to=top))  # fmt: skip
        body.append(
            svg.axis_left(y, left, y.ticks(), label=label, y_range=(bottom, top), grid_to=left + panel_w)
        )
        body.append(svg.line(left, y(goal), left + panel_w, y(goal), stroke="#b42318", dash="6 4"))
        body.append(
            svg.text(left + panel_w - 4, y(goal) - 5, f"goal {goal:g} {unit}", anchor="end", fill="#b42318")
        )
        for points, color, dash in ((before, "#98a2b3", "5 3"), (after, "#1f5fbf", None)):
            if points:
                xs, ys = [x(p["rows"]) for p in points], [y(p[key]) for p in points]
                body.append(svg.series(xs, ys, color=color, dash=dash))
                body.extend(svg.circle(a, b, 3.5, fill=color) for a, b in zip(xs, ys, strict=True))
    body.append(svg.legend([("now", "#1f5fbf", "line"), ("before issue 17's caps", "#98a2b3", "dash"),
                            ("goal at 48,842 rows", "#b42318", "dash")], 60, height - 8))  # fmt: skip
    return svg.svg(width, height, "".join(body), title="Audit time and peak memory against rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000, 10000, 25000, 50000])
    parser.add_argument("--before", type=Path, help="earlier measurements (JSON from --json) to draw dashed")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--svg", type=Path, default=Path(__file__).parent / "img" / "audit-scale.svg")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    _common.print_environment("qtrust audit --quick against rows", ["scikit-learn"])
    after = []
    for rows in args.rows:
        done = subprocess.run([sys.executable, __file__, "--one", str(rows)], check=True, capture_output=True,
                              text=True)  # fmt: skip
        point = json.loads(done.stdout.strip().splitlines()[-1])
        after.append(point)
        stages = ", ".join(f"{k} {v:.0f}" for k, v in point["timings"].items() if v >= 1)
        print(f"{rows:>7,} rows: {point['seconds']:6.1f} s, peak {point['peak_gb']:.2f} GB, predictions.csv "
              f"{point['predictions_mb']:.0f} MB  ({stages})", flush=True)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(after, indent=1))
    before = json.loads(args.before.read_text()) if args.before else []
    args.svg.parent.mkdir(parents=True, exist_ok=True)
    args.svg.write_text(chart(after, before), encoding="utf-8")
    largest = max(after, key=lambda p: p["rows"])
    if largest["rows"] >= GOAL_ROWS:
        met = largest["seconds"] < GOAL_SECONDS and largest["peak_gb"] < GOAL_GB
        print(
            f"goal ({GOAL_ROWS:,} rows < {GOAL_SECONDS:.0f} s and < {GOAL_GB:g} GB): {'met' if met else 'NOT met'}"
        )
    print(f"chart: {args.svg}")


if __name__ == "__main__":
    main()
