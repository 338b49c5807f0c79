"""Feedback: the true outcomes of earlier predictions, checked before they touch the prediction log.

A label names the request id the service answered with and the row's position in that request; it is 0 or
1 in the model's own coding (1 = the favourable outcome). Labels are what accuracy and the per-group
error-rate gaps of a running model are computed from, so a bad one is refused whole, never half-stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qtrust.errors import InputError

_REQUEST_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Label:
    request_id: str
    row: int
    label: int


def check_labels(body: Any, max_labels: int) -> list[Label]:
    """The labels of a feedback body, or an InputError naming the first bad field."""
    if not isinstance(body, dict) or set(body) != {"labels"}:
        raise InputError("unexpected body", where="body", fix='send {"labels": [...]}')
    items = body["labels"]
    if not isinstance(items, list) or not items:
        raise InputError("no labels", where="labels", fix="send a list of one or more labels")
    if len(items) > max_labels:
        raise InputError(
            f"{len(items)} labels in one request", where="labels", fix=f"send at most {max_labels}"
        )
    labels = []
    for index, item in enumerate(items):
        where = f"labels[{index}]"
        if not isinstance(item, dict) or set(item) != {"request_id", "row", "label"}:
            raise InputError("a label is not {request_id, row, label}", where=where, fix="send exactly those")
        request_id, row, label = item["request_id"], item["row"], item["label"]
        if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
            raise InputError(
                "not a request id this service issued", where=f"{where}.request_id", fix="32 hex digits"
            )
        if isinstance(row, bool) or not isinstance(row, int) or row < 0:
            raise InputError(f"{row!r} is not a row number", where=f"{where}.row", fix="0, 1, 2, ...")
        if isinstance(label, bool) or label not in (0, 1):
            raise InputError(
                f"{label!r} is not a label", where=f"{where}.label", fix="0 or 1 (1 = favourable)"
            )
        labels.append(Label(request_id, row, int(label)))
    return labels
