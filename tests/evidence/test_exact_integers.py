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


def test_a_statement_with_an_integer_beyond_the_limit_is_refused_and_names_where():
    subject = [statements.resource("results.json", "0" * 64)]
    ok = statements.statement(subject, statements.TEST_RESULT_V01, {"seed": MAX_EXACT_INT, "big": [1.5e300]})
    assert ok["predicate"]["seed"] == MAX_EXACT_INT
    with pytest.raises(ValueError, match=r"predicate\.runs\[1\]\.seed: integers beyond"):
        statements.statement(
            subject, statements.TEST_RESULT_V01, {"runs": [{"seed": 1}, {"seed": np.int64(2**62)}]}
        )
    assert inexact_integers({"a": True, "b": [2**53, -(2**60)]}) == ["b[0]", "b[1]"]


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
