"""A device's noise on a chosen layout: the :class:`DeviceProfile` and the qtrust :class:`NoiseModel`.

Profiles are cached per (device, qubits, layout, sections, idle), so an audit that asks for the same device
again gets the same model. The model's ``source`` names the snapshot, its dates, the layout and the
approximations, since a snapshot is one day's calibration, not the device today.
"""

from __future__ import annotations

import itertools
import numbers
import operator
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qtrust.errors import InputError
from qtrust.quantum.devices.catalogue import (
    DeviceInfo,
    _info,
    _usable_snapshot,
    resolve_name,
    runtime_version,
)
from qtrust.quantum.devices.channels import GateNoise
from qtrust.quantum.devices.layout import _parse_layout, _t1t2, layout_score
from qtrust.quantum.devices.snapshot import CAVEATS, _chronological, _Snapshot
from qtrust.quantum.devices.wire_profiles import PairProfile, WireProfile, _pair_profile, _wire_profile
from qtrust.quantum.idle import IdleNoise
from qtrust.quantum.noise import NoiseChannel, NoiseModel

SECTIONS: tuple[str, ...] = ("encoding", "trainable")

APPROXIMATIONS = (
    "gates: RZ/P/Z/S/T/I virtual (no noise); X, Y: 1 x pulse; SX, H: 1 sx; RX, RY: 2 sx; CNOT, CZ: 1 native "
    "2q gate; RZZ, RXX, RYY, CRX, CRY, CRZ, CP: 2; SWAP: 3 (angle-independent; 1q gates dressing native 2q "
    "gates not charged). Per wire after each gate: depolarizing p matched so the average gate infidelity of "
    "depolarizing + relaxation equals the calibrated error (composed over pulses as depolarizing "
    "polarizations), then amplitude damping 1-exp(-t/T1) and phase damping 1-exp(-2t/Tphi), "
    "1/Tphi = 1/T2 - 1/(2 T1), T2 clipped to 2 T1 (Aer thermal_relaxation_error at 0 K). 2q error: equal "
    "per-wire depolarizing on both wires, matched to the 2q average gate infidelity (d=4) exactly, only on "
    "that coupling. Uncoupled pairs: routed along the shortest path (3 native gates per SWAP, errors "
    "composed, durations added, end qubits' relaxation). Idle decoherence: see 'idle'. Not modelled: "
    "crosstalk/ZZ, leakage, coherent errors, drift, fractional gates."
)

IDLE_NOTE = (
    "included: the circuit is scheduled ASAP with the gate durations above (encode-first circuits: the "
    "encoding, then the trainable section; others as one sequence); every wait of a qubit, until its next "
    "gate or the end of its section, relaxes it by amplitude damping 1-exp(-t/T1) and phase damping to "
    "exp(-t/T2) in total (Aer thermal_relaxation_error at 0 K, as RelaxationNoisePass on delays). Waits in "
    "|0> are skipped (no effect); a routed gate occupies its two end qubits only."
)
IDLE_OFF_NOTE = "not modelled (idle=False): a qubit waiting for other qubits' gates does not decay"


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


def _idle_noise(
    snap: _Snapshot, wires: list[WireProfile], pairs: list[PairProfile], sections: tuple[str, ...]
) -> IdleNoise:
    """The layout's T1, T2 (T2 clipped to 2·T1) and every gate group's duration, on each wire and pair."""
    t1 = [_t1t2(snap, w.qubit)[0] for w in wires]
    table = [(g.gates, (w.wire,), g.duration_ns) for w in wires for g in w.gates]
    table += [(g.gates, p.wires, g.duration_ns) for p in pairs for g in p.gates]
    by_gate: dict[str, list[float]] = {}
    for gates, _, ns in table:
        for gate in gates:
            by_gate.setdefault(gate, []).append(ns)
    return IdleNoise(
        t1_ns=tuple(t1),
        t2_ns=tuple(min(_t1t2(snap, w.qubit)[1], 2.0 * t) for w, t in zip(wires, t1, strict=True)),
        durations=tuple(table),
        # wires beyond the layout (a larger circuit) take the layout's median durations and do not relax
        gate_ns=tuple((gate, float(statistics.median(v))) for gate, v in sorted(by_gate.items())),
        sections=sections,
    )


