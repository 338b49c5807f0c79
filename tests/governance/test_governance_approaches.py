"""Governance approaches: the reference data, and the signed record of which ones a project operates under."""

from __future__ import annotations

import pytest

from qtrust.errors import InputError
from qtrust.evidence import EvidenceLog, LogKeys
from qtrust.evidence import statements as st
from qtrust.governance import GOVERNANCE_APPROACH_V1, current_approaches, load_approaches, record_approach
from qtrust.governance.approaches import approaches_digest, resolve_approaches
from qtrust.governance.entries import read_log


def test_the_five_approaches_ship_with_scope_strengths_weaknesses_and_real_examples():
    approaches = {a.id: a for a in load_approaches()}
    assert list(approaches) == [
        "self-regulation",
        "industry-standards",
        "government-regulation",
        "international-agreements",
        "research-norms",
    ]
    for approach in approaches.values():
        assert len(approach.scope) > 40
        assert len(approach.strengths) >= 2
        assert len(approach.weaknesses) >= 2
        assert len(approach.examples) >= 3
    named = {a: " | ".join(e.name for e in approaches[a].examples) for a in approaches}
    assert "Regulation (EU) 2024/1689" in named["government-regulation"]
    assert "ISO/IEC 42001:2023" in named["industry-standards"]
    assert "NIST AI 100-1" in named["industry-standards"]
    assert "OECD" in named["international-agreements"]
    assert "CETS No. 225" in named["international-agreements"]


def test_adopting_approaches_round_trips_through_the_log(empty, open_log):
    log = open_log(empty)
    assert current_approaches(read_log(log, empty.trusted())) is None
    first = record_approach(
        log, ["industry-standards", "government-regulation", "industry-standards"], "Board, Jan"
    )
    statement = log.statement(first.seq)
    assert first.kind == "governance-approach"
    assert statement["predicateType"] == GOVERNANCE_APPROACH_V1
    chosen = resolve_approaches(["industry-standards", "government-regulation"])
    assert statement["subject"][0]["digest"]["sha256"] == approaches_digest(chosen)
    adopted = current_approaches(read_log(log, empty.trusted()))
    assert adopted.seq == first.seq
    assert adopted.ids == ("industry-standards", "government-regulation")  # a repeated id is recorded once
    assert adopted.note == "Board, Jan"
    assert adopted.citation().startswith("Operates under: Industry standards, Government regulation")
    assert f"evidence entry {first.seq}" in adopted.citation()
    # adopting again replaces it; the latest record is the one in force
    second = record_approach(log, ["research-norms"], "Open-sourced the model")
    latest = current_approaches(read_log(log, empty.trusted()))
    assert (latest.ids, latest.seq) == (("research-norms",), second.seq)


def test_a_forged_adoption_is_ignored_when_keys_are_pinned(empty, open_log):
    log = open_log(empty)
    genuine = record_approach(log, ["self-regulation"], "Our own principles")
    forger = EvidenceLog(log.store, LogKeys.generate())
    forger.append(
        st.statement(
            [st.resource("governance-approaches", "00" * 32)],
            GOVERNANCE_APPROACH_V1,
            {"approaches": [{"id": "government-regulation", "title": "Government regulation"}], "note": "x"},
        ),
        checkpoint=False,
    )
    assert current_approaches(read_log(log, empty.trusted())).seq == genuine.seq  # only what verifies


def test_unknown_approaches_and_empty_notes_are_refused(empty, open_log):
    log = open_log(empty)
    size = log.size()
    with pytest.raises(InputError, match="did you mean 'industry-standards'"):
        record_approach(log, ["industry-standard"], "x")
    with pytest.raises(InputError, match="no approach given"):
        record_approach(log, [], "x")
    with pytest.raises(InputError, match="the note is empty"):
        record_approach(log, ["research-norms"], "  ")
    assert log.size() == size
