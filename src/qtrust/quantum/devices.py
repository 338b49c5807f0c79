"""Device noise profiles: qtrust noise models built from IBM calibration snapshots.

qiskit-ibm-runtime ships offline "fake" backends, each with a calibration snapshot of a real IBM device
(``props_*.json``: per-qubit T1, T2, readout errors, per-gate errors and durations; ``conf_*.json``: basis
gates and coupling map). These are *snapshots*: one day's calibration, frozen when the package was built,
not the device today. Every model built here says so in its ``source``, with the snapshot's dates.

How a qtrust gate runs on an IBM device (confirmed against Qiskit's transpiler for bases with cx, cz and ecr,
for a generic angle; the table is angle-independent):

===================================  =========================================================
qtrust gate                          physical cost on its wire(s)
===================================  =========================================================
RZ, P, Z, S, T, I                    virtual (frame change): 0 ns, no noise
X, Y                                 one ``x`` pulse (Y = RZ(π)·X up to a phase)
SX, H                                one ``sx`` pulse (H = RZ·SX·RZ up to a phase)
RX, RY                               two ``sx`` pulses (RZ·SX·RZ·SX·RZ)
CNOT, CZ                             one native two-qubit gate (cx, ecr or cz)
RZZ, RXX, RYY, CRX, CRY, CRZ, CP     two native two-qubit gates
SWAP                                 three native two-qubit gates
===================================  =========================================================

Snapshots from the older u1/u2/u3 basis count a ``u2`` as the √X pulse and a ``u3`` as the X pulse. The
single-qubit pulses that dress native two-qubit gates (e.g. two √X for a CNOT on a cz device, six for a
SWAP) are not charged. By the snapshots' medians this understates two-qubit gate errors by 0 % (CNOT, RZZ,
SWAP on cx devices) to ~12 % (cx, ecr devices) and ~10–40 % on cz devices, whose two-qubit errors are the
smallest.

Channels per wire after each gate (order: depolarizing, amplitude damping, phase damping, as Qiskit Aer's
``NoiseModel.from_backend`` composes them), for a gate of duration t on a qubit with T1, T2:

* amplitude damping γ = 1 − exp(−t/T1);
* phase damping γ = 1 − exp(−2t/Tφ) with 1/Tφ = 1/T2 − 1/(2 T1) (T2 clipped to 2 T1), so that with
  qtrust's convention (coherences × √(1−γ)) the coherences decay as exp(−t/T2) in total: this is Qiskit
  Aer's ``thermal_relaxation_error(T1, T2, t)`` at zero temperature;
* depolarizing p chosen so that the average gate infidelity of the composed channel equals the calibrated
  error. For one qubit the channel's Pauli transfer matrix has trace 1 + f·s with f = 1 − 4p/3 and
  s = 2 exp(−t/T2) + exp(−t/T1), so r = (3 − f s)/6 and f = (3 − 6r)/s. A gate of several pulses is charged
  its pulses' total duration and their errors composed as depolarizing polarizations,
  r = (1 − Π(1 − 2 rₖ))/2. If relaxation alone already exceeds the error, p = 0 and the model's error is
  the relaxation's, a little above the calibrated one (listed under ``no_depolarizing`` in ``source``).
* two-qubit gates: the coupling's calibrated error e (d = 4), as independent depolarizing of equal
  strength f on both wires after relaxation of each: the product channel's average gate infidelity
  1 − (4 F₁F₂ + 1)/5 with Fᵢ = (1 + f sᵢ)/4 is matched to e exactly (a quadratic in f). Unlike a
  two-qubit depolarizing channel, the per-wire form puts the error on weight-one Paulis mostly; the
  average infidelity is the same. The channels carry ``operation_wires`` so they hit only that coupling.
* logical pairs on physical qubits that are not coupled are routed along the shortest path of operational
  couplings (fewest hops, then lowest error): one SWAP (3 native gates) per extra hop, then the gate on the
  last coupling; errors composed as depolarizing polarizations (d = 4), durations added, relaxation
  charged on the two end qubits. The intermediate qubits' relaxation and the SWAPs' effect on other
  wires are not modelled, and no swap back is charged.
* readout: P(read 1 | 0) = ``prob_meas1_prep0`` and P(read 0 | 1) = ``prob_meas0_prep1`` of each physical
  qubit, per logical wire.

Not modelled: idle decoherence (qtrust places noise on the wires of each gate only, so a qubit waiting
while others work does not decay; this understates the noise of deep, unbalanced circuits), crosstalk and
ZZ coupling, leakage, coherent (over-rotation) errors, drift, and the device's fractional gates (rx, rzz).

Layouts: a layout maps logical wire i to physical qubit ``layout[i]``. Its score is
Σᵢ [readout error (mean of p01, p10) + sx error + relaxation infidelity over one layer] of each qubit
+ Σᵢ the CNOT error between ``layout[i]`` and ``layout[i+1]`` (routed when not coupled), where "one layer"
is the median duration of the couplings' native two-qubit gates (each coupling's lower-error direction).
``best`` and ``worst`` grow a chain from every operational start qubit, extending either end with the
neighbour that adds the least (most) score, and keep the lowest- (highest-) scoring result; ties go to the
lexicographically smaller layout. Both are chains wherever the coupling map allows (consecutive logical
wires on coupled qubits), so ``worst`` means the worst qubits, not a deliberately bad ordering; on the small
devices checked, ``best`` equals the exhaustive optimum. Only operational qubits and couplings take part:
T1, T2, readout and single-qubit calibrations present, gate and readout errors below 0.5 (IBM marks broken
elements with error 1); a snapshot with no usable two-qubit calibration (fake_kyoto) is skipped.
"""

