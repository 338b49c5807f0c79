"""The one feature-matrix check that the simulator, estimators, adapters and assessments share."""

from __future__ import annotations

import numpy as np
import pytest

from qtrust.errors import InputError
from qtrust.quantum.inputs import check_features


def test_a_good_matrix_comes_back_as_floats():
    X = check_features([[0, 1], [2, 3]], where="X", n_features=2)
    assert X.dtype == np.float64
    assert X.shape == (2, 2)


@pytest.mark.parametrize(
    ("X", "kwargs", "message"),
    [
        (np.zeros(3), {}, "expected a 2-D feature array, got shape (3,)"),
        (np.zeros((2, 3)), {"n_features": 2}, "with 2 features per row, got shape (2, 3)"),
        (np.zeros((2, 1)), {"n_features": 2, "at_least": True}, "with at least 2 features per row"),
        (np.array([[0.0, np.inf]]), {}, "NaN or infinite"),
        (np.array([[0.0, np.nan]]), {"n_features": 2}, "NaN or infinite"),
    ],
)
def test_bad_matrices_are_named_where_they_came_in(X, kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        check_features(X, where="design.X", **kwargs)
    assert caught.value.where == "design.X"


def test_extra_columns_pass_when_allowed_and_nan_when_not_checked():
    assert check_features(np.zeros((1, 5)), where="X", n_features=2, at_least=True).shape == (1, 5)
    assert np.isnan(check_features([[np.nan]], where="X", finite=False)[0, 0])
