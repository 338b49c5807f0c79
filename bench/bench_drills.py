"""Benchmark: the six incident drills on the default audit's VQC, through a real server on 127.0.0.1.

Copies the evidence workspace that recorded the audit (default ``.qtrust``, where ``make audit`` records it)
to a temporary home, puts one drill operator on its roster, packages ``vqc`` with the ``logistic`` fallback,
and runs ``run_drill`` for every scenario under a plan whose SLOs are the audited model's own values on the
audit's test rows with a margin of 0.05 (so the healthy phase is within them). Traffic: German Credit's held-out rows (the audit's test split)
in a seeded order, each with its true label sent as feedback; the failure is injected after ``--healthy``
requests. Reported per scenario: requests and seconds from the injection to the first incident and to the
rollback, rows answered by each model after the injection, and when a fixed-threshold canary (Argo-style,
failureLimit 3, 50 rows per measurement) would have rolled back on the same traffic.

Run: ``QTRUST_KEY_PASSPHRASE=… .venv/bin/python bench/bench_drills.py [AUDIT_OUT] [--home .qtrust]``
(the passphrase of the log the audit was recorded in; ``make audit``'s demo default if unset).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from qtrust.serve.artefact import load
from qtrust.workflow import people
from qtrust.workflow.drill import SCENARIOS, run_drill
from qtrust.workflow.package import package_run
from qtrust.workflow.session import Session

DEMO_PASSPHRASE = "qtrust-demo-only-change-me"


def audited_slos(out: Path, margin: float) -> dict[str, float]:
    frame = pd.read_csv(out / "predictions.csv")
    exact = frame[(frame.noise == "none") & (frame.shots == 0) & (frame.seed == 0)]
    q = exact[exact.model == "vqc"].sort_values("row")
    c = exact[exact.model == "logistic"].sort_values("row")
    y, dq, dc = q.y_true.to_numpy(), (q.proba.to_numpy() >= 0.5), (c.proba.to_numpy() >= 0.5)
    groups = q.group.to_numpy()
    rates = [dq[groups == g].mean() for g in np.unique(groups)]
    tpr = [dq[(groups == g) & (y == 1)].mean() for g in np.unique(groups)]
    fpr = [dq[(groups == g) & (y == 0)].mean() for g in np.unique(groups)]
    return {
        "accuracy_drop": max(float(np.mean(dc == y) - np.mean(dq == y)), 0.0) + margin,
        "demographic_parity_gap": float(max(rates) - min(rates)) + margin,
        "equalized_odds_gap": float(max(max(tpr) - min(tpr), max(fpr) - min(fpr))) + margin,
        "min_agreement": float(np.mean(dq == dc)) - margin,
        "p99_latency_ms": 2_000.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("qtrust-out"))
    parser.add_argument("--home", type=Path, default=Path(".qtrust"))
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--healthy", type=int, default=600)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--scenarios", nargs="+", default=[s for s in SCENARIOS if s != "none"])
    args = parser.parse_args()
    secret = os.environ.get("QTRUST_KEY_PASSPHRASE", DEMO_PASSPHRASE).encode()
    work = Path(tempfile.mkdtemp(prefix="qtrust-drills-"))
    shutil.copytree(args.home, work / "home")
    session = Session.at(work / "home", log_passphrase=lambda confirm: secret)
    operator = dataclasses.replace(session, person_passphrase=lambda confirm: b"drill-operator")
    people.keygen(operator, "drill-operator")
    people.add_person(
        operator, "drill-operator", person_id="drill-operator", name="Drill operator", roles=["owner"]
    )
    package_run(session, args.out, work / "model.qtrust", model="vqc", fallback="logistic")
    artefact = load(work / "model.qtrust")
    plan = work / "plan.yaml"
    slos = audited_slos(args.out, 0.05)
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "drill",
                "steps": [50, 100],
                "min_requests": 100_000,
                "min_labels": 200,
                "approval_from": None,
                "slos": slos,
            }
        )
    )
    from qtrust.audit.data_prep import load_dataset
    from qtrust.config import config_from_dict
    from qtrust.workflow.drill import TrafficRow

    dataset = load_dataset(config_from_dict({}))
    columns = [f["name"] for f in artefact.manifest["features"]]
    import json

    held_out = artefact.reference["test_rows"]  # the audit's held-out rows, as `qtrust drill` replays them
    records = json.loads(dataset.features.iloc[held_out][columns].to_json(orient="records"))
    labels, groups = dataset.y[held_out], dataset.group[held_out]
    order = np.random.default_rng(0).permutation(np.resize(np.arange(len(records)), args.requests))
    traffic = [TrafficRow(records[i], int(labels[i]), str(groups[i])) for i in order]
    print("plan SLOs (audited values ± 0.05): " + ", ".join(f"{k} {v:.3f}" for k, v in slos.items()))
    print(
        f"{args.requests} requests at most, failure after {args.healthy}, judged every {args.interval:g} s, 50% cohort\n"
    )
    header = f"{'scenario':<18} {'detected (req / s)':>19} {'by':<34} {'rolled back (req / s)':>22} {'after: quantum/fallback/classical':>34} {'fixed threshold':>16}"
    print(header)
    started = time.perf_counter()
    for scenario in args.scenarios:
        report = run_drill(
            operator,
            "drill-operator",
            artefact,
            scenario,
            plan,
            traffic,
            healthy=args.healthy,
            seed=0,
            interval_s=args.interval,
            shots=1_000 if scenario == "shot-budget" else None,
        )
        first, back, after = report.first_incident, report.rollback, report.answered["after"]
        detected = f"{first['requests']} / {first['seconds']:.1f}" if first else "—"
        rolled = f"{back['requests']} / {back['seconds']:.1f}" if back else "—"
        fixed = report.fixed_threshold_rollback_after
        print(
            f"{scenario:<18} {detected:>19} {(first or {}).get('alarm', '') if first else '':<34} {rolled:>22} "
            f"{after['quantum']:>14}/{after['fallback']}/{after['classical']:<8} "
            f"{(str(fixed) + ' rows') if fixed else 'not in ' + str(report.quantum_rows_after):>16}"
        )
    print(f"\ntotal {time.perf_counter() - started:.1f} s; workspace {work}")


if __name__ == "__main__":
    main()
