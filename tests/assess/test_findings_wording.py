"""Findings word a change by its direction: never "changes by at most -0.007" or "lowers it by +0.015"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qtrust.assess.builtin.noise import channel_findings, device_findings
from qtrust.assess.builtin.privacy import shot_effect
from qtrust.assess.findings import accuracy_change, lowers_by, worst_accuracy_change
from qtrust.config import AuditConfig
from qtrust.results.schema import ChannelTolerance, DevicePoint, Estimate, NoisePoint, NoiseSweepResult
from qtrust.results.sections.privacy import (
    MembershipAttack,
    ModelPrivacyRecord,
    PrivacySetting,
    ReferenceModelsRecord,
)


@pytest.mark.parametrize(
    ("worst", "words"),
    [
        (-0.007, "falls by at most 0.007"),
        (0.003, "rises by at least 0.003"),
        (0.0002, "falls by less than 0.001"),
    ],
    ids=["falls", "rises", "flat"],
)
def test_worst_accuracy_change(worst, words):
    assert worst_accuracy_change(worst) == words


@pytest.mark.parametrize(
    ("change", "words"),
    [(-0.012, "falls by 0.012"), (0.004, "rises by 0.004"), (-0.0001, "is unchanged")],
    ids=["falls", "rises", "flat"],
)
def test_accuracy_change(change, words):
    assert accuracy_change(change) == words


@pytest.mark.parametrize(
    ("drop", "words"),
    [(0.015, "lowers it by 0.015"), (-0.004, "raises it by 0.004"), (0.0003, "leaves it unchanged")],
    ids=["lowers", "raises", "flat"],
)
def test_auc_drop(drop, words):
    assert lowers_by(drop) == words


def _est(value: float) -> dict[str, Estimate]:
    return {"accuracy": Estimate(value=value), "equalized_odds_difference": Estimate(value=0.05)}


def _ctx() -> SimpleNamespace:
    return SimpleNamespace(config=AuditConfig(), candidates=[SimpleNamespace(name="vqc")])


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ((-0.007, -0.002), "Accuracy falls by at most 0.007 at every tested strength"),
        ((0.003, 0.008), "Accuracy rises by at least 0.003 at every tested strength"),
        ((0.0, -0.0002), "Accuracy falls by less than 0.001 at every tested strength"),
    ],
    ids=["falls", "rises", "flat"],
)
def test_noise_finding_says_which_way_accuracy_went(changes, words):
    points = [
        NoisePoint(
            channel="depolarizing",
            level=level,
            label=f"depolarizing={level}",
            path="heisenberg",
            metrics=_est(0.7 + change),
            change={"accuracy": change},
        )
        for level, change in zip((0.001, 0.01), changes, strict=True)
    ]
    sweep = NoiseSweepResult(
        model="vqc",
        channels=["depolarizing"],
        levels=[0.0, 0.001, 0.01],
        reference=_est(0.7),
        points=points,
        tolerance=[
            ChannelTolerance(
                channel="depolarizing",
                max_level=0.01,
                accuracy_break=None,
                fairness_break=None,
                tolerated_up_to=0.01,
            )
        ],
    )
    (finding,) = channel_findings(_ctx(), [sweep])
    assert finding.detail.startswith(words), finding.detail
    assert "-0." not in finding.detail
    assert "+0." not in finding.detail
    device = DevicePoint(
        device="fake_manila",
        layout="best",
        label="device",
        physical_qubits=[0, 1, 2],
        calibration_date=None,
        path="heisenberg",
        metrics=_est(0.7 + changes[0]),
        change={"accuracy": changes[0]},
    )
    (on_device,) = device_findings(_ctx(), [sweep.model_copy(update={"devices": [device]})])
    assert on_device.title.endswith(f"accuracy {accuracy_change(changes[0])}")


def test_privacy_finding_says_which_way_shot_noise_moved_the_auc():
    def attack(drop: float | None) -> MembershipAttack:
        return MembershipAttack(
            attack="lira",
            auc=Estimate(value=0.55),
            tpr_at_fpr={},
            n_members=10,
            n_nonmembers=10,
            n_draws=1,
            bootstrap_seed=0,
            auc_drop=None if drop is None else Estimate(value=drop),
        )

    settings = [PrivacySetting(noise="noiseless", shots=None, attacks={"lira": attack(None)})] + [
        PrivacySetting(noise="noiseless", shots=shots, attacks={"lira": attack(drop)})
        for shots, drop in ((100, 0.015), (1000, -0.004), (10000, 0.0002))
    ]
    model = ModelPrivacyRecord(
        model="vqc",
        family="quantum",
        target_random_state=None,
        references=ReferenceModelsRecord(n_models=0, random_states=[], mask_seed=0, rows_per_model=[]),
        settings=settings,
    )
    assert shot_effect(model, "lira") == (
        " Shot noise lowers it by 0.015 at 100 shots, raises it by 0.004 at 1,000 shots, "
        "leaves it unchanged at 10,000 shots."
    )
