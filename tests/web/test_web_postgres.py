"""The web app over a PostgreSQL evidence store (``qtrust web --store postgresql://…``): the same pages and
sign-offs as on SQLite, every entry in PostgreSQL and none in a local file, and the log verifies."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient
from web_support import PASSWORD, passphrase

from pg_support import throwaway_store
from qtrust.config import config_from_dict
from qtrust.web.accounts import Accounts
from qtrust.web.app import create_web_app
from qtrust.workflow import signoff
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.gate import gate_results, put_policy_in_force
from qtrust.workflow.verification import verify_local
from team import as_person, team_workspace
from tiny_audit import TINY

TEAM = {"olga": ["owner"], "bob": ["approver"], "alice": ["researcher"]}


def test_a_release_is_approved_in_the_app_over_a_postgresql_store(tmp_path):
    home = tmp_path / "home"
    with throwaway_store() as store:
        session = team_workspace(home, b"pg-web-secret", TEAM, "credit", store)
        policy = tmp_path / "policy.yaml"
        check = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point", "max": 1.0}
        policy.write_text(yaml.safe_dump({"name": "release", "checks": [check]}))
        put_policy_in_force(as_person(session, "olga"), "olga", policy)
        audit_and_record(session, config_from_dict(TINY), tmp_path / "out", config_source="api")
        gate = gate_results(session, tmp_path / "out" / "results.json").recorded.seq
        request = signoff.request_release(as_person(session, "alice"), "alice", gate).seq
        Accounts(home).set_password("bob", PASSWORD)

        client = TestClient(create_web_app(session, outputs=[tmp_path / "out"]), follow_redirects=False)
        assert client.post("/login", data={"person": "bob", "password": PASSWORD}).status_code == 303
        overview = client.get("/").text
        assert "<td>vqc</td>" in overview
        assert f"(entry {gate})" in overview
        approvals = client.get("/approvals").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', approvals).group(1)
        form = {"decision": "approve", "passphrase": passphrase("bob"), "csrf": csrf}
        assert client.post(f"/approvals/{request}", data=form).status_code == 303

        assert not (home / "evidence.db").exists()  # every entry went to PostgreSQL
        status = signoff.approvals(session, request).requests[0]
        assert status.approvals["approver"][0] == "bob"
        assert verify_local(session).report.ok
