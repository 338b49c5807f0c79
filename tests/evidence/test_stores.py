"""Both evidence stores (SQLite, PostgreSQL): numbering, the database's own guards, atomic batches, exact
bytes, proofs equal to an in-memory RFC 9162 tree, and checkpoints that verify."""

from __future__ import annotations

import sqlite3
import time

import psycopg
import pytest

from qtrust.encoding import canonical_json
from qtrust.errors import InputError
from qtrust.evidence import LogKeys, TrustedKeys, Workspace, merkle
from qtrust.evidence.checkpoint import CheckpointError, verify_checkpoint
from qtrust.evidence.dsse import sign_envelope
from qtrust.evidence.store import base as store_base
from qtrust.evidence.store import open_store

DB_ERRORS = (sqlite3.DatabaseError, psycopg.Error)
GUARDED = ("entries", "checkpoints", "tree_nodes", "meta")
# one statement per table that touches an existing row
UPDATES = {
    "entries": "UPDATE entries SET kind = 'edited' WHERE seq = 1",
    "checkpoints": "UPDATE checkpoints SET size = size + 1",
    "tree_nodes": "UPDATE tree_nodes SET hash = hash WHERE level = 0",
    "meta": "UPDATE meta SET value = 'qtrust.dev/log/forged' WHERE key = 'origin'",
}


def _snapshot(evidence) -> dict[str, list[tuple]]:
    return {t: sorted(evidence.attacker.execute(f"SELECT * FROM {t}")) for t in GUARDED}


def test_sequence_numbers_are_gap_free_from_zero(evidence):
    log = evidence.log
    assert log.entry(0).kind == "log-init"
    single = [log.append(evidence.statement(i), checkpoint=i % 2 == 0) for i in range(1, 4)]
    batch = log.append_many([evidence.statement(i) for i in range(4, 9)])
    assert [r.seq for r in single + batch] == list(range(1, 9))
    assert [e.seq for e in log.entries()] == list(range(9)) == [e.seq for e in evidence.open_log().entries()]
    assert log.size() == 9
    assert [r.leaf_hash for r in batch] == [e.leaf_hash for e in log.entries(4, 9)]


def test_reopened_store_keeps_its_log_and_refuses_a_second_init(evidence):
    evidence.fill(3)
    again = evidence.open_log()
    assert (again.origin, again.size()) == (evidence.log.origin, 4)
    store = evidence.url or f"sqlite:///{evidence.home / 'evidence.db'}"  # the same store, another home
    other_home = Workspace.resolve(evidence.home.parent / "elsewhere", store)
    with pytest.raises(InputError, match="already holds a log"):
        other_home.init(b"another passphrase")
    assert not other_home.keys.path.exists()


@pytest.mark.parametrize("table", GUARDED)
@pytest.mark.parametrize("op", ["UPDATE", "DELETE"])
def test_database_refuses_update_and_delete(evidence, table, op):
    evidence.fill(4, every=2)
    before = _snapshot(evidence)
    sql = UPDATES[table] if op == "UPDATE" else f"DELETE FROM {table}"
    with pytest.raises(DB_ERRORS, match=f"qtrust evidence is append-only: {op} on {table} refused"):
        evidence.attacker.execute(sql)
    assert _snapshot(evidence) == before
    assert evidence.verify().ok


@pytest.mark.parametrize("table", ["checkpoints", "tree_nodes", "meta"])
def test_database_refuses_replace_by_insert(evidence, table):
    """INSERT OR REPLACE (SQLite) and INSERT … ON CONFLICT DO UPDATE (both) are updates in disguise."""
    evidence.fill(2)
    before = _snapshot(evidence)
    key = {"checkpoints": "idx", "tree_nodes": "level, idx", "meta": "key"}[table]
    row = evidence.attacker.execute(f"SELECT * FROM {table} ORDER BY {key} LIMIT 1")[0]
    values = ", ".join("?" for _ in row)
    upsert = f"INSERT INTO {table} VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {key.split(',')[0]} = excluded.{key.split(',')[0]}"
    statements = [upsert]
    if evidence.backend == "sqlite":
        statements.append(f"INSERT OR REPLACE INTO {table} VALUES ({values})")
    for sql in statements:
        with pytest.raises(DB_ERRORS, match=f"qtrust evidence is append-only: (UPDATE|REPLACE) on {table}"):
            evidence.attacker.execute(sql, row)
    assert _snapshot(evidence) == before


@pytest.mark.parametrize("table", GUARDED)
def test_postgres_refuses_truncate(pg_evidence, table):
    pg_evidence.fill(2)
    before = _snapshot(pg_evidence)
    with pytest.raises(psycopg.Error, match=f"qtrust evidence is append-only: TRUNCATE on {table} refused"):
        pg_evidence.attacker.execute(f"TRUNCATE {table}")
    assert _snapshot(pg_evidence) == before


