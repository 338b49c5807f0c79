"""Bad input raises InputError naming what is wrong, where, and how to fix it; metadata is complete."""

from __future__ import annotations

import numpy as np
import pytest

import qtrust.metrics as qm
from qtrust.errors import InputError

Y = np.array([0, 1, 1, 0, 1, 0])
GROUPS = np.array(["a", "a", "b", "b", "c", "c"])
PROBA = np.linspace(0.1, 0.9, 12).reshape(2, 6)


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: qm.StackMetricFrame(Y, PROBA[:, :5], sensitive_features=GROUPS), ["proba", "5 rows", "6"]),
        (
            lambda: qm.StackMetricFrame(Y, PROBA.T, sensitive_features=GROUPS),
            ["proba", "rows are the last axis"],
        ),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=GROUPS[:4]),
            ["sensitive_features", "4 rows"],
        ),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, y_pred=np.ones((3, 6)), sensitive_features=GROUPS),
            ["y_pred", "(3, 6)", "(2, 6)"],
        ),
        (lambda: qm.StackMetricFrame(Y, sensitive_features=GROUPS), ["no predictions", "proba="]),
        (lambda: qm.StackMetricFrame(Y + 1, PROBA, sensitive_features=GROUPS), ["y_true", "0/1", "Fix:"]),
        (
            lambda: qm.StackMetricFrame(np.array(["no", "yes"] * 3), PROBA, sensitive_features=GROUPS),
            ["y_true", "'no'", "'yes'"],
        ),
        (lambda: qm.StackMetricFrame(Y, PROBA * 3, sensitive_features=GROUPS), ["[0, 1]", "logit"]),
        (lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=np.full(6, "a")), ["single group", "'a'"]),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=np.array(["a", None] * 3, dtype=object)),
            ["missing", "unknown"],
        ),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=np.stack([GROUPS, GROUPS], axis=1)),
            ["1-D", "combine"],
        ),
        (lambda: qm.accuracy(Y, np.full((2, 6), 0.5)), ["y_pred", "0/1"]),
        (lambda: qm.roc_auc(Y, np.array([0.1, np.nan, 0.2, 0.3, 0.4, 0.5])), ["scores", "NaN"]),
        (lambda: qm.tpr(Y, np.ones(6), sample_weight=-np.ones(6)), ["sample_weight", "non-negative"]),
        (
            lambda: qm.accuracy(Y, np.ones((2, 6)), sample_weight=np.ones((3, 6)), paired=True),
            ["paired", "per draw"],
        ),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=GROUPS).summarise(confidence=95),
            ["confidence", "between 0 and 1"],
        ),
        (
            lambda: qm.StackMetricFrame(Y, PROBA, sensitive_features=GROUPS).summarise(n_boot=0),
            ["n_boot", ">= 1"],
        ),
        (lambda: qm.paired_comparison(Y, GROUPS, PROBA, PROBA[:1]), ["proba_b", "same seeds"]),
        (
            lambda: qm.paired_comparison(Y, GROUPS, PROBA, PROBA, metrics=("acc",)),
            ["unknown metric", "accuracy"],
        ),
        (
            lambda: qm.paired_comparison(Y, GROUPS, PROBA, PROBA, metrics=("count",)),
            ["not an overall metric"],
        ),
        (lambda: qm.paired_comparison(Y, None, PROBA, PROBA), ["need a sensitive feature"]),
        (lambda: qm.variance_decomposition(Y, PROBA), ["seeds, shot_draws, rows"]),
        (lambda: qm.t_interval([]), ["values", "non-empty"]),
    ],
)
def test_bad_input_raises_input_error_with_useful_message(call, fragments):
    with pytest.raises(InputError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_metric_metadata_covers_every_reported_metric():
    frame = qm.StackMetricFrame(Y, PROBA, sensitive_features=GROUPS)
    for key in (*frame.overall, *frame.by_group):
        info = qm.metric_info(key)
        assert info.key == key
        assert info.name
        assert info.meaning
        assert "\n" not in info.meaning
        assert info.better in ("higher", "lower", "closer_to_1", None)
    assert qm.METRIC_INFO["disparate_impact_ratio"].better == "closer_to_1"
    assert qm.METRIC_INFO["equalized_odds_difference"].better == "lower"
    assert qm.METRIC_INFO["auc"].better == "higher"
    assert tuple(qm.METRIC_INFO) == qm.METRIC_NAMES
    assert qm.disparate_impact_ratio is qm.demographic_parity_ratio
