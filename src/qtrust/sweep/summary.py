"""The sweep's HTML summary: a leaderboard per dataset and heatmaps of accuracy and fairness against noise.

A leaderboard row is one model in one member: its accuracy with the 95% CI, and for a quantum model the
paired difference to each classical baseline with its CI (from the member's own comparison assessment — the
same rows, the same bootstrap). A heatmap cell is the mean over the members that share it (seeds, and noise
axis entries that measure the same channel and level) of ``noise/<model>/<channel>@<level>/…`` or a device
profile's ``noise/<model>/device=<name>/…``. Self-contained HTML, no script; values escaped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from statistics import fmean
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_NOISE = re.compile(
    r"noise/(?P<model>[^/]+)/(?P<setting>[^/]+)/(?P<metric>accuracy|equalized_odds_difference)$"
)


def _value(metrics: dict[str, Any], path: str) -> dict[str, Any] | None:
    found = metrics.get(path)
    return found if found and found.get("value") is not None else None


def leaderboard(members: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        if member["status"] != "done":
            continue
        metrics = member["metrics"]
        models = {
            p.split("/")[1] for p in metrics if p.startswith("fairness/") and p.endswith("/overall/accuracy")
        }
        for model in sorted(models):
            accuracy = _value(metrics, f"fairness/{model}/overall/accuracy")
            if accuracy is None:
                continue
            comparisons = [
                {"against": p.split("/")[1].split("-vs-", 1)[1], **metrics[p]}
                for p in sorted(metrics)
                if p.startswith(f"comparison/{model}-vs-") and p.endswith("/accuracy/difference")
                and metrics[p].get("value") is not None
            ]  # fmt: skip
            rows = out[member["labels"]["dataset"]]
            seed = member["labels"]["seed"]
            if not comparisons and any(
                r["model"] == model and r["seed"] == seed and r["accuracy"] == accuracy for r in rows
            ):
                continue  # a baseline trained on the same rows in every member: listed once per seed
            rows.append(
                {"member": member["id"] if comparisons else f"every member with seed={seed}", "seed": seed,
                 "model": model, "accuracy": accuracy, "comparisons": comparisons, "quantum": bool(comparisons)}
            )  # fmt: skip
    for rows in out.values():
        rows.sort(key=lambda r: -r["accuracy"]["value"])
    return dict(out)


def _setting(setting: str) -> tuple[str, str] | None:
    if setting.startswith("device="):
        return setting.removeprefix("device="), "device"
    channel, at, level = setting.partition("@")
    return (channel, level) if at else None


def heatmaps(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(dataset, models axis, model, metric) → rows (channel or device) × columns (level), mean per cell."""
    cells: dict[tuple[str, str, str, str], dict[tuple[str, str], list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    references: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for member in members:
        if member["status"] != "done":
            continue
        for path, metric in member["metrics"].items():
            match = _NOISE.match(path)
            if not match or metric.get("value") is None:
                continue
            key = (member["labels"]["dataset"], member["labels"]["models"], match["model"], match["metric"])
            if match["setting"] == "reference":  # noiseless: column 0 of every channel's row
                references[key].append(metric["value"])
                continue
            setting = _setting(match["setting"])
            if setting is None:
                continue
            cells[key][setting].append(metric["value"])
    out = []
    for (dataset, axis, model, metric), grid in sorted(cells.items()):
        rows = sorted({row for row, col in grid if col != "device"})
        for row in rows:
            if references[(dataset, axis, model, metric)]:
                grid[(row, "0")] = references[(dataset, axis, model, metric)]
        rows += sorted({row for row, col in grid if col == "device"})
        columns = sorted(
            {col for _, col in grid}, key=lambda c: (c == "device", float(c) if c != "device" else 0)
        )
        values = {k: fmean(v) for k, v in grid.items()}
        low, high = min(values.values()), max(values.values())
        table = [
            [(values.get((r, c)), _colour(values.get((r, c)), low, high, metric)) for c in columns]
            for r in rows
        ]
        out.append({"dataset": dataset, "axis": axis, "model": model, "metric": metric.replace("_", " "),
                    "rows": rows, "columns": columns, "table": table})  # fmt: skip
    return out


def _colour(value: float | None, low: float, high: float, metric: str) -> str:
    """Green is good: high accuracy, a small fairness gap."""
    if value is None:
        return "#f4f4f4"
    share = 0.5 if high == low else (value - low) / (high - low)
    good = share if metric == "accuracy" else 1 - share
    return f"hsl({int(good * 120)}, 65%, 82%)"


def render(doc: dict[str, Any]) -> str:
    members = doc["members"]
    return _ENV.get_template("summary.html").render(
        doc=doc, boards=leaderboard(members), maps=heatmaps(members),
        failed=[m for m in members if m["status"] == "failed"],
    )  # fmt: skip
