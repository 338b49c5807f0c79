"""The side-channel red team on a served German Credit model: what leaks besides the answer, per mitigation.

Audits German Credit (``--quick``, the privacy and robustness stages off: only the served model matters
here), packages the VQC with logistic regression as its fallback, then runs
:func:`qtrust.workflow.side_channels.red_team_side_channels` against a real ``qtrust serve`` app on loopback:
``--per-side`` training members and as many held-out rows, one request each, under no mitigation and each
mitigation. Prints the AUC [95% CI] of every observable for every question and the latency each mitigation
costs. Requests are bounded: 2 × per-side × 5 mitigations.

Run: ``.venv/bin/python bench/bench_side_channels.py [--per-side 200] [--shots 100] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import yaml

import _common  # first: pins BLAS threads
from qtrust.cli.app import app
from qtrust.serve.artefact import load
from qtrust.workflow.side_channels import OBSERVABLES, QUESTIONS, probes_from_audit, red_team_side_channels


def _run(args: list[str]) -> None:
    try:
        app(args, prog_name="qtrust")
    except SystemExit as done:
        if done.code not in (0, 1, None):
            raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-side", type=int, default=200)
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    _common.print_environment(
        "side-channel red team, German Credit VQC served on loopback", ["fastapi", "uvicorn"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.update(QTRUST_HOME=str(root / "home"), QTRUST_KEY_PASSPHRASE="bench")
        config = root / "german.yaml"
        config.write_text(yaml.safe_dump({"privacy": {"enabled": False}, "robustness": {"enabled": False}}))
        _run(["audit", str(config), "--quick", "--no-progress", "--out", str(root / "out")])
        _run(
            [
                "package",
                str(root / "out"),
                "--model",
                "vqc",
                "--fallback",
                "logistic",
                "--out",
                str(root / "m.qtrust"),
            ]
        )
        artefact = load(root / "m.qtrust")
        probes = probes_from_audit(artefact, root / "out", per_side=args.per_side, seed=args.seed)
        report = red_team_side_channels(artefact, probes, shots=args.shots, seed=args.seed)
    print(f"\n{report.n_requests} requests per mitigation; shot-aware rule from {report.shots} to "
          f"{report.shot_budget} shots; AUC [{report.per_interval:.2%} CI: 95% for the 12 channels of a mitigation "
          "together, Bonferroni], * = the interval excludes 0.5\n")  # fmt: skip
    header = f"{'mitigation':<30} {'p50 / p95 ms':>14}  " + "  ".join(f"{q:>22}" for q in QUESTIONS)
    print(header)
    for result in report.results:
        for i, observable in enumerate(OBSERVABLES):
            cells = []
            for question in QUESTIONS:
                auc = result.channels[observable][question]
                cells.append(("hidden" if auc is None else auc.text()).rjust(22))
            head = (
                f"{result.mitigation.name:<30} {result.latency_p50_ms:6.1f} / {result.latency_p95_ms:5.1f}"
                if i == 0
                else f"{'':<30} {'':>14}"
            )
            print(f"{head}  {observable:<10}" + "  ".join(cells))
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=1))


if __name__ == "__main__":
    main()
