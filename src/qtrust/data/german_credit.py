"""The built-in UCI Statlog German Credit dataset, decoded and with its sensitive attribute chosen.

The raw file ships inside the package (``german_credit/german.data``) next to ``german_credit.json``, which
holds the provenance, the attribute names and types, and the meaning of every category code exactly as the
UCI documentation (german.doc) gives it. The file's sha256 is checked on every load, so an audit cannot
silently run on altered data.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from qtrust.data.dataset import Dataset, FeatureType, Provenance
from qtrust.errors import InputError

_RESOURCE_DIR = "german_credit"
_METADATA_FILE = "german_credit.json"

#: Attribute 9 codes that the UCI documentation marks as female applicants (A95 never occurs in the file).
FEMALE_CODES = frozenset({"A92", "A95"})
#: Attribute 9 codes that mark male applicants.
MALE_CODES = frozenset({"A91", "A93", "A94"})
#: Age split used in the fairness literature on this data: under 25 is the unprivileged group.
AGE_SPLIT_YEARS = 25


class DataIntegrityError(InputError):
    """A packaged data file's bytes do not match the sha256 recorded for it."""


@cache
def _metadata() -> dict[str, Any]:
    text = resources.files("qtrust.data").joinpath(_RESOURCE_DIR, _METADATA_FILE).read_text("utf-8")
    return json.loads(text)


def _codebook() -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType(
        {
            attribute["name"]: MappingProxyType(dict(attribute["codes"]))
            for attribute in _metadata()["attributes"]
            if attribute["type"] == "categorical"
        }
    )


#: Column name -> {UCI code -> meaning} for the 13 categorical attributes, as in german.doc.
GERMAN_CREDIT_CODEBOOK: Mapping[str, Mapping[str, str]] = _codebook()


def verify_sha256(data: bytes, expected: str, *, where: str) -> None:
    """Raise :class:`DataIntegrityError` unless ``data`` hashes to ``expected``."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise DataIntegrityError(
            f"sha256 mismatch: expected {expected}, got {actual}",
            where=where,
            fix="reinstall qtrust; the packaged data file was modified or corrupted",
        )


def _read_raw() -> pd.DataFrame:
    """The verified raw file as a frame of codes and numbers, columns named after the metadata."""
    meta = _metadata()
    resource = resources.files("qtrust.data").joinpath(_RESOURCE_DIR, meta["file"])
    data = resource.read_bytes()
    verify_sha256(data, meta["provenance"]["sha256"], where=f"qtrust.data/{_RESOURCE_DIR}/{meta['file']}")
    names = [a["name"] for a in meta["attributes"]] + [meta["label"]["name"]]
    return pd.read_csv(io.BytesIO(data), sep=r"\s+", header=None, names=names)


def load_german_credit(sensitive: Literal["sex", "age"] = "sex") -> Dataset:
    """UCI Statlog German Credit (1000 applicants), decoded, with ``sensitive`` as the group attribute.

    Label: class 1 (good credit risk) is the favourable outcome, y = 1; class 2 (bad) is y = 0.
    ``sensitive="sex"`` groups by attribute 9 into ``"female"`` (A92, A95) and ``"male"`` (A91, A93, A94);
    ``sensitive="age"`` splits age at 25 into ``"under_25"`` and ``"25_and_over"``. Categorical features hold
    the code meanings from :data:`GERMAN_CREDIT_CODEBOOK`, numeric features the raw integers.
    """
    if sensitive not in ("sex", "age"):
        raise InputError(
            f"unknown sensitive attribute {sensitive!r}",
            where="load_german_credit(sensitive=...)",
            fix="use 'sex' or 'age'",
        )
    meta = _metadata()
    raw = _read_raw()
    label = meta["label"]
    label_codes = raw.pop(label["name"]).astype(str)
    y = (label_codes.map(label["codes"]) == label["positive"]).to_numpy(dtype=np.int64)

    feature_types: dict[str, FeatureType] = {a["name"]: a["type"] for a in meta["attributes"]}
    features = raw.copy()
    for column, codebook in GERMAN_CREDIT_CODEBOOK.items():
        unknown = sorted(set(raw[column]) - set(codebook))
        if unknown:  # only possible if the metadata file was edited: the data bytes are verified
            raise DataIntegrityError(
                f"column '{column}' holds codes {unknown} that the codebook does not define",
                where=f"qtrust.data/{_RESOURCE_DIR}/{_METADATA_FILE}",
                fix="reinstall qtrust; the packaged metadata file was modified",
            )
        features[column] = raw[column].map(codebook).astype(str)

    if sensitive == "sex":
        # Every code is one of A91..A95 (checked above), so "not female" is exactly MALE_CODES.
        group = np.where(raw["personal_status_sex"].isin(FEMALE_CODES), "female", "male")
        source_column = "personal_status_sex"
    else:
        group = np.where(raw["age_years"] < AGE_SPLIT_YEARS, "under_25", "25_and_over")
        source_column = "age_years"

    provenance = Provenance(
        **meta["provenance"],
        extra={
            "file": meta["file"],
            "attributes": {a["name"]: a["description"] for a in meta["attributes"]},
            "label_codes": label["codes"],
            "sensitive_rule": (
                "female = A92 or A95, male = A91, A93 or A94 (attribute 9)"
                if sensitive == "sex"
                else f"under_25 = age_years < {AGE_SPLIT_YEARS}, else 25_and_over"
            ),
        },
    )
    return Dataset(
        name="german_credit",
        features=features,
        y=y,
        group=group,
        sensitive=sensitive,
        label_name=label["name"],
        positive_label=label["positive"],
        provenance=provenance,
        sensitive_source_columns=(source_column,),
        feature_types=feature_types,
    )
