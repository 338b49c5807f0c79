"""The noise section: every model re-scored under each noise channel and device calibration.

Metric paths::

    noise/<model>/reference/<metric>                         noiseless reference Estimate of the sweep
    noise/<model>/<channel>@<level>/<metric>                 Estimate under that noise setting
    noise/<model>/<channel>@<level>/change/<metric>          metric minus its noiseless value
    noise/<model>/tolerance/<channel>/<field>                accuracy_break, fairness_break,
                                                             tolerated_up_to, fairness_fails_without_noise
    noise/<model>/device=<device>:<layout>/<metric>          Estimate under a device calibration snapshot
    noise/<model>/device=<device>:<layout>/change/<metric>   metric minus its noiseless value
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from qtrust.results.recorded import MetricTable, level_text
from qtrust.results.records import Estimate, Record, finite_values
from qtrust.results.registry import MetricRoot, Section, Topic


class NoisePoint(Record):
    channel: str
    level: float
    label: str
    path: str = Field(description="simulation path that produced the probabilities")
    metrics: dict[str, Estimate]
    change: dict[str, float | None] = Field(description="metric value minus the noiseless value")

    _finite = field_validator("change", mode="before")(finite_values)


class DevicePoint(Record):
    """A model under one device's calibration snapshot (all its channels and readout errors at once)."""

    device: str
    layout: str = Field(description="best, worst, or the explicit physical qubits")
    label: str
    physical_qubits: list[int] = Field(description="logical wire i runs on physical qubit physical_qubits[i]")
    calibration_date: str | None = Field(description="when the snapshot was taken (not the device today)")
    path: str = Field(description="simulation path that produced the probabilities")
    metrics: dict[str, Estimate]
    change: dict[str, float | None] = Field(description="metric value minus the noiseless value")
    source: dict[str, Any] = Field(default_factory=dict, description="the snapshot and the approximations")

    _finite = field_validator("change", mode="before")(finite_values)


class ChannelTolerance(Record):
    """How much of one noise channel a model tolerates, by the ``verdicts`` thresholds of the config."""

    channel: str
    max_level: float = Field(description="largest tested strength")
    accuracy_break: float | None = Field(
        description="first strength where accuracy falls by more than allowed"
    )
    fairness_break: float | None = Field(
        description="first strength where the equalised-odds gap exceeds its limit (null when it already does "
        "without noise: then the break is not the noise's doing, see fairness_fails_without_noise)"
    )
    fairness_fails_without_noise: bool = False
    tolerated_up_to: float | None = Field(
        description="largest tested strength below both breaks; null when the first tested strength breaks"
    )


class NoiseSweepResult(Record):
    model: str
    channels: list[str]
    levels: list[float]
    reference: dict[str, Estimate] = Field(description="noiseless metrics")
    points: list[NoisePoint]
    tolerance: list[ChannelTolerance] = Field(default_factory=list)
    devices: list[DevicePoint] = Field(
        default_factory=list, description="the model under device calibration snapshots (noise.devices)"
    )
    conventions: dict[str, str] = Field(
        default_factory=dict, description="what each channel's strength means"
    )


TOPIC = Topic("noise", "Hardware noise", "Do accuracy and fairness survive the noise of a real device?", 30)
TOLERANCE_FIELDS = ("accuracy_break", "fairness_break", "tolerated_up_to", "fairness_fails_without_noise")


def write_metrics(sweeps: list[NoiseSweepResult], table: MetricTable) -> None:
    for sweep in sweeps:
        table.estimates(("noise", sweep.model, "reference"), sweep.reference)
        for point in sweep.points:
            setting = f"{point.channel}@{level_text(point.level)}"
            table.estimates(("noise", sweep.model, setting), point.metrics)
            for key, change in point.change.items():
                table.number(("noise", sweep.model, setting, "change", key), change)
        for tol in sweep.tolerance:
            prefix = ("noise", sweep.model, "tolerance", tol.channel)
            table.number((*prefix, "accuracy_break"), tol.accuracy_break)
            table.number((*prefix, "fairness_break"), tol.fairness_break)
            table.number((*prefix, "tolerated_up_to"), tol.tolerated_up_to)
            table.number((*prefix, "fairness_fails_without_noise"), float(tol.fairness_fails_without_noise))
        for device in sweep.devices:
            setting = f"device={device.device}:{device.layout}"
            table.estimates(("noise", sweep.model, setting), device.metrics)
            for key, change in device.change.items():
                table.number(("noise", sweep.model, setting, "change", key), change)


SECTION = Section(
    name="noise",
    topic=TOPIC,
    record=NoiseSweepResult,
    write_metrics=write_metrics,
    roots=(MetricRoot("noise", frozenset(TOLERANCE_FIELDS)),),
)
