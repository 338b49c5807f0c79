"""The library call for bringing your own model: ``qtrust.audit_models({"mine": model})``.

A team's own model is audited on qtrust's split of the data, beside the configured classical baselines,
with every assessment that applies to it (see :mod:`qtrust.audit.supplied`). Train it on
:func:`prepare_data`'s training rows so that the audit's held-out rows are really held out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qtrust.assess.prepared import PreparedData
from qtrust.assess.progress import Progress
from qtrust.audit.data_prep import prepare
from qtrust.audit.runner import AuditRun, run_audit, write_audit
from qtrust.audit.supplied import Supplied
from qtrust.config.schema import AuditConfig, NoEntanglementSpec
from qtrust.data import Dataset


def _config(config: AuditConfig | str | Path | None) -> tuple[AuditConfig, str | None]:
    if config is None:
        return AuditConfig(), None
    if isinstance(config, AuditConfig):
        return config, None
    from qtrust.config import load_config

    return load_config(config), str(config)


def without_configured_models(config: AuditConfig) -> AuditConfig:
    """The config with only its classical baselines: supplied models are the candidates.

    The no-entanglement control goes too: it is a copy of a configured variational model.
    """
    baselines = [b for b in config.baselines if not isinstance(b, NoEntanglementSpec)]
    return config.model_copy(update={"models": [], "baselines": baselines})


def prepare_data(
    config: AuditConfig | str | Path | None = None, dataset: Dataset | None = None
) -> PreparedData:
    """The audit's data stage on its own: the seeded split and the qubit encoding, fitted on training rows.

    ``X_train`` / ``y_train`` are what a supplied model should be trained on; ``X_test`` is what the audit
    scores. The split and encoding depend only on the config's seed and data sections, so an audit with the
    same config sees exactly these rows.
    """
    return prepare(_config(config)[0], dataset)


def _supplied(models: Mapping[str, Any] | Sequence[Supplied] | Supplied) -> list[Supplied]:
    if isinstance(models, Supplied):
        return [models]
    if isinstance(models, Mapping):
        return [m if isinstance(m, Supplied) else Supplied(name, m) for name, m in models.items()]
    return list(models)


def audit_models(
    models: Mapping[str, Any] | Sequence[Supplied] | Supplied,
    config: AuditConfig | str | Path | None = None,
    *,
    include_configured: bool = False,
    dataset: Dataset | None = None,
    out: str | Path | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    """Audit your own model(s) on the config's data, beside its classical baselines.

    ``models``: ``{"name": fitted_model}`` (each a candidate) or :class:`Supplied` items (to set a role, or
    ``retrain=True``). ``include_configured``: also train and audit the config's own quantum models (and its
    no-entanglement control); by default only the supplied models and the classical baselines run.
    ``out``: write results.json, predictions.csv, report.html and model_card.md there.
    """
    cfg, source = _config(config)
    if not include_configured:
        cfg = without_configured_models(cfg)
    run = run_audit(cfg, dataset=dataset, progress=progress, config_source=source, supplied=_supplied(models))
    if out is not None:
        write_audit(run, out)
    return run
