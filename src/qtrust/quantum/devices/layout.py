"""Layouts: which physical qubit each logical wire runs on, how good a layout is, and routing between qubits.

A layout's score adds its qubits' costs and the CNOT errors between consecutive wires (routed along the
shortest operational path when not coupled), so ``best`` / ``worst`` compare layouts by the noise a circuit
would meet on them.
"""

from __future__ import annotations

import heapq
import itertools
import math
import statistics
from collections.abc import Sequence

from qtrust.errors import InputError
from qtrust.quantum.devices.channels import _relaxation_trace, compose_errors
from qtrust.quantum.devices.snapshot import Coupling, _Snapshot


def _t1t2(snap: _Snapshot, q: int) -> tuple[float, float]:
    cal = snap.qubits[q]
    assert cal.t1_ns is not None
    assert cal.t2_ns is not None
    return cal.t1_ns, cal.t2_ns


def _layer_ns(snap: _Snapshot) -> float:
    if snap.couplings:
        return float(statistics.median(c.duration_ns for c in snap.couplings.values()))
    return float(statistics.median(snap.qubits[q].sx[1] for q in snap.operational))  # type: ignore[index]


def qubit_cost(snap: _Snapshot, q: int) -> float:
    """Readout error (mean of p01, p10) + sx error + relaxation infidelity over one layer."""
    cal = snap.qubits[q]
    assert cal.p01 is not None
    assert cal.p10 is not None
    assert cal.sx is not None
    relax = (3.0 - _relaxation_trace(_layer_ns(snap), *_t1t2(snap, q))) / 6.0
    return (cal.p01 + cal.p10) / 2.0 + cal.sx[0] + relax


def _route(snap: _Snapshot, a: int, b: int) -> tuple[int, ...] | None:
    """The shortest path a … b over operational couplings (fewest hops, then lowest summed 2q error)."""
    key = (a, b)
    if key not in snap.routes:
        best: dict[int, tuple[int, float]] = {a: (0, 0.0)}
        heap: list[tuple[int, float, tuple[int, ...]]] = [(0, 0.0, (a,))]
        found = None
        while heap:
            hops, err, path = heapq.heappop(heap)
            node = path[-1]
            if node == b:
                found = path
                break
            if best.get(node, (hops, err)) < (hops, err):
                continue
            for nb in snap.adjacency.get(node, []):
                cost = (hops + 1, err + snap.coupling(node, nb).error)
                if nb not in best or cost < best[nb]:
                    best[nb] = cost
                    heapq.heappush(heap, (*cost, (*path, nb)))
        snap.routes[key] = found
    return snap.routes[key]


def _pair_natives(snap: _Snapshot, path: tuple[int, ...], count: int) -> list[Coupling]:
    edges = [snap.coupling(u, v) for u, v in itertools.pairwise(path)]
    return [e for e in edges[:-1] for _ in range(3)] + [edges[-1]] * count


def _pair_cost(snap: _Snapshot, a: int, b: int) -> float:
    path = _route(snap, a, b)
    if path is None:
        return math.inf
    return compose_errors([c.error for c in _pair_natives(snap, path, 1)], 4)


def layout_score(snap: _Snapshot, layout: Sequence[int]) -> float:
    """Σ qubit costs + Σ CNOT errors of consecutive logical wires (routed when not coupled)."""
    return sum(qubit_cost(snap, q) for q in layout) + sum(
        _pair_cost(snap, u, v) for u, v in itertools.pairwise(layout)
    )


def _grow(snap: _Snapshot, start: int, n: int, worst: bool) -> list[int] | None:
    sign = -1.0 if worst else 1.0
    path, used = [start], {start}
    while len(path) < n:
        options = [
            (sign * (qubit_cost(snap, nb) + snap.coupling(end, nb).error), nb, side)
            for side, end in ((0, path[-1]), (1, path[0]))
            for nb in snap.adjacency.get(end, [])
            if nb not in used
        ]
        if options:
            _, nb, side = min(options)
            path.insert(len(path) if side == 0 else 0, nb)
        else:  # the chain is stuck: attach any neighbour of the set at the tail (that pair gets routed)
            attach = [
                (sign * (qubit_cost(snap, nb) + _pair_cost(snap, path[-1], nb)), nb)
                for member in sorted(used)
                for nb in snap.adjacency.get(member, [])
                if nb not in used
            ]
            if not attach:
                return None
            nb = min(attach)[1]
            path.append(nb)
        used.add(nb)
    return path


def choose_layout(snap: _Snapshot, n: int, worst: bool = False) -> tuple[int, ...]:
    """The best (lowest score) or worst (highest score) connected layout found by greedy chain growth."""
    candidates = []
    for start in snap.operational:
        path = _grow(snap, start, n, worst)
        if path is not None:
            score = layout_score(snap, path)
            candidates.append(((-score if worst else score), tuple(path)))
    if not candidates:
        raise InputError(
            f"{snap.name} has no connected set of {n} operational qubits",
            where="qubits",
            fix="ask for fewer qubits or choose a larger device",
        )
    return min(candidates)[1]


def _parse_layout(snap: _Snapshot, n: int, layout: str | Sequence[int]) -> tuple[str, tuple[int, ...]]:
    where = "layout"
    if isinstance(layout, str):
        text = layout.strip().lower()
        if text in ("best", "worst"):
            return text, choose_layout(snap, n, worst=text == "worst")
        try:
            layout = [int(part) for part in text.replace(" ", "").split(",") if part != ""]
        except ValueError:
            raise InputError(
                f"layout {layout!r} is neither 'best', 'worst' nor a list of physical qubits",
                where=where,
                fix="use best, worst, or comma-separated qubit numbers such as 0,1,2",
            ) from None
    qubits = tuple(int(q) for q in layout)
    if len(qubits) != n:
        raise InputError(
            f"layout {list(qubits)} has {len(qubits)} qubits, the circuit has {n}",
            where=where,
            fix=f"give exactly {n} physical qubits, one per logical wire",
        )
    repeated = sorted({q for q in qubits if qubits.count(q) > 1})
    if repeated:
        raise InputError(
            f"layout {list(qubits)} repeats qubit(s) {repeated}",
            where=where,
            fix="give distinct physical qubits",
        )
    out_of_range = [q for q in qubits if not 0 <= q < snap.n_qubits]
    if out_of_range:
        raise InputError(
            f"layout qubit(s) {out_of_range} not on {snap.name} (qubits 0..{snap.n_qubits - 1})",
            where=where,
            fix=f"use qubits between 0 and {snap.n_qubits - 1}",
        )
    broken = [f"{q} ({snap.qubits[q].problem})" for q in qubits if not snap.qubits[q].operational]
    if broken:
        raise InputError(
            f"layout uses qubits that are not operational in the snapshot: {', '.join(broken)}",
            where=where,
            fix="choose other qubits, or layout best",
        )
    for i, u in enumerate(qubits):
        for v in qubits[i + 1 :]:
            if _route(snap, u, v) is None:
                raise InputError(
                    f"physical qubits {u} and {v} are not connected by operational couplings",
                    where=where,
                    fix="choose qubits in one connected region, or layout best",
                )
    return ",".join(map(str, qubits)), qubits
