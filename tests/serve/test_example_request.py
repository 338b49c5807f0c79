"""The README's request for the served German Credit model stays valid as the data and schema evolve."""

from __future__ import annotations

import json
from pathlib import Path

from qtrust.audit.data_prep import load_dataset
from qtrust.config import config_from_dict
from qtrust.serve.artefact import feature_schema
from qtrust.serve.guard import check_rows

EXAMPLE = Path(__file__).parents[2] / "examples" / "serve" / "request.json"


def test_the_readme_request_passes_the_default_models_checks():
    dataset = load_dataset(config_from_dict({}))
    features = dataset.model_features()
    group = {"name": dataset.sensitive, "values": sorted(dataset.group_counts())}
    body = json.loads(EXAMPLE.read_text())
    checked = check_rows(body["rows"], feature_schema(features, features), 1_000, group)
    assert checked.groups == ("female",)
    assert list(checked.columns) == list(features.columns)
