"""The dataset an audit runs on: features, favourable-outcome labels, sensitive groups and provenance.

A :class:`Dataset` is validated once, when it is built, so that every later stage (models, fairness
metrics, reports) can rely on its invariants instead of re-checking them: labels are 0/1 with both classes
present, nothing is missing, and every sensitive group is large enough for a group rate to mean something.
Its :meth:`Dataset.digest` is the *content* fingerprint that audit results record, so a re-run can prove
it saw the same rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from qtrust.errors import InputError

FeatureType = Literal["numeric", "categorical"]

#: A sensitive group smaller than this gives rates too noisy to compare; building a Dataset refuses it.
MIN_GROUP_ROWS = 10


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from, under which licence, and the sha256 of the source bytes."""

    name: str
    source: str
    licence: str
    sha256: str
    citation: str = ""
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, for the audit record."""
        return {
            "name": self.name,
            "source": self.source,
            "licence": self.licence,
            "sha256": self.sha256,
            "citation": self.citation,
            "description": self.description,
            "extra": json.loads(json.dumps(self.extra, default=str)),
        }


def content_digest(features: pd.DataFrame, y: np.ndarray, group: np.ndarray) -> str:
    """SHA-256 of a canonical serialisation of ``features``, ``y`` and ``group``.

    Columns are taken in sorted name order, so reordering columns keeps the digest; row order is part of
    the content. Numeric columns are hashed as little-endian float64 (so an int column and the same values
    read back as floats agree), categorical columns as JSON string lists. Each block is length-prefixed so
    that no two different contents can serialise to the same bytes.
    """
    hasher = hashlib.sha256()

    def block(tag: str, payload: bytes) -> None:
        head = tag.encode()
        hasher.update(len(head).to_bytes(8, "little") + head)
        hasher.update(len(payload).to_bytes(8, "little") + payload)

    block("qtrust.dataset.v1", str(len(features)).encode())
    for column in sorted(features.columns, key=str):
        values = features[column]
        if _is_numeric(values):
            block(f"numeric:{column}", np.ascontiguousarray(values.to_numpy(dtype="<f8")).tobytes())
        else:
            block(f"categorical:{column}", json.dumps([str(v) for v in values]).encode())
    block("y", np.ascontiguousarray(np.asarray(y, dtype="<i8")).tobytes())
    block("group", json.dumps([str(g) for g in group]).encode())
    return hasher.hexdigest()


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Features, 0/1 favourable-outcome labels and sensitive groups, validated on construction.

    ``features`` holds decoded, human-readable columns (categoricals as strings) and never the label.
    The sensitive attribute stays among the features (its columns are ``sensitive_source_columns``) so
    that proxy effects stay measurable; :meth:`model_features` drops it by default. Arrays are stored as
    read-only copies and the frame's index is reset to 0..n-1, so positions are the only row identity.
    """

    name: str
    features: pd.DataFrame
    y: np.ndarray
    group: np.ndarray
    sensitive: str
    label_name: str
    positive_label: str
    provenance: Provenance
    sensitive_source_columns: tuple[str, ...]
    feature_types: dict[str, FeatureType]

    def __post_init__(self) -> None:
        where = f"dataset '{self.name}'"
        if not isinstance(self.features, pd.DataFrame):
            raise InputError(
                f"features must be a pandas DataFrame, got {type(self.features).__name__}", where=where
            )
        features = self.features.reset_index(drop=True).copy()
        n_rows = len(features)
        y = np.asarray(self.y)
        group = np.asarray(self.group)
        if y.ndim != 1 or group.ndim != 1 or len(y) != n_rows or len(group) != n_rows:
            raise InputError(
                f"lengths disagree: {n_rows} feature rows, y of shape {y.shape}, group of shape "
                f"{group.shape}",
                where=where,
                fix="give one label and one group per feature row",
            )
        self._check_columns(features, where)
        self._check_missing(features, y, group, where)
        y = self._check_labels(y, where)
        group = group.astype(str)
        self._check_groups(group, where)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "y", _read_only(y))
        object.__setattr__(self, "group", _read_only(group))
        object.__setattr__(self, "sensitive_source_columns", tuple(self.sensitive_source_columns))
        object.__setattr__(self, "feature_types", dict(self.feature_types))

    # -- validation -------------------------------------------------------------------------------------

    def _check_columns(self, features: pd.DataFrame, where: str) -> None:
        columns = [str(c) for c in features.columns]
        if len(set(columns)) != len(columns):
            raise InputError(
                "feature column names repeat", where=where, fix="give every column a unique name"
            )
        if set(self.feature_types) != set(columns):
            raise InputError(
                f"feature_types names {sorted(self.feature_types)} but the features have {sorted(columns)}",
                where=where,
                fix="give exactly one type per feature column",
            )
        for column, kind in self.feature_types.items():
            if kind not in ("numeric", "categorical"):
                raise InputError(
                    f"feature type of '{column}' is {kind!r}",
                    where=where,
                    fix="use 'numeric' or 'categorical'",
                )
            if (kind == "numeric") != _is_numeric(features[column]):
                raise InputError(
                    f"column '{column}' is typed {kind} but holds dtype {features[column].dtype}",
                    where=where,
                    fix="store numeric columns as numbers and categorical columns as strings",
                )
        missing = [c for c in self.sensitive_source_columns if c not in columns]
        if missing:
            raise InputError(
                f"sensitive source column(s) {missing} are not among the features",
                where=where,
                fix="keep the columns the sensitive group is derived from in the features",
            )

    @staticmethod
    def _check_missing(features: pd.DataFrame, y: np.ndarray, group: np.ndarray, where: str) -> None:
        empty = features.isna().sum()
        empty = empty[empty > 0]
        if len(empty):
            listed = ", ".join(f"'{c}' ({n} empty)" for c, n in empty.items())
            raise InputError(f"missing values in {listed}", where=where, fix="drop or impute them first")
        if pd.isna(y).any() or pd.isna(group).any():
            raise InputError("missing labels or groups", where=where, fix="drop or impute them first")

    @staticmethod
    def _check_labels(y: np.ndarray, where: str) -> np.ndarray:
        values = set(np.unique(y).tolist())
        if not values <= {0, 1}:
            raise InputError(
                f"labels must be 0/1, found {sorted(values, key=str)[:5]}",
                where=where,
                fix="encode the favourable outcome as 1 and every other outcome as 0",
            )
        if values != {0, 1}:
            raise InputError(
                f"only class {values.pop()} is present",
                where=where,
                fix="use data that contains both favourable (1) and unfavourable (0) outcomes",
            )
        return y.astype(np.int64)

    @staticmethod
    def _check_groups(group: np.ndarray, where: str) -> None:
        names, counts = np.unique(group, return_counts=True)
        if len(names) < 2:
            raise InputError(
                f"the sensitive attribute has a single group {names.tolist()}",
                where=where,
                fix="choose a sensitive attribute with at least two groups",
            )
        for name, count in zip(names, counts, strict=True):
            if count < MIN_GROUP_ROWS:
                raise InputError(
                    f"sensitive group '{name}' has {count} rows, fewer than the {MIN_GROUP_ROWS} needed",
                    where=where,
                    fix="merge small groups, choose another sensitive attribute or split point, or add data",
                )

    # -- queries ----------------------------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.features)

    def digest(self) -> str:
        """The content digest recorded in audit results (see :func:`content_digest`)."""
        return content_digest(self.features, self.y, self.group)

    def model_features(self, drop_sensitive: bool = True) -> pd.DataFrame:
        """The features a model sees: without the sensitive source columns unless asked.

        Dropping them is fairness-through-unawareness; proxies of the attribute remain among the other
        columns, so the group gap is still measurable (and usually still there).
        """
        if drop_sensitive:
            return self.features.drop(columns=list(self.sensitive_source_columns))
        return self.features.copy()

    def group_counts(self) -> dict[str, int]:
        """Rows per sensitive group, in sorted group order."""
        names, counts = np.unique(self.group, return_counts=True)
        return {str(n): int(c) for n, c in zip(names, counts, strict=True)}

    def subset(self, indices: Sequence[int] | np.ndarray) -> Dataset:
        """The rows at positions ``indices`` as a new, re-validated Dataset with the same provenance.

        Every group must still have enough rows: a subset too small for group rates raises InputError.
        """
        idx = np.asarray(indices)
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise InputError(
                "subset indices must be a 1-D array of integer positions",
                where=f"dataset '{self.name}'",
                fix="pass positions such as those from train_test_indices",
            )
        return Dataset(
            name=self.name,
            features=self.features.iloc[idx],
            y=self.y[idx],
            group=self.group[idx],
            sensitive=self.sensitive,
            label_name=self.label_name,
            positive_label=self.positive_label,
            provenance=self.provenance,
            sensitive_source_columns=self.sensitive_source_columns,
            feature_types=self.feature_types,
        )

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_rows={self.n_rows}, n_features={self.features.shape[1]}, "
            f"sensitive={self.sensitive!r}, groups={self.group_counts()}, "
            f"positive_rate={float(self.y.mean()):.3f})"
        )
