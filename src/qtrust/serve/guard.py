"""The guard: answer every request, from the quantum model when it can and from the classical fallback when
it cannot, and say which answered and why.

Per request: the rows are checked against the artefact's feature schema (a bad field is named, never a
crash), encoded to angles on the server, and the fallback's answer is computed first (it is cheap and is
the answer whenever the quantum path fails). Then, if the circuit breaker admits a call, the backend gets
only the angles (egress policy) and a deadline: an error, a timeout or an open breaker answers every row
from the fallback with the reason. With shots configured, each row's decision goes through the shot-aware
rule, and a row that stays within shot noise of the threshold is answered by the fallback, said so.
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from qtrust.errors import InputError
from qtrust.seeding import derive_seed
from qtrust.serve.artefact import Artefact
from qtrust.serve.backends import QuantumBackend
from qtrust.serve.breaker import CircuitBreaker
from qtrust.serve.egress import EgressLog, EgressPolicy, outbound
from qtrust.serve.routing import Route
from qtrust.serve.row_encoder import row_encoder
from qtrust.serve.shot_rule import decide_with_shots
from qtrust.serve.traffic_window import TrafficWindow


@dataclass(frozen=True)
class GuardSettings:
    latency_budget: float = 2.0  # seconds the backend may take for one request
    shots: int | None = None  # None: exact probabilities; else the first draw of the shot-aware rule
    shot_budget: int = 8_000  # most shots per row when re-measuring
    confidence: float = 0.95
    max_rows: int = 1_000


@dataclass(frozen=True)
class Answer:
    row: int
    probability: float
    decision: int
    answered_by: Literal["quantum", "fallback", "classical"]  # classical: routed there by a rollout
    reason: str
    shots: int = 0
    seeds: tuple[int, ...] = field(default=())
    egress_sha256: str | None = None
    group: str | None = None  # the caller's group, for the prediction log only
    classical_probability: float | None = (
        None  # the classical model's answer on the same row (always computed)
    )
    rollout: str | None = None  # the rollout step that routed the request, if any


def _accepted_range(item: Mapping[str, Any]) -> tuple[float, float]:
    """The training range widened by its own width on each side: new data may stray past the training
    extremes (the encoding clips those angles), but a value far beyond them is more likely an error (a unit,
    a typo) than an input the audit speaks for."""
    span = float(item["max"]) - float(item["min"])
    return float(item["min"]) - span, float(item["max"]) + span


@dataclass(frozen=True)
class CheckedRows:
    """The model's inputs (each row's feature values, nothing else), and each row's group (None if not given)."""

    rows: tuple[dict[str, Any], ...]
    columns: tuple[str, ...]
    groups: tuple[str | None, ...]

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a frame in the schema's column order (what scikit-learn's encoder takes)."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


def check_rows(
    rows: Sequence[Mapping[str, Any]],
    schema: Sequence[Mapping[str, Any]],
    max_rows: int,
    group: Mapping[str, Any] | None = None,
) -> CheckedRows:
    """The rows checked against the schema, or an InputError naming the first bad field.

    ``group``: the artefact's sensitive attribute (``name`` and known ``values``). A row may carry it under
    that name, so that monitoring can compare groups; it is checked, kept for the prediction log, and
    never becomes a model input, so it never reaches the backend.
    """
    if not isinstance(rows, Sequence) or not rows:
        raise InputError("no rows to predict", where="rows", fix="send a list of one or more rows")
    if len(rows) > max_rows:
        raise InputError(
            f"{len(rows)} rows in one request", where="rows", fix=f"send at most {max_rows} rows"
        )
    names = [item["name"] for item in schema]
    group_name = group["name"] if group is not None and group["name"] not in names else None
    groups: list[str | None] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(
                "a row is not an object of feature values",
                where=f"rows[{index}]",
                fix="send name: value pairs",
            )
        unknown = sorted(set(row) - set(names) - {group_name})
        missing = [name for name in names if name not in row]
        if unknown or missing:
            problem = f"unknown field(s) {unknown}" if unknown else f"missing field(s) {missing}"
            optional = f" (and optionally {group_name})" if group_name else ""
            raise InputError(
                problem, where=f"rows[{index}]", fix=f"send exactly: {', '.join(names)}{optional}"
            )
        groups.append(_group_of(row, group_name, group, index))
        for item in schema:
            value, where = row[item["name"]], f"rows[{index}].{item['name']}"
            if item["type"] == "number":
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    raise InputError(f"{value!r} is not a finite number", where=where, fix="send a number")
                low, high = _accepted_range(item)
                if not low <= value <= high:
                    raise InputError(
                        f"{value} is far outside the range the model was audited on "
                        f"[{item['min']:g}, {item['max']:g}] (accepted: [{low:g}, {high:g}])",
                        where=where,
                        fix="check the value and its unit; the model was never audited on such inputs",
                    )
            elif str(value) not in item["values"]:
                raise InputError(
                    f"{value!r} is not a known category",
                    where=where,
                    fix=f"one of: {', '.join(item['values'])}",
                )
    inputs = tuple({name: row[name] for name in names} for row in rows)
    return CheckedRows(inputs, tuple(names), tuple(groups))


def _group_of(
    row: Mapping[str, Any], name: str | None, group: Mapping[str, Any] | None, index: int
) -> str | None:
    if name is None or name not in row:
        return None
    value, known = row[name], [str(v) for v in (group or {}).get("values", ())]
    if not isinstance(value, str) or (known and value not in known):
        raise InputError(
            f"{value!r} is not a group of {name}",
            where=f"rows[{index}].{name}",
            fix=f"one of: {', '.join(known)}" if known else "send the group as text",
        )
    return value


