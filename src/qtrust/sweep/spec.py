"""A sweep file: the grid of member audits (datasets × model configurations × noise settings × seeds).

Why a grid of *config fragments*: a member audit is an ordinary audit config, so everything an audit can do
(any dataset source, device profiles, supplied-model-free configurations) is available to a sweep without a
second vocabulary, and each member can be re-run on its own from its config. A models entry may name
supplied models (``FILE.py:NAME``, bring your own) instead of, or beside, the models qtrust trains. Every axis entry has a short
name; a member's id is its names joined (``german/vqc-d2/depolarizing/seed=1``), and the grid is expanded in
the file's order, which is also the canonical order of the results.

Example (``qtrust sweep --example``)::

    name: depth-vs-noise
    base: {reproducibility: {seeds: [0, 1]}, privacy: {enabled: false}}
    datasets:
      - {name: german, data: {source: german_credit}}
      - {name: synthetic, data: {source: synthetic, synthetic: {n_rows: 400, group_bias: 0.3}}}
    models:
      - {name: vqc-d1, models: [{kind: variational, name: vqc, n_layers: 1}]}
    noise:
      - {name: depolarizing, noise: {channels: [depolarizing], levels: [0.0, 0.01, 0.03]}}
    seeds: [1, 2]
    retries: 1
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qtrust.yamlfile import read_yaml_mapping, validate

NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,47}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Named(_Strict):
    name: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(NAME, value):
            raise ValueError("a name is 1-48 characters: letters, digits, '.', '_' or '-'")
        return value


class DatasetAxis(_Named):
    data: dict[str, Any] = Field(description="an audit config's `data` section")


class ModelsAxis(_Named):
    models: list[dict[str, Any]] = Field(
        default_factory=list, description="an audit config's `models` list (the quantum models qtrust trains)"
    )
    supplied: list[str] = Field(
        default_factory=list,
        description="your own models, FILE.py:NAME as for `qtrust audit --model` (a path relative to the "
        "sweep file); each worker loads the file and refuses it unless its sha256 is the one the client read",
    )
    baselines: list[dict[str, Any]] | None = Field(None, description="its `baselines` (default: the base's)")

    @model_validator(mode="after")
    def _something(self) -> ModelsAxis:
        if not self.models and not self.supplied:
            raise ValueError(f"models entry {self.name!r}: give `models`, `supplied`, or both")
        return self


class NoiseAxis(_Named):
    noise: dict[str, Any] = Field(description="an audit config's `noise` section (channels, levels, devices)")


class SweepSpec(_Strict):
    name: str = Field(min_length=1)
    base: dict[str, Any] = Field(default_factory=dict, description="config every member starts from")
    datasets: list[DatasetAxis] = Field(min_length=1)
    models: list[ModelsAxis] = Field(min_length=1)
    noise: list[NoiseAxis] = Field(min_length=1)
    seeds: list[int] = Field(
        default_factory=lambda: [0], min_length=1, description="each member's audit seed"
    )
    retries: int = Field(1, ge=0, le=10, description="re-runs of a member that raised before it is reported")

    @model_validator(mode="after")
    def _unique(self) -> SweepSpec:
        for axis in ("datasets", "models", "noise"):
            names = [entry.name for entry in getattr(self, axis)]
            if len(set(names)) != len(names):
                raise ValueError(f"{axis}: every entry needs its own name ({names})")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds: each seed once")
        if any(s < 0 or s >= 2**53 for s in self.seeds):
            raise ValueError("seeds: whole numbers from 0 to 2**53 - 1")
        return self

    @property
    def size(self) -> int:
        return len(self.datasets) * len(self.models) * len(self.noise) * len(self.seeds)


FIX = "see `qtrust sweep --example`: name, base, datasets, models, noise, seeds, retries"


def load_sweep(path: Path) -> SweepSpec:
    """The sweep file, validated; a supplied model's relative path is taken from the file's own folder."""
    data = read_yaml_mapping(path, what="sweep file", flag="SWEEP", fix=FIX)
    spec = validate(SweepSpec, data, str(path), fix=FIX)
    for axis in spec.models:
        axis.supplied = [_beside(path, entry) for entry in axis.supplied]
    return spec


def _beside(sweep_file: Path, entry: str) -> str:
    file, sep, name = entry.rpartition(":")
    if not sep or Path(file).is_absolute():
        return entry
    return f"{(Path(sweep_file).parent / file).resolve()}:{name}"


EXAMPLE = """\
# qtrust sweep: every combination of the axes below is one member audit.
name: depth-vs-noise
base:                       # every member starts from this audit config
  encoding: {n_qubits: 3}
  reproducibility: {seeds: [0, 1]}
  shots: {budgets: [200], repeats: 2, reference: 200}
  statistics: {n_boot: 100, n_permutations: 200}
  privacy: {enabled: false}
  robustness: {enabled: false}
  baselines: [{kind: logistic_regression, name: logistic}]
datasets:
  - {name: synthetic, data: {source: synthetic, synthetic: {n_rows: 300, n_features: 4, group_bias: 0.3}}}
models:
  - {name: vqc-d1, models: [{kind: variational, name: vqc, n_layers: 1, max_iter: 20}]}
  - {name: vqc-d2, models: [{kind: variational, name: vqc, n_layers: 2, max_iter: 20}]}
  # - {name: mine, supplied: [my_model.py:classifier]}   # your own model (FILE.py:NAME, as `audit --model`)
noise:
  - {name: depolarizing, noise: {channels: [depolarizing], levels: [0.0, 0.01, 0.03]}}
  - {name: amplitude-damping, noise: {channels: [amplitude_damping], levels: [0.0, 0.01, 0.03]}}
seeds: [1, 2]
retries: 1
"""