from __future__ import annotations

import difflib
import heapq
import itertools
import json
import math
import operator
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from qtrust.errors import InputError
from qtrust.quantum.noise import NoiseChannel, NoiseModel

INSTALL_HINT = "pip install 'qtrust[qiskit]'"
SECTIONS: tuple[str, ...] = ("encoding", "trainable")

#: Qtrust gates that cost nothing on IBM hardware (virtual Z rotations) or are no gate at all.
VIRTUAL_GATES: tuple[str, ...] = ("RZ", "P", "Z", "S", "T", "I")
#: Single-qubit gates grouped by physical cost: (gates, pulse role, pulse count).
ONE_QUBIT_RECIPES: tuple[tuple[tuple[str, ...], str, int], ...] = (
    (("X", "Y"), "x", 1),
    (("SX", "H"), "sx", 1),
    (("RX", "RY"), "sx", 2),
)
#: Two-qubit gates grouped by the number of native two-qubit gates they take.
TWO_QUBIT_RECIPES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("CNOT", "CZ"), 1),
    (("RZZ", "RXX", "RYY", "CRX", "CRY", "CRZ", "CP"), 2),
    (("SWAP",), 3),
)
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

APPROXIMATIONS = (
    "gates: RZ/P/Z/S/T/I virtual (no noise); X, Y: 1 x pulse; SX, H: 1 sx; RX, RY: 2 sx; CNOT, CZ: 1 native "
    "2q gate; RZZ, RXX, RYY, CRX, CRY, CRZ, CP: 2; SWAP: 3 (angle-independent; 1q gates dressing native 2q "
    "gates not charged). Per wire after each gate: depolarizing p matched so the average gate infidelity of "
    "depolarizing + relaxation equals the calibrated error (composed over pulses as depolarizing "
    "polarizations), then amplitude damping 1-exp(-t/T1) and phase damping 1-exp(-2t/Tphi), "
    "1/Tphi = 1/T2 - 1/(2 T1), T2 clipped to 2 T1 (Aer thermal_relaxation_error at 0 K). 2q error: equal "
    "per-wire depolarizing on both wires, matched to the 2q average gate infidelity (d=4) exactly, only on "
    "that coupling. Uncoupled pairs: routed along the shortest path (3 native gates per SWAP, errors "
    "composed, durations added, end qubits' relaxation). Not modelled: idle decoherence, crosstalk/ZZ, "
    "leakage, coherent errors, drift, fractional gates."
)


# ----------------------------------------------------------------------------------------------------------
# Snapshots


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


