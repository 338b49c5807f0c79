"""Numbers as callers hand them over: Python's, NumPy's scalars, or anything else registered as a real number.

Why one place: ``isinstance(x, int | float)`` refuses ``np.float32(0.01)`` (NumPy's 32-bit float is no Python
float) and accepts ``True`` (a bool is an int), so a check written that way tells a NumPy user their valid
epsilon is "outside (0, 1]". The :mod:`numbers` ABCs know NumPy's scalar types; booleans are refused
explicitly, and every accepted value is handed on as a plain Python number, so it serialises to JSON.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from qtrust.errors import InputError


def is_real(value: object) -> bool:
    """True for a finite real number of any registered type (Python, NumPy), never for a bool."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(float(value))  # type: ignore[arg-type]
    )


def as_real(value: object, where: str) -> float:
    """``value`` as a Python float, or an :class:`InputError` naming ``where`` when it is no real number."""
    if not is_real(value):
        raise InputError(
            f"{where} = {value!r} is not a finite number", where=where, fix="give a number such as 0.01"
        )
    return float(value)  # type: ignore[arg-type]


def as_whole(value: object, where: str) -> int:
    """``value`` as a Python int (a NumPy integer included), or an :class:`InputError`: 2.0 and True are no
    whole numbers here, as they are not for :func:`operator.index`."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise InputError(f"{where} = {value!r} is not a whole number", where=where, fix="give an integer")
    return int(value)


#: The largest integer every JSON reader keeps exact. I-JSON (RFC 7493, section 2.2) limits interoperable
#: integers to ±(2**53 − 1): readers that parse numbers as IEEE doubles — in-toto's protobuf Struct among
#: them — turn 2**53 + 1 into 2**53, and an auditor re-running from the parsed record would get another seed.
MAX_EXACT_INT = 2**53 - 1


def inexact_integers(value: object, path: str = "") -> list[str]:
    """Where in a JSON-shaped ``value`` an integer lies beyond ±(2**53 − 1) (paths like ``predicate.seed``)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, numbers.Integral):
        return [path or "(value)"] if abs(int(value)) > MAX_EXACT_INT else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in inexact_integers(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in inexact_integers(v, f"{path}[{i}]")]
    return []


def as_seed(value: object, where: str, maximum: int = MAX_EXACT_INT) -> int:
    """A seed as a Python int from 0 to ``maximum`` (by default the largest integer JSON keeps exact)."""
    seed = as_whole(value, where)
    if not 0 <= seed <= maximum:
        raise InputError(
            f"{where} = {seed} is outside 0…{maximum}",
            where=where,
            fix=f"use a seed from 0 to {maximum}: larger integers do not survive every JSON reader of the "
            "evidence (I-JSON, RFC 7493)",
        )
    return seed
