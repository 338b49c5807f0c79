"""Translate parameterised Qiskit circuits and fitted qiskit-machine-learning classifiers into qtrust circuits.

A Qiskit classifier is a parameterised :class:`~qiskit.circuit.QuantumCircuit` whose parameters split into
*inputs* (the feature map's) and *weights* (the ansatz's), plus a rule that turns the measured state into a
class: an observable ⟨O⟩ (``EstimatorQNN``) or an ``interpret`` function over the measured integer
(``SamplerQNN``, ``VQC``). :func:`from_qiskit` translates that triple into a
:class:`~qtrust.models.CircuitClassifier`, so every qtrust path and certificate applies to it.

How the translation keeps the meaning:

* **Gates.** The circuit is lowered to gates that map one-to-one onto qtrust's gate set (``h``, ``p``,
  ``cx``, ``rz``, ``ry``, ``rzz``, …; :data:`QISKIT_TO_QTRUST`). Composite instructions (``ZZFeatureMap``,
  ``RealAmplitudes``, ``PauliEvolutionGate``, unitaries) are expanded through their Qiskit definitions; a
  standard gate outside the set is split (``u`` → RZ·RY·RZ, ``r`` → RZ·RX·RZ) or rewritten by Qiskit's
  transpiler at ``optimization_level=0``, which never merges gates. The translation notes each split, since
  a noise model that acts "after every gate" then acts after each of the pieces. :func:`lower_circuit`
  returns the lowered Qiskit circuit itself, so Aer can run exactly the gates qtrust runs.
* **Angles.** Gate angles are Qiskit ``ParameterExpression``\\ s. They are read exactly as polynomials —
  constant, linear in inputs and weights, and products of two inputs (the ZZ feature map's
  2(π − x_i)(π − x_j)) — and every reading is checked against Qiskit's own evaluation at random points.
  Anything else (a weight times an input, sin(x)) is refused with the gate and the expression named.
* **Qubit order.** Qiskit qubit q is qtrust wire q. Qiskit's basis-state integers put qubit 0 in the *least*
  significant bit, qtrust's put wire 0 in the *most* significant; the measurement tables are built with that
  reversal, so an ``interpret`` function sees exactly the integer Qiskit's sampler would give it.
* **Outputs.** An observable must be qubit-wise commuting (one Pauli per qubit across its terms). The
  measured qubits are rotated into the Z basis (H for X, RX(π/2) for Y; qtrust gates, so a noise model
  acts after them as on hardware), and P(class 1) = 1/2 + (⟨O⟩ − t)/(2R) is read from the outcome table
  with t the threshold and R the largest distance from t to the spectrum. A sampler model's class 1 is the set
  of outcomes its interpret function maps to 1. :func:`qiskit_output` returns Qiskit's own output (⟨O⟩, or
  the two-entry probability vector) from the translated classifier.

:func:`from_qiskit_ml` reads all of this from a fitted ``VQC`` or ``NeuralNetworkClassifier`` and
reproduces its labels (see its docstring). A fitted ``QSVC`` over a fidelity kernel becomes a
:class:`TranslatedKernelSVC` instead: its feature map translated the same way, its fitted SVM (support
vectors, dual coefficients, intercept, Platt scaling) kept, the kernel entries computed by qtrust's engine.
:func:`to_aer_noise_model` writes a qtrust noise model as an Aer noise model with the same placement, the
independent check for noisy agreement.

Qiskit, Qiskit Aer and qiskit-machine-learning are optional; they are imported when these functions run.

The package, one step a module: :mod:`~.lowering` (gates), :mod:`~.angles` (ParameterExpression → Angle),
:mod:`~.roles` (inputs and weights), :mod:`~.operations` (sections, encode-first order), :mod:`~.outputs`
(observable / interpret → outcome table, :func:`qiskit_output`), :mod:`~.translate` (:func:`from_qiskit`),
:mod:`~.qiskit_ml` (:func:`from_qiskit_ml`), :mod:`~.qsvc` (:class:`TranslatedKernelSVC`), :mod:`~.aer`
(:func:`to_aer_noise_model`); :mod:`~.framework` imports Qiskit on demand.
"""

from __future__ import annotations

from qtrust.adapters.qiskit.aer import to_aer_noise_model
from qtrust.adapters.qiskit.lowering import QISKIT_BASIS, QISKIT_TO_QTRUST, QTRUST_TO_QISKIT, lower_circuit
from qtrust.adapters.qiskit.outputs import qiskit_output
from qtrust.adapters.qiskit.qiskit_ml import from_qiskit_ml
from qtrust.adapters.qiskit.qsvc import TranslatedKernelSVC
from qtrust.adapters.qiskit.translate import from_qiskit

__all__ = [
    "QISKIT_BASIS",
    "QISKIT_TO_QTRUST",
    "QTRUST_TO_QISKIT",
    "TranslatedKernelSVC",
    "from_qiskit",
    "from_qiskit_ml",
    "lower_circuit",
    "qiskit_output",
    "to_aer_noise_model",
]
