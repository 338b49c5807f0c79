"""The deployable model: one file built from an audited run, refused if anything in it changed.

``model.qtrust`` is a zip archive of

* ``manifest.json`` — what it is: the audit it comes from (results.json's sha256, the dataset digest, the
  training seed), the feature schema a request must follow, the decision threshold, the egress policy
  (only the encoded angles may leave for a quantum backend), and the sha256 of every other member;
* ``quantum.json`` — the quantum model: its circuit and trained weights (rebuilt with
  :meth:`CircuitClassifier.from_weights`); the manifest adds the noise settings the audit measured it under
  (channels × levels, device calibrations), the only noise a server may simulate it with;
* ``preprocessor.skops`` and ``fallback.skops`` — the fitted qubit encoding and the audited classical
  fallback, persisted with skops (never a bare pickle) and loaded with an explicit list of trusted types;
* ``reference.json`` — what drift monitoring compares served traffic with: the audit's held-out test rows as
  *column marginals* (each numeric feature's values sorted on their own, each category's count — no row of
  the data can be put back together), their encoded angles (what the backend would be sent anyway), the
  quantum and classical models' exact probabilities and the labels.

Nothing is trusted from the audit folder on its word: the data is loaded and split again from the recorded
config, the fallback refitted with its recorded seed, and both models' probabilities on the audit's test
rows must equal the ones the audit wrote to ``predictions.csv`` (to the 10 decimals it writes) before the
artefact is written. Loading checks every member against the manifest, and the manifest against the
sha256 a caller pinned (the one recorded in the evidence log when the model was deployed).

Packaging the same audit twice gives the same manifest content and the same models, not the same bytes (zip
time stamps, and skops names its arrays after object ids): the artefact's sha256 identifies one packaging,
and the deployment entry records which one went into service.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio

from qtrust._version import __version__
from qtrust.audit.data_prep import load_dataset, prepare
from qtrust.audit.training import plan_models, training_seed
from qtrust.config import config_from_dict
from qtrust.encoding import canonical_json
from qtrust.errors import InputError
from qtrust.files import write_file_atomically
from qtrust.models import CircuitClassifier
from qtrust.quantum.circuit import Circuit
from qtrust.results.schema import AuditResult

FORMAT = "https://qtrust.dev/model-artefact/v1"
MEMBERS = ("quantum.json", "preprocessor.skops", "fallback.skops")
OPTIONAL_MEMBERS = ("reference.json",)  # the monitoring reference (artefacts from before it have none)
#: The only non-scikit-learn types a qtrust artefact's skops members may hold.
TRUSTED_TYPES = ("qtrust.data.preprocess.QubitPreprocessor", "qtrust.data.preprocess._one_hot_name")
AGREEMENT = 1e-9  # predictions.csv keeps 10 decimals


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def feature_schema(frame: pd.DataFrame, train: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per column a request must carry: numbers with their training range, categories with
    their known values (the encoder ignores unknown ones; the server refuses them)."""
    schema = []
    for column in frame.columns:
        values = train[column]
        if pd.api.types.is_numeric_dtype(values):
            schema.append(
                {"name": column, "type": "number", "min": float(values.min()), "max": float(values.max())}
            )
        else:
            schema.append({"name": column, "type": "category", "values": sorted(map(str, values.unique()))})
    return schema


def _recorded_probabilities(out: Path, frame: pd.DataFrame, model: str, seed: int) -> np.ndarray:
    rows = frame[(frame.model == model) & (frame.noise == "none") & (frame.shots == 0) & (frame.seed == seed)]
    if rows.empty:
        raise InputError(
            f"predictions.csv has no exact, noiseless predictions of {model!r} for seed {seed}",
            where=str(out / "predictions.csv"),
            fix="package from the output folder of the audit that measured this model",
        )
    return rows.sort_values("row").proba.to_numpy()


def _check_agrees(name: str, rebuilt: np.ndarray, recorded: np.ndarray) -> None:
    worst = float(np.max(np.abs(rebuilt - recorded))) if rebuilt.shape == recorded.shape else float("inf")
    if not worst <= AGREEMENT:
        raise InputError(
            f"the rebuilt {name} does not reproduce the audit's predictions (largest difference {worst:.3g})",
            where="RUN",
            fix="package on the machine and qtrust version that ran the audit, or re-run the audit here",
        )