def test_reading_pages_through_the_log(evidence, monkeypatch):
    monkeypatch.setattr(store_base, "PAGE", 3)
    evidence.log.append_many([evidence.statement(i) for i in range(1, 11)])
    log = evidence.log
    assert [e.seq for e in log.entries()] == list(range(11))
    for start, end in [(0, 3), (2, 9), (3, 6), (5, None), (10, None), (11, None), (4, 4), (0, 100)]:
        assert [e.seq for e in log.entries(start, end)] == list(range(start, min(end or 11, 11)))
    assert log.entry(7).seq == 7
    # a gap wider than a page (a tampered log) does not end the iteration early
    evidence.attacker.drop_guards()
    evidence.attacker.delete_entries("seq BETWEEN 3 AND 7")
    assert [e.seq for e in log.entries()] == [0, 1, 2, 8, 9, 10]
    assert evidence.verify().first.seq == 3


def test_using_the_log_while_iterating_it(evidence):
    """Reads and appends inside a loop over the entries work alike on both stores, and an append made
    there is committed at once (visible to another connection) even if the loop is abandoned."""
    evidence.fill(4)
    log = evidence.log
    seen = [
        (e.seq, log.entry(e.seq).envelope == e.envelope, len(list(log.entries(0, 2)))) for e in log.entries()
    ]
    assert seen == [(i, True, 2) for i in range(5)]
    loop = log.entries()
    next(loop)
    recorded = log.append(evidence.statement(77))
    assert evidence.attacker.count("entries") == 6  # committed, seen from a plain connection
    other = evidence.open_log(passphrase=None)
    assert other.size() == recorded.seq + 1 == 6
    loop.close()
    assert other.size() == log.size() == 6
    assert evidence.verify().ok


def test_database_refuses_an_insert_with_the_wrong_sequence_number(evidence):
    evidence.fill(3)
    size = evidence.log.size()
    row = evidence.attacker.row(size - 1)
    insert = "INSERT INTO entries (seq, kind, envelope, leaf_hash, integrated_time, receipt_keyid, receipt) VALUES (?, ?, ?, ?, ?, ?, ?)"
    values = tuple(row.values())
    for seq in (size + 1, size + 100, -1):
        with pytest.raises(DB_ERRORS, match="qtrust evidence: sequence numbers must be gap-free"):
            evidence.attacker.execute(insert, (seq, *values))
    with pytest.raises(DB_ERRORS):  # an existing number: the gap-free trigger (and the primary key)
        evidence.attacker.execute(insert, (size - 1, *values))
    assert evidence.log.size() == size
    assert evidence.verify().ok


class _SignerError(RuntimeError):
    pass


def test_append_many_is_one_transaction(evidence):
    evidence.fill(3)
    log = evidence.log
    before = _snapshot(evidence)
    calls = []

    def failing_receipt(seq, leaf, time):
        calls.append(seq)
        if len(calls) == 3:
            raise _SignerError("receipt signer failed mid-batch")
        return log._receipt(seq, leaf, time)

    items = [
        ("test", sign_envelope(canonical_json(evidence.statement(i)), [log.keys.ed25519])) for i in range(5)
    ]
    with pytest.raises(_SignerError):
        log.store.append(items, failing_receipt)
    assert calls == [4, 5, 6]  # two entries were written inside the transaction before the failure
    assert _snapshot(evidence) == before

    # the same through the log, with a checkpoint requested: no entry, no checkpoint
    calls.clear()
    log._receipt, real = failing_receipt, log._receipt
    try:
        with pytest.raises(_SignerError):
            log.append_many([evidence.statement(i) for i in range(5)])
    finally:
        log._receipt = real
    assert _snapshot(evidence) == before

    # the log carries on from where it was, with no gap
    recorded = log.append_many([evidence.statement(i) for i in range(5)])
    assert [r.seq for r in recorded] == [4, 5, 6, 7, 8]
    assert evidence.verify().ok


def test_envelope_bytes_come_back_byte_identical(evidence):
    log, keys = evidence.log, evidence.keys
    doc = evidence.statement(1) | {"predicate": {"text": 'naïve ☃ \u2028 \\ "quoted"', "n": 1e-300}}
    recorded = log.append(doc)
    expected = sign_envelope(canonical_json(doc), [keys.ed25519])  # Ed25519 is deterministic
    stored = log.entry(recorded.seq)
    assert stored.envelope == expected
    assert stored.leaf_hash == recorded.leaf_hash == merkle.leaf_hash(expected)
    assert log.statement(recorded.seq) == doc

    # the store itself keeps any bytes exactly: NUL, invalid UTF-8, trailing whitespace, 1 MiB
    blobs = [bytes(range(256)) * 4, b"\x00\xff\xfe trailing  \n\t ", b"{}", bytes(1 << 20)]
    written = log.store.append([("blob", b) for b in blobs], log._receipt)
    again = evidence.open_log()
    for entry, blob in zip(written, blobs, strict=True):
        read = again.entry(entry.seq)
        assert type(read.envelope) is bytes
        assert read.envelope == blob
        assert read.leaf_hash == merkle.leaf_hash(blob)
        assert read.receipt == entry.receipt


