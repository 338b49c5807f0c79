"""Backends by name, and the guard on a framework backend: sampled answers stay within their binomial CI and
the recorded seeds draw them again."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from qtrust.errors import InputError
from qtrust.quantum.noise import NoiseModel
from qtrust.serve.guard import Guard, GuardSettings
from qtrust.serve.select import open_backend


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("engine", "qtrust-engine"),
        ("aer", "qiskit:aer_simulator"),
        ("fake:FakeManilaV2", "qiskit:fake_manila"),
        ("pennylane", "pennylane:default.qubit"),
    ],
)
def test_each_name_opens_its_backend(setup, spec, name):
    artefact = setup[0]
    assert open_backend(spec, artefact.quantum).name == name


@pytest.mark.parametrize(
    ("spec", "problem"),
    [("ibm", "unknown backend"), ("fake:Nowhere", "no fake V2 device"), ("fake:", "unknown")],
)
def test_a_wrong_name_lists_the_choices(setup, spec, problem):
    with pytest.raises(InputError, match=problem) as caught:
        open_backend(spec, setup[0].quantum)
    assert caught.value.where == "--backend"


@pytest.mark.parametrize("spec", ["aer", "pennylane"])
def test_the_guard_on_a_framework_backend_answers_within_shot_noise_and_redraws_by_seed(setup, spec):
    artefact, rows, X = setup
    backend = open_backend(spec, artefact.quantum)
    guard = Guard(artefact, backend, GuardSettings(shots=400, shot_budget=1_600))
    try:
        answers = guard.predict(rows[:8], seed=21)
    finally:
        guard.close()
    exact = artefact.quantum.probabilities(X[:8])
    redrawn_rows = 0
    for answer, p in zip(answers, exact, strict=True):
        assert answer.shots >= 400
        assert len(answer.seeds) >= 1
        low, high = binomtest(round(answer.probability * answer.shots), answer.shots).proportion_ci(0.999)
        if answer.answered_by == "quantum":
            assert low <= p <= high
        if (
            len(answer.seeds) == 1
        ):  # one draw: the recorded seed gives its count again, from the backend alone
            redrawn = backend.counts(_one_row(artefact, X[answer.row]), 400, answer.seeds[0])
            assert redrawn[0] == round(answer.probability * 400)
            redrawn_rows += 1
    assert redrawn_rows >= 4
    again = Guard(artefact, open_backend(spec, artefact.quantum), GuardSettings(shots=400, shot_budget=1_600))
    try:
        assert again.predict(rows[:8], seed=21) == answers  # the recorded seed draws the same answers
    finally:
        again.close()


def _one_row(artefact, x):
    from qtrust.serve.egress import EgressPolicy, outbound

    return outbound(
        EgressPolicy.angles_only(artefact.quantum.circuit.n_features), {"angles": np.atleast_2d(x)}
    )


def test_the_engine_simulates_only_noise_the_audit_measured(setup):
    artefact, _, X = setup
    audited = artefact.manifest["noise"]
    assert audited == {
        "channels": ["depolarizing"],
        "levels": [0.0, 0.01],
        "devices": [],
        "placement": "every_gate",
    }
    backend = open_backend("engine", artefact.quantum, noise="depolarizing:0.01", audited=audited)
    assert backend.name == "qtrust-engine[depolarizing=0.01]"
    sent = _one_row(artefact, X[0])
    noisy = artefact.quantum.probabilities(X[:1], NoiseModel.single("depolarizing", 0.01))
    np.testing.assert_allclose(backend.probabilities(sent), noisy, atol=1e-12)
    assert abs(noisy[0] - artefact.quantum.probabilities(X[:1])[0]) > 1e-6  # the noise does change the answer
    for noise, spec, problem in [
        ("depolarizing:0.02", "engine", "did not measure the model under depolarizing at 0.02"),
        ("bit_flip:0.01", "engine", "did not measure the model under bit_flip"),
        ("depolarizing", "engine", "is not CHANNEL:LEVEL"),
        ("depolarizing:0.01", "aer", "--noise with --backend aer"),
    ]:
        with pytest.raises(InputError, match=problem) as caught:
            open_backend(spec, artefact.quantum, noise=noise, audited=audited)
        assert caught.value.where == "--noise"


def test_a_served_noise_point_is_placed_as_the_audit_placed_its_noise(setup):
    from qtrust.serve.select import audited_noise

    artefact, _, _ = setup
    assert artefact.manifest["noise"]["placement"] == "every_gate"
    audited = {"channels": ["depolarizing"], "levels": [0.0, 0.01]}
    assert audited_noise("depolarizing:0.01", audited).channels[0].layer is None  # artefacts before placement
    layered = audited_noise("depolarizing:0.01", {**audited, "placement": "before_measurement"})
    assert layered.channels[0].layer == "before_measurement"
    assert layered.label == "depolarizing=0.01@before_measurement"
