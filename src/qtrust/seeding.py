"""Deterministic, recorded randomness.

Every random draw in qtrust comes from a generator derived from one *root seed* and a *label path*
("split", "bootstrap/fairness", "shots/vqc/seed=3/1000"). Deriving by label instead of by call order means
adding a new assessment never changes the draws of an existing one, so recorded results stay reproducible
across versions. The derivation is SHA-256 of the labels fed into NumPy's ``SeedSequence``.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _label_key(labels: tuple[object, ...]) -> tuple[int, ...]:
    digest = hashlib.sha256("/".join(str(label) for label in labels).encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def derive_seed(root: int, *labels: object) -> int:
    """A 32-bit seed for ``labels`` under ``root``; stable across runs, platforms and versions."""
    sequence = np.random.SeedSequence(entropy=int(root), spawn_key=_label_key(labels))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def derive_rng(root: int, *labels: object) -> np.random.Generator:
    """A NumPy generator for ``labels`` under ``root`` (see :func:`derive_seed`)."""
    sequence = np.random.SeedSequence(entropy=int(root), spawn_key=_label_key(labels))
    return np.random.Generator(np.random.PCG64(sequence))
