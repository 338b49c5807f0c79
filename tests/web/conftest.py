"""A workspace with a team, a recorded audit, a passing gate and a pending release request; web logins."""

from __future__ import annotations

import shutil

import pytest
import yaml
from web_support import PASSWORD

from qtrust.config import config_from_dict
from qtrust.web.accounts import Accounts
from qtrust.workflow import signoff
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.gate import gate_results, put_policy_in_force
from qtrust.workflow.session import Session
from team import as_person, team_workspace
from tiny_audit import TINY

LOG_SECRET = b"web-log-secret"
TEAM = {
    "olga": ["owner", "legal"],
    "bob": ["approver", "reviewer"],
    "alice": ["researcher"],
    "vera": ["auditor"],
}


@pytest.fixture(scope="session")
def web_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-template")
    session = team_workspace(root / "home", LOG_SECRET, TEAM, "credit")
    policy = root / "policy.yaml"
    check = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point", "max": 1.0}
    policy.write_text(yaml.safe_dump({"name": "release", "checks": [check]}))
    put_policy_in_force(as_person(session, "olga"), "olga", policy)
    audit_and_record(session, config_from_dict(TINY), root / "out", config_source="api")
    gate = gate_results(session, root / "out" / "results.json").recorded.seq
    request = signoff.request_release(as_person(session, "alice"), "alice", gate).seq
    accounts = Accounts(root / "home")
    for person_id in TEAM:
        accounts.set_password(person_id, PASSWORD)
    return root, request


@pytest.fixture
def workspace(web_template, tmp_path):
    """(session, the pending request's entry) in a fresh copy of the template."""
    template, request = web_template
    shutil.copytree(template / "home", tmp_path / "home")
    return Session.at(tmp_path / "home", log_passphrase=lambda confirm: LOG_SECRET), request
