"""A project team on the roster, for the governance command tests."""

from __future__ import annotations

import pytest
import yaml
from people_support import TEAM, add_person
from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()


@pytest.fixture
def team():
    """Keys, and a roster: olga (owner), alice (researcher), bob (approver), rui (reviewer), lena (legal,
    reviewer), each with a key they made themselves; the default policy in force, registered by olga."""
    assert runner.invoke(app, ["keys", "init"]).exit_code == 0
    for person_id, _, _ in TEAM:
        made = runner.invoke(app, ["people", "keygen", person_id])
        assert made.exit_code == 0, made.output
    first = add_person("alice", "Alice", ["researcher"], as_="alice")
    assert first.exit_code == 2  # the owner comes first, and adds themselves
    assert "first person on the roster is its owner" in first.output
    assert add_person("olga", "Olga", ["owner"], "--project", "credit-vqc", as_="olga").exit_code == 0
    for person_id, name, roles in TEAM[1:]:
        done = add_person(person_id, name, roles)
        assert done.exit_code == 0, done.output
    assert "Olga" in runner.invoke(app, ["people", "list"]).output
    registered = runner.invoke(app, ["policy", "register", "--as", "olga"])
    assert registered.exit_code == 0, registered.output


@pytest.fixture
def small_audit_config(tmp_path):
    """A config for an audit of a few seconds (synthetic data, 3 qubits, one VQC, one baseline)."""
    path = tmp_path / "small-audit.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "seed": 5,
                "data": {
                    "source": "synthetic",
                    "synthetic": {"n_rows": 240, "n_features": 4, "group_bias": 0.3},
                },
                "encoding": {"n_qubits": 3},
                "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 10}],
                "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
                "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01]},
                "shots": {"budgets": [100], "repeats": 2, "reference": 100},
                "reproducibility": {"seeds": [0, 1]},
                "statistics": {"n_boot": 50, "n_permutations": 100},
            }
        )
    )
    return path
