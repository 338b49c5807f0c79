"""Device drift: does the served model still behave as audited on a newly configured quantum backend?

An audit scores a quantum model under one noise model (none, a swept channel, or a device calibration). The
backend it is later served on changes: IBM recalibrates its devices daily, a job moves to another device or
layout, an operator sets a new noise model. Before the model is served on the new configuration, the audit's
reference rows and its fairness certificate are re-scored under it and compared with the audited values.
Every number is an *exact* probability or eigenvalue from the engine — no shots, no random draw — so the
differences are the noise change's effect alone, and each result's ``seed`` is ``None``.

Three results, one per subject:

* ``accuracy`` — the accuracy of the decision ``p ≥ threshold`` on the reference rows' labels under the new
  noise minus the same under the audited noise (statistic ``new − audited``, from correct-decision counts).
  Drifted when it *falls* by more than ``tolerance_accuracy``: a rise is reported, not alarmed.
* ``probability`` — per reference row Δᵢ = P_new(xᵢ) − P_audited(xᵢ); statistic ``mean |Δᵢ|``, drifted when
  it exceeds ``tolerance_probability``. ``detail`` adds ``max |Δᵢ|``, the signed mean and the share of rows
  whose decision flips (on either side of ``threshold``), since a small mean can hide a few flipped rows.
* ``certificate`` — K* = λmax(M) − λmin(M) of the noisy classifier (Guan, Fang & Ying, CAV 2022, computed by
  :func:`qtrust.assess.certified_fairness.certify` from the measurement operator M), under the new noise
  minus under the audited noise. Drifted when ``|K*_new − K*_audited| > tolerance_k`` in either direction:
  a larger K* means the fairness certificate weakened (inputs within trace distance ε may now differ by up
  to K*·ε), a smaller one means the noise changed the model's operator — the model now serves differently
  from what was audited even if it certifies more (noise never increases K*, so a drop is the usual effect
  of a noisier device). ``detail`` holds both K*, both (ε, δ) verdicts (fair iff δ ≥ K*·ε) and the
  smallest δ each certifies at ε. The certificate speaks for every input state, not for rows:
  ``reference_n`` and ``current_n`` are 0 for it.

:func:`device_drift` returns all three (the probabilities are computed once, under each noise model).

Registry: :data:`~qtrust.monitor.registry.DETECTORS` holds detectors that return *one* result about one
subject, called as ``detector(reference, current, **options)``. ``"device_drift"`` is therefore the thin
wrapper :func:`device_drift_detector`: ``reference`` is the audited noise model, ``current`` the new one,
and ``subject`` picks which of the three results to compute. It computes only what that subject needs and
gives the same numbers as the matching entry of :func:`device_drift`.

A device calibration becomes a noise model with :func:`calibration_noise` (IBM fake-backend snapshots,
:func:`qtrust.quantum.devices.device_noise`), on the model's own register.

Refusals (:class:`~qtrust.errors.InputError`): a model that is not a fitted circuit classifier, a circuit
that is not encode-first (it has no single measurement operator, so no certificate: the check refuses
rather than pass a model whose certificate it cannot recompute), reference angles with the wrong number of
columns, labels that are not one 0/1 per row, noise that is not a qtrust ``NoiseModel`` (or ``None``), a
decision threshold outside [0, 1] and a negative tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qtrust.errors import InputError
from qtrust.monitor import _inputs
from qtrust.monitor.registry import register
from qtrust.monitor.result import DriftResult
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.noise import NoiseModel

DETECTOR = "device_drift"
SUBJECTS = ("accuracy", "probability", "certificate")
TOLERANCE_ACCURACY = 0.02
TOLERANCE_PROBABILITY = 0.05
TOLERANCE_K = 0.05
WHERE = "device drift"


@dataclass(frozen=True)
class _Setting:
    """The checked inputs every subject shares."""

    model: Any
    circuit: Circuit
    audited: NoiseModel | None
    new: NoiseModel | None
    audited_label: str
    new_label: str

    def noise_detail(self) -> dict[str, str]:
        return {"audited_noise": self.audited_label, "new_noise": self.new_label}


def device_drift(
    model: Any,
    reference_angles: Any,
    reference_labels: Any,
    *,
    audited_noise: NoiseModel | None,
    new_noise: NoiseModel | None,
    new_label: str,
    threshold: float = 0.5,
    tolerance_accuracy: float = TOLERANCE_ACCURACY,
    tolerance_probability: float = TOLERANCE_PROBABILITY,
    tolerance_k: float = TOLERANCE_K,
    epsilon: float = 0.01,
    delta: float = 0.01,
) -> list[DriftResult]:
    """The ``accuracy``, ``probability`` and ``certificate`` results of serving ``model`` under ``new_noise``
    instead of the audited ``audited_noise`` (``None``: noiseless), in that order.

    ``reference_angles`` are the audit's reference rows as the circuit takes them (one column per feature,
    already encoded to angles), ``reference_labels`` their 0/1 outcomes (1: the class the circuit measures).
    ``new_label`` names the new configuration in the results (e.g. ``device:fake_manila/best``). ``threshold``
    is the decision threshold on P(class 1); ``epsilon``, ``delta`` the fairness certificate's (ε, δ).
    """
    setting = _setting(model, audited_noise, new_noise, new_label)
    _check_options(threshold, epsilon, delta, tolerance_accuracy, tolerance_probability, tolerance_k)
    angles, labels = _rows(setting, reference_angles, reference_labels)
    audited_p, new_p = _probabilities(setting, angles)
    return [
        _accuracy(setting, audited_p, new_p, labels, threshold, tolerance_accuracy),
        _probability(setting, audited_p, new_p, threshold, tolerance_probability),
        _certificate(setting, tolerance_k, epsilon, delta),
    ]


@register(DETECTOR)
def device_drift_detector(
    reference: NoiseModel | None,
    current: NoiseModel | None,
    *,
    model: Any,
    reference_angles: Any,
    reference_labels: Any,
    subject: str,
    new_label: str = "",
    threshold: float = 0.5,
    tolerance_accuracy: float = TOLERANCE_ACCURACY,
    tolerance_probability: float = TOLERANCE_PROBABILITY,
    tolerance_k: float = TOLERANCE_K,
    epsilon: float = 0.01,
    delta: float = 0.01,
) -> DriftResult:
    """The registry's form of :func:`device_drift`: one ``subject``'s result, the audited noise model as
    ``reference`` and the new one as ``current`` (``new_label`` defaults to the new model's own label)."""
    if subject not in SUBJECTS:
        raise InputError(
            f"unknown device-drift subject {subject!r}",
            where=WHERE,
            fix=f"use one of: {', '.join(SUBJECTS)}",
        )
    setting = _setting(model, reference, current, new_label)
    _check_options(threshold, epsilon, delta, tolerance_accuracy, tolerance_probability, tolerance_k)
    angles, labels = _rows(setting, reference_angles, reference_labels)
    if subject == "certificate":
        return _certificate(setting, tolerance_k, epsilon, delta)
    audited_p, new_p = _probabilities(setting, angles)
    if subject == "accuracy":
        return _accuracy(setting, audited_p, new_p, labels, threshold, tolerance_accuracy)
    return _probability(setting, audited_p, new_p, threshold, tolerance_probability)


def calibration_noise(model: Any, device: str, layout: str | Sequence[int] = "best") -> NoiseModel:
    """The noise model of ``device``'s calibration snapshot (e.g. ``fake_manila``) on ``layout``, for the
    model's register: what to pass as ``new_noise``; its ``label`` (``device:<name>/<layout>``) is the
    natural ``new_label``. Needs qiskit-ibm-runtime's fake backends (:mod:`qtrust.quantum.devices`)."""
    circuit = _circuit(model)
    from qtrust.quantum.devices import device_noise

    return device_noise(device, circuit.n_qubits, layout)


# -- checks ------------------------------------------------------------------------------------------------


def _circuit(model: Any) -> Circuit:
    """The fitted circuit of ``model``, or an InputError saying why there is none."""
    circuit = getattr(model, "circuit_", None)
    if (
        not isinstance(circuit, Circuit)
        or getattr(model, "weights_", None) is None
        or not callable(getattr(model, "probabilities", None))
    ):
        raise InputError(
            f"the model is a {type(model).__name__}, not a fitted circuit classifier (no circuit_ and weights_)",
            where=f"{WHERE}, model",
            fix="pass the served qtrust CircuitClassifier (or VariationalClassifier) after fitting, or build "
            "it with CircuitClassifier.from_weights(circuit, weights)",
        )
    if not circuit.is_encode_first:
        raise InputError(
            "the circuit re-uploads data after trainable gates, so it has no single measurement operator and "
            "its fairness certificate cannot be recomputed under the new noise",
            where=f"{WHERE}, model",
            fix="device drift checks encode-first circuits (all input gates before all trainable gates)",
        )
    return circuit


def _noise(value: Any, name: str) -> NoiseModel | None:
    if value is not None and not isinstance(value, NoiseModel):
        raise InputError(
            f"{name} is a {type(value).__name__}, not a qtrust NoiseModel",
            where=f"{WHERE}, {name}",
            fix="pass a qtrust.quantum.noise.NoiseModel (NoiseModel.single, calibration_noise), or None for "
            "noiseless",
        )
    return value


def _label(noise: NoiseModel | None, given: Any, name: str) -> str:
    if given is not None and not isinstance(given, str):
        raise InputError(
            f"{name} is a {type(given).__name__}, not a string",
            where=f"{WHERE}, {name}",
            fix="name the noise configuration, e.g. 'device:fake_manila/best'",
        )
    if given:
        return given
    if noise is not None and noise.label:
        return noise.label
    return "noiseless" if noise is None or noise.is_noiseless else "unlabelled noise model"


def _setting(model: Any, audited: Any, new: Any, new_label: Any) -> _Setting:
    circuit = _circuit(model)
    audited_noise = _noise(audited, "audited_noise")
    new_noise = _noise(new, "new_noise")
    return _Setting(
        model=model,
        circuit=circuit,
        audited=audited_noise,
        new=new_noise,
        audited_label=_label(audited_noise, None, "audited_noise"),
        new_label=_label(new_noise, new_label, "new_label"),
    )


def _check_options(threshold: float, epsilon: float, delta: float, *tolerances: float) -> None:
    from qtrust.assess.certified_fairness import check_unit_interval

    check_unit_interval("epsilon", epsilon)
    check_unit_interval("delta", delta)
    names = ("tolerance_accuracy", "tolerance_probability", "tolerance_k")
    if not _is_number(threshold) or not 0.0 <= threshold <= 1.0:
        raise InputError(
            f"the decision threshold {threshold!r} is not a probability in [0, 1]",
            where=f"{WHERE}, threshold",
            fix="pass the threshold the served decision uses (0.5 by default)",
        )
    for name, value in zip(names, tolerances, strict=True):
        if not _is_number(value) or value < 0:
            raise InputError(
                f"{name} = {value!r} is not a non-negative number",
                where=f"{WHERE}, {name}",
                fix=f"pass {name} ≥ 0 (0 alarms on any change)",
            )


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.floating | np.integer)
        and not isinstance(value, bool)
        and (math.isfinite(float(value)))
    )


