"""Idle decoherence: qubits that wait while other qubits run gates relax with their T1 and T2.

Why: a :class:`~qtrust.quantum.noise.NoiseModel` puts noise on the wires of each gate only, so a qubit
that waits does not decay. On hardware it does: during a ring of sequential CNOTs most qubits wait, and with
T2 ≈ 100 µs and two-qubit gates ≈ 500 ns that wait costs about as much as the gates' own errors.

How (:func:`with_idle_noise`): the circuit is scheduled *as soon as possible* — each operation starts when
all of its wires are free and lasts :meth:`IdleNoise.duration_ns`, as Qiskit's ``ASAPScheduleAnalysis``
schedules it. Every wait of a wire — until its next operation, or until the last operation of its
section's schedule has ended (the measurement, or the next section, follows) — becomes an identity
operation ``I`` carrying amplitude damping γ = 1 − exp(−t/T1) and phase damping chosen so that coherences
decay as exp(−t/T2) in total: :func:`qtrust.quantum.devices.channels.relaxation`, Qiskit Aer's
``thermal_relaxation_error`` at zero temperature, which Aer's ``RelaxationNoisePass`` puts on delays.

* Encode-first circuits schedule the encoding section from t = 0, then the trainable section from the end
  of the encoding (a barrier between them): the inserted operations of a section stay in it, so the
  circuit stays encode-first and the engine's Heisenberg split E†(O) / ρ(x) still applies.
* Other circuits (data re-uploading) are scheduled as one sequence; a wait belongs to the section of the
  operation that ends it (a trailing wait to the section of the operation that ends the schedule).
* A wait is inserted right before the operation that ends it, trailing waits at the end of their section.
* Waits of a wire still in |0⟩ (no operation yet, no amplitude encoding) are skipped: relaxation leaves
  |0⟩ unchanged, so skipping them is exact and keeps noiseless-looking encodings cheap.
* Waits shorter than :data:`MIN_WAIT_NS` are float round-off of equally long paths and are skipped.
* Virtual gates (RZ, P, Z, S, T, I) take no time.

The transform is memoised (circuits and idle models are frozen and hashable; the engine calls it on every
scoring) and idempotent: a circuit it produced is returned unchanged under the same idle model, so code that
passes an already scheduled circuit back to the engine does not charge the waits twice.
"""

from __future__ import annotations

import math
import statistics
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from qtrust.errors import InputError
from qtrust.quantum.circuit import Circuit, Operation
from qtrust.quantum.gates import GATES

#: Shorter waits are float round-off of two paths of equal length, not waits.
MIN_WAIT_NS = 1e-6
_SECTIONS = ("encoding", "trainable")

#: (gate names, sorted wires, duration in ns): these gates on exactly these wires take that long.
DurationTable = tuple[tuple[tuple[str, ...], tuple[int, ...], float], ...]


def _virtual_gates() -> tuple[str, ...]:
    # Imported here, not at module level: the devices package builds IdleNoise, and the engine should not
    # import the device catalogue just to simulate a circuit without idle noise.
    from qtrust.quantum.devices.channels import VIRTUAL_GATES

    return VIRTUAL_GATES


def _relaxation(t_ns: float, t1_ns: float, t2_ns: float) -> tuple[float, float]:
    from qtrust.quantum.devices.channels import relaxation

    return relaxation(t_ns, t1_ns, t2_ns)


def _bad(problem: str) -> InputError:
    return InputError(problem, where="noise.idle", fix="give positive T1/T2 per wire and durations ≥ 0 ns")


