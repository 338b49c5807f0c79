"""The grid expanded into member tasks, in the sweep file's order: the canonical order of every result."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from qtrust.audit.byo import without_configured_models
from qtrust.audit.model_file import file_digest
from qtrust.config import config_from_dict
from qtrust.config.loading import merged_sections
from qtrust.encoding import canonical_json
from qtrust.sweep.member import MemberTask
from qtrust.sweep.spec import SweepSpec


def expand(spec: SweepSpec) -> list[MemberTask]:
    """Every member's task; each config is validated and each dataset loaded once here, on the client, so a
    bad axis fails before anything runs and every worker is held to the data's digest."""
    from qtrust.audit.data_prep import load_dataset

    digests: dict[str, str] = {}
    tasks = []
    grid = itertools.product(spec.datasets, spec.models, spec.noise, spec.seeds)
    for index, (dataset, models, noise, seed) in enumerate(grid):
        update: dict[str, Any] = {"noise": noise.noise, "seed": seed}
        if models.models:
            update["models"] = models.models
        if models.baselines is not None:
            update["baselines"] = models.baselines
        raw = merged_sections(copy.deepcopy(spec.base), update)
        raw["data"] = copy.deepcopy(dataset.data)  # a dataset replaces the base's data section whole
        member_id = f"{dataset.name}/{models.name}/{noise.name}/seed={seed}"
        config = config_from_dict(raw, source=f"sweep member {member_id}")
        if not models.models:  # supplied models are the candidates, as with `qtrust audit --model`
            config = without_configured_models(config)
        # synthetic data is drawn from the member's seed: the digest is per (data section, seed)
        data_key = canonical_json([config.data.model_dump(mode="json"), config.seed]).decode()
        if data_key not in digests:
            digests[data_key] = load_dataset(config).digest()
        labels = {"dataset": dataset.name, "models": models.name, "noise": noise.name, "seed": str(seed)}
        supplied = tuple((ref, file_digest(ref)) for ref in models.supplied)
        tasks.append(
            MemberTask(index, member_id, labels, config.model_dump(mode="json"), digests[data_key], supplied)
        )
    return tasks