PROOF_SIZES = (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40)


def test_store_proofs_equal_memory_tree_proofs_and_verify(evidence):
    log = evidence.log
    log.append_many([evidence.statement(i) for i in range(1, 20)], checkpoint=True)
    log.append_many([evidence.statement(i) for i in range(20, 40)], checkpoint=True)
    leaves = [e.leaf_hash for e in log.entries()]
    assert len(leaves) == 40
    tree = merkle.MemoryTree(leaves)
    for n in range(1, 41):
        assert log.root(n) == tree.root(n)
    for n in PROOF_SIZES:
        root = tree.root(n)
        for i in range(n):
            proof = log.inclusion_proof(i, n)
            assert proof == tree.inclusion_proof(i, n)
            assert merkle.verify_inclusion(i, n, leaves[i], proof, root)
            if n > 1:
                assert not merkle.verify_inclusion(i, n, leaves[(i + 1) % n], proof, root)
            if proof:
                bad = [*proof[:-1], bytes(32)]
                assert not merkle.verify_inclusion(i, n, leaves[i], bad, root)
        for m in PROOF_SIZES:
            if m > n:
                continue
            proof = log.consistency_proof(m, n)
            assert proof == tree.consistency_proof(m, n)
            assert merkle.verify_consistency(m, n, tree.root(m), root, proof)
            assert not merkle.verify_consistency(m, n, tree.root(m), bytes(32), proof)
            assert not merkle.verify_consistency(m, n, bytes(32), root, proof)
    with pytest.raises(merkle.ProofError):
        log.inclusion_proof(40, 40)
    with pytest.raises(merkle.ProofError):
        log.consistency_proof(6, 5)


def test_checkpoints_verify_and_need_both_signatures(evidence):
    evidence.fill(9, every=3)
    log = evidence.log
    trusted = evidence.trusted()
    stored = log.store.checkpoints()
    assert [c.size for c in stored] == [1, 4, 7, 10]
    assert [c.idx for c in stored] == [0, 1, 2, 3]
    tree = merkle.MemoryTree(e.leaf_hash for e in log.entries())
    for c in stored:
        cp = verify_checkpoint(c.note, trusted, origin=log.origin)
        assert (cp.origin, cp.size, cp.root) == (log.origin, c.size, tree.root(c.size))
        assert cp.root == log.root(c.size)
    # both signatures are required: Ed25519 alone or ML-DSA-65 alone is not enough
    for keep in ("ed25519", "ml-dsa-65"):
        only = TrustedKeys(k for k in trusted if k.algorithm == keep)
        with pytest.raises(CheckpointError, match="lacks a valid"):
            verify_checkpoint(stored[-1].note, only, origin=log.origin)
    with pytest.raises(CheckpointError, match="lacks a valid"):
        verify_checkpoint(stored[-1].note, TrustedKeys(LogKeys.generate().public_keys()), origin=log.origin)
    with pytest.raises(CheckpointError, match="not"):
        verify_checkpoint(stored[-1].note, trusted, origin="qtrust.dev/log/another")
    # nothing new to checkpoint: no duplicate
    assert log.store.latest_checkpoint() == stored[-1]
    assert log.checkpoint() is None
    assert len(log.store.checkpoints()) == 4


def test_appending_reads_only_the_latest_checkpoint(evidence, monkeypatch):
    """Reading every checkpoint on each append made a checkpoint-per-append log slow down linearly."""
    evidence.fill(3, every=1)

    def read_all():
        raise AssertionError("append read every checkpoint")

    monkeypatch.setattr(evidence.log.store, "checkpoints", read_all)
    evidence.log.append(evidence.statement(50))
    evidence.log.append_many([evidence.statement(51), evidence.statement(52)])
    monkeypatch.undo()
    assert [c.size for c in evidence.log.store.checkpoints()] == [1, 2, 3, 4, 5, 7]
    assert evidence.log.store.latest_checkpoint().size == 7


def test_unreachable_postgres_is_an_input_error_fast(tmp_path):
    url = "postgresql://postgres@127.0.0.1:1/test?schema=t_unreachable"
    start = time.perf_counter()
    with pytest.raises(InputError, match="cannot connect to PostgreSQL"):
        open_store(url, tmp_path)
    assert time.perf_counter() - start < 5
    ws = Workspace.resolve(tmp_path / "home", url)
    with pytest.raises(InputError, match="cannot connect to PostgreSQL"):
        ws.init(b"passphrase")
    assert not ws.keys.path.exists()  # nothing left behind
    assert time.perf_counter() - start < 10


def test_unknown_store_url_and_bad_schema_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="unknown store"):
        open_store("mysql://localhost/db", tmp_path)
    with pytest.raises(InputError, match="schema"):
        open_store("postgresql://postgres@127.0.0.1:1/test?schema=Bad-Name", tmp_path)
