"""One fake backend's calibration snapshot, parsed: per-qubit calibrations and the usable couplings.

The snapshot files (``props_*.json``, ``conf_*.json``) ship with qiskit-ibm-runtime and are read here as
plain JSON, so parsing needs no Qiskit import. Broken elements (IBM marks them with error 1) and qubits
missing a calibration are kept with the reason, never used, and listed in the snapshot's notes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

NATIVE_TWO_QUBIT: tuple[str, ...] = ("cx", "ecr", "cz")

#: The calibrated gate that plays each pulse role, newest basis first (u2 / u3 in pre-2021 snapshots).
PULSE_GATES: dict[str, tuple[str, ...]] = {"sx": ("sx", "u2"), "x": ("x", "u3", "u")}

#: What qiskit-ibm-runtime itself says about snapshots that do not stand for a real device's calibration.
CAVEATS: dict[str, str] = {
    "fake_nighthawk": "qiskit-ibm-runtime warns that fake_nighthawk's properties are not intended to represent "
    "typical Nighthawk error values",
    "fake_fractional": "a mock backend modelled on fake_lima (fractional-gate demo), not a device of its own",
}

BROKEN = 0.5  # a gate or readout error at or above this marks a broken element

_TIME_UNITS = {"s": 1e9, "ms": 1e6, "us": 1e3, "µs": 1e3, "μs": 1e3, "ns": 1.0}

#: (error, duration ns, date) of each calibrated gate, by (gate name, qubits).
_GateCalibrations = dict[tuple[str, tuple[int, ...]], tuple[float | None, float | None, str]]


@dataclass(frozen=True)
class QubitCalibration:
    """One physical qubit's numbers from the snapshot (times in ns; ``problem`` says why it is unusable)."""

    qubit: int
    t1_ns: float | None
    t2_ns: float | None
    p01: float | None
    p10: float | None
    readout_error: float | None
    sx: tuple[float, float] | None  # (error, duration ns) of the √X pulse
    x: tuple[float, float] | None  # (error, duration ns) of the X pulse
    dates: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def operational(self) -> bool:
        return self.problem is None

    @property
    def t2_used_ns(self) -> float:
        assert self.t1_ns is not None
        assert self.t2_ns is not None
        return min(self.t2_ns, 2.0 * self.t1_ns)


@dataclass(frozen=True)
class Coupling:
    """A coupling's best calibrated native two-qubit gate (the lower-error direction)."""

    qubits: tuple[int, int]
    gate: str
    error: float
    duration_ns: float
    date: str = ""


@dataclass
class _Snapshot:
    name: str
    backend_class: str
    backend_name: str
    backend_version: str
    calibration_date: str
    n_qubits: int
    basis_gates: tuple[str, ...]
    qubits: list[QubitCalibration]
    couplings: dict[tuple[int, int], Coupling]
    notes: list[str] = field(default_factory=list)
    adjacency: dict[int, list[int]] = field(default_factory=dict)
    routes: dict[tuple[int, int], tuple[int, ...] | None] = field(default_factory=dict)

    def coupling(self, a: int, b: int) -> Coupling:
        return self.couplings[(min(a, b), max(a, b))]

    @property
    def operational(self) -> list[int]:
        return [q.qubit for q in self.qubits if q.operational]


def _iso(date: str | None) -> str:
    if not date:
        return ""
    try:
        return datetime.fromisoformat(str(date)).isoformat()
    except ValueError:
        return str(date)


def _chronological(date: str) -> tuple[float, str]:
    try:
        return datetime.fromisoformat(date).timestamp(), date
    except ValueError:
        return math.inf, date


def _time_ns(entry: dict[str, Any]) -> float | None:
    value, unit = entry.get("value"), entry.get("unit", "ns")
    if value is None or unit not in _TIME_UNITS:
        return None
    return float(value) * _TIME_UNITS[unit]


def _qubit_problem(
    t1: float | None, t2: float | None, p01: float | None, p10: float | None, pulses: dict[str, Any]
) -> str | None:
    if not t1 or not t2 or t1 <= 0 or t2 <= 0:
        return "no T1/T2 in the snapshot"
    if p01 is None or p10 is None:
        return "no readout calibration"
    if max(p01, p10) > BROKEN:
        return f"readout error {max(p01, p10):.3g} > {BROKEN}"
    for role, value in pulses.items():
        if value is None:
            return f"no calibrated {role} pulse"
        if value[0] >= BROKEN or value[1] <= 0:
            return f"{role} error {value[0]:.3g} (broken)"
    return None


