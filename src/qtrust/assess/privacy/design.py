"""Who is a member: the pool of rows and its member / non-member split, shared by every model attacked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qtrust.assess.privacy.validation import _labels01
from qtrust.errors import InputError
from qtrust.quantum.inputs import check_features
from qtrust.seeding import derive_rng

if TYPE_CHECKING:
    from qtrust.assess.prepared import PreparedData


def _digest(indices: NDArray[np.int64]) -> str:
    return hashlib.sha256(np.ascontiguousarray(indices, dtype="<i8").tobytes()).hexdigest()


@dataclass(frozen=True)
class MembershipSplit:
    """Which rows of a pool the target model trained on (members) and which it never saw (non-members).

    Indices point into the pool arrays (``X``, ``y``, groups). The same split is used for every model, so
    membership leakage is compared between models on identical rows. ``seed`` is the root seed the split
    was drawn from (``None`` when the indices were passed in, e.g. the audit's own train/test split).
    """

    members: NDArray[np.int64]
    nonmembers: NDArray[np.int64]
    seed: int | None = None
    how: str = "given"

    def __post_init__(self) -> None:
        members = np.asarray(self.members, dtype=np.int64).ravel()
        nonmembers = np.asarray(self.nonmembers, dtype=np.int64).ravel()
        if len(members) == 0 or len(nonmembers) == 0:
            raise InputError("a membership split needs at least one member and one non-member", where="split")
        if len(np.unique(members)) != len(members) or len(np.unique(nonmembers)) != len(nonmembers):
            raise InputError("a membership split lists a row twice", where="split")
        if np.intersect1d(members, nonmembers).size:
            raise InputError(
                "rows are both members and non-members", where="split", fix="pass disjoint index sets"
            )
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "nonmembers", nonmembers)

    @property
    def n_members(self) -> int:
        return len(self.members)

    @property
    def n_nonmembers(self) -> int:
        return len(self.nonmembers)

    @property
    def rows(self) -> NDArray[np.int64]:
        """Members first, then non-members: the order every per-row array of the attacks uses."""
        return np.concatenate([self.members, self.nonmembers])

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_members": self.n_members,
            "n_nonmembers": self.n_nonmembers,
            "seed": self.seed,
            "how": self.how,
            "members_sha256": _digest(self.members),
            "nonmembers_sha256": _digest(self.nonmembers),
        }


def split_membership(
    n_rows: int, seed: int, *, member_fraction: float = 0.5, stratify: ArrayLike | None = None
) -> MembershipSplit:
    """Split a pool of ``n_rows`` into members and non-members, deterministically from ``seed``.

    Rows are drawn by :func:`derive_rng` ``(seed, "privacy", "membership-split")``; with ``stratify`` (e.g.
    the label, or label and group joined as strings) each stratum is split in the same proportion, so
    members and non-members share a class balance and class balance alone cannot give membership away.
    """
    if isinstance(n_rows, bool) or int(n_rows) != n_rows or n_rows < 2:
        raise InputError(f"n_rows={n_rows!r} must be an integer ≥ 2", where="split_membership")
    if not 0.0 < member_fraction < 1.0:
        raise InputError(
            f"member_fraction={member_fraction} is not in (0, 1)", where="split_membership", fix="use 0.5"
        )
    if stratify is None:
        strata = np.zeros(n_rows, dtype=np.int64)
    else:
        labels = np.asarray(stratify).astype(str)
        if labels.shape != (n_rows,):
            raise InputError(
                f"stratify has shape {labels.shape}, expected ({n_rows},)", where="split_membership"
            )
        strata = np.unique(labels, return_inverse=True)[1]
    rng = derive_rng(seed, "privacy", "membership-split")
    members = []
    for stratum in range(int(strata.max()) + 1):
        rows = rng.permutation(np.flatnonzero(strata == stratum))
        members.append(rows[: round(member_fraction * len(rows))])
    chosen = np.sort(np.concatenate(members))
    rest = np.setdiff1d(np.arange(n_rows), chosen)
    return MembershipSplit(chosen, rest, seed=seed, how=f"seeded split, member_fraction={member_fraction:g}")


@dataclass(frozen=True)
class MembershipDesign:
    """The pool (angle features, 0/1 labels, sensitive groups) and its member / non-member split."""

    X: NDArray[np.float64]
    y: NDArray[np.int64]
    groups: NDArray[np.str_]
    split: MembershipSplit
    n_available: int | None = None  # the pool's rows before sampling (None: not sampled)

    def __post_init__(self) -> None:
        X = check_features(self.X, where="design.X", finite=False)  # finiteness is the models' to judge
        y = _labels01(self.y, "design.y")
        groups = np.asarray(self.groups).astype(str)
        if not len(X) == len(y) == len(groups):
            raise InputError(
                f"X, y and groups disagree on the number of rows ({len(X)}, {len(y)}, {len(groups)})",
                where="design",
            )
        rows = self.split.rows
        if rows.min() < 0 or rows.max() >= len(X):
            raise InputError("split indices fall outside the pool", where="design.split")
        for name, idx in (("members", self.split.members), ("non-members", self.split.nonmembers)):
            if len(np.unique(y[idx])) < 2:
                raise InputError(f"the {name} contain only one class", where="design.split")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "groups", groups)

    @classmethod
    def from_prepared(
        cls,
        data: PreparedData,
        max_rows: int | None = None,
        seed: int = 0,
        members_within: np.ndarray | None = None,
    ) -> MembershipDesign:
        """The audit's design: members are its training rows, non-members its held-out test rows.

        The audit's models were fitted on ``X_train``, so their existing fits are the targets; the test
        split was drawn from the same data, stratified by label × group (same distribution). With
        ``max_rows`` below the pool's size, members and non-members are each a seeded stratified sample, in
        the pool's proportion: the targets stay the audit's own fits (a sampled member is still a member);
        the reference models train on halves of the smaller pool, which the record states. ``members_within``
        (indices into the training split) limits members to the rows a capped model was fitted on.
        """
        from qtrust.assess.subsample import stratified_sample

        n_train, n_test = len(data.X_train), len(data.X_test)
        seen = np.arange(n_train) if members_within is None else np.asarray(members_within)
        train = seen
        test = np.arange(n_test)
        how = "audit train (members) / test (non-members) split"
        if members_within is not None:
            how += f", members among the {len(seen)} training rows every model was fitted on"
        available = None
        if max_rows is not None and len(seen) + n_test > max_rows:
            keep_train = min(len(seen), round(max_rows * n_train / (n_train + n_test)))
            picked = stratified_sample(
                data.y_train[seen], data.groups_train[seen], keep_train, seed, "privacy", "members"
            )
            train = seen[picked]
            test = stratified_sample(
                data.y_test, data.groups_test, max_rows - keep_train, seed, "privacy", "non-members"
            )
            available = len(seen) + n_test
            how += f", sampled to {len(train) + len(test)} of {available} rows (seeded, stratified by label × group)"
        X = np.vstack([data.X_train[train], data.X_test[test]])
        y = np.concatenate([data.y_train[train], data.y_test[test]])
        groups = np.concatenate([data.groups_train[train], data.groups_test[test]])
        split = MembershipSplit(
            np.arange(len(train)), np.arange(len(train), len(X)), seed=data.split_seed, how=how
        )
        return cls(X, y, groups, split, n_available=available)

    @classmethod
    def from_pool(
        cls,
        X: ArrayLike,
        y: ArrayLike,
        groups: ArrayLike,
        seed: int,
        *,
        member_fraction: float = 0.5,
    ) -> MembershipDesign:
        """A fresh seeded split of a pool, stratified by label × group (targets are then trained on it)."""
        y_arr = np.asarray(y)
        g_arr = np.asarray(groups).astype(str)
        strata = np.char.add(np.char.add(y_arr.astype(str), "|"), g_arr)
        split = split_membership(len(y_arr), seed, member_fraction=member_fraction, stratify=strata)
        return cls(np.asarray(X, dtype=float), y_arr, g_arr, split)

    def to_dict(self) -> dict[str, Any]:
        out = {"n_pool": len(self.y), **self.split.to_dict()}
        if self.n_available is not None:
            out["n_available"] = self.n_available
        return out
