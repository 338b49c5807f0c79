"""``qtrust monitor``: drift of recent traffic against a model artefact's reference, and device drift.

Offline, for a batch of recent inputs (a CSV with the artefact's feature columns) or a new device
calibration / noise model: every detector's result in a table (or JSON), exit status 1 when any alarm
fires (so a scheduled job can page), 0 when none. ``--record`` opens an incident per alarm, as the monitor
inside ``qtrust serve`` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError


def _table(results) -> Table:
    table = Table("detector", "subject", "statistic", "p", "threshold", "drifted", "n (ref / current)")
    for r in results:
        table.add_row(
            r.detector,
            r.subject,
            f"{r.statistic:.4g}",
            "" if r.p_value is None else f"{r.p_value:.3g}",
            f"{r.threshold:g}",
            "[bold red]yes[/]" if r.drifted else "no",
            f"{r.reference_n} / {r.current_n}",
        )
    return table


def monitor(
    artefact: Annotated[
        Path, typer.Argument(help="The model artefact (its reference is what traffic is compared with).")
    ],
    traffic: Annotated[
        Path | None, typer.Option("--traffic", help="CSV of recent inputs: the artefact's feature columns.")
    ] = None,
    noise: Annotated[
        str | None,
        typer.Option(
            "--noise",
            help="Device drift: re-score under CHANNEL:LEVEL or a calibration snapshot device:NAME[/LAYOUT].",
        ),
    ] = None,
    shots: Annotated[
        int | None, typer.Option("--shots", help="Treat served probabilities as drawn with these shots.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the permutation and bootstrap draws.")] = 0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Open an incident per alarm (needs the log key).")
    ] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Check recent traffic (--traffic) or a new noise model (--noise) for drift; exit 1 on any alarm."""
    import numpy as np
    import pandas as pd

    from qtrust.numbers import as_seed
    from qtrust.serve.artefact import load
    from qtrust.workflow.monitoring import check_traffic, device_drift_check, record_alarms

    try:
        seed = as_seed(seed, "--seed")
        loaded = load(artefact)
        if (traffic is None) == (noise is None):
            raise InputError("say what to check", where="--traffic / --noise", fix="give exactly one of them")
        if traffic is not None:
            from qtrust.monitor.window import CurrentWindow
            from qtrust.serve.guard import check_rows

            try:
                frame = pd.read_csv(traffic)
            except (OSError, ValueError) as error:
                raise InputError(
                    f"cannot read {traffic}: {error}", where="--traffic", fix="give a CSV file"
                ) from None
            names = [f["name"] for f in loaded.manifest["features"]]
            rows = json.loads(
                frame[
                    [c for c in frame.columns if c in names or c == loaded.manifest["group"]["name"]]
                ].to_json(orient="records")
            )
            checked = check_rows(
                rows, loaded.manifest["features"], max(len(rows), 1), loaded.manifest.get("group")
            )
            angles = loaded.preprocessor.transform(checked.frame)
            probabilities = loaded.quantum.probabilities(angles)
            if shots:
                probabilities = np.random.default_rng(seed).binomial(shots, probabilities) / shots
            current = CurrentWindow(checked.frame, angles, probabilities, shots)
            results = check_traffic(loaded, current, seed=seed)
            window = {"rows": len(rows), "first": str(traffic), "last": str(traffic)}
        else:
            results = device_drift_check(loaded, noise)
            window = {
                "rows": loaded.reference["rows"] if loaded.reference else 0,
                "first": noise,
                "last": noise,
            }
        opened = (
            record_alarms(session(home, store), results, window, {"artefact": loaded.sha256})
            if record
            else []
        )
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(
            json.dumps(
                {"results": [r.to_dict() for r in results], "incidents": [i for i, _ in opened]}, indent=2
            )
            + "\n"
        )
    else:
        out.print(_table(results))
        for incident_id, alarm in opened:
            out.print(f"incident {incident_id}: {alarm.detector} on {alarm.subject}", highlight=False)
    raise typer.Exit(1 if any(r.drifted for r in results) else 0)


def register(app: typer.Typer) -> None:
    app.command()(monitor)
