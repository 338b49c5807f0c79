"""The side-channel red team: what a served quantum model's responses leak besides the answer.

Once the model is served (``qtrust serve``), an outsider sees more than each row's probability: how long the
answer took, how many shots the shot-aware rule spent (it re-measures near the threshold), which model
answered (an unsettled row goes to the classical fallback), and whether the request was refused. Each of
these may tell training members from non-members, one group from another, or how close a row sits to the
decision threshold — the last is what an attacker needs to probe the boundary cheaply.

The red team starts a real server on loopback (the same app ``qtrust serve`` runs), sends every probe row
as its own request in a seeded order, and measures, per observable and per question, the AUC of the
observable as a score with a bootstrap interval (:func:`qtrust.assess.privacy.channel_auc.channel_auc`).
It repeats this under each mitigation — constant-time padding, a fixed shot budget, not disclosing the
answering model — and reports what each one removes and what it costs in latency. Requests are bounded
(one per probe row and mitigation); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qtrust.assess.privacy.channel_auc import ChannelAUC, channel_auc
from qtrust.errors import InputError
from qtrust.seeding import derive_rng, derive_seed
from qtrust.serve.artefact import Artefact
from qtrust.serve.backends import EngineBackend
from qtrust.serve.guard import Guard, GuardSettings
from qtrust.serve.http import create_app
from qtrust.workflow.gate import load_results
from qtrust.workflow.loopback import served

OBSERVABLES = ("latency_ms", "shots", "fallback", "error")
QUESTIONS = {
    "membership": "training member rather than held out",
    "group": "first group rather than the others",
    "near_threshold": "closer to the decision threshold than the median row",
}


@dataclass(frozen=True)
class Mitigation:
    """How the server answers: ``pad_to_s`` "auto" pads to 1.25× the slowest unmitigated answer."""

    name: str
    pad_to_s: float | str | None = None
    fixed_shots: bool = False
    disclose: bool = True


MITIGATIONS = (
    Mitigation("none"),
    Mitigation("constant-time padding", pad_to_s="auto"),
    Mitigation("fixed shot budget", fixed_shots=True),
    Mitigation("answering model not disclosed", disclose=False),
    Mitigation("all three", pad_to_s="auto", fixed_shots=True, disclose=False),
)


@dataclass
class Probes:
    """The rows to send (feature units, the artefact's columns) and, per question, which rows are positive."""

    rows: list[dict[str, Any]]
    positive: dict[str, np.ndarray]
    groups: list[str | None] = field(default_factory=list)


@dataclass
class MitigationResult:
    mitigation: Mitigation
    pad_to_s: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    channels: dict[str, dict[str, ChannelAUC | None]]  # observable -> question -> AUC (None: not observable)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mitigation": self.mitigation.name,
            "pad_to_s": self.pad_to_s,
            "latency_p50_ms": round(self.latency_p50_ms, 3),
            "latency_p95_ms": round(self.latency_p95_ms, 3),
            "channels": {
                o: {q: (auc.to_dict() if auc else None) for q, auc in by_q.items()}
                for o, by_q in self.channels.items()
            },
        }


@dataclass
class SideChannelReport:
    shots: int
    shot_budget: int
    n_requests: int
    results: list[MitigationResult]
    seed: int
    confidence: float = 0.95  # for all channels of one mitigation together
    per_interval: float = 0.95  # each interval's, Bonferroni-adjusted

    def to_dict(self) -> dict[str, Any]:
        return {
            "confidence": self.confidence,
            "per_interval_confidence": self.per_interval,
            "shots": self.shots,
            "shot_budget": self.shot_budget,
            "requests_per_mitigation": self.n_requests,
            "seed": self.seed,
            "questions": QUESTIONS,
            "results": [r.to_dict() for r in self.results],
        }


