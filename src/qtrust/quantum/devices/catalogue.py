"""The catalogue of fake backends: discovering them, resolving any spelling of a name, and their summaries.

Discovery imports qiskit-ibm-runtime, and only when a function here runs, so ``import qtrust`` never needs
Qiskit. Snapshots are parsed once and cached; the ones that cannot make a noise model are listed with the
reason instead of silently missing.
"""

from __future__ import annotations

import difflib
import re
import statistics
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from qtrust.errors import InputError
from qtrust.quantum.devices.snapshot import _parse, _Snapshot

INSTALL_HINT = "pip install 'qtrust[qiskit]'"


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
