"""Evidence logs for the governance tests: one real audit recorded through the CLI, copied per test.

The audit (a small synthetic run with a noise sweep, a shot study and two training seeds, under a
pre-registered plan) is recorded once per session into a template home; each test that needs it gets its
own copy, so tests can append, attack and re-evaluate without seeing each other's entries. The tests run in
the ``QTRUST_HOME`` that tests/conftest.py gives every test, so a CLI call without --home lands there too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from governance_support import PASSPHRASE, PLAN, SMALL_AUDIT, qtrust

from qtrust.evidence import EvidenceLog, Workspace


@pytest.fixture(scope="session")
def audited_template(tmp_path_factory) -> Path:
    """A home with keys, a registered plan (entry 1) and an audit under it (entries 2-3), built once."""
    root = tmp_path_factory.mktemp("governance-template")
    home = root / "home"
    env = {"QTRUST_HOME": str(home), "QTRUST_KEY_PASSPHRASE": PASSPHRASE}
    config, plan = root / "small.yaml", root / "plan.yaml"
    config.write_text(yaml.safe_dump(SMALL_AUDIT))
    plan.write_text(yaml.safe_dump(PLAN))
    for args in (
        ("keys", "init"),
        ("plan", "register", plan),
        ("audit", config, "--out", root / "out", "--no-progress", "--plan", "release"),
    ):
        done = qtrust(*args, env=env)
        assert done.exit_code == 0, done.output
    return home


@pytest.fixture
def home() -> Path:
    """This test's (empty) QTRUST_HOME."""
    return Path(os.environ["QTRUST_HOME"])


@pytest.fixture
def audited(audited_template: Path, home: Path) -> Workspace:
    """This test's own copy of the audited log, in its QTRUST_HOME."""
    shutil.rmtree(home)
    shutil.copytree(audited_template, home)
    return Workspace.resolve(home)


@pytest.fixture
def empty(home: Path) -> Workspace:
    """Keys and a log that holds only its log-init entry."""
    ws = Workspace.resolve(home)
    log, _ = ws.init(PASSPHRASE.encode())
    log.store.close()
    return ws


@pytest.fixture
def open_log() -> Iterator[Callable[..., EvidenceLog]]:
    """Open logs (with the signing keys unless ``read_only``); every one is closed after the test."""
    opened: list[EvidenceLog] = []

    def _open(ws: Workspace, *, read_only: bool = False) -> EvidenceLog:
        log = ws.open_log(None if read_only else PASSPHRASE.encode())
        opened.append(log)
        return log

    yield _open
    for log in opened:
        log.store.close()