def _rows(setting: _Setting, angles: Any, labels: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The reference rows as an (n, n_features) angle matrix and their 0/1 labels."""
    x = _inputs.matrix(angles, role="reference", subject="angles", min_n=1)
    n_features = setting.circuit.n_features
    if x.shape[1] != n_features:
        raise InputError(
            f"the reference angles have {x.shape[1]} column(s), but the circuit takes {n_features}",
            where=_inputs.where("reference", "angles"),
            fix="pass the audit's reference rows after the model's encoding (one angle per circuit feature)",
        )
    y = _inputs.numeric(labels, role="reference", subject="labels")
    if len(y) != len(x) or not np.isin(y, (0.0, 1.0)).all():
        raise InputError(
            f"expected {len(x)} labels of 0 or 1, one per reference row, got {len(y)} values "
            f"{sorted(set(y.tolist()))[:5]}",
            where=_inputs.where("reference", "labels"),
            fix="pass each reference row's outcome as 0 or 1 (1: the class whose probability the circuit "
            "measures)",
        )
    return x, y


# -- the three subjects ------------------------------------------------------------------------------------


def _probabilities(setting: _Setting, angles: NDArray[np.float64]) -> tuple[np.ndarray, np.ndarray]:
    audited = np.asarray(setting.model.probabilities(angles, setting.audited), dtype=float)
    new = np.asarray(setting.model.probabilities(angles, setting.new), dtype=float)
    return audited, new


def _accuracy(
    setting: _Setting,
    audited_p: np.ndarray,
    new_p: np.ndarray,
    labels: np.ndarray,
    threshold: float,
    tolerance: float,
) -> DriftResult:
    n = len(labels)
    truth = labels == 1.0
    correct_audited = int(np.sum((audited_p >= threshold) == truth))
    correct_new = int(np.sum((new_p >= threshold) == truth))
    change = (correct_new - correct_audited) / n  # one rounding: a change of k rows is exactly k/n
    return DriftResult(
        detector=DETECTOR,
        subject="accuracy",
        statistic=change,
        p_value=None,
        threshold=float(tolerance),
        drifted=-change > tolerance,
        reference_n=n,
        current_n=n,
        method=(
            "Accuracy of the decision P(class 1) ≥ decision_threshold on the reference rows' labels under the new "
            "noise minus under the audited noise (exact probabilities); drifted when it falls by more than the "
            "threshold (statistic < −threshold)."
        ),
        detail={
            **setting.noise_detail(),
            "audited_accuracy": correct_audited / n,
            "new_accuracy": correct_new / n,
            "audited_correct": correct_audited,
            "new_correct": correct_new,
            "decision_threshold": float(threshold),
        },
    )


def _probability(
    setting: _Setting, audited_p: np.ndarray, new_p: np.ndarray, threshold: float, tolerance: float
) -> DriftResult:
    n = len(audited_p)
    difference = new_p - audited_p
    absolute = np.abs(difference)
    audited_positive = audited_p >= threshold
    new_positive = new_p >= threshold
    flips = int(np.sum(audited_positive != new_positive))
    mean_absolute = float(absolute.mean())
    return DriftResult(
        detector=DETECTOR,
        subject="probability",
        statistic=mean_absolute,
        p_value=None,
        threshold=float(tolerance),
        drifted=mean_absolute > tolerance,
        reference_n=n,
        current_n=n,
        method=(
            "Mean over the reference rows of |P_new(x) − P_audited(x)|, the exact class-1 probabilities under the "
            "new and the audited noise; drifted when it exceeds the threshold."
        ),
        detail={
            **setting.noise_detail(),
            "max_abs_difference": float(absolute.max()),
            "mean_difference": float(difference.mean()),
            "audited_mean": float(audited_p.mean()),
            "new_mean": float(new_p.mean()),
            "decision_flips": flips,
            "flip_share": flips / n,
            "flips_to_positive": int(np.sum(new_positive & ~audited_positive)),
            "flips_to_negative": int(np.sum(audited_positive & ~new_positive)),
            "decision_threshold": float(threshold),
        },
    )


def _certificate(setting: _Setting, tolerance: float, epsilon: float, delta: float) -> DriftResult:
    # imported here: the certificate pulls in the assessment stack, which serving never needs otherwise
    from qtrust.assess.certified_fairness import certify

    name = "served model"
    audited, _ = certify(
        setting.model,
        name,
        noise=setting.audited,
        noise_label=setting.audited_label,
        epsilon=epsilon,
        delta=delta,
    )
    new, _ = certify(
        setting.model, name, noise=setting.new, noise_label=setting.new_label, epsilon=epsilon, delta=delta
    )
    change = new.lipschitz - audited.lipschitz
    return DriftResult(
        detector=DETECTOR,
        subject="certificate",
        statistic=change,
        p_value=None,
        threshold=float(tolerance),
        drifted=abs(change) > tolerance,
        reference_n=0,
        current_n=0,
        method=(
            "Lipschitz constant K* = λmax(M) − λmin(M) of the noisy classifier's measurement operator M (Guan, "
            "Fang & Ying 2022) under the new noise minus under the audited noise; drifted when |statistic| > "
            "threshold (a rise weakens the (ε, δ) fairness certificate, fair iff δ ≥ K*·ε)."
        ),
        detail={
            **setting.noise_detail(),
            "audited_lipschitz": audited.lipschitz,
            "new_lipschitz": new.lipschitz,
            "weakened": change > 0,
            "audited_lambda_min": audited.lambda_min,
            "audited_lambda_max": audited.lambda_max,
            "new_lambda_min": new.lambda_min,
            "new_lambda_max": new.lambda_max,
            "epsilon": float(epsilon),
            "delta": float(delta),
            "audited_fair": audited.fair,
            "new_fair": new.fair,
            "verdict_changed": audited.fair != new.fair,
            "audited_certified_delta": audited.lipschitz * epsilon,
            "new_certified_delta": new.lipschitz * epsilon,
            "n_qubits": setting.circuit.n_qubits,
        },
    )
