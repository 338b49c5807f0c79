"""Property: whatever CSV or config a user hands `qtrust audit`, it audits (exit 0) or refuses (exit 2).

A refusal is exactly one `error:` line, never a traceback, and leaves nothing behind: no output directory,
nothing in the evidence home. Hypothesis generates the inputs from a small valid CSV and a tiny valid
config, mutated cell by cell and key by key (repeated and empty column names, inf, nan, huge numbers,
formulas, unicode, empty cells; seeds, shot budgets, noise levels and qubit counts of every sign, size and
type; YAML aliases), so both the refusals and a share of real (tiny, sub-second) audits are exercised.
The examples are derandomized: CI runs the same ones every time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtrust.cli.app import app
from tiny_audit import TINY

runner = CliRunner()

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NAMES = ["income", "debt", "gender", "approved", "", " ", "gender", "=HYPERLINK(1)", "größe", "a,b", "1.5"]
SPECIAL_CELLS = "inf -inf Infinity nan NaN NA 1e400 1e200 -1e308 -0.5 @SUM(1) +1 -1+1 ünïcødé yes no 0 1 true"
CELLS = st.one_of(
    st.sampled_from([*SPECIAL_CELLS.split(), "", "9" * 40, "=cmd|' /C calc'!A0", "\tx"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=6).filter(lambda s: "\x00" not in s),
)


def _valid_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    return pd.DataFrame(
        {
            "income": rng.normal(50, 10, n).round(2),
            "debt": rng.normal(5, 2, n).round(2),
            "gender": np.where(np.arange(n) % 2, "f", "m"),
            "approved": np.where(rng.random(n) < 0.5, "yes", "no"),
        }
    ).astype(str)


@st.composite
def csv_audits(draw) -> tuple[str, list[str]]:
    """A CSV text (a valid one with some cells and header names replaced) and the --data options."""
    frame = _valid_frame(draw(st.integers(min_value=30, max_value=60)))
    header = list(frame.columns)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(NAMES))
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 4]))):
        row, column = draw(st.integers(0, len(frame) - 1)), draw(st.integers(0, frame.shape[1] - 1))
        frame.iat[row, column] = draw(CELLS)
    if draw(st.booleans()):
        frame["gender"] = draw(st.sampled_from(["=cmd", "@x", "-1", "+z", "\tt", "ü"])) + frame["gender"]
    frame.columns = header
    # Mostly the right columns, so that a good share of the examples are real (tiny) audits.
    label = draw(st.sampled_from(["approved"] * 6 + ["debt", "gender", "missing", *header]))
    sensitive = draw(st.sampled_from(["gender"] * 6 + ["income", "approved", *header]))
    options = ["--label", label, "--sensitive", sensitive]
    if draw(st.booleans()):
        options += ["--positive", draw(st.sampled_from(["yes", "yes", "no", "1", "maybe", "=x"]))]
    if draw(st.integers(0, 4)) == 0:
        options += ["--sensitive-threshold", draw(st.sampled_from(["50", "nan", "inf", "-1e308", "0"]))]
    return frame.to_csv(index=False), options


#: Any value of any type, for any key.
ANYTHING = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.dictionaries(st.sampled_from(["kind", "x"]), st.integers(), max_size=2),
)
SEEDS = st.integers(min_value=-2, max_value=2**33)
BUDGETS = st.integers(min_value=-1, max_value=10**9)
#: Values on both sides of each key's bounds, so that a good share of the configs still run.
PLAUSIBLE = {
    ("seed",): SEEDS,
    ("shots", "budgets"): st.lists(BUDGETS, max_size=3),
    ("shots", "reference"): BUDGETS,
    ("shots", "repeats"): st.integers(min_value=0, max_value=1001),
    ("noise", "levels"): st.lists(st.floats(min_value=-0.1, max_value=0.6), max_size=3),
    ("noise", "channels"): st.lists(st.sampled_from(["depolarizing", "readout", "bogus"]), max_size=2),
    ("encoding", "n_qubits"): st.integers(min_value=-1, max_value=21),
    ("encoding", "angle_range"): st.lists(st.floats(min_value=-10, max_value=10), min_size=1, max_size=3),
    ("reproducibility", "seeds"): st.lists(SEEDS, max_size=3),
    ("data", "test_size"): st.floats(min_value=0, max_value=1),
    ("statistics", "threshold"): st.floats(min_value=0, max_value=1),
    ("models",): st.just([{"kind": "quantum_kernel", "name": "qk"}]),
}


@st.composite
def config_texts(draw) -> str:
    """A YAML config: the tiny one with a few keys set to other values, perhaps with aliases."""
    doc = yaml.safe_load(yaml.safe_dump(TINY))
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        path = draw(st.sampled_from(sorted(PLAUSIBLE)))
        section = doc
        for key in path[:-1]:
            if not isinstance(section.get(key), dict):
                section[key] = {}
            section = section[key]
        section[path[-1]] = draw(st.one_of(PLAUSIBLE[path], PLAUSIBLE[path], ANYTHING))
    text = yaml.safe_dump(doc, allow_unicode=True)
    shape = draw(st.integers(0, 7))
    if shape == 0:  # an alias bomb under an unknown key, or under a real one
        key = draw(st.sampled_from(["extra", "models"]))
        levels = draw(st.integers(2, 8))
        text += "laughs: &l0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, levels)
        )
        text += f"{key}: *l{levels - 1}\n"
    elif shape == 1:  # a recursive alias
        text += "loop: &loop [1, *loop]\n"
    elif shape == 2:  # not a mapping, not YAML, not a date
        text = draw(st.sampled_from(["- 1\n- 2\n", "just text\n", "[unclosed\n", "a: 2024-13-01\n", "{\n"]))
    elif shape == 3:  # an ordinary anchor and merge key, which must keep working
        doc.pop("models", None)
        text = yaml.safe_dump(doc, allow_unicode=True) + (
            "models:\n  - &vqc {kind: variational, name: vqc, n_layers: 1, max_iter: 5}\n"
            "  - {<<: *vqc, name: vqc2}\n"
        )
    return text


def _run(tmp: Path, args: list[str]) -> None:
    """Run `qtrust audit` and check the property (exit 0 with outputs, or exit 2: one line, nothing written)."""
    home = tmp / "home"
    home.mkdir()
    os.environ["QTRUST_HOME"] = str(home)
    out = tmp / "out"
    result = runner.invoke(
        app, ["audit", *args, "--out", str(out), "--no-record", "--quick", "--no-progress"]
    )
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        event(
            result.output.split(":")[-2].strip()[-40:] if result.output.count(":") > 1 else result.output[:40]
        )
    if result.exit_code not in (0, 2):
        import traceback

        detail = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
        raise AssertionError(f"exit {result.exit_code} for {args}:\n{result.output}\n{detail}")
    if result.exit_code == 2:
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert lines[0].startswith("error: "), result.output
        assert "Traceback" not in result.output
        assert not out.exists()
    else:
        assert (out / "results.json").is_file()
    assert list(home.iterdir()) == []


@PROPERTY
@given(case=csv_audits())
def test_any_csv_is_audited_or_refused_in_one_line(case):
    text, options = case
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        config, data = tmp / "tiny.yaml", tmp / "data.csv"
        config.write_text(yaml.safe_dump(TINY))
        data.write_text(text, encoding="utf-8")
        _run(tmp, [str(config), "--data", str(data), *options])


@PROPERTY
@given(text=config_texts(), seed=st.one_of(st.none(), st.none(), SEEDS))
def test_any_config_is_audited_or_refused_in_one_line(text, seed):
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        config = tmp / "config.yaml"
        config.write_text(text, encoding="utf-8")
        _run(tmp, [str(config), *([] if seed is None else ["--seed", str(seed)])])
