"""The Merkle tree of the evidence log: RFC 9162 hashing, inclusion and consistency proofs.

Why RFC 9162 (Certificate Transparency v2) and not a home-made chain: its hashing, proof generation and
proof verification are specified to the byte, so an auditor can check qtrust's log with any independent
implementation. Leaves hash as SHA-256(0x00 || entry) and interior nodes as SHA-256(0x01 || left || right)
(the two prefixes make a leaf impossible to pass off as a node), and a tree of n leaves splits at the
largest power of two below n.

A proof is built from the hashes of *complete* subtrees: the subtree of level ``k`` and index ``i`` covers
leaves ``[i·2^k, (i+1)·2^k)``. Those hashes never change once the subtree is full, so a store keeps them
(``nodes_completed_by``) and answers any proof, for any earlier tree size, with O(log n) lookups: the node
coordinates a proof needs are listed first (``inclusion_plan`` / ``consistency_plan``), fetched in one go,
then folded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Coord = tuple[int, int]  # (level, index) of a complete subtree
NodeFetcher = Callable[[Iterable[Coord]], Mapping[Coord, bytes]]


class ProofError(ValueError):
    """A proof was asked for something the tree does not contain (an index or size out of range)."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n ≥ 2): where RFC 9162 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(start: int, end: int) -> list[Coord]:
    """The complete, aligned subtrees that make up ``[start, end)``, left to right.

    Valid for the ranges RFC 9162's recursion produces (``start`` a multiple of a power of two at least as
    large as the range), e.g. a right edge ``[k, n)``.
    """
    out: list[Coord] = []
    pos = start
    while pos < end:
        size = end - pos
        level = size.bit_length() - 1
        # the largest aligned power of two at ``pos`` that fits
        while pos % (1 << level):
            level -= 1
        out.append((level, pos >> level))
        pos += 1 << level
    return out


def _fold(coords: Sequence[Coord], nodes: Mapping[Coord, bytes]) -> bytes:
    """The RFC 9162 hash of a range given its complete subtrees: fold right to left."""
    acc = nodes[coords[-1]]
    for coord in reversed(coords[:-1]):
        acc = node_hash(nodes[coord], acc)
    return acc


# --- proof generation: RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (PROOF / SUBPROOF) over ranges ---------------


def _path_ranges(m: int, lo: int, hi: int, out: list[tuple[int, int]]) -> None:
    """PATH(m, D[lo:hi]) as the list of ranges whose hashes make the proof, in proof order."""
    n = hi - lo
    if n <= 1:
        return
    k = _split(n)
    if m < k:
        _path_ranges(m, lo, lo + k, out)
        out.append((lo + k, hi))
    else:
        _path_ranges(m - k, lo + k, hi, out)
        out.append((lo, lo + k))


def _subproof_ranges(m: int, lo: int, hi: int, complete: bool, out: list[tuple[int, int]]) -> None:
    """SUBPROOF(m, D[lo:hi], b) as ranges, in proof order."""
    n = hi - lo
    if m == n:
        if not complete:
            out.append((lo, hi))
        return
    k = _split(n)
    if m <= k:
        _subproof_ranges(m, lo, lo + k, complete, out)
        out.append((lo + k, hi))
    else:
        _subproof_ranges(m - k, lo + k, hi, False, out)
        out.append((lo, lo + k))


def inclusion_plan(index: int, size: int) -> list[list[Coord]]:
    """The complete subtrees behind each hash of the inclusion proof of leaf ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} entries")
    ranges: list[tuple[int, int]] = []
    _path_ranges(index, 0, size, ranges)
    return [complete_subtrees(a, b) for a, b in ranges]


def consistency_plan(old_size: int, new_size: int) -> list[list[Coord]]:
    """The complete subtrees behind each hash of the consistency proof from ``old_size`` to ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    _subproof_ranges(old_size, 0, new_size, True, ranges)
    return [complete_subtrees(a, b) for a, b in ranges]


def root_plan(size: int) -> list[Coord]:
    return complete_subtrees(0, size)


def _resolve(plan: list[list[Coord]], fetch: NodeFetcher) -> list[bytes]:
    nodes = fetch({c for item in plan for c in item})
    return [_fold(item, nodes) for item in plan]


def inclusion_proof(index: int, size: int, fetch: NodeFetcher) -> list[bytes]:
    return _resolve(inclusion_plan(index, size), fetch)


def consistency_proof(old_size: int, new_size: int, fetch: NodeFetcher) -> list[bytes]:
    return _resolve(consistency_plan(old_size, new_size), fetch)


def root(size: int, fetch: NodeFetcher) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    plan = root_plan(size)
    return _fold(plan, fetch(set(plan)))


def nodes_completed_by(
    index: int, leaf: bytes, left_siblings: Mapping[Coord, bytes]
) -> list[tuple[Coord, bytes]]:
    """The complete subtrees that appending leaf ``index`` (hash ``leaf``) finishes, leaf first.

    ``left_siblings`` must hold the left neighbours this needs: ``left_sibling_coords(index)``.
    """
    out = [((0, index), leaf)]
    level, i, acc = 0, index, leaf
    while i & 1:
        acc = node_hash(left_siblings[(level, i - 1)], acc)
        level, i = level + 1, i >> 1
        out.append(((level, i), acc))
    return out


def left_sibling_coords(index: int) -> list[Coord]:
    out = []
    level, i = 0, index
    while i & 1:
        out.append((level, i - 1))
        level, i = level + 1, i >> 1
    return out


# --- proof verification: RFC 9162 §2.1.3.2 and §2.1.4.2, exactly as specified ------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    if not 0 <= index < size or len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is consistent with every tree
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself the first proof node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --- streaming roots, for verifying a whole log in one pass ------------------------------------------------


class RootAccumulator:
    """Feeds leaf hashes in order and gives the RFC 9162 root of every prefix in O(log n) each.

    Keeps one hash per set bit of the size (the right edge of the tree), so a 100,000-entry log is checked
    in one pass with constant memory.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (level, hash) of the complete subtrees, left to right

    def append(self, leaf: bytes) -> None:
        level, acc = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            acc = node_hash(self._stack.pop()[1], acc)
            level += 1
        self._stack.append((level, acc))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        acc = self._stack[-1][1]
        for _, h in reversed(self._stack[:-1]):
            acc = node_hash(h, acc)
        return acc


class MemoryTree:
    """A tree held in memory: every complete subtree hash, for proofs over a bundle or in tests."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        index = self.size
        for (level, i), h in nodes_completed_by(index, leaf, self.fetch(left_sibling_coords(index))):
            if level == len(self.levels):
                self.levels.append([])
            assert len(self.levels[level]) == i
            self.levels[level].append(h)

    def fetch(self, coords: Iterable[Coord]) -> dict[Coord, bytes]:
        return {(lv, i): self.levels[lv][i] for lv, i in coords}

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.fetch)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.fetch)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(old_size, self.size if new_size is None else new_size, self.fetch)
