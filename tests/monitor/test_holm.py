"""Holm's step-down adjustment against a hand-worked example."""

from __future__ import annotations

import numpy as np
import pytest

from qtrust.monitor._holm import holm


def test_hand_worked_example():
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02], abs=1e-15)


def test_capped_at_one_and_empty():
    assert holm([0.5, 0.9]).tolist() == [1.0, 1.0]
    assert holm([]).size == 0


def test_never_below_the_raw_p_value_and_at_most_bonferroni():
    p = np.random.default_rng(0).random(20) / 10
    adjusted = holm(p)
    assert np.all(adjusted >= p)
    assert np.all(adjusted <= np.minimum(p * len(p), 1.0))
