"""``qtrust drill SCENARIO``: replay traffic through a real server, inject one failure, measure the response.

A thin shell over :func:`qtrust.workflow.drill.run_drill`: it reads the traffic (the built-in German Credit
data or a CSV with the artefact's feature columns, a label column and optionally the group), prints the
report and the entries it recorded. Run drills in a workspace of their own (``--home``): a drill starts a
rollout, and a workspace runs one rollout at a time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import AsOption, HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError


def _traffic(source: str, artefact, label_column: str, group_column: str | None, requests: int, seed: int):
    import numpy as np
    import pandas as pd

    from qtrust.workflow.drill import TrafficRow

    columns = [f["name"] for f in artefact.manifest["features"]]
    if source == "german":
        from qtrust.audit.data_prep import load_dataset
        from qtrust.config import config_from_dict

        dataset = load_dataset(config_from_dict({}))
        frame, labels, groups = dataset.features, dataset.y, dataset.group
        held_out = (artefact.reference or {}).get("test_rows")
        if held_out and artefact.manifest["audit"]["dataset_digest"] == dataset.digest():
            # the audit's held-out rows: the rows the model was audited on and never trained on
            frame, labels, groups = frame.iloc[held_out], labels[held_out], groups[held_out]
    else:
        try:
            frame = pd.read_csv(source)
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot read {source}: {error}", where="--traffic", fix="german, or a CSV file"
            ) from None
        if label_column not in frame.columns:
            raise InputError(
                f"no column {label_column!r} in {source}", where="--label-column", fix="name the 0/1 label"
            )
        labels = frame[label_column].to_numpy()
        groups = frame[group_column].astype(str).to_numpy() if group_column else [None] * len(frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"the traffic lacks {missing}", where="--traffic", fix="give the artefact's feature columns"
        )
    records = json.loads(frame[columns].to_json(orient="records"))
    order = np.random.default_rng(seed).permutation(np.resize(np.arange(len(records)), requests))
    return [
        TrafficRow(records[i], int(labels[i]), None if groups[i] is None else str(groups[i])) for i in order
    ]


def drill(
    scenario: Annotated[
        str,
        typer.Argument(
            help="none (a healthy rehearsal), outage, noise, shot-budget, input-drift, fairness or stale-calibration."
        ),
    ],
    artefact_path: Annotated[Path, typer.Argument(help="The model artefact to serve.")],
    plan: Annotated[Path, typer.Option("--plan", help="The rollout plan the drill runs under.")],
    as_: AsOption,
    traffic: Annotated[
        str,
        typer.Option(
            "--traffic",
            help="german (the audit's held-out German Credit rows, resampled) or a CSV of requests.",
        ),
    ] = "german",
    label_column: Annotated[
        str, typer.Option("--label-column", help="The CSV's 0/1 label column.")
    ] = "label",
    group_column: Annotated[
        str | None, typer.Option("--group-column", help="The CSV's group column.")
    ] = None,
    requests: Annotated[int, typer.Option("--requests", help="Requests to send at most.")] = 2_000,
    healthy: Annotated[int, typer.Option("--healthy", help="Requests before the failure is injected.")] = 600,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between judgements and drift checks.")
    ] = 1.0,
    shots: Annotated[
        int | None, typer.Option("--shots", help="Serve with the shot-aware rule at N shots.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the traffic order and the draws.")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Replay traffic through a real server, inject SCENARIO, and report time to detect and to roll back."""
    from qtrust.numbers import as_seed
    from qtrust.serve.artefact import load
    from qtrust.workflow.drill import run_drill

    try:
        seed = as_seed(seed, "--seed")
        loaded = load(artefact_path)
        rows = _traffic(traffic, loaded, label_column, group_column, requests, seed)
        report = run_drill(
            session(home, store),
            as_,
            loaded,
            scenario,
            plan,
            rows,
            healthy=healthy,
            seed=seed,
            interval_s=interval,
            shots=shots,
        )
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        return
    injected = (
        "no failure injected"
        if scenario == "none"
        else f"failure injected before request {report.injected_at}"
    )
    out.print(
        f"Drill {scenario} (rollout {report.rollout}, deployment entry {report.deployment}): {injected}",
        highlight=False,
    )
    for decision in report.decisions:
        out.print(
            f"  entry {decision['entry']}: {decision['outcome']} after {decision['requests']} requests; now "
            f"{decision['status']} at {decision['now_at']:g}%",
            highlight=False,
        )
    for phase in ("before", "after"):
        counts = report.answered[phase]
        out.print(f"  {phase}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)
    first, back = report.first_incident, report.rollback
    out.print(
        "  detected: "
        + (
            f"{first['requests']} requests / {first['seconds']} s after the injection ({first['alarm']}, {first['incident']})"
            if first
            else "not within the traffic"
        ),
        highlight=False,
    )
    out.print(
        "  rolled back: "
        + (
            f"{back['requests']} requests / {back['seconds']} s after the injection — {back['reasons'][0]}"
            if back
            else "no"
        ),
        highlight=False,
    )
    fixed = report.fixed_threshold_rollback_after
    out.print(
        "  a fixed-threshold canary (Argo-style, failureLimit 3) on the same traffic: "
        + (
            f"rolled back after {fixed} quantum-cohort rows"
            if fixed
            else f"not within the {report.quantum_rows_after} quantum-cohort rows served"
        ),
        highlight=False,
    )
    out.print(
        f"  incidents: {', '.join(report.incidents) or 'none'}; recorded as entry {report.recorded}",
        highlight=False,
    )


def redteam(
    artefact_path: Annotated[
        Path, typer.Argument(metavar="ARTEFACT", help="The model artefact (`qtrust package`).")
    ],
    outputs: Annotated[
        Path, typer.Option("--outputs", help="The audit output folder the artefact was packaged from.")
    ] = Path("qtrust-out"),
    per_side: Annotated[
        int, typer.Option("--per-side", help="Training members and as many held-out rows to send.")
    ] = 200,
    shots: Annotated[int, typer.Option("--shots", help="First draw of the shot-aware rule.")] = 100,
    shot_budget: Annotated[int, typer.Option("--shot-budget", help="Most shots per row.")] = 6_400,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the probe rows, their order and draws.")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Side channels of the served model: does latency, the shots reported, the answering model or an error
    tell members from non-members, one group from another, or a row near the threshold? Against a real
    server on 127.0.0.1, without and with each mitigation (padding, fixed shots, no disclosure)."""
    from qtrust.numbers import as_seed
    from qtrust.serve.artefact import load
    from qtrust.workflow.side_channels import (
        OBSERVABLES,
        QUESTIONS,
        probes_from_audit,
        red_team_side_channels,
    )

    try:
        seed = as_seed(seed, "--seed")
        if not 10 <= per_side <= 5_000:
            raise InputError(f"--per-side {per_side}", where="--per-side", fix="between 10 and 5000 rows")
        if not 0 < shots <= shot_budget:
            raise InputError(
                f"--shots {shots} --shot-budget {shot_budget}", where="--shots", fix="0 < shots <= budget"
            )
        loaded = load(artefact_path)
        probes = probes_from_audit(loaded, outputs, per_side=per_side, seed=seed)
        report = red_team_side_channels(loaded, probes, shots=shots, shot_budget=shot_budget, seed=seed)
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(
        title=f"Side channels: AUC [{report.per_interval:.2%} CI, Bonferroni over the 12 channels of a mitigation], "
        f"{report.n_requests} requests per mitigation (* leaks)"
    )
    for column in ("mitigation", "p50 / p95 ms", "observable", *QUESTIONS):
        table.add_column(column)
    for result in report.results:
        for i, observable in enumerate(OBSERVABLES):
            cells = []
            for question in QUESTIONS:
                auc = result.channels[observable][question]
                cells.append("hidden" if auc is None else auc.text())
            lead = (
                [result.mitigation.name, f"{result.latency_p50_ms:.1f} / {result.latency_p95_ms:.1f}"]
                if i == 0
                else ["", ""]
            )
            table.add_row(*lead, observable, *cells)
    out.print(table)
    leaking = [
        f"{r.mitigation.name}: {o} → {q}"
        for r in report.results
        for o, by_q in r.channels.items()
        for q, auc in by_q.items()
        if auc is not None and auc.leaks
    ]
    out.print(
        f"{len(leaking)} leaking channel(s)" + (": " + "; ".join(leaking) if leaking else "."),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(drill)
    app.command()(redteam)