@dataclass(frozen=True)
class DeviceInfo:
    """A device in the catalogue: its snapshot's date and median calibration numbers."""

    name: str
    backend_class: str
    backend_name: str
    n_qubits: int
    n_operational: int
    calibration_date: str
    basis_gates: tuple[str, ...]
    two_qubit_gate: str
    median_t1_us: float | None
    median_t2_us: float | None
    median_readout_error: float | None
    median_1q_error: float | None
    median_2q_error: float | None
    backend_version: str = ""
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend_class": self.backend_class,
            "backend_name": self.backend_name,
            "backend_version": self.backend_version,
            "n_qubits": self.n_qubits,
            "n_operational": self.n_operational,
            "calibration_date": self.calibration_date,
            "basis_gates": list(self.basis_gates),
            "two_qubit_gate": self.two_qubit_gate,
            "median_t1_us": self.median_t1_us,
            "median_t2_us": self.median_t2_us,
            "median_readout_error": self.median_readout_error,
            "median_1q_error": self.median_1q_error,
            "median_2q_error": self.median_2q_error,
            "notes": list(self.notes),
        }


def _fake_provider() -> Any:
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError as error:
        raise InputError(
            f"device noise profiles need qiskit-ibm-runtime's fake backends, which cannot be imported ({error})",
            where="devices",
            fix=INSTALL_HINT,
        ) from None
    return fake_provider


def runtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qiskit-ibm-runtime")
    except PackageNotFoundError:  # pragma: no cover - imported but not installed as a distribution
        return "unknown"


@lru_cache(maxsize=1)
def _backend_classes() -> dict[str, type]:
    """Every fake V2 backend class with a calibration snapshot, by backend name (``fake_manila``)."""
    fake_provider = _fake_provider()
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    found: dict[str, type] = {}
    for obj in vars(fake_provider).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, FakeBackendV2)
            and obj is not FakeBackendV2
            and getattr(obj, "backend_name", None)
            and getattr(obj, "props_filename", None)
            and getattr(obj, "conf_filename", None)
            and getattr(obj, "dirname", None)
        ):
            found.setdefault(obj.backend_name, obj)
    return dict(sorted(found.items()))