@dataclass(frozen=True)
class IdleNoise:
    """What waiting costs: per-wire T1, T2 (ns) and the duration of every operation (ns).

    ``durations`` lists ``(gate names, sorted wires, ns)``; an operation not in it takes ``gate_ns`` of its
    gate name, else ``arity_ns`` (one-qubit, two-qubit) — virtual gates always take 0. Wires beyond
    ``t1_ns`` take time but do not relax. ``sections``: the sections whose waits relax (a device model
    restricted to the trainable section charges no idle noise in the encoding either).
    """

    t1_ns: tuple[float, ...]
    t2_ns: tuple[float, ...]
    durations: DurationTable = ()
    gate_ns: tuple[tuple[str, float], ...] = ()
    arity_ns: tuple[float, float] = (0.0, 0.0)
    sections: tuple[str, ...] = _SECTIONS

    def __post_init__(self) -> None:
        if len(self.t1_ns) != len(self.t2_ns):
            raise _bad(f"{len(self.t1_ns)} T1 values but {len(self.t2_ns)} T2 values")
        if not all(t > 0 for t in (*self.t1_ns, *self.t2_ns)):
            raise _bad("T1 and T2 must be positive (math.inf: no relaxation)")
        times = [ns for *_, ns in self.durations] + [ns for _, ns in self.gate_ns] + list(self.arity_ns)
        if not all(math.isfinite(ns) and ns >= 0 for ns in times):
            raise _bad("durations must be finite and non-negative")
        unknown = {g for gates, _, _ in self.durations for g in gates} | {g for g, _ in self.gate_ns}
        if unknown - set(GATES):
            raise _bad(f"unknown gate(s) {sorted(unknown - set(GATES))} in the duration table")
        if any(tuple(sorted(wires)) != wires for _, wires, _ in self.durations):
            raise _bad("the duration table's wires must be sorted")
        if not set(self.sections) <= set(_SECTIONS):
            raise _bad(f"unknown section(s) in {self.sections}")

    def duration_ns(self, op: Operation) -> float:
        """How long ``op`` occupies its wires."""
        if op.gate in _virtual_gates():
            return 0.0
        table, by_gate = _lookup(self)
        key = (op.gate, tuple(sorted(op.wires)))
        if key in table:
            return table[key]
        return by_gate.get(op.gate, self.arity_ns[min(len(op.wires), 2) - 1])

    def wait(self, wire: int, t_ns: float, section: str) -> Operation | None:
        """The identity operation that relaxes ``wire`` for ``t_ns``, or None when nothing relaxes."""
        if t_ns <= MIN_WAIT_NS or section not in self.sections or wire >= len(self.t1_ns):
            return None
        amplitude, phase = _relaxation(t_ns, self.t1_ns[wire], self.t2_ns[wire])
        if amplitude <= 0 and phase <= 0:
            return None
        channels = (("amplitude_damping", amplitude), ("phase_damping", phase))
        return Operation("I", (wire,), section=section, channels=channels)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """A summary: T1/T2 per wire, duration ranges; ``table`` tells different tables apart."""
        spans: dict[int, list[float]] = {1: [], 2: []}
        for _, wires, ns in self.durations:
            spans[len(wires)].append(ns)
        return {
            "model": "each wait t of an ASAP schedule relaxes its qubit: thermal_relaxation_error(T1, T2, t), 0 K",
            "t1_us": [t / 1e3 for t in self.t1_ns],
            "t2_us": [t / 1e3 for t in self.t2_ns],
            "sections": list(self.sections),
            **{
                f"{k}q_gate_ns": {"min": min(v), "median": statistics.median(v), "max": max(v)}
                for k, v in spans.items()
                if v
            },
            "table": f"{len(self.durations)} entries, hash {_digest(self)}",
        }


@lru_cache(maxsize=64)
def _lookup(idle: IdleNoise) -> tuple[dict[tuple[str, tuple[int, ...]], float], dict[str, float]]:
    table = {(g, wires): ns for gates, wires, ns in idle.durations for g in gates}
    return table, dict(idle.gate_ns)


@lru_cache(maxsize=64)
def _digest(idle: IdleNoise) -> str:
    import hashlib

    return hashlib.sha256(repr((idle.durations, idle.gate_ns, idle.arity_ns)).encode()).hexdigest()[:12]


#: Circuits this module produced, with the idle model that produced them (see the idempotence note above).
_PRODUCED: weakref.WeakKeyDictionary[Circuit, IdleNoise] = weakref.WeakKeyDictionary()


def _schedule(
    block: Sequence[Operation], idle: IdleNoise, n_qubits: int, fresh: list[bool]
) -> tuple[list[Operation], list[int]]:
    """One ASAP schedule from t = 0: the block with its waits inserted, and each original op's new index.

    ``fresh[w]`` (updated in place): wire w is still in |0⟩, so its waits are skipped.
    """
    free = [0.0] * n_qubits  # when each wire's last operation ends
    out: list[Operation] = []
    positions: list[int] = []
    finish, closing = 0.0, "trainable"
    for op in block:
        start = max(free[w] for w in op.wires)
        for w in op.wires:
            wait = None if fresh[w] else idle.wait(w, start - free[w], op.section)
            if wait is not None:
                out.append(wait)
        positions.append(len(out))
        out.append(op)
        end = start + idle.duration_ns(op)
        for w in op.wires:
            free[w], fresh[w] = end, False
        if end >= finish:
            finish, closing = end, op.section
    for w in range(n_qubits):
        wait = None if fresh[w] else idle.wait(w, finish - free[w], closing)
        if wait is not None:
            out.append(wait)
    return out, positions


@lru_cache(maxsize=256)
def idle_schedule(circuit: Circuit, idle: IdleNoise) -> tuple[Circuit, tuple[int, ...]]:
    """The circuit with its waits as relaxing identity operations, and the new index of each operation.

    The index map lets callers that address operations by position (angle shifts of the parameter-shift
    rule) follow them into the scheduled circuit.
    """
    if _PRODUCED.get(circuit) == idle:
        return circuit, tuple(range(len(circuit.operations)))
    ops = circuit.operations
    n_enc = len(circuit.encoding)
    blocks = [ops[:n_enc], ops[n_enc:]] if circuit.is_encode_first else [ops]
    fresh = [circuit.state_preparation is None] * circuit.n_qubits
    out: list[Operation] = []
    positions: list[int] = []
    for block in blocks:
        scheduled, where = _schedule(block, idle, circuit.n_qubits, fresh)
        positions += [len(out) + p for p in where]
        out += scheduled
    result = replace(circuit, operations=tuple(out)) if len(out) != len(ops) else circuit
    _PRODUCED[result] = idle
    return result, tuple(positions)


def with_idle_noise(circuit: Circuit, idle: IdleNoise) -> Circuit:
    """``circuit`` with an ``I`` operation relaxing every wire over each of its waits (see the module)."""
    return idle_schedule(circuit, idle)[0]


__all__ = ["MIN_WAIT_NS", "IdleNoise", "idle_schedule", "with_idle_noise"]