@lru_cache(maxsize=64)
def _profile(
    name: str, n_qubits: int, layout: str | tuple[int, ...], sections: tuple[str, ...], idle: bool = True
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
    between = _calibrated_between(snap, chosen, pairs)
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
        ("routing", _routing_note(pairs)),
        ("t2_clipped", f"T2 clipped to 2*T1 on qubits {clipped}" if clipped else "none"),
        ("approximations", APPROXIMATIONS),
        ("idle", IDLE_NOTE if idle else IDLE_OFF_NOTE),
        *((("caveat", CAVEATS[snap.name]),) if snap.name in CAVEATS else ()),
        ("no_depolarizing", _clipped_note(notes) if notes else "none"),
    )
    label = f"device:{snap.name}/{choice}" + ("" if idle else "/no-idle")
    model = NoiseModel(
        channels=tuple(channels),
        label=label,
        readout_by_qubit=readout,
        source=source,
        idle=_idle_noise(snap, wires, pairs, sections) if idle else None,
    )
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


def _calibrated_between(
    snap: _Snapshot, chosen: tuple[int, ...], pairs: list[PairProfile]
) -> tuple[str, str]:
    """The first and last calibration dates of the qubits and couplings the layout uses."""
    dates = {d for q in chosen for d in snap.qubits[q].dates}
    dates |= {snap.coupling(u, v).date for p in pairs for u, v in itertools.pairwise(p.path)}
    dates = sorted((d for d in dates if d), key=_chronological)
    return (dates[0], dates[-1]) if dates else (snap.calibration_date, snap.calibration_date)


def _routing_note(pairs: list[PairProfile]) -> str:
    """Which logical pairs are routed through SWAPs, and along which path."""
    routed = [p for p in pairs if p.swaps]
    if not routed:
        return "none: every logical pair sits on coupled qubits"
    routing = "; ".join(
        f"wires {p.wires} on qubits {p.qubits}: {p.swaps} SWAP via {'-'.join(map(str, p.path))}"
        for p in routed
    )
    return routing + " (routed pairs charge 3 native 2q gates per SWAP)"


def _normalise_args(
    n_qubits: int, layout: str | Sequence[int], sections: Sequence[str]
) -> tuple[int, str | tuple[int, ...], tuple[str, ...]]:
    if isinstance(n_qubits, bool) or not isinstance(n_qubits, numbers.Integral):  # np.int64 is welcome
        raise InputError(f"n_qubits must be an integer, got {n_qubits!r}", where="qubits")
    n_qubits = int(n_qubits)
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
    idle: bool = True,
) -> DeviceProfile:
    """The calibration numbers of a layout on a device, the derived channel strengths, and the noise model.

    ``idle``: include the relaxation of qubits while they wait for others (see :mod:`qtrust.quantum.idle`).
    """
    return _profile(resolve_name(name), *_normalise_args(n_qubits, layout, sections), bool(idle))


def device_noise(
    name: str,
    n_qubits: int,
    layout: str | Sequence[int] = "best",
    *,
    sections: Sequence[str] = SECTIONS,
    idle: bool = True,
) -> NoiseModel:
    """A qtrust noise model of ``n_qubits`` logical wires on device ``name`` (e.g. ``fake_manila``).

    ``layout``: ``"best"`` / ``"worst"`` (a connected set of operational qubits found by greedy chain
    growth, see :mod:`qtrust.quantum.devices`), or the physical qubit of each logical wire. The model's
    ``label`` is ``device:<name>/<layout>``; its ``source`` names the snapshot, its dates, the layout and
    the approximations. ``idle`` (default on): qubits that wait while others run gates relax with their T1
    and T2 over each wait of the circuit's ASAP schedule (``source["idle"]``); ``idle=False`` leaves them
    untouched, as gate-only models did, and appends ``/no-idle`` to the label.
    """
    return device_profile(name, n_qubits, layout, sections=sections, idle=idle).noise
