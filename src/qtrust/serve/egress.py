"""The data-egress guard: what may leave the server for a quantum backend, enforced and logged.

A quantum backend is usually someone else's machine. The circuit needs only the encoded angles of its
features — never the raw columns, identifiers or the sensitive attribute — so an :class:`EgressPolicy`
names the fields that may be sent, everything else is refused before a call is made, and each call is
logged as the sha256 of exactly the bytes sent (canonical JSON of the payload), which an auditor can
recompute from the prediction log.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from qtrust.encoding import canonical_json
from qtrust.errors import InputError


@dataclass(frozen=True)
class EgressPolicy:
    """The payload fields a backend may receive (e.g. ``("angles",)``) and the column count of each."""

    allowed: tuple[str, ...]
    widths: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def angles_only(cls, n_features: int) -> EgressPolicy:
        """The default: one matrix of encoded angles, exactly as wide as the circuit's features."""
        return cls(("angles",), {"angles": n_features})


@dataclass(frozen=True)
class Outbound:
    """What is sent to the backend, as canonical bytes, and their digest."""

    payload: dict[str, list[list[float]]]
    body: bytes
    sha256: str


def outbound(policy: EgressPolicy, fields: Mapping[str, np.ndarray]) -> Outbound:
    """The payload for a backend call, refused if it holds a field the policy does not allow."""
    refused = sorted(set(fields) - set(policy.allowed))
    if refused:
        raise InputError(
            f"refusing to send {', '.join(refused)} to the quantum backend: only {', '.join(policy.allowed)} may leave",
            where="egress policy",
            fix="send only the encoded angles the circuit needs; declare any other field in the artefact's egress policy",
        )
    payload: dict[str, list[list[float]]] = {}
    for name, values in fields.items():
        matrix = np.asarray(values, dtype=float)
        width = policy.widths.get(name)
        if matrix.ndim != 2 or (width is not None and matrix.shape[1] != width):
            raise InputError(
                f"{name} of shape {matrix.shape} is not the declared {width}-column matrix",
                where="egress policy",
                fix="send one row per request row and one column per encoded feature",
            )
        payload[name] = matrix.tolist()
    body = canonical_json(payload)
    return Outbound(payload, body, hashlib.sha256(body).hexdigest())


class EgressLog:
    """The digests of every payload sent, in order (thread-safe): what the prediction log will carry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digests: list[str] = []

    def record(self, sent: Outbound) -> str:
        with self._lock:
            self._digests.append(sent.sha256)
        return sent.sha256

    def digests(self) -> Sequence[str]:
        with self._lock:
            return tuple(self._digests)