def _key(name: str) -> str:
    """``FakeManilaV2``, ``fake_manila``, ``ibmq_manila`` and ``Manila`` all give ``manila``."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    key = re.sub(r"^(fake|ibmq|ibm)", "", key)
    return re.sub(r"v2$", "", key) or key


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for name, cls in _backend_classes().items():
        for alias in (name, cls.__name__):
            aliases.setdefault(_key(alias), name)
    return aliases


def device_names() -> list[str]:
    """The backend names of every fake backend shipped with qiskit-ibm-runtime (``fake_manila``, ...)."""
    return list(_backend_classes())


def resolve_name(name: str) -> str:
    """The canonical device name for any spelling; an unknown name lists suggestions and every device."""
    aliases = _aliases()
    key = _key(str(name))
    if key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, list(aliases), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(aliases[c] for c in close))  # closest first
    hint = f"did you mean {' or '.join(suggestions)}? " if suggestions else ""
    available = [info.name for info in list_devices()]
    raise InputError(
        f"unknown device {name!r}",
        where="device",
        fix=f"{hint}available ({len(available)}): {', '.join(available)}",
    )


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
    directory = Path(cls.dirname)
    props = json.loads((directory / cls.props_filename).read_text())
    conf = json.loads((directory / cls.conf_filename).read_text())
    n = int(conf["n_qubits"])
    basis = tuple(conf.get("basis_gates") or ())
    gate_cal: dict[tuple[str, tuple[int, ...]], tuple[float | None, float | None, str]] = {}
    for gate in props.get("gates") or []:
        params = {p["name"]: p for p in gate.get("parameters") or []}
        error = params.get("gate_error", {}).get("value")
        length = _time_ns(params["gate_length"]) if "gate_length" in params else None
        date = params.get("gate_error", params.get("gate_length", {})).get("date", "")
        gate_cal[(gate["gate"], tuple(gate["qubits"]))] = (error, length, _iso(date))

    def pulse(role: str, q: int) -> tuple[tuple[float, float] | None, str]:
        for gate in PULSE_GATES[role]:
            error, length, date = gate_cal.get((gate, (q,)), (None, None, ""))
            if error is not None and length is not None:
                return (float(error), float(length)), date
        return None, ""

    notes: list[str] = []
    qubits: list[QubitCalibration] = []
    raw_qubits = props.get("qubits") or []
    for q in range(n):
        entries = {e["name"]: e for e in (raw_qubits[q] if q < len(raw_qubits) else [])}
        t1 = _time_ns(entries["T1"]) if "T1" in entries else None
        t2 = _time_ns(entries["T2"]) if "T2" in entries else None
        p01 = entries.get("prob_meas1_prep0", {}).get("value")
        p10 = entries.get("prob_meas0_prep1", {}).get("value")
        readout = entries.get("readout_error", {}).get("value")
        (sx, sx_date), (x, x_date) = pulse("sx", q), pulse("x", q)
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
    if name in CAVEATS:
        notes.append(CAVEATS[name])
    if "sx" not in basis and "u2" in basis:
        notes.append("pre-2021 u1/u2/u3 snapshot: a u2 counts as the √X pulse and a u3 as the X pulse")

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


def _skip_reason(snap: _Snapshot) -> str | None:
    """Why a snapshot cannot make a noise model, or None."""
    if not snap.operational:
        return "no qubit with T1, T2, readout and single-qubit calibrations"
    if snap.n_qubits > 1 and not snap.couplings:
        return "no usable two-qubit gate calibration (every native 2q gate is marked broken, error 1)"
    return None


@cache
def _snapshot(name: str) -> _Snapshot:
    return _parse(name, _backend_classes()[name])


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _info(snap: _Snapshot) -> DeviceInfo:
    good = [q for q in snap.qubits if q.operational]
    return DeviceInfo(
        name=snap.name,
        backend_class=snap.backend_class,
        backend_name=snap.backend_name,
        n_qubits=snap.n_qubits,
        n_operational=len(good),
        calibration_date=snap.calibration_date,
        basis_gates=snap.basis_gates,
        two_qubit_gate=", ".join(sorted({c.gate for c in snap.couplings.values()})),
        median_t1_us=_median([q.t1_ns / 1e3 for q in good]),  # type: ignore[operator]
        median_t2_us=_median([q.t2_ns / 1e3 for q in good]),  # type: ignore[operator]
        median_readout_error=_median([(q.p01 + q.p10) / 2 for q in good]),  # type: ignore[operator]
        median_1q_error=_median([q.sx[0] for q in good]),  # type: ignore[index]
        median_2q_error=_median([c.error for c in snap.couplings.values()]),
        backend_version=snap.backend_version,
        notes=tuple(snap.notes),
    )


@lru_cache(maxsize=1)
def _catalogue() -> tuple[tuple[DeviceInfo, ...], tuple[tuple[str, str], ...]]:
    infos, skipped = [], []
    for name in _backend_classes():
        try:
            snap = _snapshot(name)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            skipped.append((name, f"snapshot unreadable: {error}"))
            continue
        reason = _skip_reason(snap)
        if reason:
            skipped.append((name, reason))
            continue
        infos.append(_info(snap))
    return tuple(infos), tuple(skipped)


def list_devices() -> list[DeviceInfo]:
    """Every usable fake backend, sorted by name (the snapshots are parsed once and cached)."""
    return list(_catalogue()[0])


def skipped_devices() -> dict[str, str]:
    """Fake backends left out of :func:`list_devices`, with the reason."""
    return dict(_catalogue()[1])


def device_info(name: str) -> DeviceInfo:
    """One device's catalogue entry (any spelling of its name)."""
    return _info(_usable_snapshot(resolve_name(name)))


def _usable_snapshot(name: str) -> _Snapshot:
    try:
        snap = _snapshot(name)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        raise InputError(f"the snapshot of {name} cannot be read ({error})", where="device") from None
    reason = _skip_reason(snap)
    if reason:
        raise InputError(
            f"the snapshot of {name} lacks the calibrations a noise model needs: {reason}",
            where="device",
            fix="choose another device (see `qtrust devices`)",
        )
    return snap


# ----------------------------------------------------------------------------------------------------------
# Channel strengths


