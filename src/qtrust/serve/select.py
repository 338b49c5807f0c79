"""Which quantum backend serves, from one short name on the command line.

``engine`` is qtrust's own simulator (exact, or binomial shots in the exact probability). The others run the
circuit on another framework: ``aer`` (Qiskit Aer's simulator), ``statevector`` (Qiskit's reference
StatevectorSampler), ``fake:<name>`` (a Qiskit fake V2 device such as ``FakeManilaV2``: the device's coupling
map, basis gates and calibrated noise, the nearest thing to hardware without an account) and
``pennylane[:device]`` (a PennyLane device, ``default.qubit`` unless named). IBM hardware is a
:class:`~qtrust.serve.qiskit_backend.QiskitBackend` over a runtime sampler, built in Python where the account
lives; no name here reaches the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
from qtrust.quantum.noise import NoiseModel
from qtrust.serve.backends import EngineBackend, QuantumBackend

CHOICES = "engine, aer, statevector, fake:<FakeDeviceV2 name> or pennylane[:device]"


def _fake_device(name: str) -> Any:
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError:
        raise InputError(
            "fake devices need qiskit-ibm-runtime", where="--backend", fix="pip install 'qtrust[qiskit]'"
        ) from None
    device = getattr(fake_provider, name, None)
    known = sorted(n for n in dir(fake_provider) if n.startswith("Fake") and n.endswith("V2"))
    if device is None or not name.endswith("V2"):
        raise InputError(
            f"no fake V2 device {name!r}", where="--backend", fix=f"one of: {', '.join(known[:12])}, ..."
        )
    return device()


def audited_noise(noise: str, audited: Mapping[str, Any] | None) -> NoiseModel:
    """``CHANNEL:LEVEL`` as a noise model, refused unless the audit measured the model at that point."""
    kind, _, level_text = noise.partition(":")
    channels = list((audited or {}).get("channels", []))
    levels = [float(v) for v in (audited or {}).get("levels", [])]
    points = ", ".join(f"{c}:{v:g}" for c in channels for v in levels if v > 0) or "none"
    try:
        level = float(level_text)
    except ValueError:
        raise InputError(
            f"{noise!r} is not CHANNEL:LEVEL", where="--noise", fix=f"one of the audited points: {points}"
        ) from None
    if kind not in channels or not any(abs(level - v) <= 1e-12 for v in levels):
        raise InputError(
            f"the audit did not measure the model under {kind} at {level:g}",
            where="--noise",
            fix=f"serve at a point the audit measured: {points}",
        )
    return placed_noise(kind, level, audited)


def placed_noise(kind: str, level: float, audited: Mapping[str, Any] | None) -> NoiseModel:
    """One channel at ``level``, placed as the audit placed its noise (``noise.placement`` in the manifest;
    artefacts from before it was recorded were audited with noise after every gate)."""
    placement = (audited or {}).get("placement") or "every_gate"
    if placement == "every_gate":
        return NoiseModel.single(kind, level)
    return NoiseModel.single(kind, level, layer=placement)


def open_backend(
    spec: str,
    model: CircuitClassifier,
    *,
    noise: str | None = None,
    audited: Mapping[str, Any] | None = None,
) -> QuantumBackend:
    """The backend named by ``spec`` for ``model``'s circuit, or an InputError naming the choices.

    ``noise`` (``CHANNEL:LEVEL``, engine only): simulate under one point of the audit's noise sweep
    (``audited``: the artefact's manifest ``noise``); any other point is refused, since no audit speaks for it.
    """
    kind, _, detail = spec.partition(":")
    if noise is not None and spec != "engine":
        raise InputError(
            f"--noise with --backend {spec}",
            where="--noise",
            fix="simulated noise is for the engine; a Qiskit fake or real device brings its own",
        )
    if spec == "engine":
        if noise is None:
            return EngineBackend(model)
        chosen = audited_noise(noise, audited)
        return EngineBackend(model, chosen, name=f"qtrust-engine[{chosen.label}]")
    if kind in ("aer", "statevector", "fake"):
        from qtrust.serve.qiskit_backend import QiskitBackend

        if spec == "aer":
            from qiskit_aer import AerSimulator

            return QiskitBackend(model, AerSimulator())
        if spec == "statevector":
            from qiskit.primitives import StatevectorSampler

            return QiskitBackend(model, StatevectorSampler())
        if kind == "fake" and detail:
            return QiskitBackend(model, _fake_device(detail))
    if kind == "pennylane":
        from qtrust.serve.pennylane_backend import PennyLaneBackend

        return PennyLaneBackend(model, detail or "default.qubit")
    raise InputError(f"unknown backend {spec!r}", where="--backend", fix=f"one of: {CHOICES}")
