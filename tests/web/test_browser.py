"""The governance app in a real browser: Debian's Chromium driven by Playwright against the server on
loopback: the full story from a failing gate to a release two people signed off, each role's actions,
and hostile input."""

from __future__ import annotations

import shutil
import time

import pytest
from playwright.sync_api import sync_playwright
from web_support import PASSWORD, passphrase

from qtrust.web.app import create_web_app
from qtrust.workflow import loopback, signoff
from qtrust.workflow.verification import verify_local

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served(workspace):
    assert CHROMIUM, "Chromium is missing: `apt-get install chromium` (.ci/run installs it)"
    session, request = workspace
    with loopback.served(create_web_app(session), "qtrust-web-test") as url:
        yield session, request, url


def _log_in(browser, url: str, person: str):
    page = browser.new_context().new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=person]", person)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    return page


def test_the_full_story_in_the_browser(served, tmp_path):
    """A failing gate, a fix, a passing gate; the release requested and approved by two others in the
    browser; the log verifies in the browser and with the library."""
    import yaml

    from qtrust.workflow.gate import gate_results, put_policy_in_force
    from team import as_person

    session, _, url = served
    from qtrust.config import config_from_dict
    from qtrust.workflow.audit import audit_and_record
    from tiny_audit import TINY

    audit_and_record(session, config_from_dict(TINY), tmp_path / "out", config_source="api")  # the engineer's
    results = tmp_path / "out" / "results.json"
    strict, lenient = tmp_path / "strict.yaml", tmp_path / "lenient.yaml"
    check = {"id": "seed-sd", "metric": "reproducibility/*/accuracy/sd", "mode": "point"}
    strict.write_text(yaml.safe_dump({"name": "release", "checks": [check | {"max": 0.0}]}))
    lenient.write_text(yaml.safe_dump({"name": "release", "checks": [check | {"max": 1.0}]}))
    put_policy_in_force(as_person(session, "olga"), "olga", strict)
    failing = gate_results(session, results)
    assert not failing.outcome.passed
    put_policy_in_force(as_person(session, "olga"), "olga", lenient)  # the fix the owner agreed to
    passing = gate_results(session, results)
    assert passing.outcome.passed
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            anonymous = browser.new_context().new_page()
            anonymous.goto(f"{url}/approvals")
            assert "Please log in" in anonymous.content()  # no page without a session
            anonymous.goto(f"{url}/")
            assert anonymous.url.endswith("/login")
            alice = _log_in(browser, url, "alice")
            alice.click("text=Gates")
            assert "fail" in alice.locator("section", has_text=f"Entry {failing.recorded.seq}:").inner_text()
            section = alice.locator("section", has_text=f"Entry {passing.recorded.seq}:")
            section.locator("input[name=passphrase]").fill(passphrase("alice"))
            section.locator("button:has-text('Request release sign-off')").click()
            alice.wait_for_url(f"{url}/approvals")
            request = max(signoff.approvals(session).requests, key=lambda r: r.seq).seq
            assert f"Request {request}: release" in alice.content()
            assert alice.locator(f"form[action='/approvals/{request}']").count() == 0  # not her own
            for person in ("bob", "olga"):
                page = _log_in(browser, url, person)
                page.goto(f"{url}/approvals")
                form = page.locator(f"form[action='/approvals/{request}']")
                form.locator("input[name=passphrase]").fill(passphrase(person))
                form.locator("button[value=approve]").click()
                page.wait_for_url(f"{url}/approvals")
            page.goto(f"{url}/log")
            page.click("button:has-text('Verify the log now')")
            assert "verified" in page.locator("p.ok").inner_text()
        finally:
            browser.close()
    status = signoff.approvals(session, request).requests[0]
    assert status.state == "approved"
    assert status.requested_by == "alice"
    assert {who for who, _ in status.approvals.values()} == {"bob", "olga"}
    assert verify_local(session).report.ok


