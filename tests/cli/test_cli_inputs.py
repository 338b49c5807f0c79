"""Hostile and careless input to `qtrust audit`: one `error:` line, exit 2, and nothing written.

Each test is an attack that once ended in a traceback, a silent exit 0 or lost files. "Nothing written"
means no output directory and an empty evidence home (tests/conftest.py gives every test a fresh
QTRUST_HOME): the refusal must come before the signing keys or the log are created.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from qtrust.audit.outputs import MANIFEST
from qtrust.cli.app import app
from qtrust.config import default_config_yaml
from qtrust.errors import InputError
from qtrust.yamlfile import MAX_YAML_BYTES, parse_yaml, read_yaml_mapping
from tiny_audit import TINY

runner = CliRunner()


# A billion laughs: 9 levels of lists of 9 aliases of the level below, a few hundred bytes.
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{level}: &{level} [{', '.join([f'*{below}'] * 9)}]\n"
    for below, level in zip("abcdefgh", "bcdefghi", strict=True)
)


def _home() -> Path:
    return Path(os.environ["QTRUST_HOME"])


def _config(tmp_path: Path, doc: dict | str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    return path


def _audit(tmp_path: Path, *args: object, record: bool = True):
    out = tmp_path / "out"
    flags = ["--no-progress"] + ([] if record else ["--no-record"])
    return runner.invoke(app, ["audit", *map(str, args), "--out", str(out), *flags]), out


def _assert_refused(result, out: Path, *fragments: str) -> str:
    """Exit 2, exactly one line starting with `error:`, no traceback, no output and an empty evidence home."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    assert not out.exists()
    assert list(_home().iterdir()) == []
    return lines[0]


def _csv(tmp_path: Path, n: int = 120, **columns) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n).round(2),
            "debt": rng.normal(5, 2, n).round(2),
            "gender": np.where(np.arange(n) % 2, "f", "m"),
            "approved": np.where(rng.random(n) < 0.5, "yes", "no"),
        }
    )
    for name, values in columns.items():
        frame[name] = values
    path = tmp_path / "loans.csv"
    frame.to_csv(path, index=False)
    return path


DATA = ("--data", "--label", "approved", "--sensitive", "gender")


def _data_args(path: Path) -> list[object]:
    return [DATA[0], path, *DATA[1:]]


# -- numbers in the data -----------------------------------------------------------------------------------


def _set_cell(path: Path, row: int, column: int, cell: str) -> None:
    """Write ``cell`` as it is into data row ``row`` (1-based, after the header) of the CSV at ``path``."""
    lines = path.read_text().splitlines()
    fields = lines[row].split(",")
    fields[column] = cell
    lines[row] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("inf", "inf"), ("-inf", "-inf"), ("Infinity", "inf"), ("1e400", "inf"), ("1e200", "1e+200")],
)
def test_infinite_or_huge_numbers_are_refused_naming_the_column_and_row(tmp_path, cell, shown):
    path = _csv(tmp_path)
    _set_cell(path, 6, 1, cell)  # debt
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *_data_args(path))
    _assert_refused(result, out, "column 'debt', row 6 after the header", shown)


def test_nan_in_the_data_is_missing_and_refused_before_any_state(tmp_path):
    path = _csv(tmp_path)
    _set_cell(path, 3, 0, "nan")  # income
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *_data_args(path))
    _assert_refused(result, out, "'income' (1 empty)")


# -- seeds and shot budgets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"seed": -5}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"reproducibility": {"seeds": [0, -1]}}, "reproducibility.seeds.1"),
    ],
)
def test_seeds_outside_0_to_2_pow_32_are_refused(tmp_path, options, where):
    result, out = _audit(tmp_path, _config(tmp_path, TINY | options))
    _assert_refused(result, out, f"{where}: a seed must be an integer from 0 to 4294967295")


def test_a_negative_seed_option_is_refused(tmp_path):
    result, out = _audit(tmp_path, _config(tmp_path, TINY), "--seed", "-1")
    _assert_refused(result, out, "command line: seed", "from 0 to 4294967295", "got -1")