def relaxation(t_ns: float, t1_ns: float, t2_ns: float) -> tuple[float, float]:
    """(amplitude damping γ, phase damping γ) of a wait of ``t_ns`` with T1, T2 (T2 clipped to 2·T1)."""
    if t_ns <= 0:
        return 0.0, 0.0
    t2 = min(t2_ns, 2.0 * t1_ns)
    dephasing_rate = max(1.0 / t2 - 1.0 / (2.0 * t1_ns), 0.0)  # 1/Tφ
    return -math.expm1(-t_ns / t1_ns), -math.expm1(-2.0 * t_ns * dephasing_rate)


def _relaxation_trace(t_ns: float, t1_ns: float, t2_ns: float) -> float:
    """s = 2 exp(−t/T2) + exp(−t/T1): the unital part's Pauli-transfer trace of thermal relaxation."""
    t2 = min(t2_ns, 2.0 * t1_ns)
    return 2.0 * math.exp(-t_ns / t2) + math.exp(-t_ns / t1_ns)


def compose_errors(errors: Sequence[float], dim: int) -> float:
    """Average gate infidelities composed as depolarizing polarizations λ = 1 − d r/(d − 1)."""
    polarization = math.prod(1.0 - dim * r / (dim - 1) for r in errors)
    return (dim - 1) * (1.0 - polarization) / dim


def _p_of_f(f: float) -> float:
    return min(max(0.75 * (1.0 - f), 0.0), 1.0)


@dataclass(frozen=True)
class ChannelStrengths:
    """The channels after one qtrust gate on one wire (qtrust's PennyLane conventions)."""

    depolarizing: float
    amplitude_damping: float
    phase_damping: float

    def to_dict(self) -> dict[str, float]:
        return {
            "depolarizing": self.depolarizing,
            "amplitude_damping": self.amplitude_damping,
            "phase_damping": self.phase_damping,
        }


@dataclass(frozen=True)
class GateNoise:
    """What a group of qtrust gates costs on one wire or one pair, and the channels that model it.

    ``calibrated_error`` is the calibrated error composed over the native operations; ``model_error`` the
    average gate infidelity of the channels (equal unless relaxation alone exceeds it, ``clipped``).
    """

    gates: tuple[str, ...]
    native: str
    duration_ns: float
    calibrated_error: float
    model_error: float
    clipped: bool
    per_wire: tuple[tuple[int, ChannelStrengths], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "gates": list(self.gates),
            "native": self.native,
            "duration_ns": self.duration_ns,
            "calibrated_error": self.calibrated_error,
            "model_error": self.model_error,
            "clipped": self.clipped,
            "channels": {str(w): s.to_dict() for w, s in self.per_wire},
        }


def one_qubit_noise(
    errors: Sequence[float], duration_ns: float, t1_ns: float, t2_ns: float
) -> tuple[ChannelStrengths, float, float, bool]:
    """(strengths, calibrated error, model error, clipped) for pulses with ``errors`` lasting ``duration_ns``."""
    target = compose_errors(errors, 2)
    s = _relaxation_trace(duration_ns, t1_ns, t2_ns)
    f = (3.0 - 6.0 * target) / s
    clipped = f > 1.0
    f = min(f, 1.0)
    amp, phase = relaxation(duration_ns, t1_ns, t2_ns)
    model = (3.0 - f * s) / 6.0
    return ChannelStrengths(_p_of_f(f), amp, phase), target, model, clipped


def two_qubit_noise(
    errors: Sequence[float], duration_ns: float, relax_a: tuple[float, float], relax_b: tuple[float, float]
) -> tuple[tuple[ChannelStrengths, ChannelStrengths], float, float, bool]:
    """Equal per-wire depolarizing on both wires whose product channel has the composed 2q infidelity.

    ``relax_a`` / ``relax_b`` are the (T1, T2) of the two qubits in ns.
    """
    target = compose_errors(errors, 4)
    s_a = _relaxation_trace(duration_ns, *relax_a)
    s_b = _relaxation_trace(duration_ns, *relax_b)
    # (1 + f s_a)(1 + f s_b) = 16 F_pro with F_pro = 1 − 5 e / 4 (average gate fidelity (4 F_pro + 1)/5).
    a, b, c = s_a * s_b, s_a + s_b, 1.0 - 16.0 * (1.0 - 1.25 * target)
    f = (-b + math.sqrt(b * b - 4.0 * a * c)) / (2.0 * a)
    clipped = f > 1.0
    f = min(f, 1.0)
    model = 1.0 - (4.0 * (1.0 + f * s_a) * (1.0 + f * s_b) / 16.0 + 1.0) / 5.0
    p = _p_of_f(f)
    strengths = (
        ChannelStrengths(p, *relaxation(duration_ns, *relax_a)),
        ChannelStrengths(p, *relaxation(duration_ns, *relax_b)),
    )
    return strengths, target, model, clipped


