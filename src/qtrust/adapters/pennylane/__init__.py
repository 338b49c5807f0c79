"""Bring a PennyLane QNode to the audit: translate it into qtrust's circuit representation, or run it as is.

:func:`from_pennylane` takes a QNode whose **first argument is the input features** and whose further
positional arguments are the trained weights, and returns a qtrust classifier:

* a :class:`~qtrust.models.circuit_classifier.CircuitClassifier` when the circuit translates. The QNode's tape is built at
  random probe inputs and weights and expanded with PennyLane's own decompositions down to qtrust's gate
  set (``StronglyEntanglingLayers`` → ``Rot`` → RZ·RY·RZ, ``IQPEmbedding`` → H, RZ, MultiRZ → RZZ, ...).
  Every gate angle must be exactly ``const + Σ c·x[i] + Σ c·x[i]·x[j] + Σ c·w[k]``: the coefficients are
  fitted by least squares on the probes and *verified* on fresh probes, so a nonlinear function of the
  input, a product of a weight and an input (trainable input scaling), or a gate sequence that changes with
  the input is never translated by mistake. ``AmplitudeEmbedding`` / ``StatePrep`` at the start becomes an
  amplitude-encoded initial state; the noise channels a QNode writes inside itself (depolarizing, amplitude
  and phase damping, bit and phase flip) become fixed channels of the circuit. Gates on wires that no
  trainable gate has touched yet are moved ahead of the trainable gates (they commute), so a QNode that
  loads its input first translates into an *encode-first* circuit and gets qtrust's Heisenberg path and
  certificates. The translation is checked against the QNode on its own device before it is returned.
* a :class:`QNodeClassifier` otherwise: the QNode's own tapes run on the QNode's own device, row by row —
  exact, but slow, and without a circuit, so certificates skip it. Its ``simulation_reason_`` says why
  translation failed.

The output is one measurement: ``qml.expval(observable)`` (class 1 ↔ a large expectation, rescaled over the
observable's eigenvalue range; ``positive="low"`` reverses it) or ``qml.probs(wires=...)`` (class 1 = the
basis states listed in ``positive``). :func:`qnode_output` gives back the QNode's raw output from either
classifier.

Noise placement: qtrust's noise models put their channels after every *gate* of the translated circuit, i.e.
after every gate of the QNode's tape once decomposed into qtrust's gate set (a ``Rot`` counts as three
gates), on each of the gate's wires, including the basis change an ``expval`` of a non-diagonal observable
needs. :class:`QNodeClassifier` inserts channels at exactly the same places, on ``default.mixed``.

The package, one step a module: :mod:`~.qnode` reads the QNode and its arguments, :mod:`~.outputs` its
measurement, :mod:`~.tape` expands its tape into qtrust's gate set, :mod:`~.fitting` recovers the gate
angles from probes, :mod:`~.layout` orders and sections the operations, :mod:`~.notes` records what was
done, :mod:`~.translate` joins these steps, :mod:`~.fallback` is :class:`QNodeClassifier`, and
:mod:`~.convert` holds the entry points; :mod:`~.framework` and :mod:`~.gate_set` are what they share.
"""

from __future__ import annotations

from qtrust.adapters.pennylane.convert import from_pennylane, qnode_output
from qtrust.adapters.pennylane.fallback import QNodeClassifier
from qtrust.adapters.pennylane.framework import WHERE
from qtrust.adapters.pennylane.gate_set import CHANNEL_KINDS, DROPPED, GATE_NAMES, MULTI_RZ
from qtrust.adapters.pennylane.outputs import SUPPORTED_OUTPUTS

__all__ = [
    "CHANNEL_KINDS",
    "DROPPED",
    "GATE_NAMES",
    "MULTI_RZ",
    "SUPPORTED_OUTPUTS",
    "WHERE",
    "QNodeClassifier",
    "from_pennylane",
    "qnode_output",
]