class Guard:
    """Answers rows with the quantum model behind a breaker and a deadline, or with the fallback."""

    def __init__(
        self,
        artefact: Artefact,
        backend: QuantumBackend,
        settings: GuardSettings | None = None,
        breaker: CircuitBreaker | None = None,
        window: TrafficWindow | None = None,
    ) -> None:
        self.artefact = artefact
        self.window = window  # recent traffic for drift monitoring (memory only)
        self.backend = backend
        self.settings = settings or GuardSettings()
        self.breaker = breaker or CircuitBreaker()
        egress = artefact.manifest["egress"]
        self.policy = EgressPolicy(tuple(egress["allowed"]), dict(egress["widths"]))
        self.egress_log = EgressLog()
        self.encoder = row_encoder(artefact.preprocessor)  # None: scikit-learn encodes (other shapes)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="qtrust-backend")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _quantum(
        self, angles: np.ndarray, seed: int
    ) -> list[tuple[float, int | None, int, tuple[int, ...], str]]:
        threshold, settings = self.artefact.threshold, self.settings
        if settings.shots is None:
            sent = outbound(self.policy, {"angles": angles})
            self.egress_log.record(sent)
            return [
                (
                    float(p),
                    int(p >= threshold),
                    0,
                    (),
                    "exact probability from the quantum backend",
                    sent.sha256,
                )
                for p in self.backend.probabilities(sent)
            ]
        answers = []
        for index in range(len(angles)):
            one = outbound(self.policy, {"angles": angles[index : index + 1]})
            self.egress_log.record(one)
            result = decide_with_shots(
                lambda shots, draw_seed, one=one: int(self.backend.counts(one, shots, draw_seed)[0]),
                threshold=threshold,
                confidence=settings.confidence,
                first_shots=settings.shots,
                budget=settings.shot_budget,
                seed=derive_seed(seed, "row", index),
            )
            answers.append(
                (result.probability, result.decision, result.shots, result.seeds, result.reason, one.sha256)
            )
        return answers

    def _seen(
        self, rows: Sequence[Mapping[str, Any]], angles: np.ndarray, answers: list[Answer]
    ) -> list[Answer]:
        """Keep the request in the drift monitor's window (if there is one), then answer."""
        if self.window is not None:
            quantum = [a.probability if a.answered_by == "quantum" else None for a in answers]
            groups = [a.group for a in answers]
            decisions = [a.decision for a in answers]
            self.window.add(rows, angles, quantum, self.settings.shots, groups, decisions)
        return answers

    def predict(
        self, rows: Sequence[Mapping[str, Any]], *, seed: int = 0, route: Route | None = None
    ) -> list[Answer]:
        """Answer ``rows``; a ``route`` to the classical variant (a rollout's cohort) answers from the classical
        model without calling the backend. The classical answer is computed for every row either way: it is
        the fallback, and monitoring compares the two models on the same traffic."""
        checked = check_rows(
            rows,
            self.artefact.manifest["features"],
            self.settings.max_rows,
            self.artefact.manifest.get("group"),
        )
        groups, n_rows = checked.groups, len(checked.rows)
        angles = (
            self.encoder.encode(checked.rows)
            if self.encoder is not None
            else self.artefact.preprocessor.transform(checked.frame)
        )
        fallback_p = self.artefact.fallback.predict_proba(angles)[:, 1]
        fallback_y = self.artefact.fallback.predict(angles)

        rollout = route.rollout if route is not None else None

        def from_fallback(reason: str, by: Literal["fallback", "classical"] = "fallback") -> list[Answer]:
            return [
                Answer(
                    i,
                    float(fallback_p[i]),
                    int(fallback_y[i]),
                    by,
                    reason,
                    group=groups[i],
                    classical_probability=float(fallback_p[i]),
                    rollout=rollout,
                )
                for i in range(n_rows)
            ]

        if route is not None and route.variant == "classical":
            return self._seen(checked.rows, angles, from_fallback(route.reason, "classical"))

        if not self.breaker.allow():
            return self._seen(
                checked.rows, angles, from_fallback("the quantum backend is failing (circuit breaker open)")
            )
        future = self._pool.submit(self._quantum, angles, seed)
        try:
            quantum = future.result(timeout=self.settings.latency_budget)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self.breaker.record_failure()
            return self._seen(
                checked.rows,
                angles,
                from_fallback(
                    f"the quantum backend did not answer within {self.settings.latency_budget:g} s"
                ),
            )
        except Exception as error:  # any backend failure: the request is still answered
            self.breaker.record_failure()
            return self._seen(
                checked.rows, angles, from_fallback(f"the quantum backend failed: {type(error).__name__}")
            )
        self.breaker.record_success()
        answers = []
        for i, (p, decision, shots, seeds, reason, sent) in enumerate(quantum):
            if decision is None:
                answers.append(
                    Answer(
                        i,
                        float(fallback_p[i]),
                        int(fallback_y[i]),
                        "fallback",
                        f"deferred: {reason}",
                        shots,
                        seeds,
                        sent,
                        groups[i],
                        float(fallback_p[i]),
                        rollout,
                    )
                )
            else:
                answers.append(
                    Answer(
                        i,
                        p,
                        decision,
                        "quantum",
                        reason,
                        shots,
                        seeds,
                        sent,
                        groups[i],
                        float(fallback_p[i]),
                        rollout,
                    )
                )
        return self._seen(checked.rows, angles, answers)