# ----------------------------------------------------------------------------------------------------------
# Layouts


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


# ----------------------------------------------------------------------------------------------------------
# Profiles


@dataclass(frozen=True)
class WireProfile:
    """A logical wire's physical qubit, its calibration, and its single-qubit gate noise."""

    wire: int
    qubit: int
    t1_us: float
    t2_us: float
    t2_clipped: bool
    p01: float
    p10: float
    sx_error: float
    sx_ns: float
    x_error: float
    x_ns: float
    cost: float
    gates: tuple[GateNoise, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "wire": self.wire,
            "qubit": self.qubit,
            "t1_us": self.t1_us,
            "t2_us": self.t2_us,
            "t2_clipped": self.t2_clipped,
            "p01": self.p01,
            "p10": self.p10,
            "sx_error": self.sx_error,
            "sx_ns": self.sx_ns,
            "x_error": self.x_error,
            "x_ns": self.x_ns,
            "cost": self.cost,
            "gates": [g.to_dict() for g in self.gates],
        }


@dataclass(frozen=True)
class PairProfile:
    """A logical pair's physical qubits, the route between them, and its two-qubit gate noise."""

    wires: tuple[int, int]
    qubits: tuple[int, int]
    path: tuple[int, ...]
    native_gate: str
    coupling_error: float  # one native gate's error, or the routed CNOT's composed error
    gates: tuple[GateNoise, ...]

    @property
    def swaps(self) -> int:
        return len(self.path) - 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "wires": list(self.wires),
            "qubits": list(self.qubits),
            "path": list(self.path),
            "swaps": self.swaps,
            "native_gate": self.native_gate,
            "coupling_error": self.coupling_error,
            "gates": [g.to_dict() for g in self.gates],
        }


@dataclass(frozen=True)
class DeviceProfile:
    """A device's noise on a chosen layout: the numbers behind the :class:`NoiseModel` and the model."""

    device: DeviceInfo
    layout_choice: str
    layout: tuple[int, ...]
    score: float
    wires: tuple[WireProfile, ...]
    pairs: tuple[PairProfile, ...]
    noise: NoiseModel
    calibrated_between: tuple[str, str]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device.to_dict(),
            "layout_choice": self.layout_choice,
            "layout": list(self.layout),
            "score": self.score,
            "calibrated_between": list(self.calibrated_between),
            "wires": [w.to_dict() for w in self.wires],
            "pairs": [p.to_dict() for p in self.pairs],
            "notes": list(self.notes),
            "source": dict(self.noise.source),
            "noise": self.noise.to_dict(),
        }


def _wire_profile(snap: _Snapshot, wire: int, q: int) -> tuple[WireProfile, list[str]]:
    """The wire's calibration and single-qubit gate noise, and the gates whose depolarizing was clipped."""
    cal = snap.qubits[q]
    assert cal.sx is not None
    assert cal.x is not None
    assert cal.p01 is not None
    assert cal.p10 is not None
    t1, t2 = _t1t2(snap, q)
    gates, notes = [], []
    for names, role, count in ONE_QUBIT_RECIPES:
        error, length = cal.sx if role == "sx" else cal.x
        strengths, target, model, clipped = one_qubit_noise([error] * count, count * length, t1, t2)
        if clipped:
            notes.append(f"{'/'.join(names)} on qubit {q}")
        gates.append(
            GateNoise(names, f"{count} {role}", count * length, target, model, clipped, ((wire, strengths),))
        )
    profile = WireProfile(
        wire,
        q,
        t1 / 1e3,
        cal.t2_used_ns / 1e3,
        t2 > 2 * t1,
        cal.p01,
        cal.p10,
        cal.sx[0],
        cal.sx[1],
        cal.x[0],
        cal.x[1],
        qubit_cost(snap, q),
        tuple(gates),
    )
    return profile, notes


