"""The Merkle tree against the published RFC 6962/9162 test vectors and the RFC's recursive definitions."""

from __future__ import annotations

import hashlib

import pytest

from qtrust.evidence import merkle
from qtrust.evidence.merkle import MemoryTree, RootAccumulator, leaf_hash, node_hash

# Certificate Transparency's reference leaves and tree heads (transparency-dev/merkle testonly data).
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip
CT_CONSISTENCY = {
    (2, 8): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}  # fmt: skip


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, written straight from the definition (the independent reference)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH, from the definition."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF, from the definition."""
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, leaves[:k], b), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


ENTRIES = [f"entry {i}".encode() * (i % 3 + 1) for i in range(70)]


def test_roots_match_the_published_ct_tree_heads():
    tree = MemoryTree(leaf_hash(e) for e in CT_LEAVES)
    acc = RootAccumulator()
    assert tree.root(0).hex() == acc.root().hex() == CT_ROOTS[0]
    for size in range(1, 9):
        acc.append(leaf_hash(CT_LEAVES[size - 1]))
        assert tree.root(size).hex() == CT_ROOTS[size]
        assert acc.root().hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size"), list(CT_INCLUSION))
def test_inclusion_proofs_match_the_published_vectors(index, size):
    tree = MemoryTree(leaf_hash(e) for e in CT_LEAVES)
    proof = tree.inclusion_proof(index, size)
    assert [p.hex() for p in proof] == CT_INCLUSION[(index, size)]
    assert merkle.verify_inclusion(
        index, size, leaf_hash(CT_LEAVES[index]), proof, bytes.fromhex(CT_ROOTS[size])
    )


@pytest.mark.parametrize(("old", "new"), list(CT_CONSISTENCY))
def test_consistency_proofs_match_the_published_vectors(old, new):
    tree = MemoryTree(leaf_hash(e) for e in CT_LEAVES)
    proof = tree.consistency_proof(old, new)
    assert [p.hex() for p in proof] == CT_CONSISTENCY[(old, new)]
    roots = [bytes.fromhex(r) for r in CT_ROOTS]
    assert merkle.verify_consistency(old, new, roots[old], roots[new], proof)


def test_every_proof_equals_the_rfc_definition_and_verifies():
    tree = MemoryTree(leaf_hash(e) for e in ENTRIES)
    for n in range(1, len(ENTRIES) + 1):
        prefix = ENTRIES[:n]
        expected_root = mth(prefix)
        assert tree.root(n) == expected_root
        for m in range(n):
            proof = tree.inclusion_proof(m, n)
            assert proof == path(m, prefix)
            assert merkle.verify_inclusion(m, n, leaf_hash(ENTRIES[m]), proof, expected_root)
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m, n)
            assert proof == (subproof(m, prefix, True) if m < n else [])
            assert merkle.verify_consistency(m, n, mth(ENTRIES[:m]), expected_root, proof)


def test_proofs_are_logarithmic():
    for size in (1000, 65_537, 100_000):
        plan = merkle.inclusion_plan(size // 3, size)
        assert len(plan) <= size.bit_length()
        nodes = {c for item in merkle.inclusion_plan(size - 1, size) for c in item}
        assert len(nodes) <= 2 * size.bit_length()


def test_tampered_proofs_are_rejected():
    tree = MemoryTree(leaf_hash(e) for e in ENTRIES[:37])
    r = tree.root()
    for m in range(37):
        proof = tree.inclusion_proof(m, 37)
        leaf = leaf_hash(ENTRIES[m])
        assert not merkle.verify_inclusion(m, 37, leaf_hash(b"other"), proof, r)
        assert not merkle.verify_inclusion((m + 1) % 37, 37, leaf, proof, r)
        assert not merkle.verify_inclusion(m, 4 * 37, leaf, proof, r)  # a deeper tree needs a longer path
        assert not merkle.verify_inclusion(m, 37, leaf, proof[:-1], r)
        assert not merkle.verify_inclusion(m, 37, leaf, [*proof, bytes(32)], r)
        bad = [bytearray(p) for p in proof]
        bad[0][5] ^= 1
        assert not merkle.verify_inclusion(m, 37, leaf, [bytes(b) for b in bad], r)
    for old in range(1, 37):
        proof = tree.consistency_proof(old, 37)
        old_root = tree.root(old)
        assert not merkle.verify_consistency(old, 37, node_hash(old_root, old_root), r, proof)
        assert not merkle.verify_consistency(old, 37, old_root, r, proof[:-1])
        assert not merkle.verify_consistency(old, 37, old_root, r, [*proof, bytes(32)])


def test_a_rewritten_history_is_not_consistent():
    honest = MemoryTree(leaf_hash(e) for e in ENTRIES[:20])
    forked = MemoryTree(leaf_hash(e) for e in [*ENTRIES[:7], b"rewritten", *ENTRIES[8:30]])
    proof = forked.consistency_proof(20, 30)
    assert not merkle.verify_consistency(20, 30, honest.root(), forked.root(), proof)
    assert merkle.verify_consistency(7, 30, honest.root(7), forked.root(), forked.consistency_proof(7, 30))


def test_out_of_range_requests_are_refused():
    tree = MemoryTree(leaf_hash(e) for e in ENTRIES[:8])
    with pytest.raises(merkle.ProofError):
        tree.inclusion_proof(8, 8)
    with pytest.raises(merkle.ProofError):
        tree.consistency_proof(5, 3)