@pytest.mark.parametrize(
    ("shots", "where"),
    [
        ({"budgets": [10**20], "repeats": 2, "reference": 100}, "shots.budgets.0"),
        ({"budgets": [1e20], "repeats": 2, "reference": 100}, "shots.budgets.0"),  # YAML 1.0e+20
        ({"budgets": [100], "repeats": 2, "reference": 10**9}, "shots.reference"),
    ],
)
def test_absurd_shot_budgets_are_refused_with_the_bound(tmp_path, shots, where):
    result, out = _audit(tmp_path, _config(tmp_path, TINY | {"shots": shots}))
    _assert_refused(result, out, f"{where}: a shot budget must be an integer from 1 to 100,000,000")


# -- YAML that expands ------------------------------------------------------------------------------------


def test_a_billion_laughs_config_is_refused(tmp_path):
    result, out = _audit(tmp_path, _config(tmp_path, LAUGHS))
    _assert_refused(result, out, "expands to more than 100,000 values")


def test_alias_blowups_and_oversized_files_are_refused_by_the_yaml_reader(tmp_path):
    laughs = _config(tmp_path, LAUGHS, "risk.yaml")
    with pytest.raises(InputError, match="expands to more than 100,000 values"):
        read_yaml_mapping(laughs, what="risk file", flag="FILE", fix="see the README")
    with pytest.raises(InputError, match="recursive alias"):
        parse_yaml("a: &x [1, *x]\n", "loop.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("x: " + "1" * MAX_YAML_BYTES + "\n")
    with pytest.raises(InputError, match="larger than 1 MiB"):
        read_yaml_mapping(big, what="config", flag="CONFIG", fix="see `qtrust init`")
    with pytest.raises(InputError, match="nested too deeply"):
        parse_yaml("[" * 5000 + "]" * 5000, "deep.yaml")
    with pytest.raises(InputError, match=r"month must be in 1\.\.12"):
        parse_yaml("date: 2024-13-01\n", "date.yaml")
    # Aliases that do not blow up still work, and so does the config `qtrust init` writes.
    doc = parse_yaml(
        "base: &base {kind: variational, n_layers: 1}\nmodels:\n  - <<: *base\n    name: a\n", "x"
    )
    assert doc["models"] == [{"kind": "variational", "n_layers": 1, "name": "a"}]
    path = _config(tmp_path, default_config_yaml(), "init.yaml")
    assert read_yaml_mapping(path, what="config", flag="CONFIG", fix="")["seed"] == 0


# -- the user's model file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["sys.exit(0)", "sys.exit()", "raise SystemExit(3)", "exit('bye')"])
def test_a_model_file_that_exits_is_refused_naming_the_file(tmp_path, call):
    model = tmp_path / "team_model.py"
    model.write_text(textwrap.dedent(f"import sys\nclassifier = None\n{call}\n"))
    result, out = _audit(tmp_path, _config(tmp_path, TINY), "--model", f"{model}:classifier")
    _assert_refused(result, out, str(model), "stopped the program", "__main__")


# -- the CSV header ---------------------------------------------------------------------------------------------


def test_duplicated_column_names_are_refused(tmp_path):
    path = _csv(tmp_path)
    text = path.read_text().split("\n", 1)
    path.write_text(text[0] + ",gender\n" + "\n".join(f"{line},f" for line in text[1].splitlines()) + "\n")
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *_data_args(path))
    _assert_refused(result, out, "'gender' more than once")


@pytest.mark.parametrize("option", ["--label", "--sensitive"])
def test_an_empty_column_option_is_refused(tmp_path, option):
    args = [*_data_args(_csv(tmp_path))]
    args[args.index(option) + 1] = ""
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *args)
    _assert_refused(result, out, "source 'csv' needs data.")


def test_unnamed_columns_are_refused(tmp_path):
    path = _csv(tmp_path)
    frame = pd.read_csv(path)
    frame.to_csv(path)  # with the index: an unnamed first column
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *_data_args(path))
    _assert_refused(result, out, "column(s) 1 of the header have no name", "index=False")


# -- nothing is created before the input is known to be good -------------------------------------------------


def test_bad_data_leaves_no_keys_or_log_behind(tmp_path):
    path = _csv(tmp_path, gender=["f"] * 117 + ["x"] * 3)  # a group too small
    result, out = _audit(tmp_path, _config(tmp_path, TINY), *_data_args(path))  # recording is on
    _assert_refused(result, out, "too small")


