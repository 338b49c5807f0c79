"""The typed result and the detector registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

import qtrust.monitor as monitor
from qtrust.monitor import DETECTORS, DriftResult, register


def test_every_builtin_detector_is_registered_under_the_name_it_writes():
    assert set(DETECTORS) == {
        "psi",
        "ks",
        "chi2",
        "mmd",
        "output_shot_noise",
        "cbpe",
        "device_drift",
        "group_rate",
    }
    assert DETECTORS["psi"] is monitor.psi
    assert DETECTORS["output_shot_noise"] is monitor.output_drift
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=50), rng.normal(size=50)
    assert DETECTORS["ks"](x, y).detector == "ks"
    assert DETECTORS["psi"](x, y).detector == "psi"


def test_a_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        register("psi")(lambda reference, current: None)


def test_to_dict_is_json_safe():
    result = DriftResult(
        detector="toy",
        subject="x",
        statistic=np.float64(0.5),
        p_value=None,
        threshold=0.2,
        drifted=bool(np.True_),
        reference_n=3,
        current_n=4,
        method="A toy.",
        detail={"counts": np.array([1, 2]), "z": float("inf"), "nested": {"k": np.int64(3)}, "pair": (1, 2)},
        seed=7,
    )
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == {
        "detector": "toy",
        "subject": "x",
        "statistic": 0.5,
        "p_value": None,
        "threshold": 0.2,
        "drifted": True,
        "reference_n": 3,
        "current_n": 4,
        "method": "A toy.",
        "detail": {"counts": [1, 2], "z": None, "nested": {"k": 3}, "pair": [1, 2]},
        "seed": 7,
    }


def test_every_builtin_detector_result_serialises():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.95, 80)
    results = [
        monitor.psi(p, p + 0.1),
        monitor.ks(p, p + 0.1),
        monitor.chi_square(["a", "b"] * 20, ["a", "c"] * 20),
        monitor.mmd(rng.normal(size=(30, 2)), rng.normal(size=(30, 2)), n_permutations=20),
        monitor.output_drift(p, p, shots=100),
        monitor.cbpe(p, p, reference_labels=(rng.random(80) < p).astype(int)),
    ]
    for result in results:
        json.dumps(result.to_dict(), allow_nan=False)
        assert result.method.endswith(".")
