"""The data stage of an audit: load, split, and encode to qubit angles — fitted on training rows only."""

from __future__ import annotations

import warnings

import numpy as np

from qtrust.assess.prepared import PreparedData
from qtrust.config.schema import AuditConfig
from qtrust.data import (
    Dataset,
    QubitPreprocessor,
    load_csv,
    load_german_credit,
    make_synthetic,
    train_test_indices,
)
from qtrust.data.datasheet import OwnerAnswers, builtin_answers, load_answers
from qtrust.errors import InputError
from qtrust.seeding import derive_seed


def load_dataset(config: AuditConfig) -> Dataset:
    data = config.data
    if data.source == "german_credit":
        return load_german_credit(sensitive=data.sensitive or "sex")  # type: ignore[arg-type]
    if data.source == "csv":
        assert data.path
        assert data.label
        assert data.sensitive
        return load_csv(
            data.path,
            label=data.label,
            sensitive=data.sensitive,
            positive=data.positive,
            sensitive_threshold=data.sensitive_threshold,
        )
    s = data.synthetic
    return make_synthetic(
        s.n_rows,
        s.n_features,
        group_bias=s.group_bias,
        proxy_strength=s.proxy_strength,
        minority_fraction=s.minority_fraction,
        label_noise=s.label_noise,
        random_state=derive_seed(config.seed, "data/synthetic"),
    )


def prepare(config: AuditConfig, dataset: Dataset | None = None) -> PreparedData:
    """Load (unless given), split stratified by label × group, and fit the qubit encoding on training rows."""
    dataset = dataset if dataset is not None else load_dataset(config)
    split_seed = derive_seed(config.seed, "split")
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_idx, test_idx = train_test_indices(dataset, config.data.test_size, split_seed)
    notes += [str(w.message) for w in caught]
    features = dataset.model_features(drop_sensitive=config.data.drop_sensitive)
    if features.shape[1] == 0:
        raise InputError(
            "no feature columns are left after removing the label and the sensitive attribute",
            where="data",
            fix="add feature columns or set data.drop_sensitive: false",
        )
    enc = config.encoding
    preprocessor = QubitPreprocessor(
        n_qubits=enc.n_qubits, reduction=enc.reduction, angle_range=enc.angle_range
    )
    preprocessor.fit(features.iloc[train_idx], dataset.y[train_idx])
    X_train = preprocessor.transform(features.iloc[train_idx])
    X_test = preprocessor.transform(features.iloc[test_idx])
    if preprocessor.last_clip_fraction_ > 0:
        notes.append(
            f"{preprocessor.last_clip_fraction_:.1%} of test angles fell outside the training range and were clipped"
        )
    groups = np.asarray(dataset.group).astype(str)
    for g in np.unique(groups):
        if not np.any(groups[test_idx] == g):
            raise InputError(
                f"group {g!r} has no rows in the test split",
                where="data.test_size",
                fix="increase data.test_size or provide more rows of this group",
            )
    return PreparedData(
        dataset=dataset,
        train_idx=train_idx,
        test_idx=test_idx,
        preprocessor=preprocessor,
        X_train=X_train,
        X_test=X_test,
        y_train=np.asarray(dataset.y[train_idx], dtype=int),
        y_test=np.asarray(dataset.y[test_idx], dtype=int),
        groups_train=groups[train_idx],
        groups_test=groups[test_idx],
        split_seed=split_seed,
        notes=notes,
        test_clip_fraction=float(preprocessor.last_clip_fraction_),
        datasheet_answers=_datasheet_answers(config),
    )


def _datasheet_answers(config: AuditConfig) -> OwnerAnswers | None:
    """The owner's answers (``data.datasheet``), else the built-in data's own; read before any training."""
    if config.data.datasheet:
        return load_answers(config.data.datasheet)
    if config.data.source == "german_credit":
        return builtin_answers("german_credit")
    return None
