"""What one rollout step's traffic says: counts read from the prediction log, nothing else.

Only the quantum cohort is judged (rows answered by the quantum model or, when it failed or deferred, by its
fallback); the classical cohort is the control. Every row also carries the classical model's probability on
the same input, so accuracy is compared *paired* (the same labelled rows under both models) and agreement
is measured on the very rows the quantum model answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class GroupCounts:
    rows: int = 0
    positives: int = 0  # decision 1 (the favourable outcome)
    label_positive: int = 0
    true_positive: int = 0  # decision 1 among label 1
    label_negative: int = 0
    false_positive: int = 0  # decision 1 among label 0


@dataclass
class StepStats:
    requests: int = 0  # quantum-cohort requests
    rows: int = 0  # quantum-cohort rows
    errors: int = 0  # answered by the fallback because the backend failed, timed out or its breaker was open
    fallbacks: int = 0  # answered by the fallback for any reason (errors and shot-rule deferrals)
    slow_requests: int = 0  # requests slower than the plan's p99 latency target
    labelled: int = 0
    classical_minus_quantum_correct: int = 0  # Σ over labelled rows of (classical correct − quantum correct)
    quantum_answered: int = 0
    agreeing: int = 0  # quantum-answered rows whose decision equals the classical model's
    classical_rows: int = 0  # the control cohort, for the record
    groups: dict[str, GroupCounts] = field(default_factory=lambda: defaultdict(GroupCounts))

    def to_dict(self) -> dict[str, Any]:
        plain = {k: v for k, v in self.__dict__.items() if k != "groups"}
        return plain | {"groups": {g: vars(c) for g, c in sorted(self.groups.items())}}


def is_error(answered_by: str, reason: str) -> bool:
    """A fallback answer caused by the backend (not a shot-rule deferral, which is the rule working)."""
    return answered_by == "fallback" and not reason.startswith("deferred")


def step_stats(rows: Iterable[Mapping[str, Any]], *, threshold: float, slow_ms: float) -> StepStats:
    """Counts over prediction-log rows (mappings with the log's columns) of one step."""
    stats = StepStats()
    request_latency: dict[str, float] = {}
    for row in rows:
        by = row["answered_by"]
        if by == "classical":
            stats.classical_rows += 1
            continue
        stats.rows += 1
        request_latency[row["request_id"]] = float(row["latency_ms"])
        stats.fallbacks += by == "fallback"
        stats.errors += is_error(by, row["reason"])
        decision = int(row["decision"])
        classical = row.get("classical_probability")
        classical_decision = None if classical is None else int(float(classical) >= threshold)
        if by == "quantum" and classical_decision is not None:
            stats.quantum_answered += 1
            stats.agreeing += decision == classical_decision
        label = row.get("label")
        if label is not None and classical_decision is not None:
            stats.labelled += 1
            stats.classical_minus_quantum_correct += int(classical_decision == label) - int(decision == label)
        group = row.get("group")
        if group is not None:
            counts = stats.groups[group]
            counts.rows += 1
            counts.positives += decision
            if label is not None:
                if int(label) == 1:
                    counts.label_positive += 1
                    counts.true_positive += decision
                else:
                    counts.label_negative += 1
                    counts.false_positive += decision
    stats.requests = len(request_latency)
    stats.slow_requests = sum(latency > slow_ms for latency in request_latency.values())
    stats.groups = dict(stats.groups)
    return stats
