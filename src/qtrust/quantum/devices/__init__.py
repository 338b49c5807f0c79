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

* idle decoherence (``idle=True``, the default): a qubit that waits while others run gates relaxes too.
  The model's ``idle`` (:class:`~qtrust.quantum.idle.IdleNoise`) holds the layout's T1, T2 and the
  duration of every gate group above on every wire and pair (routed pairs included); the engine schedules
  each circuit ASAP with them and relaxes every wait, γ = 1 − exp(−t/T1) and coherences × exp(−t/T2), as
  Qiskit Aer's ``RelaxationNoisePass`` does on the delays of Qiskit's ASAP schedule (see
  :mod:`qtrust.quantum.idle`). During a ring of sequential CNOTs most qubits wait: with T2 ≈ 100 µs and
  500 ns gates that costs as much as the gates. A routed gate occupies its two end qubits only.
  ``idle=False`` gives the gate-only model (label suffix ``/no-idle``).

Not modelled: crosstalk and ZZ coupling, leakage, coherent (over-rotation) errors, drift, and the device's
fractional gates (rx, rzz).

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

The package, one step a module: :mod:`~.snapshot` parses a calibration snapshot, :mod:`~.catalogue` finds
the fake backends and resolves names, :mod:`~.channels` turns calibration numbers into channel strengths,
:mod:`~.layout` scores, chooses and routes layouts, :mod:`~.wire_profiles` holds the noise of each wire and
pair, and :mod:`~.profile` assembles the :class:`DeviceProfile` and its noise model.
"""

from __future__ import annotations

from qtrust.quantum.devices.catalogue import (
    INSTALL_HINT,
    DeviceInfo,
    device_info,
    device_names,
    list_devices,
    resolve_name,
    runtime_version,
    skipped_devices,
)
from qtrust.quantum.devices.catalogue import _fake_provider as _fake_provider
from qtrust.quantum.devices.catalogue import _snapshot as _snapshot
from qtrust.quantum.devices.channels import (
    ONE_QUBIT_RECIPES,
    TWO_QUBIT_RECIPES,
    VIRTUAL_GATES,
    ChannelStrengths,
    GateNoise,
    compose_errors,
    one_qubit_noise,
    relaxation,
    two_qubit_noise,
)
from qtrust.quantum.devices.layout import choose_layout, layout_score, qubit_cost
from qtrust.quantum.devices.profile import (
    APPROXIMATIONS,
    IDLE_NOTE,
    SECTIONS,
    DeviceProfile,
    device_noise,
    device_profile,
)
from qtrust.quantum.devices.snapshot import (
    BROKEN,
    CAVEATS,
    NATIVE_TWO_QUBIT,
    PULSE_GATES,
    Coupling,
    QubitCalibration,
)
from qtrust.quantum.devices.wire_profiles import PairProfile, WireProfile

__all__ = [
    "APPROXIMATIONS",
    "BROKEN",
    "CAVEATS",
    "IDLE_NOTE",
    "INSTALL_HINT",
    "NATIVE_TWO_QUBIT",
    "ONE_QUBIT_RECIPES",
    "PULSE_GATES",
    "SECTIONS",
    "TWO_QUBIT_RECIPES",
    "VIRTUAL_GATES",
    "ChannelStrengths",
    "Coupling",
    "DeviceInfo",
    "DeviceProfile",
    "GateNoise",
    "PairProfile",
    "QubitCalibration",
    "WireProfile",
    "choose_layout",
    "compose_errors",
    "device_info",
    "device_names",
    "device_noise",
    "device_profile",
    "layout_score",
    "list_devices",
    "one_qubit_noise",
    "qubit_cost",
    "relaxation",
    "resolve_name",
    "runtime_version",
    "skipped_devices",
    "two_qubit_noise",
]