def _reference(
    test_rows: list[int],
    test: pd.DataFrame,
    angles: np.ndarray,
    quantum: np.ndarray,
    classical: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    threshold: float,
) -> dict[str, Any]:
    """The monitoring reference: per-column marginals of the test rows, never the rows themselves."""
    features: dict[str, Any] = {}
    for column in test.columns:
        values = test[column]
        if pd.api.types.is_numeric_dtype(values):
            features[column] = {"type": "number", "values": sorted(float(v) for v in values)}
        else:
            counts = values.astype(str).value_counts()
            features[column] = {
                "type": "category",
                "counts": {str(k): int(v) for k, v in sorted(counts.items())},
            }
    return {
        "rows": len(test),
        "test_rows": test_rows,  # their positions in the audited dataset: a drill replays them, not training rows
        "features": features,
        "angles": np.asarray(angles, dtype=float).tolist(),
        "quantum_probabilities": np.asarray(quantum, dtype=float).tolist(),
        "classical_probabilities": np.asarray(classical, dtype=float).tolist(),
        "labels": [int(v) for v in labels],
        # per group, the quantum model's favourable decisions and rows: counts, never who is in which group
        "group_rates": {
            str(g): {
                "positives": int(np.sum(np.asarray(quantum)[np.asarray(groups) == g] >= threshold)),
                "rows": int(np.sum(np.asarray(groups) == g)),
            }
            for g in np.unique(np.asarray(groups))
        },
    }


@dataclass(frozen=True)
class Packaged:
    path: Path
    sha256: str
    manifest: dict[str, Any]


