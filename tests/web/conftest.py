"""A workspace with a team, a recorded audit, a passing gate and a pending release request; web logins."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import yaml

from qtrust.config import config_from_dict
from qtrust.web.accounts import Accounts
from qtrust.workflow import people, signoff
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.gate import gate_results, put_policy_in_force
from qtrust.workflow.session import Session
from tiny_audit import TINY

LOG_SECRET = b"web-log-secret"
TEAM = {
    "olga": ["owner", "legal"],
    "bob": ["approver", "reviewer"],
    "alice": ["researcher"],
    "vera": ["auditor"],
}
PASSWORD = "correct horse battery"


def passphrase(person_id: str) -> str:
    return f"{person_id}-own-passphrase"


def as_person(session: Session, person_id: str) -> Session:
    secret = passphrase(person_id).encode()
    return dataclasses.replace(session, person_passphrase=lambda confirm: secret)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("web-template")
    session = Session.at(root / "home", log_passphrase=lambda confirm: LOG_SECRET)
    log, _ = session.workspace.init(LOG_SECRET)
    log.store.close()
    for person_id in TEAM:
        people.keygen(as_person(session, person_id), person_id)
    for person_id, roles in TEAM.items():
        people.add_person(
            as_person(session, "olga"),
            "olga",
            person_id=person_id,
            name=person_id.title(),
            roles=roles,
            project_name="credit",
        )
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