def test_each_role_sees_only_its_actions_and_a_direct_post_is_refused(served):
    """Every role in the browser: the approve and roster forms appear only to those who may use them, and
    a sign-off posted straight from the page's session (its own valid CSRF token) is refused for the rest."""
    session, request, url = served
    expected = {
        "alice": False,
        "vera": False,
        "bob": True,
        "olga": True,
    }  # requester, auditor, approver, owner
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for person, may_approve in expected.items():
                page = _log_in(browser, url, person)
                page.goto(f"{url}/approvals")
                assert (page.locator(f"form[action='/approvals/{request}']").count() == 1) == may_approve, (
                    person
                )
                token = page.locator("input[name=csrf]").first.get_attribute("value")
                page.goto(f"{url}/people")
                assert (page.locator("form[action='/people']").count() == 1) == (person == "olga"), person
                if not may_approve:
                    answer = page.request.post(
                        f"{url}/approvals/{request}",
                        form={"csrf": token, "decision": "approve", "passphrase": passphrase(person)},
                        max_redirects=0,
                    )
                    assert answer.status == 403, person
        finally:
            browser.close()
    assert signoff.approvals(session, request).requests[0].approvals == {}  # nobody's refused post counted


def test_hostile_input_in_the_browser_is_refused_or_shown_as_text(served):
    """A script in an incident title stays text; a path in an attachment's name is not a path; an oversized
    upload, a stale form (its session replaced by a new login) and an expired session are refused, and none
    of them records anything."""
    session, _, url = served
    stored_attachments = session.workspace.home / "attachments"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = _log_in(browser, url, "olga")
            page.goto(f"{url}/incidents")
            page.fill(
                "input[name=title]", '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
            )
            page.fill("input[name=passphrase]", passphrase("olga"))
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.click("button:has-text('Open')")
            page.wait_for_url(f"{url}/incidents")
            assert page.title() == "Incidents — qtrust"  # the script did not run
            assert page.locator("td", has_text="<script>document.title").count() == 1  # shown as text
            assert page.locator("img[src=x]").count() == 0
            assert dialogs == []

            page.goto(f"{url}/checklists")
            form = page.locator("form[action='/checklists/attest']")
            form.locator("input[name=note]").fill("reviewed")
            form.locator("input[name=passphrase]").fill(passphrase("olga"))
            form.locator("input[type=file]").set_input_files(
                {"name": "../../keys/evil.txt", "mimeType": "text/plain", "buffer": b"reviewed by legal\n"}
            )
            form.locator("button:has-text('Attest')").click()
            page.wait_for_url(f"{url}/checklists")
            stored = [p.name for p in stored_attachments.rglob("*") if p.is_file()]
            assert stored
            assert all("evil" not in name for name in stored)  # stored under its digest, never its name
            assert not (session.workspace.home.parent / "keys").exists()

            entries = verify_local(session).report.size  # the log before the refused actions
            page.goto(f"{url}/checklists")
            form = page.locator("form[action='/checklists/attest']")
            form.locator("input[name=note]").fill("too big")
            form.locator("input[name=passphrase]").fill(passphrase("olga"))
            form.locator("input[type=file]").set_input_files(
                {"name": "scan.txt", "mimeType": "text/plain", "buffer": b"x" * (10 * 1024 * 1024 + 1)}
            )
            form.locator("button:has-text('Attest')").click()
            assert "larger than" in page.content()

            page.goto(f"{url}/incidents")  # this form carries the current session's CSRF token ...
            again = page.context.new_page()  # ... until a new login in the same browser replaces the session
            again.goto(f"{url}/login")
            again.fill("input[name=person]", "olga")
            again.fill("input[name=password]", PASSWORD)
            again.click("button:has-text('Log in')")
            again.wait_for_url(f"{url}/")
            page.fill("input[name=title]", "from a stale form")
            page.fill("input[name=passphrase]", passphrase("olga"))
            page.click("button:has-text('Open')")
            assert "The form is stale" in page.content()
        finally:
            browser.close()
        with loopback.served(create_web_app(session, max_age=2), "qtrust-web-test") as short:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                page = _log_in(browser, short, "olga")
                page.goto(f"{short}/incidents")
                page.fill("input[name=title]", "after the session expired")
                page.fill("input[name=passphrase]", passphrase("olga"))
                time.sleep(2.5)
                page.click("button:has-text('Open')")
                assert "Please log in" in page.content()
            finally:
                browser.close()
    assert verify_local(session).report.size == entries  # nothing refused was recorded