def package(
    out: Path,
    destination: Path,
    *,
    model: str,
    fallback: str,
    seed: int | None = None,
    audit_entry: int | None = None,
) -> Packaged:
    """Build ``destination`` (``model.qtrust``) from the audit written to ``out``.

    ``audit_entry``: the evidence-log entry that records this audit (found by the caller from the digest of
    results.json among entries that verify), written into the manifest to tie the model to its evidence.
    """
    results_path = out / "results.json"
    try:
        raw = results_path.read_bytes()
        result = AuditResult.model_validate_json(raw)
    except (OSError, ValueError) as error:
        raise InputError(
            f"cannot read the audit's results: {error}",
            where=str(results_path),
            fix="give an audit output folder",
        ) from None
    records = {m.name: m for m in result.models}
    for name, family in ((model, "quantum"), (fallback, "classical")):
        if name not in records or records[name].family != family:
            names = ", ".join(m.name for m in result.models if m.family == family)
            raise InputError(
                f"the audit has no {family} model {name!r}",
                where="--model" if family == "quantum" else "--fallback",
                fix=f"choose one of: {names}",
            )
    fits = {fit.seed: fit for fit in records[model].fits}
    seed = min(fits) if seed is None else seed
    described = fits.get(seed) and fits[seed].description
    if not described or "circuit" not in described or "weights" not in described:
        raise InputError(
            f"{model!r} has no recorded circuit and weights for seed {seed}",
            where="--model",
            fix="package a variational model or a translated circuit (quantum kernels are not deployable yet)",
        )
    recorded_config = {k: v for k, v in result.config.items() if k != "source"}  # where it was read from
    config = config_from_dict(recorded_config, source=f"{results_path} config")
    dataset = load_dataset(config)
    if dataset.digest() != result.dataset.digest:
        raise InputError(
            "the data loaded from the recorded config is not the audited data (digest differs)",
            where="RUN",
            fix="package where the audited data file is, unchanged",
        )
    prepared = prepare(config, dataset)
    quantum = CircuitClassifier.from_weights(
        Circuit.from_dict(described["circuit"]), np.asarray(described["weights"], dtype=float)
    )
    planned = {m.name: m for m in plan_models(config)}
    factory = planned[fallback].factory
    assert factory is not None
    classical = factory(training_seed(config, seed)).fit(prepared.X_train, prepared.y_train)
    recorded = pd.read_csv(
        out / "predictions.csv", usecols=["model", "noise", "shots", "seed", "row", "proba"]
    )
    _check_agrees(
        model, quantum.probabilities(prepared.X_test), _recorded_probabilities(out, recorded, model, seed)
    )
    _check_agrees(
        fallback,
        classical.predict_proba(prepared.X_test)[:, 1],
        _recorded_probabilities(out, recorded, fallback, seed),
    )
    columns = list(prepared.preprocessor.feature_names_in_)
    reference = _reference(
        [int(i) for i in prepared.test_idx],
        dataset.features.iloc[prepared.test_idx][columns],
        prepared.X_test,
        quantum.probabilities(prepared.X_test),
        classical.predict_proba(prepared.X_test)[:, 1],
        prepared.y_test,
        prepared.groups_test,
        config.statistics.threshold,
    )
    members = {
        "quantum.json": canonical_json(
            {"circuit": described["circuit"], "weights": list(described["weights"]), "classes": [0, 1]}
        ),
        "preprocessor.skops": sio.dumps(prepared.preprocessor),
        "fallback.skops": sio.dumps(classical),
        "reference.json": canonical_json(reference),
    }
    train = dataset.features.iloc[prepared.train_idx]
    manifest = {
        "format": FORMAT,
        "written_by": f"qtrust {__version__}",
        "audit": {
            "results_sha256": _sha256(raw),
            "created_at": result.created_at,
            "dataset": result.dataset.name,
            "dataset_digest": result.dataset.digest,
            "seed": seed,
            "evidence_entry": audit_entry,
        },
        "model": {"name": model, "kind": records[model].kind, "n_features": quantum.circuit.n_features},
        "fallback": {"name": fallback, "kind": records[fallback].kind},
        "threshold": config.statistics.threshold,
        "features": feature_schema(train[columns], train[columns]),
        "group": {
            "name": dataset.sensitive,
            "columns": list(dataset.sensitive_source_columns),
            "values": sorted(dataset.group_counts()),
        },
        "egress": {"allowed": ["angles"], "widths": {"angles": quantum.circuit.n_features}},
        # the noise the audit measured the model under: a server may simulate only these points
        "noise": {
            "channels": list(config.noise.channels),
            "levels": list(config.noise.levels),
            "devices": [device.label for device in config.noise.devices],
            "placement": config.noise.placement,
        },
        "members": {name: _sha256(data) for name, data in members.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("manifest.json", canonical_json(manifest)), *members.items()]:
            archive.writestr(name, data)
    data = buffer.getvalue()
    write_file_atomically(destination, data)
    return Packaged(destination, _sha256(data), manifest)


@dataclass
class Artefact:
    """A loaded, checked artefact: the quantum model, the encoding, the fallback and the manifest."""

    manifest: dict[str, Any]
    quantum: CircuitClassifier
    preprocessor: Any
    fallback: Any
    sha256: str
    reference: dict[str, Any] | None = None  # the monitoring reference, if the artefact carries one

    @property
    def threshold(self) -> float:
        return float(self.manifest["threshold"])


def _refuse(path: Path, problem: str) -> InputError:
    return InputError(
        f"{path} is not a usable qtrust model artefact: {problem}",
        where=str(path),
        fix="rebuild it with `qtrust package`; never edit an artefact",
    )


def load(path: Path, *, expected_sha256: str | None = None) -> Artefact:
    """Open ``path``, checking the whole file against ``expected_sha256`` (if pinned) and every member
    against the manifest; skops members load only the scikit-learn and qtrust types they are known to hold."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read {path}: {error}", where=str(path), fix="give a model.qtrust file"
        ) from None
    digest = _sha256(data)
    if expected_sha256 is not None and digest != expected_sha256:
        raise _refuse(path, f"its sha256 {digest[:12]}… is not the pinned {expected_sha256[:12]}…")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            members = {name: archive.read(name) for name in MEMBERS}
            present = set(archive.namelist())
            members |= {name: archive.read(name) for name in OPTIONAL_MEMBERS if name in present}
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise _refuse(path, str(error)) from None
    if manifest.get("format") != FORMAT:
        raise _refuse(path, f"unknown format {manifest.get('format')!r}")
    missing = sorted(set(manifest.get("members", {})) - set(members))
    if missing:
        raise _refuse(path, f"its manifest lists {', '.join(missing)}, which the archive lacks")
    for name, content in members.items():
        if _sha256(content) != manifest.get("members", {}).get(name):
            raise _refuse(path, f"{name} does not match the digest its manifest records")
    try:
        quantum_doc = json.loads(members["quantum.json"])
        quantum = CircuitClassifier.from_weights(
            Circuit.from_dict(quantum_doc["circuit"]), np.asarray(quantum_doc["weights"], dtype=float)
        )
        preprocessor = sio.loads(members["preprocessor.skops"], trusted=list(TRUSTED_TYPES))
        fallback = sio.loads(members["fallback.skops"], trusted=list(TRUSTED_TYPES))
        reference = json.loads(members["reference.json"]) if "reference.json" in members else None
    except (ValueError, KeyError, TypeError) as error:
        raise _refuse(path, f"a member cannot be loaded: {error}") from None
    return Artefact(manifest, quantum, preprocessor, fallback, digest, reference)