def _parse(name: str, cls: type) -> _Snapshot:
    """The snapshot of backend class ``cls``, with notes on everything that will not be used and why."""
    directory = Path(cls.dirname)
    props = json.loads((directory / cls.props_filename).read_text())
    conf = json.loads((directory / cls.conf_filename).read_text())
    n = int(conf["n_qubits"])
    basis = tuple(conf.get("basis_gates") or ())
    gate_cal = _gate_calibrations(props)
    qubits = _qubit_calibrations(props, n, gate_cal)
    notes: list[str] = []
    if name in CAVEATS:
        notes.append(CAVEATS[name])
    if "sx" not in basis and "u2" in basis:
        notes.append("pre-2021 u1/u2/u3 snapshot: a u2 counts as the √X pulse and a u3 as the X pulse")
    couplings, broken_couplings = _couplings(conf, basis, gate_cal, qubits)
    bad = [q for q in qubits if not q.operational]
    if bad:
        listed = "; ".join(f"{q.qubit}: {q.problem}" for q in bad[:8]) + ("; ..." if len(bad) > 8 else "")
        notes.append(f"{len(bad)} of {n} qubits not operational in the snapshot, never used ({listed})")
    if broken_couplings:
        notes.append(
            f"{broken_couplings} coupling(s) broken (2q error ≥ {BROKEN}) or on unusable qubits, never used"
        )
    clipped = [q.qubit for q in qubits if q.operational and q.t2_ns > 2 * q.t1_ns]  # type: ignore[operator]
    if clipped:
        notes.append(f"T2 > 2·T1 on qubits {clipped}: T2 clipped to 2·T1")
    snap = _Snapshot(
        name=name,
        backend_class=cls.__name__,
        backend_name=str(props.get("backend_name", "")),
        backend_version=str(props.get("backend_version", conf.get("backend_version", ""))),
        calibration_date=_iso(props.get("last_update_date")),
        n_qubits=n,
        basis_gates=basis,
        qubits=qubits,
        couplings=couplings,
        notes=notes,
    )
    for a, b in couplings:
        snap.adjacency.setdefault(a, []).append(b)
        snap.adjacency.setdefault(b, []).append(a)
    for neighbours in snap.adjacency.values():
        neighbours.sort()
    return snap


def _gate_calibrations(props: dict[str, Any]) -> _GateCalibrations:
    gate_cal: _GateCalibrations = {}
    for gate in props.get("gates") or []:
        params = {p["name"]: p for p in gate.get("parameters") or []}
        error = params.get("gate_error", {}).get("value")
        length = _time_ns(params["gate_length"]) if "gate_length" in params else None
        date = params.get("gate_error", params.get("gate_length", {})).get("date", "")
        gate_cal[(gate["gate"], tuple(gate["qubits"]))] = (error, length, _iso(date))
    return gate_cal


def _pulse(gate_cal: _GateCalibrations, role: str, q: int) -> tuple[tuple[float, float] | None, str]:
    """(error, duration ns) of the calibrated gate that plays ``role`` on qubit ``q``, and its date."""
    for gate in PULSE_GATES[role]:
        error, length, date = gate_cal.get((gate, (q,)), (None, None, ""))
        if error is not None and length is not None:
            return (float(error), float(length)), date
    return None, ""


def _qubit_calibrations(props: dict[str, Any], n: int, gate_cal: _GateCalibrations) -> list[QubitCalibration]:
    qubits: list[QubitCalibration] = []
    raw_qubits = props.get("qubits") or []
    for q in range(n):
        entries = {e["name"]: e for e in (raw_qubits[q] if q < len(raw_qubits) else [])}
        t1 = _time_ns(entries["T1"]) if "T1" in entries else None
        t2 = _time_ns(entries["T2"]) if "T2" in entries else None
        p01 = entries.get("prob_meas1_prep0", {}).get("value")
        p10 = entries.get("prob_meas0_prep1", {}).get("value")
        readout = entries.get("readout_error", {}).get("value")
        (sx, sx_date), (x, x_date) = _pulse(gate_cal, "sx", q), _pulse(gate_cal, "x", q)
        dates = tuple(
            sorted(
                {
                    _iso(entries[k].get("date"))
                    for k in ("T1", "T2", "prob_meas1_prep0", "prob_meas0_prep1")
                    if k in entries and entries[k].get("date")
                }
                | {d for d in (sx_date, x_date) if d}
            )
        )
        qubits.append(
            QubitCalibration(
                q,
                t1,
                t2,
                None if p01 is None else float(p01),
                None if p10 is None else float(p10),
                None if readout is None else float(readout),
                sx,
                x,
                dates,
                _qubit_problem(t1, t2, p01, p10, {"sx": sx, "x": x}),
            )
        )
    return qubits


def _couplings(
    conf: dict[str, Any], basis: tuple[str, ...], gate_cal: _GateCalibrations, qubits: list[QubitCalibration]
) -> tuple[dict[tuple[int, int], Coupling], int]:
    """The usable couplings (each with its lower-error native gate) and how many were broken."""
    couplings: dict[tuple[int, int], Coupling] = {}
    broken_couplings = 0
    edges = {tuple(sorted(e)) for e in conf.get("coupling_map") or [] if len(e) == 2 and e[0] != e[1]}
    for a, b in sorted(edges):
        options = [
            (float(error), float(length), gate, date)
            for gate in NATIVE_TWO_QUBIT
            if gate in basis
            for pair in ((a, b), (b, a))
            for error, length, date in [gate_cal.get((gate, pair), (None, None, ""))]
            if error is not None and length is not None and length > 0
        ]
        if not options:
            continue
        error, length, gate, date = min(options)
        if error >= BROKEN or not (qubits[a].operational and qubits[b].operational):
            broken_couplings += 1
            continue
        couplings[(a, b)] = Coupling((a, b), gate, error, length, date)
    return couplings, broken_couplings
