"""Integers in signed evidence stay exact for every JSON reader: none beyond ±(2**53 − 1) (I-JSON, RFC 7493)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qtrust.cli.app import app
from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.numbers import MAX_EXACT_INT, as_seed, inexact_integers


def double_reader(text: str) -> object:
    """A reader that parses every number as an IEEE double, as in-toto's protobuf Struct does."""
    return json.loads(text, parse_int=float)


def test_the_limit_is_where_a_double_reader_starts_to_change_integers():
    for n in (MAX_EXACT_INT, -MAX_EXACT_INT, 2**40 + 3):
        assert int(double_reader(json.dumps({"seed": n}))["seed"]) == n
    assert int(double_reader(json.dumps({"seed": MAX_EXACT_INT + 2}))["seed"]) != MAX_EXACT_INT + 2


def test_an_entry_with_an_integer_beyond_the_limit_is_not_recorded_and_names_where(make_evidence):
    env = make_evidence("sqlite")
    log = env.open_log()
    subject = [statements.resource("results.json", "0" * 64)]
    ok = statements.statement(subject, statements.TEST_RESULT_V01, {"seed": MAX_EXACT_INT, "big": [1.5e300]})
    log.append_many([ok])
    refused = statements.statement(
        subject, statements.TEST_RESULT_V01, {"runs": [{"seed": 1}, {"seed": np.int64(2**62)}]}
    )
    size = log.size()
    with pytest.raises(InputError, match=r"predicate\.runs\[1\]\.seed: integers beyond"):
        log.append_many([refused])
    assert log.size() == size  # nothing written
    assert inexact_integers({"a": True, "b": [2**53, -(2**60)]}) == ["b[0]", "b[1]"]


def test_verification_still_reads_large_integers_the_rule_only_guards_writing():
    """``check_statement`` is what verification applies to every stored entry: a log signed before the rule
    must still verify, so only the write path refuses a large integer."""
    doc = statements.statement(
        [statements.resource("results.json", "0" * 64)], statements.TEST_RESULT_V01, {"seed": 2**60}
    )
    statements.check_statement(doc)  # well-formed in-toto
    with pytest.raises(ValueError, match="integers beyond"):
        statements.check_exact_integers(doc)


def test_seeds_are_checked_on_entry_numpy_integers_included():
    assert as_seed(np.uint32(7), "seed") == 7
    assert type(as_seed(np.int64(7), "seed")) is int
    for bad in (2**53, -1, True, 1.0):
        with pytest.raises(InputError):
            as_seed(bad, "seed")


def test_the_monitor_refuses_a_seed_no_json_reader_would_keep(tmp_path):
    result = CliRunner().invoke(
        app, ["monitor", str(tmp_path / "missing.qtrust"), "--traffic", "x.csv", "--seed", str(2**53 + 1)]
    )
    assert result.exit_code == 2
    assert "--seed = 9007199254740993 is outside 0…9007199254740991" in " ".join(result.output.split())