def probes_from_audit(artefact: Artefact, out: Path, *, per_side: int, seed: int) -> Probes:
    """Members (training rows) and non-members (the audit's held-out rows) of the artefact's own audit.

    The audit's data is rebuilt from the config in ``out/results.json`` and held to the digest the artefact
    recorded; ``per_side`` rows of each are drawn with ``seed``.
    """
    from qtrust.audit.data_prep import load_dataset
    from qtrust.config import config_from_dict

    result = load_results(out / "results.json")
    config = dict(result.config)
    config.pop("source", None)
    dataset = load_dataset(config_from_dict(config))
    if dataset.digest() != artefact.manifest["audit"]["dataset_digest"]:
        raise InputError(
            "the audit's data rebuilt from its config is not the data the artefact was audited on",
            where=str(out),
            fix="give the audit output folder the artefact was packaged from",
        )
    held_out = np.asarray(result.dataset.split["test_rows"])
    members_all = np.setdiff1d(np.arange(dataset.n_rows), held_out)
    rng = derive_rng(seed, "side-channels", "probes")
    members = rng.choice(members_all, min(per_side, len(members_all)), replace=False)
    nonmembers = rng.choice(held_out, min(per_side, len(held_out)), replace=False)
    chosen = np.concatenate([members, nonmembers])
    columns = [f["name"] for f in artefact.manifest["features"]]
    frame = dataset.features.iloc[chosen]
    rows = frame[columns].to_dict(orient="records")
    groups = [str(g) for g in np.asarray(dataset.group)[chosen]]
    first = sorted(set(groups))[0]
    return Probes(
        rows=[{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows],
        positive={
            "membership": np.arange(len(chosen)) < len(members),
            "group": np.array([g == first for g in groups]),
        },
        groups=groups,
    )


def _serve_and_probe(
    artefact: Artefact,
    probes: Probes,
    settings: GuardSettings,
    pad_to_s: float | None,
    disclose: bool,
    seed: int,
) -> list[dict[str, Any]]:
    """One server on loopback, one request per probe row in a seeded order; the observations in row order."""
    import httpx

    guard = Guard(artefact, EngineBackend(artefact.quantum), settings=settings)
    group_field = (artefact.manifest.get("group") or {}).get("name")
    seen: dict[int, dict[str, Any]] = {}
    app = create_app(guard, pad_to_s=pad_to_s, disclose=disclose)
    try:
        with (
            served(app, "qtrust-side-channel-server") as base_url,
            httpx.Client(base_url=base_url, timeout=30) as client,
        ):
            client.get("/healthz")  # the first request pays for the connection, not a probe
            for i in derive_rng(seed, "side-channels", "order").permutation(len(probes.rows)):
                row = dict(probes.rows[i])
                if group_field and probes.groups:
                    row[group_field] = probes.groups[i]
                body = {"rows": [row], "seed": derive_seed(seed, "side-channels", int(i)) % 2**32}
                start = time.perf_counter()
                reply = client.post("/v1/predict", json=body)
                latency = (time.perf_counter() - start) * 1000
                answer = reply.json()["predictions"][0] if reply.status_code == 200 else {}
                seen[int(i)] = {
                    "latency_ms": latency,
                    "shots": answer.get("shots"),
                    "fallback": None
                    if "answered_by" not in answer
                    else float(answer["answered_by"] == "fallback"),
                    "error": float(reply.status_code != 200),
                }
    finally:
        guard.close()
    return [seen[i] for i in range(len(probes.rows))]


def near_threshold(artefact: Artefact, rows: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """Rows whose exact quantum probability is closer to the threshold than the median row's."""
    columns = [f["name"] for f in artefact.manifest["features"]]
    angles = artefact.preprocessor.transform(pd.DataFrame(list(rows))[columns])
    distance = np.abs(np.asarray(artefact.quantum.probabilities(angles)) - artefact.threshold)
    return distance < np.median(distance)


def red_team_side_channels(
    artefact: Artefact,
    probes: Probes,
    *,
    mitigations: Sequence[Mitigation] = MITIGATIONS,
    shots: int = 100,
    shot_budget: int = 6_400,
    seed: int = 0,
    n_boot: int = 1000,
    confidence: float = 0.95,
) -> SideChannelReport:
    """Every observable against every question, without and with each mitigation (see the module docstring).

    Each mitigation tests len(OBSERVABLES) × len(QUESTIONS) channels at once, so each interval is
    Bonferroni-adjusted: at ``confidence`` = 0.95 the chance that any of the 12 calls a useless observable
    leaking stays under 5%, instead of about one false alarm per mitigation.
    """
    positive = {**probes.positive, "near_threshold": near_threshold(artefact, probes.rows)}
    per_interval = 1 - (1 - confidence) / (len(OBSERVABLES) * len(positive))
    slowest: float | None = None
    results = []
    for mitigation in mitigations:
        pad = mitigation.pad_to_s
        if pad == "auto":
            if slowest is None:
                raise InputError("padding 'auto' needs the unmitigated run first", where="mitigations")
            pad = 1.25 * slowest / 1000
        settings = GuardSettings(
            shots=shots, shot_budget=shots if mitigation.fixed_shots else shot_budget, latency_budget=30.0
        )
        seen = _serve_and_probe(artefact, probes, settings, pad, mitigation.disclose, seed)  # type: ignore[arg-type]
        latencies = [o["latency_ms"] for o in seen]
        if mitigation.pad_to_s is None and not mitigation.fixed_shots and mitigation.disclose:
            slowest = max(latencies) if slowest is None else slowest
        channels: dict[str, dict[str, ChannelAUC | None]] = {}
        for observable in OBSERVABLES:
            values = [o[observable] for o in seen]
            channels[observable] = {
                question: None
                if any(v is None for v in values)
                else channel_auc(
                    values,
                    positive[question],
                    n_boot=n_boot,
                    confidence=per_interval,
                    seed=derive_seed(seed, "side-channels", observable, question),
                )
                for question in QUESTIONS
                if question in positive
            }
        results.append(
            MitigationResult(
                mitigation,
                pad,  # type: ignore[arg-type]
                statistics.median(latencies),
                float(np.percentile(latencies, 95)),
                channels,
            )
        )
    return SideChannelReport(shots, shot_budget, len(probes.rows), results, seed, confidence, per_interval)