def _pair_profile(
    snap: _Snapshot, wires: tuple[int, int], qubits: tuple[int, int]
) -> tuple[PairProfile, list[str]]:
    path = _route(snap, *qubits)
    assert path is not None
    relax_a, relax_b = _t1t2(snap, qubits[0]), _t1t2(snap, qubits[1])
    gates, notes = [], []
    for names, count in TWO_QUBIT_RECIPES:
        natives = _pair_natives(snap, path, count)
        duration = sum(c.duration_ns for c in natives)
        strengths, target, model, clipped = two_qubit_noise(
            [c.error for c in natives], duration, relax_a, relax_b
        )
        if clipped:
            notes.append(f"{'/'.join(names)} on qubits {qubits[0]}-{qubits[1]}")
        kinds = sorted({c.gate for c in natives})
        native = f"{len(natives)} {'/'.join(kinds)}" + (
            f" ({3 * (len(path) - 2)} for {len(path) - 2} SWAP via {'-'.join(map(str, path))})"
            if len(path) > 2
            else ""
        )
        gates.append(
            GateNoise(
                names, native, duration, target, model, clipped, tuple(zip(wires, strengths, strict=True))
            )
        )
    kinds = "/".join(sorted({snap.coupling(u, v).gate for u, v in itertools.pairwise(path)}))
    return PairProfile(wires, qubits, path, kinds, _pair_cost(snap, *qubits), tuple(gates)), notes


def _clipped_note(items: list[str]) -> str:
    return (
        "relaxation alone exceeds the calibrated error, so depolarizing p = 0 and the model's error is the "
        f"relaxation's: {', '.join(items)}"
    )


def _channels(gate: GateNoise, sections: tuple[str, ...], pair: tuple[int, int] | None) -> list[NoiseChannel]:
    out = []
    for wire, s in gate.per_wire:
        for kind, level in (
            ("depolarizing", s.depolarizing),
            ("amplitude_damping", s.amplitude_damping),
            ("phase_damping", s.phase_damping),
        ):
            if level > 0:
                out.append(NoiseChannel(kind, level, gate.gates, (wire,), sections, pair))
    return out


