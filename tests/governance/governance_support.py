"""Helpers shared by the governance tests: the CLI runners, the small audit, and status lookup."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from qtrust.cli.governance_cmds import register
from qtrust.evidence import EvidenceLog, Workspace
from qtrust.evidence.keys import SigningKey
from qtrust.governance import evaluate_checklists, load_checklists
from qtrust.governance.attestations import attest
from qtrust.governance.entries import read_log
from qtrust.governance.people import PersonKeys
from qtrust.governance.roster import add_person
from qtrust.governance.status import ItemStatus

PASSPHRASE = "test-passphrase"  # tests/conftest.py sets QTRUST_KEY_PASSPHRASE to this
SMALL_AUDIT = {
    "seed": 3,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 240, "n_features": 4, "group_bias": 0.3}},
    "encoding": {"n_qubits": 3},
    "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 10}],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
    "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01]},
    "shots": {"budgets": [100], "repeats": 2, "reference": 100},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 50, "n_permutations": 100},
}
PLAN = {
    "name": "release",
    "thresholds": [{"metric": "fairness/*/overall/equalized_odds_difference", "max": 0.5, "mode": "point"}],
}
# Where the template audit puts things (asserted by the tests that rely on them).
PLAN_SEQ, AUDIT_SEQ = 1, 2

runner = CliRunner()
governance_app = typer.Typer()
register(governance_app)


def governance(*args: object, env: dict[str, str] | None = None):
    """Run a governance command (the sub-apps registered on a local typer app, as app.py will)."""
    return runner.invoke(governance_app, [str(a) for a in args], env=env)


def qtrust(*args: object, env: dict[str, str] | None = None):
    """Run a command of the main qtrust app (keys, plan, audit)."""
    from qtrust.cli.app import app

    return runner.invoke(app, [str(a) for a in args], env=env)


PERSON_PASSPHRASE = b"person-passphrase"  # tests/conftest.py sets QTRUST_PERSON_PASSPHRASE to this


def statuses(ws: Workspace, log: EvidenceLog, extra: tuple[Path, ...] = ()) -> dict[str, ItemStatus]:
    """Every item's status against ``log``, keyed by item id, trusting the workspace keyring."""
    return {s.item: s for s in evaluate_checklists(load_checklists(extra), read_log(log, ws.trusted()))}


def start_roster(ws: Workspace, person_id: str = "olga") -> SigningKey:
    """Put ``person_id`` on the roster as its owner (their key made in this home); returns their key."""
    keys = PersonKeys(ws.home)
    claim = keys.keygen(person_id, PERSON_PASSPHRASE)
    key = keys.load(person_id, PERSON_PASSPHRASE)
    log = ws.open_log(PASSPHRASE.encode())
    with log.store:
        add_person(
            log,
            read_log(log, ws.trusted()),
            person_id,
            key,
            person_id=person_id,
            name="Olga",
            roles=["owner", "legal"],
            claim=claim,
        )
    return key


def attest_as(ws: Workspace, log: EvidenceLog, key: SigningKey, *args, **kwargs):
    """``attest`` signed by olga (the roster's owner), with the ledger read just before."""
    return attest(log, read_log(log, ws.trusted()), "olga", key, *args, **kwargs)