def test_a_circuit_too_wide_leaves_no_keys_or_log_behind(tmp_path):
    wide = {"encoding": {"n_qubits": 12}, "models": [{"kind": "variational"}], "baselines": []}
    result, out = _audit(tmp_path, _config(tmp_path, wide))
    _assert_refused(result, out, "limit of 11")


# -- spreadsheet formulas in what qtrust writes ------------------------------------------------------------------


def test_formulas_in_group_values_and_model_names_are_neutralised_in_predictions_csv(tmp_path):
    n = 120
    groups = np.array(["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-2+3", "\tx", "-1"])[np.arange(n) % 6]
    path = _csv(tmp_path, n=n, gender=groups)
    config = TINY | {"models": [{"kind": "variational", "name": "=vqc", "n_layers": 1, "max_iter": 5}]}
    result, out = _audit(tmp_path, _config(tmp_path, config), *_data_args(path), record=False)
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(out / "predictions.csv", keep_default_na=False, dtype={"group": str})
    assert set(predictions["group"]) == {"'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+1+1", "'-2+3", "'\tx", "-1"}
    assert set(predictions["model"]) == {"'=vqc", "logistic"}
    assert pd.api.types.is_float_dtype(predictions["proba"])  # numbers stay numbers
    results = json.loads((out / "results.json").read_text())
    assert {g["group"] for g in results["dataset"]["groups"]} >= {"=cmd|' /C calc'!A0", "-1"}  # JSON: as is


# -- the output directory --------------------------------------------------------------------------------------


def test_notes_and_a_qtrust_folder_beside_an_old_results_json_survive(tmp_path):
    out = tmp_path / "out"
    (out / ".qtrust").mkdir(parents=True)
    (out / ".qtrust" / "keys.json").write_text("signing keys")
    (out / "notes.md").write_text("my notes")
    (out / "results.json").write_text("{}")  # an output directory of an earlier version: no manifest
    result = runner.invoke(app, ["audit", str(_config(tmp_path, TINY)), "--out", str(out), "--no-progress"])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith("error: ")
    assert "\n" not in line
    assert "not a qtrust output directory" in line
    assert ".qtrust/, notes.md, results.json" in line
    assert "earlier qtrust version" in line
    assert "move it away" in line
    assert (out / ".qtrust" / "keys.json").read_text() == "signing keys"
    assert (out / "notes.md").read_text() == "my notes"
    assert (out / "results.json").read_text() == "{}"
    assert list(_home().iterdir()) == []


def test_a_qtrust_written_folder_is_replaced_evidence_json_included(tmp_path):
    config = _config(tmp_path, TINY)
    first, out = _audit(tmp_path, config)
    assert first.exit_code == 0, first.output
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["files"]) == {
        "datasheet.md",
        "evidence.json",
        "model_card.md",
        "predictions.csv",
        "report.html",
        "results.json",
    }
    before = (out / "evidence.json").read_text()
    again, _ = _audit(tmp_path, config, "--seed", "4")
    assert again.exit_code == 0, again.output
    assert (out / "evidence.json").read_text() != before  # replaced: the second run's receipt
    assert json.loads((out / "results.json").read_text())["config"]["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "out"]  # no old or tmp dir left


@pytest.mark.parametrize("intrusion", ["extra file", "subdirectory", "edited file"])
def test_a_qtrust_folder_with_the_users_changes_is_refused(tmp_path, intrusion):
    config = _config(tmp_path, TINY)
    first, out = _audit(tmp_path, config, record=False)
    assert first.exit_code == 0, first.output
    if intrusion == "extra file":
        (out / "analysis.ipynb").write_text("{}")
        expected = "holds entries qtrust did not write: analysis.ipynb"
    elif intrusion == "subdirectory":
        (out / "figures").mkdir()
        expected = "holds entries qtrust did not write: figures/"
    else:
        with (out / "model_card.md").open("a") as handle:
            handle.write("\nReviewed by Olga.\n")
        expected = "model_card.md changed since qtrust wrote it"
    listing = sorted(p.name for p in out.iterdir())
    results = (out / "results.json").read_text()
    again, _ = _audit(tmp_path, config, record=False)
    assert again.exit_code == 2, again.output
    line = again.output.strip()
    assert line.startswith("error: ")
    assert "\n" not in line
    assert expected in line
    assert sorted(p.name for p in out.iterdir()) == listing
    assert (out / "results.json").read_text() == results
