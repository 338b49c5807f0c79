"""Checks that fail in a second, before minutes of training, on what would otherwise fail late.

A circuit too wide for the simulation path that a noise setting needs is only discovered when that setting
is scored, after every model has been trained; the preflight builds each quantum model's circuit and asks
the engine for its path under every configured noise setting first.

:func:`check_inputs` goes one step further for the command line: it also loads and prepares the data, so
that every refusal a user's input can cause comes before anything is written — no output directory, and
no signing keys or evidence log created for an audit that was never going to run.
"""

from __future__ import annotations

from collections.abc import Sequence

from qtrust.assess.privacy_audit import check_privacy_config
from qtrust.audit.data_prep import load_dataset, prepare
from qtrust.audit.supplied import Supplied
from qtrust.audit.training import noise_from_spec
from qtrust.config.schema import AuditConfig, QuantumKernelSpec, VariationalSpec
from qtrust.data import Dataset
from qtrust.errors import CapacityError, InputError
from qtrust.models import VariationalClassifier
from qtrust.quantum.ansatz import encoding_circuit
from qtrust.quantum.circuit import Circuit
from qtrust.quantum.engine import MAX_QUBITS, choose_path
from qtrust.quantum.noise import NoiseModel


def _circuits(config: AuditConfig, supplied: Sequence[Supplied] = ()) -> list[tuple[str, Circuit]]:
    n = config.encoding.n_qubits
    out = [
        (item.name, item.representative.circuit_)
        for item in supplied
        if isinstance(getattr(item.representative, "circuit_", None), Circuit)
    ]
    for spec in config.models:
        if isinstance(spec, VariationalSpec):
            model = VariationalClassifier(
                n_layers=spec.n_layers,
                encoding=spec.encoding,
                encoding_reps=spec.encoding_reps,
                topology=spec.topology,
                rotations=tuple(spec.rotations),
                readout=spec.readout,
                reupload=spec.reupload,
            )
            out.append((spec.name, model.build_circuit(n)))
        elif isinstance(spec, QuantumKernelSpec):
            out.append((spec.name, encoding_circuit(n, spec.encoding, spec.encoding_reps, spec.topology)))
    return out


def _noise_settings(config: AuditConfig) -> list[NoiseModel]:
    settings = [NoiseModel()]
    levels = [level for level in config.noise.levels if level > 0]
    if levels:
        settings += [config.noise.model(channel, max(levels)) for channel in config.noise.channels]
    settings += [noise_from_spec(m.train_noise) for m in config.models if m.train_noise is not None]
    return settings


def _check_names(config: AuditConfig, supplied: Sequence[Supplied]) -> None:
    names = [m.name for m in config.models] + [b.name for b in config.baselines] + [s.name for s in supplied]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(
            f"model names must be unique across configured and supplied models; repeated: {repeated}",
            where="Supplied.name",
            fix="give each supplied model a name no configured model uses",
        )
    if not config.models and not any(s.role == "candidate" for s in supplied):
        raise InputError(
            "the audit has no candidate model",
            where="models",
            fix="configure a quantum model or supply one with role='candidate'",
        )


def _check_devices(config: AuditConfig) -> None:
    """An unknown device, a bad layout or a missing qiskit-ibm-runtime fails now, not after training."""
    if not config.noise.devices:
        return
    from qtrust.quantum.devices import device_noise

    for spec in config.noise.devices:
        device_noise(spec.name, config.encoding.n_qubits, spec.layout)


def preflight(config: AuditConfig, supplied: Sequence[Supplied] = ()) -> None:
    """Raise the error the audit would hit later, now."""
    _check_names(config, supplied)
    _check_devices(config)
    for name, circuit in _circuits(config, supplied):
        for noise in _noise_settings(config):
            try:
                choose_path(circuit, noise, "auto", n_rows=1_000)
            except CapacityError as error:
                raise CapacityError(
                    error.problem + f" (model {name!r} under {noise.label or 'no noise'})",
                    where="encoding.n_qubits",
                    fix=error.fix,
                ) from None
            entangling_encoding = any(len(op.wires) == 2 for op in circuit.encoding)
            limit = MAX_QUBITS["density_matrix"]
            if noise.has_channels and entangling_encoding and circuit.n_qubits > limit:
                raise CapacityError(
                    f"model {name!r}: a noisy entangling encoding on {circuit.n_qubits} qubits needs the "
                    f"density-matrix path, which allows at most {limit}",
                    where="encoding.n_qubits",
                    fix=f"use n_qubits <= {limit}, an angle encoding, or drop channel noise from the sweep",
                )


def check_inputs(config: AuditConfig, supplied: Sequence[Supplied] = ()) -> Dataset:
    """Every check of the config, the supplied models and the data that the audit's first stage makes.

    Returns the loaded dataset, to hand to ``run_audit(dataset=...)`` so the file is read once. The split
    and the qubit encoding are fitted here too (a second or less) because they refuse data that loads
    fine: a group with no test rows, no feature columns left, more qubits than encoded columns.
    """
    preflight(config, supplied)
    dataset = load_dataset(config)
    prepared = prepare(config, dataset)
    check_privacy_config(config, prepared)
    return dataset
