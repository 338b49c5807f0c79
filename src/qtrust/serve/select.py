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

from typing import Any

from qtrust.errors import InputError
from qtrust.models import CircuitClassifier
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


def open_backend(spec: str, model: CircuitClassifier) -> QuantumBackend:
    """The backend named by ``spec`` for ``model``'s circuit, or an InputError naming the choices."""
    kind, _, detail = spec.partition(":")
    if spec == "engine":
        return EngineBackend(model)
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
