"""Drift monitoring of a served model: inputs, encoded angles, outputs against shot noise, label-free accuracy
and device calibrations, each detector in its own module behind one typed result.

Importing this package registers every built-in detector in :data:`~qtrust.monitor.registry.DETECTORS`:
``psi``, ``ks``, ``chi2`` (input features), ``mmd`` (encoded angles), ``output_shot_noise`` (served
probabilities), ``cbpe`` (label-free accuracy) and ``device_drift`` (a new device calibration or noise
model: the reference rows' accuracy and probabilities and the fairness certificate re-scored under it, see
:mod:`~qtrust.monitor.device_drift`). Each returns a :class:`~qtrust.monitor.result.DriftResult`;
:func:`~qtrust.monitor.window.check_window` runs the window detectors on one window (device drift compares
noise models, not windows, and is run when the backend's configuration changes). Everything here is pure
computation over arrays and models — no I/O, no HTTP, no evidence.
"""

from __future__ import annotations

from qtrust.monitor.cbpe import cbpe
from qtrust.monitor.chi_square import chi_square
from qtrust.monitor.device_drift import device_drift as device_drift
from qtrust.monitor.group_rate import group_rate as group_rate
from qtrust.monitor.ks import ks
from qtrust.monitor.mmd import mmd
from qtrust.monitor.output_drift import output_drift
from qtrust.monitor.psi import psi
from qtrust.monitor.registry import DETECTORS, register
from qtrust.monitor.result import DriftResult
from qtrust.monitor.window import CurrentWindow, ReferenceWindow, check_window

__all__ = [
    "DETECTORS",
    "CurrentWindow",
    "DriftResult",
    "ReferenceWindow",
    "cbpe",
    "check_window",
    "chi_square",
    "ks",
    "mmd",
    "output_drift",
    "psi",
    "register",
]
