"""Tampering the verifier must catch, naming the first affected entry, on both stores and in bundles.

Every case starts from a log of 21 entries (log-init + 20) with a checkpoint after every 4th append, checks
that this clean log verifies, tampers, and checks ``report.first.seq``. The attacker has the database but
not the keys (``evidence.attacker``); the fork cases model the log operator, who has both.
"""

from __future__ import annotations

import json

import pytest

from qtrust.encoding import b64decode, b64encode, canonical_json
from qtrust.errors import InputError
from qtrust.evidence import LogKeys, TrustedKeys, export_bundle, load_bundle, verify_log
from qtrust.evidence.bundle import check_inclusion_proofs
from qtrust.evidence.dsse import sign_envelope
from qtrust.evidence.merkle import MemoryTree, leaf_hash
from qtrust.evidence.receipts import receipt_message
from qtrust.evidence.store.base import utc_now
from qtrust.evidence.verify import KnownCheckpoint

N = 20  # appended after log-init: entries 0..20
EVERY = 4  # checkpoints at sizes 1, 5, 9, 13, 17, 21
MID = 10  # an entry strictly inside a checkpoint interval (9 < 10 < 13)


@pytest.fixture
def built(evidence):
    evidence.fill(N, every=EVERY)
    assert [c.size for c in evidence.log.store.checkpoints()] == [1, 5, 9, 13, 17, 21]
    report = evidence.verify()
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints) == (N + 1, 6)
    return evidence


def assert_first(report, seq: int, *reason: str) -> None:
    assert not report.ok
    assert report.first is not None
    assert report.first.seq == seq, report.problems
    for text in reason:
        assert text in report.first.reason, report.first


def payload_edit(payload: bytes) -> bytes:
    doc = json.loads(payload)
    doc["predicate"]["i"] += 1000
    return canonical_json(doc)


# --- (a)-(e): an attacker without the keys ----------------------------------------------------------------


def test_clean_log_verifies(built):
    report = built.verify()
    assert report.ok
    assert report.first is None
    assert report.to_dict()["first_bad_entry"] is None


