"""Angles: a Qiskit ``ParameterExpression`` read exactly as a qtrust :class:`~qtrust.quantum.circuit.Angle`.

qtrust angles are polynomials: a constant, linear terms in inputs and weights, and products of two inputs
(the ZZ feature map's 2(π − x_i)(π − x_j)). The expression is read through its symbolic derivatives and the
reading is checked against Qiskit's own evaluation at random points, so anything else (a weight times an
input, sin(x)) is refused with the gate and the expression named, never approximated.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from qtrust.errors import InputError
from qtrust.quantum.circuit import Angle


def _number(value: Any, where: str, text: str) -> float | None:
    """A real number, or None when ``value`` still depends on parameters."""
    from qiskit.circuit import ParameterExpression

    if isinstance(value, ParameterExpression):
        if value.parameters:
            return None
        value = value.numeric()
    number = complex(value)
    if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)):
        raise InputError(
            f"angle {text} is complex",
            where=where,
            fix="use real rotation angles (real parameter expressions)",
        )
    return float(number.real)


def _at_zero(expr: Any, where: str, text: str) -> float:
    from qiskit.circuit import ParameterExpression

    if isinstance(expr, ParameterExpression) and expr.parameters:
        expr = expr.bind(dict.fromkeys(expr.parameters, 0.0))
    value = _number(expr, where, text)
    assert value is not None
    return value


def _angle(value: Any, roles: dict[Any, tuple[str, int]], where: str) -> Angle:
    """``value`` (a number or ParameterExpression) as an :class:`Angle`, or an InputError saying why not."""
    from qiskit.circuit import ParameterExpression

    text = str(value)
    if not isinstance(value, ParameterExpression) or not value.parameters:
        number = _number(value, where, text)
        assert number is not None
        return Angle(const=number)
    params = sorted(value.parameters, key=lambda p: (roles[p][0] == "weight", roles[p][1]))

    def refuse(reason: str) -> InputError:
        return InputError(
            f"angle {text} {reason}",
            where=where,
            fix="qtrust angles are const + linear terms in inputs and weights + products of two inputs "
            "(as in ZZ feature maps); move other functions of the data into preprocessing",
        )

    try:
        first = {p: value.gradient(p) for p in params}
        second: dict[tuple[Any, Any], float] = {}
        for a, b in itertools.combinations_with_replacement(params, 2):
            g = first[a]
            h = g.gradient(b) if isinstance(g, ParameterExpression) else 0.0
            number = _number(h, where, text)
            if number is None:
                raise refuse("is not a polynomial of degree at most 2 in the parameters")
            second[(a, b)] = number
        const = _at_zero(value, where, text)
        linear = {p: _at_zero(first[p], where, text) for p in params}
    except InputError:
        raise
    except Exception as exc:  # symbolic differentiation of an unsupported function
        raise refuse(f"cannot be read as a polynomial ({exc})") from exc
    features, weights, products = [], [], []
    for p in params:
        kind, i = roles[p]
        if linear[p] != 0.0:
            (features if kind == "input" else weights).append((i, linear[p]))
    for (a, b), h in second.items():
        if abs(h) <= 1e-14:  # symbolic derivatives of cancelling terms may leave rounding residue
            continue
        (ka, i), (kb, j) = roles[a], roles[b]
        if ka != "input" or kb != "input":
            what = "a product of a weight and an input" if ka != kb else "a product of weights"
            raise refuse(f"contains {what} ({a.name}·{b.name})")
        products.append((i, j, h if a != b else h / 2.0, 0.0))
    angle = _factor_shift(Angle(const, tuple(features), tuple(products), tuple(weights)))
    _check_angle(value, angle, params, roles, refuse)
    return angle


def _factor_shift(angle: Angle) -> Angle:
    """Write a lone c·x_i·x_j with matching linear terms as c·(s − x_i)(s − x_j), as qtrust's ZZ map does."""
    if len(angle.feature_products) != 1 or len(angle.features) != 2:
        return angle
    i, j, c, _ = angle.feature_products[0]
    lin = dict(angle.features)
    if i == j or set(lin) != {i, j} or not np.isclose(lin[i], lin[j], rtol=1e-12, atol=0.0):
        return angle
    s = -lin[i] / c
    const = angle.const - c * s * s
    const = 0.0 if abs(const) <= 1e-12 * max(1.0, abs(angle.const)) else const
    return Angle(const, (), ((i, j, c, s),), angle.weights)


def _check_angle(value: Any, angle: Angle, params: list, roles: dict, refuse: Callable) -> None:
    """Compare the reading with Qiskit's own evaluation at random points (catches non-polynomial terms)."""
    rng = np.random.default_rng(20240611)
    n_in = 1 + max((roles[p][1] for p in params if roles[p][0] == "input"), default=-1)
    n_w = 1 + max((roles[p][1] for p in params if roles[p][0] == "weight"), default=-1)
    for _ in range(3):
        x = rng.uniform(-2.0, 2.0, (1, n_in))
        w = rng.uniform(-2.0, 2.0, n_w)
        bound = value.bind(
            {p: (x[0, roles[p][1]] if roles[p][0] == "input" else w[roles[p][1]]) for p in params}
        )
        expected = float(complex(bound.numeric()).real)
        got = float(np.asarray(angle.evaluate(x, w)).reshape(-1)[0])
        if abs(got - expected) > 1e-9 * max(1.0, abs(expected)):
            raise refuse("is not a polynomial of degree at most 2 in the parameters")
