"""The certified-fairness section: K* of every variational candidate under each noise setting.

Metric paths::

    certified/<model>/reference/<field>                   lipschitz (K*), lipschitz_max (over seeds),
    certified/<model>/<channel>@<level>/<field>           fair (1.0 / 0.0): certified fairness
    certified/<model>/device=<device>:<layout>/<field>    … under a device calibration snapshot
    certified/<model>/bias_pair/<field>                   reachable_gap, p_high, p_low: the widest output
                                                          gap found inside the encoding's reach
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qtrust.results.recorded import MetricTable, level_text
from qtrust.results.records import Record
from qtrust.results.registry import MetricRoot, Section
from qtrust.results.sections.fairness import TOPIC


class CertifiedPoint(Record):
    """K* of one model under one noise setting, over the training seeds."""

    channel: str = Field(description="'none' for the noiseless model, 'device' for a calibration snapshot")
    level: float
    device: str | None = Field(
        None, description="the device and layout (device:layout) when channel is 'device'"
    )
    lipschitz: float = Field(description="K* of the first training seed")
    lipschitz_max: float = Field(description="largest K* over the training seeds")
    fair: bool = Field(description="(ε, δ)-fair for every training seed: δ ≥ K*·ε")


class BiasPairRecord(Record):
    """The two inputs, from different groups and in the encoding's reach, with the largest output gap."""

    reachable_gap: float
    p_high: float
    p_low: float
    group_high: str
    group_low: str
    features_high: dict[str, Any]
    features_low: dict[str, Any]
    angles_high: list[float]
    angles_low: list[float]
    noise: str = Field("none", description="the noise the pair was searched under (the audit: none)")


class CertifiedFairnessResult(Record):
    model: str
    epsilon: float
    delta: float
    n_qubits: int
    points: list[CertifiedPoint]
    bias_pair: BiasPairRecord | None = Field(None, description="noiseless model, first training seed")
    seconds: float = Field(description="time to compute every K* (eigendecompositions included)")
    method: str = "K* = λmax(M) − λmin(M), M = E†(class-1 effect), Guan, Fang & Ying (CAV 2022)"
    covers: str = Field(
        "every input state of the trainable section: M = E†(effect) of the trainable section with its noise "
        "and the readout error; noise on the encoding gates is not part of M",
        description="what the certificate speaks for",
    )
    placement: str = Field("every_gate", description="where the swept noise acts (noise.placement)")


BIAS_PAIR_FIELDS = ("reachable_gap", "p_high", "p_low")


def write_metrics(results: list[CertifiedFairnessResult], table: MetricTable) -> None:
    for cert in results:
        for point in cert.points:
            if point.channel == "none":
                setting = "reference"
            elif point.device is not None:
                setting = f"device={point.device}"
            else:
                setting = f"{point.channel}@{level_text(point.level)}"
            prefix = ("certified", cert.model, setting)
            table.number((*prefix, "lipschitz"), point.lipschitz)
            table.number((*prefix, "lipschitz_max"), point.lipschitz_max)
            table.number((*prefix, "fair"), 1.0 if point.fair else 0.0)
        if cert.bias_pair is not None:
            for part in BIAS_PAIR_FIELDS:
                table.number(("certified", cert.model, "bias_pair", part), getattr(cert.bias_pair, part))


SECTION = Section(
    name="certified_fairness",
    topic=TOPIC,
    record=CertifiedFairnessResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("certified", frozenset({"lipschitz", "lipschitz_max", "fair", *BIAS_PAIR_FIELDS})),),
)
