"""A deployed model in a workspace with a team, copied fresh for each rollout test (built once per session)."""

from __future__ import annotations

import shutil

import pytest
import yaml
from rollout_support import LOG_SECRET, TEAM, as_person

from qtrust.config import config_from_dict
from qtrust.serve.artefact import load
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.deploy import record_deployment
from qtrust.workflow.gate import put_policy_in_force
from qtrust.workflow.package import package_run
from qtrust.workflow.session import Session
from team import team_workspace
from tiny_audit import TINY


@pytest.fixture(scope="session")
def deployed_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("rollout-template")
    session = team_workspace(root / "home", LOG_SECRET, TEAM, "credit")
    put_policy_in_force(as_person(session, "olga"), "olga", None)
    audit_and_record(session, config_from_dict(TINY), root / "out", config_source="api")
    package_run(session, root / "out", root / "m.qtrust", model="vqc", fallback="logistic")
    deployment = record_deployment(
        session, load(root / "m.qtrust"), {"host": "127.0.0.1", "backend": "qtrust-engine"}
    )
    return root, deployment.recorded.seq


@pytest.fixture
def deployed(deployed_template, tmp_path):
    """(session, deployment entry, artefact path, a plan file) in a fresh copy of the template workspace."""
    template, deployment = deployed_template
    shutil.copytree(template / "home", tmp_path / "home")
    shutil.copy(template / "m.qtrust", tmp_path / "m.qtrust")
    session = Session.at(tmp_path / "home", log_passphrase=lambda confirm: LOG_SECRET)
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "name": "test-canary",
                "steps": [10, 50, 100],
                "min_requests": 150,
                "min_labels": 80,
                "approval_from": 50,
                "interval_s": 1,
            }
        )
    )
    return session, deployment, tmp_path / "m.qtrust", plan