@lru_cache(maxsize=64)
def _profile(
    name: str, n_qubits: int, layout: str | tuple[int, ...], sections: tuple[str, ...]
) -> DeviceProfile:
    snap = _usable_snapshot(name)
    if n_qubits < 1:
        raise InputError(f"n_qubits must be at least 1, got {n_qubits}", where="qubits")
    usable = len(snap.operational)
    if n_qubits > usable:
        raise InputError(
            f"{n_qubits} qubits requested, {snap.name} has {snap.n_qubits}"
            + (f" ({usable} operational in the snapshot)" if usable < snap.n_qubits else ""),
            where="qubits",
            fix=f"ask for at most {usable} qubits or choose a larger device (see `qtrust devices`)",
        )
    choice, chosen = _parse_layout(snap, n_qubits, layout)
    wires, notes = [], []
    for i, q in enumerate(chosen):
        profile, more = _wire_profile(snap, i, q)
        wires.append(profile)
        notes += more
    pairs = []
    for i in range(n_qubits):
        for j in range(i + 1, n_qubits):
            profile, more = _pair_profile(snap, (i, j), (chosen[i], chosen[j]))
            pairs.append(profile)
            notes += more
    channels: list[NoiseChannel] = []
    for w in wires:
        for g in w.gates:
            channels += _channels(g, sections, None)
    for p in pairs:
        for g in p.gates:
            channels += _channels(g, sections, p.wires)
    readout = tuple((w.wire, w.p01, w.p10) for w in wires)

    dates = {d for q in chosen for d in snap.qubits[q].dates}
    dates |= {snap.coupling(u, v).date for p in pairs for u, v in itertools.pairwise(p.path)}
    dates = sorted((d for d in dates if d), key=_chronological)
    between = (dates[0], dates[-1]) if dates else (snap.calibration_date, snap.calibration_date)
    routed = [p for p in pairs if p.swaps]
    routing = (
        "; ".join(
            f"wires {p.wires} on qubits {p.qubits}: {p.swaps} SWAP via {'-'.join(map(str, p.path))}"
            for p in routed
        )
        if routed
        else "none: every logical pair sits on coupled qubits"
    )
    clipped = [w.qubit for w in wires if w.t2_clipped]
    info = _info(snap)
    source = (
        ("device", snap.name),
        ("backend_class", snap.backend_class),
        ("backend_name", snap.backend_name),
        ("backend_version", snap.backend_version),
        ("calibration_date", snap.calibration_date),
        ("calibrated_between", f"{between[0]} .. {between[1]}"),
        (
            "snapshot",
            f"offline calibration snapshot shipped with qiskit-ibm-runtime {runtime_version()}; not the device today",
        ),
        ("layout_choice", choice),
        ("layout", ",".join(map(str, chosen))),  # the physical qubit of logical wire 0, 1, ...
        ("layout_map", ", ".join(f"wire {i} -> qubit {q}" for i, q in enumerate(chosen))),
        ("layout_score", f"{layout_score(snap, chosen):.6g}"),
        ("native_2q_gate", info.two_qubit_gate or "none"),
        ("routing", routing + " (routed pairs charge 3 native 2q gates per SWAP)" if routed else routing),
        ("t2_clipped", f"T2 clipped to 2*T1 on qubits {clipped}" if clipped else "none"),
        ("approximations", APPROXIMATIONS),
        *((("caveat", CAVEATS[snap.name]),) if snap.name in CAVEATS else ()),
        ("no_depolarizing", _clipped_note(notes) if notes else "none"),
    )
    label = f"device:{snap.name}/{choice}"
    model = NoiseModel(channels=tuple(channels), label=label, readout_by_qubit=readout, source=source)
    return DeviceProfile(
        info,
        choice,
        chosen,
        layout_score(snap, chosen),
        tuple(wires),
        tuple(pairs),
        model,
        between,
        tuple(snap.notes + ([_clipped_note(notes)] if notes else [])),
    )


def _normalise_args(
    n_qubits: int, layout: str | Sequence[int], sections: Sequence[str]
) -> tuple[int, str | tuple[int, ...], tuple[str, ...]]:
    if isinstance(n_qubits, bool) or not isinstance(n_qubits, int):
        raise InputError(f"n_qubits must be an integer, got {n_qubits!r}", where="qubits")
    if isinstance(layout, str):
        key: str | tuple[int, ...] = layout.strip().lower()
    else:
        try:
            key = tuple(operator.index(q) for q in layout)  # integers only: 2.5 is no qubit
        except (TypeError, ValueError):
            raise InputError(
                f"layout {layout!r} is neither 'best', 'worst' nor a sequence of physical qubits",
                where="layout",
                fix="use best, worst, or a list of qubit numbers such as [0, 1, 2]",
            ) from None
    sections = tuple(sections)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not sections:
        raise InputError(
            f"unknown circuit section(s) {unknown}" if unknown else "no circuit section given",
            where="sections",
            fix=f"use any of: {', '.join(SECTIONS)}",
        )
    return n_qubits, key, sections


def device_profile(
    name: str,
    n_qubits: int,
    layout: str | Sequence[int] = "best",
    *,
    sections: Sequence[str] = SECTIONS,
) -> DeviceProfile:
    """The calibration numbers of a layout on a device, the derived channel strengths, and the noise model."""
    return _profile(resolve_name(name), *_normalise_args(n_qubits, layout, sections))


def device_noise(
    name: str,
    n_qubits: int,
    layout: str | Sequence[int] = "best",
    *,
    sections: Sequence[str] = SECTIONS,
) -> NoiseModel:
    """A qtrust noise model of ``n_qubits`` logical wires on device ``name`` (e.g. ``fake_manila``).

    ``layout``: ``"best"`` / ``"worst"`` (a connected set of operational qubits found by greedy chain
    growth, see the module docstring), or the physical qubit of each logical wire. The model's ``label`` is
    ``device:<name>/<layout>``; its ``source`` names the snapshot, its dates, the layout and the
    approximations.
    """
    return device_profile(name, n_qubits, layout, sections=sections).noise