@pytest.mark.parametrize("seq", [0, MID, N])
@pytest.mark.parametrize("fix_leaf", [False, True], ids=["leaf-kept", "leaf-recomputed"])
def test_changed_payload_byte(built, seq, fix_leaf):
    a = built.attacker
    envelope = a.row(seq)["envelope"]
    changed = a.edit_envelope(envelope, payload=lambda p: a.flip_byte(p, len(p) // 2))
    assert changed != envelope
    a.drop_guards()
    a.update_entry(seq, envelope=changed, **({"leaf_hash": leaf_hash(changed)} if fix_leaf else {}))
    # with the leaf hash recomputed, what fails first depends on the byte (JSON, a key, the receipt)
    assert_first(built.verify(), seq, *([] if fix_leaf else ["stored leaf hash does not match"]))


def test_changed_payload_with_valid_json(built):
    """A plausible edit (a number in the predicate), leaf hash and tree nodes left to the verifier."""
    a = built.attacker
    a.drop_guards()
    changed = a.edit_envelope(a.row(MID)["envelope"], payload=payload_edit)
    a.update_entry(MID, envelope=changed, leaf_hash=leaf_hash(changed))
    assert_first(built.verify(), MID, "receipt does not match")


@pytest.mark.parametrize("fix_leaf", [False, True], ids=["leaf-kept", "leaf-recomputed"])
def test_changed_signature_byte(built, fix_leaf):
    a = built.attacker
    changed = a.edit_envelope(a.row(MID)["envelope"], sig=lambda s: a.flip_byte(s, 7))
    a.drop_guards()
    a.update_entry(MID, envelope=changed, **({"leaf_hash": leaf_hash(changed)} if fix_leaf else {}))
    assert_first(built.verify(), MID)


def test_changed_receipt_or_time(built):
    a = built.attacker
    a.drop_guards()
    row = a.row(MID)
    a.update_entry(MID, receipt=a.flip_byte(row["receipt"], 3))
    a.update_entry(MID + 2, integrated_time=a.row(MID + 2)["integrated_time"].replace("T", " "))
    report = built.verify()
    assert_first(report, MID, "receipt does not match")
    assert {p.seq for p in report.problems} == {MID, MID + 2}


def test_envelope_signature_is_checked_on_its_own(built):
    """The operator re-signs the receipt over a changed envelope: only the DSSE signature is left to fail."""
    a = built.attacker
    a.drop_guards()
    row = a.row(MID)
    changed = a.edit_envelope(row["envelope"], payload=payload_edit)
    leaf = leaf_hash(changed)
    log = built.log
    receipt = log.keys.ed25519.sign(receipt_message(log.origin, MID, leaf, row["integrated_time"]))
    a.update_entry(MID, envelope=changed, leaf_hash=leaf, receipt=receipt)
    assert_first(built.verify(), MID, "envelope signature", "does not verify")


@pytest.mark.parametrize("seq", [0, 1, MID, N - 1])
def test_deleted_entry(built, seq):
    a = built.attacker
    a.drop_guards()
    a.delete_entries("seq = ?", (seq,))
    assert_first(built.verify(), seq, "missing")


def test_deleted_range_and_renumbered(built):
    """Entries deleted and the rest renumbered down to close the gap: each receipt names its old position."""
    a = built.attacker
    a.drop_guards()
    a.delete_entries("seq BETWEEN ? AND ?", (MID, MID + 2))
    a.execute("UPDATE entries SET seq = seq - 3 WHERE seq > ?", (MID + 2,))
    assert_first(built.verify(), MID, "receipt does not match")


@pytest.mark.parametrize(("i", "j"), [(MID, MID + 1), (3, 18), (1, 2)])
def test_swapped_entries(built, i, j):
    a = built.attacker
    a.drop_guards()
    a.swap_entries(i, j)
    report = built.verify()
    assert_first(report, i, "receipt does not match")
    assert {p.seq for p in report.problems if "receipt" in p.reason} == {i, j}


@pytest.mark.parametrize("keep", [N - 1, MID, 9])
def test_truncated_log(built, keep):
    """The last entries deleted (with their tree nodes); the checkpoints that covered them remain."""
    a = built.attacker
    a.drop_guards()
    a.truncate_from(keep, checkpoints=False)
    assert built.log.size() == keep
    assert_first(built.verify(), keep, "truncated")


def test_truncated_log_and_checkpoints_is_caught_by_a_kept_checkpoint(built):
    known = KnownCheckpoint(built.log.store.checkpoints()[-1].note, "auditor's copy")
    assert built.verify([known]).ok
    a = built.attacker
    a.drop_guards()
    a.truncate_from(MID, checkpoints=True)
    # cut inside a checkpoint interval, the tail left (entry 9) is under no checkpoint: caught on its own
    assert_first(built.verify(), 9, "not covered by a checkpoint", "ML-DSA-65")
    # cut at a checkpoint boundary, the store alone looks like a shorter, honest log: this is what the kept
    # checkpoint (or a witness, tests/evidence/test_witness.py) is for
    a.truncate_from(9, checkpoints=True)
    assert built.verify().ok
    report = built.verify([known])
    assert_first(report, 9, "truncated", "auditor's copy")


def test_deleting_every_checkpoint_no_longer_verifies_on_ed25519_alone(built):
    """Checkpoints carry the ML-DSA-65 signature: a log without them must not pass on receipts alone."""
    built.attacker.drop_guards()
    built.attacker.execute("DELETE FROM checkpoints")
    report = built.verify()
    assert_first(report, 0, "entries 0..20 are not covered", "Ed25519 and ML-DSA-65")
    assert report.checkpoints == 0


def test_entries_after_the_last_checkpoint_are_not_yet_covered(built):
    built.log.append(built.statement(500), checkpoint=False)
    assert_first(built.verify(), 21, "entries 21..21 are not covered", "qtrust log checkpoint")
    built.log.checkpoint()
    assert built.verify().ok


# --- (f) a fork by the log operator, who holds the keys ---------------------------------------------------


def _rewrite_history(env, k: int, *, drop_checkpoints: bool, extra: int = 0) -> None:
    """Delete entries k.. (and their tree nodes), then append different ones with the real keys."""
    a = env.attacker
    a.drop_guards()
    a.truncate_from(k, checkpoints=drop_checkpoints)
    size = N + 1 + extra
    for i in range(k, size):
        env.log.append(env.statement(i, tag="forked"), checkpoint=False)
        if (i + 1) % EVERY == 1 or i == size - 1:
            env.log.checkpoint()
    assert env.log.size() == size


@pytest.mark.parametrize("k", [1, MID, N])
def test_fork_is_named_by_a_checkpoint_kept_with_its_leaves(built, k):
    before = list(built.log.entries())
    note = built.log.store.checkpoints()[-1].note
    with_leaves = KnownCheckpoint(note, "earlier copy", [e.leaf_hash for e in before])
    without_leaves = KnownCheckpoint(note, "earlier checkpoint")
    _rewrite_history(built, k, drop_checkpoints=True)
    assert [e.seq for e in built.log.entries()] == list(range(N + 1))
    # fresh signatures, receipts and checkpoints: the store on its own is a valid log
    alone = built.verify()
    assert alone.ok, alone.problems
    assert_first(built.verify([with_leaves]), k, "forked", f"entry {k} differs from the earlier copy")
    report = built.verify([without_leaves])
    assert not report.ok
    assert report.first.seq is None
    assert "forked" in report.first.reason


def test_fork_against_an_earlier_bundle(built, tmp_path):
    export_bundle(built.log, tmp_path / "before.json", built.trusted())
    old = load_bundle(tmp_path / "before.json")
    _rewrite_history(built, MID, drop_checkpoints=True, extra=3)
    known = KnownCheckpoint(old.latest_note, "before.json", old.leaf_hashes)
    assert_first(built.verify([known]), MID, "forked")
    export_bundle(built.log, tmp_path / "after.json", built.trusted())
    new = load_bundle(tmp_path / "after.json")
    assert verify_log(new.view, built.trusted()).ok
    assert_first(verify_log(new.view, built.trusted(), [known]), MID, "forked")


def test_fork_leaves_two_stored_checkpoints_inconsistent(built):
    """The operator keeps the old checkpoints and adds new ones over the rewritten entries."""
    k = MID
    _rewrite_history(built, k, drop_checkpoints=False, extra=4)
    sizes = [c.size for c in built.log.store.checkpoints()]
    assert sizes[:6] == [1, 5, 9, 13, 17, 21]
    assert sizes[-1] == N + 5
    report = built.verify()
    assert not report.ok
    # the old checkpoints past k no longer match the entries, and the new one does not extend them
    assert report.first.seq == 9  # the last checkpoint that still matches: entries 9.. are in doubt
    assert any("not consistent" in p.reason and "forked" in p.reason for p in report.problems)
    assert any("root differs" in p.reason for p in report.problems)


# --- (g) keys outside the trusted set --------------------------------------------------------------------


def _rogue_entry(env, seq: int, rogue: LogKeys) -> dict:
    envelope = sign_envelope(canonical_json(env.statement(seq, tag="rogue")), [rogue.ed25519])
    leaf, time = leaf_hash(envelope), utc_now()
    receipt = rogue.ed25519.sign(receipt_message(env.log.origin, seq, leaf, time))
    return {
        "kind": "test",
        "envelope": envelope,
        "leaf_hash": leaf,
        "integrated_time": time,
        "receipt_keyid": rogue.ed25519.keyid,
        "receipt": receipt,
    }


def test_entry_signed_by_an_untrusted_key_replacing_one(built):
    a = built.attacker
    a.drop_guards()
    a.update_entry(MID, **_rogue_entry(built, MID, LogKeys.generate()))
    assert_first(built.verify(), MID, "not a log key in force")


def test_entry_signed_by_an_untrusted_key_appended(built):
    """Appended at the next number, which the gap-free trigger allows: no trigger needs dropping."""
    rogue = _rogue_entry(built, N + 1, LogKeys.generate())
    built.attacker.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", (N + 1, *rogue.values()))
    assert_first(built.verify(), N + 1, "not a log key in force")


def test_envelope_signed_only_by_an_untrusted_key(built):
    """A writer with the log keys records an envelope signed by someone the auditor does not trust."""
    outsider = LogKeys.generate().ed25519
    recorded = built.log.append(built.statement(99), signers=[outsider])
    assert_first(built.verify(), recorded.seq, "outside the trusted set")
    # trusting that signer (e.g. a person's key) makes the same log verify
    trusted = built.trusted()
    trusted.add(outsider.public)
    assert built.verify(trusted=trusted).ok


def test_log_keys_not_trusted_by_the_auditor(built):
    report = built.verify(trusted=TrustedKeys())
    assert_first(report, 0, "not in the trusted set")


# --- key rotation ------------------------------------------------------------------------------------------


def _rotate(env) -> tuple[LogKeys, LogKeys, int]:
    old, new = env.keys, LogKeys.generate()
    rotation = env.log.rotate_keys(new, reason="scheduled")
    env.ws.keys.rotate(old, new, env.passphrase)
    return old, new, rotation.seq


def test_key_rotation_keeps_the_log_verifiable(built, tmp_path):
    old, new, at = _rotate(built)
    assert at == N + 1
    built.fill(5, every=2)
    reopened = built.open_log()  # the workspace now loads the new pair
    assert reopened.keys.ed25519.keyid == new.ed25519.keyid
    reopened.append(built.statement(200))
    report = built.verify()
    assert report.ok, report.problems
    assert {old.ed25519.keyid, new.ed25519.keyid} <= set(report.trusted_keys)
    for since in (0, at, at + 2):
        export_bundle(built.log, tmp_path / f"b{since}.json", built.trusted(), since=since)
        bundle = load_bundle(tmp_path / f"b{since}.json")
        assert verify_log(bundle.view, bundle.keys).ok
        assert check_inclusion_proofs(bundle) == []


def test_retired_key_signing_after_rotation_is_flagged(built):
    old, _, at = _rotate(built)
    built.fill(2)
    assert built.verify().ok
    # the envelope signed with the retired key; the receipt by the current log key
    recorded = built.log.append(built.statement(300), signers=[old.ed25519])
    assert recorded.seq == at + 3
    assert_first(built.verify(), recorded.seq, "retired log key")


def test_retired_key_writing_the_log_after_rotation_is_flagged(built):
    old, _, at = _rotate(built)
    assert built.verify().ok
    stale = built.open_log(keys=old)  # a writer still holding the old pair
    recorded = stale.append(built.statement(301), checkpoint=False)
    assert recorded.seq == at + 1
    assert_first(built.verify(), recorded.seq, "not a log key in force")
    # and a checkpoint it signs is refused too
    stale.checkpoint()
    report = built.verify()
    assert any("checkpoint" in p.reason and "lacks a valid" in p.reason for p in report.problems)


# --- bundles ----------------------------------------------------------------------------------------------


@pytest.fixture
def bundle_doc(built, tmp_path):
    path = tmp_path / "bundle.json"
    summary = export_bundle(built.log, path, built.trusted())
    assert summary == {"entries": N + 1, "start": 0, "size": N + 1, "checkpoints": 6, "path": str(path)}
    bundle = load_bundle(path)
    report = verify_log(bundle.view, bundle.keys)
    assert report.ok, report.problems
    assert report.entries == N + 1
    assert check_inclusion_proofs(bundle) == []
    return path, json.loads(path.read_bytes())


def _verify_doc(path, doc, trusted):
    path.write_text(json.dumps(doc))
    bundle = load_bundle(path)
    return verify_log(bundle.view, trusted), bundle


def test_bundle_changed_payload_byte(built, bundle_doc):
    path, doc = bundle_doc
    item = doc["entries"][MID]
    envelope = built.attacker.edit_envelope(b64decode(item["envelope"]), payload=payload_edit)
    item["envelope"] = b64encode(envelope)
    report, bundle = _verify_doc(path, doc, built.trusted())
    assert_first(report, MID, "stored leaf hash does not match")
    item["leaf_hash"] = b64encode(leaf_hash(envelope))
    report, bundle = _verify_doc(path, doc, built.trusted())
    assert_first(report, MID, "receipt does not match")
    assert [seq for seq, _ in check_inclusion_proofs(bundle)] == [MID]


@pytest.mark.parametrize("seq", [0, MID, N])
def test_bundle_deleted_entry(built, bundle_doc, seq):
    path, doc = bundle_doc
    del doc["entries"][seq]
    report, _ = _verify_doc(path, doc, built.trusted())
    assert_first(report, seq, "missing" if seq < N else "truncated")


def test_bundle_swapped_entries(built, bundle_doc):
    path, doc = bundle_doc
    entries = doc["entries"]
    a, b = entries[MID], entries[MID + 3]
    a["seq"], b["seq"] = b["seq"], a["seq"]
    entries[MID], entries[MID + 3] = b, a  # contents swapped, sequence numbers in place
    report, _ = _verify_doc(path, doc, built.trusted())
    assert_first(report, MID, "receipt does not match")


def test_bundle_reordered_entries(built, bundle_doc):
    path, doc = bundle_doc
    entries = doc["entries"]
    entries[MID], entries[MID + 1] = entries[MID + 1], entries[MID]  # rows swapped, numbers travel with them
    report, _ = _verify_doc(path, doc, built.trusted())
    assert_first(report, MID, "missing")


def test_bundle_dropped_checkpoint(built, bundle_doc):
    path, doc = bundle_doc
    dropped = doc["checkpoints"].pop(3)
    assert dropped["size"] == 13
    report, _ = _verify_doc(path, doc, built.trusted())
    assert_first(report, 9, "no consistency proof from size 9 to 17")


def test_bundle_dropped_latest_checkpoint(built, bundle_doc):
    """Without its newest checkpoint the bundle ends in entries no checkpoint covers: the verifier refuses
    them (their receipts are Ed25519 only), and so does the bundle's inclusion check, even with the proofs
    recomputed."""
    path, doc = bundle_doc
    doc["checkpoints"].pop()
    report, bundle = _verify_doc(path, doc, built.trusted())
    assert_first(report, 17, "entries 17..20 are not covered")
    assert check_inclusion_proofs(bundle)  # the proofs were made for size 21
    # the attacker recomputes every proof for size 17 (no key needed) and edits the size
    tree = MemoryTree(b64decode(e["leaf_hash"]) for e in doc["entries"][:17])
    for item in doc["entries"][:17]:
        item["inclusion_proof"] = [b64encode(h) for h in tree.inclusion_proof(item["seq"], 17)]
    doc["size"] = 17
    _, bundle = _verify_doc(path, doc, built.trusted())
    failures = check_inclusion_proofs(bundle)
    assert [seq for seq, _ in failures] == [17, 18, 19, 20]
    assert all("not covered by the bundle's latest checkpoint (size 17)" in why for _, why in failures)


def test_bundle_changed_checkpoint(built, bundle_doc):
    path, doc = bundle_doc
    cp = doc["checkpoints"][2]
    lines = cp["note"].split("\n")
    root = bytearray(b64decode(lines[2]))
    root[0] ^= 1
    lines[2] = b64encode(bytes(root))
    cp["note"] = "\n".join(lines)
    report, _ = _verify_doc(path, doc, built.trusted())
    assert_first(report, cp["size"], "lacks a valid")


def test_bundle_with_swapped_keys_is_not_trusted(built, bundle_doc):
    """The bundle's own key list is what it claims; an auditor verifies against the keys they pinned."""
    path, doc = bundle_doc
    doc["keys"] = load_bundle(path).keys.to_json() | {
        "keys": [
            {"keyid": k.keyid, "algorithm": k.algorithm, "public_key_pem": k.pem()}
            for k in LogKeys.generate().public_keys()
        ]
    }
    report, bundle = _verify_doc(path, doc, built.trusted())
    assert report.ok  # against the auditor's keys
    assert_first(verify_log(bundle.view, bundle.keys), 0, "not in the trusted set")


def _truncations(data: bytes) -> list[bytes]:
    return [b"", data[:1], data[: len(data) // 2], data[:-2], b"\x00" * 64, b"\xff\xfe" + data[2:100]]


def test_truncated_or_garbled_bundle_file_is_an_input_error(bundle_doc):
    path, _doc = bundle_doc
    data = path.read_bytes()
    for i, bad in enumerate(_truncations(data)):
        target = path.with_name(f"bad{i}.json")
        target.write_bytes(bad)
        with pytest.raises(InputError, match="corrupt bundle"):
            load_bundle(target)
    nested = path.with_name("nested.json")
    nested.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="corrupt bundle"):
        load_bundle(nested)
    with pytest.raises(InputError, match="no bundle"):
        load_bundle(path.with_name("absent.json"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("entries"),
        lambda d: d.update(format="https://example.com/other"),
        lambda d: d.update(start="zero"),
        lambda d: d.update(entries={"0": {}}),
        lambda d: d["entries"][3].pop("receipt"),
        lambda d: d["entries"][3].update(envelope="not base64!"),
        lambda d: d["entries"][3].update(inclusion_proof=None),
        lambda d: d["checkpoints"][0].pop("size"),
        lambda d: d["consistency_proofs"][0].update(proof="@@"),
        lambda d: d.update(prefix_nodes=None),
        lambda d: d.update(keys={"format": "nope"}),
        lambda d: d.update(entries=[1, 2, 3]),
    ],
)
def test_malformed_bundle_fields_are_input_errors(bundle_doc, damage):
    path, doc = bundle_doc
    damage(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError):
        load_bundle(path)


def test_known_checkpoint_must_be_signed(built):
    note = built.log.store.checkpoints()[-1].note
    forged = note.replace(b"\n21\n", b"\n22\n")
    report = built.verify([KnownCheckpoint(forged, "a forged copy")])
    assert not report.ok
    assert report.first.seq is None


def test_export_since_outside_the_log_is_an_input_error(make_evidence, tmp_path):
    env = make_evidence("sqlite")
    env.fill(3)
    for since in (-1, 4, 50):
        with pytest.raises(InputError, match="since"):
            export_bundle(env.log, tmp_path / "x.json", env.trusted(), since=since)
    assert not (tmp_path / "x.json").exists()
