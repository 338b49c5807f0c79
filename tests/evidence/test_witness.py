"""Witness cosignatures: a second party stops a lone operator from truncating or re-signing the log.

The cosignature format is checked against the C2SP tlog-cosignature text itself (key IDs and signed
messages rebuilt here from the spec, independently of qtrust's encoder); the attacks are the ones a log
operator holding the log key and the database can mount.
"""

from __future__ import annotations

import hashlib
import json
import struct

import pytest

from qtrust.encoding import b64decode
from qtrust.errors import InputError
from qtrust.evidence import EvidenceLog, LogKeys, verify_log
from qtrust.evidence.checkpoint import SIGNATURE_PREFIX, parse_checkpoint
from qtrust.evidence.keys import TrustedKeys
from qtrust.evidence.store.sqlite import SQLiteStore
from qtrust.evidence.view import store_view
from qtrust.evidence.witness import WitnessDirectory

WITNESS_PASSPHRASE = b"witness passphrase"


@pytest.fixture
def witness(tmp_path):
    return WitnessDirectory.create(tmp_path / "witness", "witness.example.org/audit", WITNESS_PASSPHRASE)


def cosign(env, witness, trusted=None):
    """The witness, on its own side: a writable store connection but no log key."""
    writer = env.ws.open_log(writable=True)
    try:
        return witness.cosign(writer, WITNESS_PASSPHRASE, trusted=trusted)
    finally:
        writer.store.close()


def verify(env, witness, *, known=True):
    latest = witness.latest_checkpoint(env.log.origin)
    log = env.open_log(passphrase=None)
    return verify_log(
        store_view(log), env.trusted(), [latest] if known and latest else [], witnesses=[witness.public()]
    )


def test_cosignature_lines_follow_c2sp_tlog_cosignature(evidence, witness):
    evidence.fill(5)
    done = cosign(evidence, witness, trusted=evidence.trusted())
    public = witness.public()
    checkpoint, _ = parse_checkpoint(evidence.log.store.latest_checkpoint().note)
    lines = [line for line in done.lines.splitlines() if line]
    assert len(lines) == 2
    for line, key, kind in ((lines[0], public.ed25519, b"\x04"), (lines[1], public.mldsa44, b"\x06")):
        assert line.startswith(SIGNATURE_PREFIX + public.name + " ")
        blob = b64decode(line.rsplit(" ", 1)[1])
        assert blob[:4] == hashlib.sha256(public.name.encode() + b"\n" + kind + key.raw).digest()[:4]
        (timestamp,) = struct.unpack(">Q", blob[4:12])
        if kind == b"\x04":  # "cosignature/v1", "time <t>", then the whole checkpoint body
            message = f"cosignature/v1\ntime {timestamp}\n".encode() + checkpoint.body()
            assert len(blob[12:]) == 64
        else:  # the subtree/v1 structure over [0, size)
            name, origin = public.name.encode(), checkpoint.origin.encode()
            message = (
                b"subtree/v1\n\x00"
                + bytes([len(name)])
                + name
                + struct.pack(">Q", timestamp)
                + bytes([len(origin)])
                + origin
                + struct.pack(">QQ", 0, checkpoint.size)
                + checkpoint.root
            )
            assert len(blob[12:]) == 2420
        assert key.verify(blob[12:], message)


def test_every_entry_must_be_witnessed_when_a_witness_is_demanded(evidence, witness):
    evidence.fill(5)
    report = verify(evidence, witness)
    assert not report.ok
    assert "entries 0..5 are not witnessed by witness.example.org/audit" in report.first.reason
    cosign(evidence, witness, trusted=evidence.trusted())
    report = verify(evidence, witness)
    assert report.ok, report.problems
    assert report.witnessed == {"witness.example.org/audit": 6}
    evidence.fill(3)  # the operator appends; until the witness sees it, it is not witnessed
    report = verify(evidence, witness)
    assert report.first.seq == 6
    assert "not witnessed" in report.first.reason
    again = cosign(evidence, witness)  # the pinned keys are remembered after first contact
    assert (again.previous_size, again.size) == (6, 9)
    assert verify(evidence, witness).ok


def test_a_truncated_tail_passes_a_plain_verify_but_not_the_witness(evidence, witness):
    evidence.fill(12, every=4)
    cosign(evidence, witness, trusted=evidence.trusted())
    assert [c.size for c in evidence.log.store.checkpoints()] == [1, 5, 9, 13]
    evidence.attacker.drop_guards()
    evidence.attacker.truncate_from(9, checkpoints=True)  # at a checkpoint boundary
    assert verify_log(store_view(evidence.open_log(passphrase=None)), evidence.trusted()).ok
    report = verify(evidence, witness)
    assert not report.ok
    assert any("truncated" in p.reason and "witness" in p.reason for p in report.problems)
    # and the witness refuses to cosign the shorter log
    with pytest.raises(InputError, match=r"refusing to cosign .* truncated"):
        cosign(evidence, witness)


def test_a_log_re_signed_with_new_keys_gets_no_cosignature(make_evidence, witness, tmp_path):
    """The operator rebuilds the whole log under fresh keys (same entries) and swaps the keyring: the local
    keyring then vouches for it, but the witness pinned the old keys."""
    evidence = make_evidence("sqlite")
    evidence.fill(4)
    cosign(evidence, witness, trusted=evidence.trusted())
    statements = [json.loads(b64decode(json.loads(e.envelope)["payload"])) for e in evidence.log.entries(1)]
    new_keys = LogKeys.generate()
    rebuilt = EvidenceLog.create(SQLiteStore(tmp_path / "rebuilt.db"), new_keys)
    for doc in statements:
        rebuilt.append(doc)
    forged_trust = TrustedKeys(new_keys.public_keys())
    assert verify_log(store_view(rebuilt), forged_trust).ok  # self-consistent under its own keys
    report = verify_log(store_view(rebuilt), forged_trust, witnesses=[witness.public()])
    assert not report.ok
    assert "not witnessed" in report.first.reason
    with pytest.raises(InputError, match=r"not seen log .* before"):
        witness.cosign(rebuilt, WITNESS_PASSPHRASE)
    with pytest.raises(InputError, match="refusing to cosign"):
        witness.cosign(rebuilt, WITNESS_PASSPHRASE, trusted=evidence.trusted())
    rebuilt.store.close()


def test_a_forged_or_foreign_cosignature_does_not_count(evidence, witness, tmp_path):
    evidence.fill(4)
    impostor = WitnessDirectory.create(tmp_path / "impostor", witness.public().name, WITNESS_PASSPHRASE)
    cosign(evidence, impostor, trusted=evidence.trusted())  # same name, other keys
    report = verify(evidence, witness, known=False)
    assert "not witnessed" in report.first.reason
    with pytest.raises(InputError, match="passphrase is wrong"):
        witness.cosign(evidence.log, b"not the witness passphrase", trusted=evidence.trusted())
