"""The web app through its HTTP surface: logins, sessions, CSRF, roles and sign-offs decided on the server,
and each action landing in the evidence log exactly as its CLI twin's."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from web_support import PASSWORD, passphrase

from qtrust.web.app import create_web_app
from qtrust.web.security import COOKIE, LoginThrottle
from qtrust.workflow import signoff
from qtrust.workflow.verification import verify_local


def _client(session, **kw) -> TestClient:
    return TestClient(create_web_app(session, **kw), follow_redirects=False)


def _login(client: TestClient, person: str, password: str = PASSWORD):
    return client.post("/login", data={"person": person, "password": password})


def _csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def test_logins_are_checked_throttled_and_rotate_the_session(workspace):
    session, _ = workspace
    clock = [0.0]
    client = _client(session, throttle=LoginThrottle(limit=3, window_s=60, clock=lambda: clock[0]))
    assert client.get("/").headers["location"] == "/login"
    assert client.get("/approvals").status_code == 401
    assert _login(client, "bob", "wrong password!!").status_code == 401
    assert _login(client, "nobody", PASSWORD).status_code == 401  # same answer: no hint the id is unknown
    assert _login(client, "bob", "wrong password!!").status_code == 401  # 3 failures from this address
    assert _login(client, "bob", PASSWORD).status_code == 429  # throttled even with the right password
    assert _login(client, "olga", PASSWORD).status_code == 429  # the address is throttled, for anyone
    clock[0] = 61.0
    first = _login(client, "bob", PASSWORD)
    assert first.status_code == 303
    cookie = first.cookies[COOKIE]
    assert "httponly" in first.headers["set-cookie"].lower()
    assert "samesite=strict" in first.headers["set-cookie"].lower()
    second = _login(client, "bob", PASSWORD)
    assert second.cookies[COOKIE] != cookie  # a new session at every login
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    client.cookies.set(COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/approvals").status_code == 401  # a tampered cookie is no session


def test_an_expired_session_is_no_session(workspace):
    session, _ = workspace
    client = _client(session, max_age=1)
    _login(client, "bob")
    assert client.get("/approvals").status_code == 200
    time.sleep(2.1)
    assert client.get("/approvals").status_code == 401


def test_sign_offs_follow_the_roles_on_the_server_and_land_in_the_log(workspace):
    session, request = workspace
    bob, alice, vera = _client(session), _client(session), _client(session)
    for client, person in ((bob, "bob"), (alice, "alice"), (vera, "vera")):
        assert _login(client, person).status_code == 303
    assert f'action="/approvals/{request}"' in bob.get("/approvals").text  # bob holds a missing role
    assert f'action="/approvals/{request}"' not in alice.get("/approvals").text  # the requester has no button
    assert f'action="/approvals/{request}"' not in vera.get("/approvals").text  # an auditor signs nothing
    form = {"decision": "approve", "passphrase": passphrase("bob")}
    assert bob.post(f"/approvals/{request}", data=form).status_code == 403  # no CSRF token
    assert bob.post(f"/approvals/{request}", data=form | {"csrf": "forged"}).status_code == 403
    assert signoff.approvals(session, request).requests[0].approvals == {}  # nothing recorded
    wrong = bob.post(
        f"/approvals/{request}", data=form | {"csrf": _csrf(bob, "/approvals"), "passphrase": "x"}
    )
    assert wrong.status_code == 403  # the step-up passphrase is checked by decrypting bob's key
    done = bob.post(f"/approvals/{request}", data=form | {"csrf": _csrf(bob, "/approvals")})
    assert done.status_code == 303
    own = alice.post(
        f"/approvals/{request}",
        data={"decision": "approve", "passphrase": passphrase("alice"), "csrf": _csrf(alice, "/")},
    )
    assert own.status_code == 403  # posted directly: the server refuses what the UI does not offer
    viewer = vera.post(
        f"/approvals/{request}",
        data={"decision": "approve", "passphrase": passphrase("vera"), "csrf": _csrf(vera, "/")},
    )
    assert viewer.status_code == 403
    status = signoff.approvals(session, request).requests[0]
    assert set(status.approvals) == {"approver"}
    assert status.approvals["approver"][0] == "bob"
    assert verify_local(session).report.ok  # a web sign-off verifies as a CLI one does


def test_user_text_is_escaped(workspace):
    session, _ = workspace
    client = _client(session)
    _login(client, "alice")
    title = '<script>alert("x")</script> backend down'
    made = client.post(
        "/incidents",
        data={
            "csrf": _csrf(client, "/incidents"),
            "title": title,
            "severity": "high",
            "passphrase": passphrase("alice"),
        },
    )
    assert made.status_code == 303
    page = client.get("/incidents").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; backend down" in page


@pytest.mark.parametrize("path", ["/", "/approvals", "/incidents", "/log"])
def test_every_page_renders_for_a_person_on_the_roster(workspace, path):
    session, _ = workspace
    client = _client(session)
    _login(client, "vera")
    assert client.get(path).status_code == 200


def test_every_route_needs_a_session_and_every_post_a_csrf_token(workspace):
    """ASVS V8: no route answers without a valid session; no state-changing route runs without the token."""
    from fastapi.routing import APIRoute

    session, request = workspace
    app = create_web_app(session)
    anonymous, bob = TestClient(app, follow_redirects=False), TestClient(app, follow_redirects=False)
    _login(bob, "bob")
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path not in ("/login",)]
    samples = {
        "seq": str(request),
        "incident_id": "INC-0001",
        "kind": "risk",
        "digest": "0" * 64,
        "name": "transparency-summary.md",
    }
    checked = 0
    for route in routes:
        path = route.path.format(**{k: v for k, v in samples.items() if "{" + k + "}" in route.path})
        for method in route.methods:
            answer = anonymous.request(method, path, data={"passphrase": "x"})
            assert answer.status_code in (401, 303), (method, path, answer.status_code)
            if answer.status_code == 303:
                assert answer.headers["location"] == "/login"
            if method == "POST" and path != "/logout":
                refused = bob.post(path, data={"passphrase": passphrase("bob"), "csrf": "forged"})
                assert refused.status_code == 403, (path, refused.status_code)
            checked += 1
    assert checked >= 14
