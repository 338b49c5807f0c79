"""The README's screenshots of the governance web app, made from a real workspace through the real pages,
and of the quantum-safe readiness report.

A team of four (owner, approver, researcher, auditor) on a fresh log; a ``--quick`` audit of the built-in
German Credit data; the default release policy judges it; a lenient policy the owner puts in force passes
it; the researcher requests the release in the browser and two others approve it there; a risk, an incident
and an attestation are entered through their forms. Every page is then photographed in Debian's Chromium at
1280 px wide into ``docs/img/web-<page>.png``. Last, the crypto scanner's labelled corpus with the example
data-asset register gives ``docs/img/crypto-readiness.png``. Nothing leaves 127.0.0.1.

Run: ``.venv/bin/python docs/screenshots.py`` (needs ``chromium`` on the PATH; about two minutes).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from qtrust.crypto.register import EXAMPLE
from qtrust.web.accounts import Accounts
from qtrust.web.app import create_web_app
from qtrust.workflow import people
from qtrust.workflow.audit import audit_and_record, compose_config
from qtrust.workflow.gate import gate_results, put_policy_in_force
from qtrust.workflow.loopback import served
from qtrust.workflow.session import Session

IMG = Path(__file__).parent / "img"
LOG_SECRET = b"screenshot-log-secret"
PASSWORD = "screenshot password"
TEAM = {
    "olga": ["owner", "legal"],
    "bob": ["approver", "reviewer"],
    "alice": ["researcher"],
    "vera": ["auditor"],
}
NAMES = {"olga": "Olga Lind", "bob": "Bob Achebe", "alice": "Alice Moreau", "vera": "Vera Okafor"}


def own(session: Session, person_id: str) -> Session:
    secret = f"{person_id}-passphrase".encode()
    return dataclasses.replace(session, person_passphrase=lambda confirm: secret)


def workspace(root: Path) -> tuple[Session, Path]:
    """The team on a new log, a quick German Credit audit, a failing and a passing gate decision."""
    session = Session.at(root / "home", log_passphrase=lambda confirm: LOG_SECRET)
    log, _ = session.workspace.init(LOG_SECRET)
    log.store.close()
    for person_id in TEAM:
        people.keygen(own(session, person_id), person_id)
    for person_id, roles in TEAM.items():
        people.add_person(
            own(session, "olga"), "olga", person_id=person_id, name=NAMES[person_id], roles=roles,
            project_name="credit-vqc",
        )  # fmt: skip
    out = root / "out"
    config = compose_config(quick=True)
    audit_and_record(session, config, out, config_source="built-in default --quick")
    gate_results(session, out / "results.json")  # the default policy
    lenient = root / "pilot.yaml"
    check = {"id": "seed-stability", "metric": "reproducibility/*/accuracy/sd", "mode": "point", "max": 0.05}
    lenient.write_text(yaml.safe_dump({"name": "pilot", "checks": [check]}))
    put_policy_in_force(own(session, "olga"), "olga", lenient)
    gate_results(session, out / "results.json")
    accounts = Accounts(session.workspace.home)
    for person_id in TEAM:
        accounts.set_password(person_id, PASSWORD)
    return session, out


@contextmanager
def serving(session: Session, outputs: Path) -> Iterator[str]:
    with served(create_web_app(session, outputs=[outputs]), "qtrust-screenshots") as url:
        yield url


def log_in(browser: Browser, url: str, person: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=person]", person)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{url}/")
    return page


def act_through_the_pages(browser: Browser, url: str) -> None:
    """The release requested and approved, a risk, an incident and an attestation — all through forms."""
    alice = log_in(browser, url, "alice")
    alice.goto(f"{url}/gates")
    section = alice.locator("section", has_text="pass").filter(has=alice.locator("input[name=passphrase]"))
    section.first.locator("input[name=passphrase]").fill("alice-passphrase")
    section.first.locator("button:has-text('Request release sign-off')").click()
    alice.wait_for_url(f"{url}/approvals")
    bob = log_in(browser, url, "bob")
    bob.goto(f"{url}/approvals")
    form = bob.locator("form[action^='/approvals/']").first
    form.locator("input[name=passphrase]").fill("bob-passphrase")
    form.locator("button[value=approve]").click()
    bob.wait_for_url(f"{url}/approvals")

    olga = log_in(browser, url, "olga")
    olga.goto(f"{url}/records")
    risk = olga.locator("form[action='/records/risk']")
    for field, value in {
        "id": "R-noise-fairness",
        "title": "The equalised-odds gap widens on noisier hardware",
        "review_date": "2027-03-01",
        "who_benefits": "applicants decided faster",
        "who_may_be_harmed": "applicants in the smaller group",
        "mitigations": "gate on fairness under noise up to 1e-2",
    }.items():
        risk.locator(f"[name={field}]").fill(value)
    risk.locator("input[name=passphrase]").fill("olga-passphrase")
    risk.locator("button").click()
    olga.wait_for_url(f"{url}/records")
    olga.goto(f"{url}/incidents")
    olga.fill("input[name=title]", "Fallback rate above 5% on the canary")
    olga.fill("input[name=description]", "QPU queue time exceeded the latency budget for 40 minutes")
    olga.fill("input[name=passphrase]", "olga-passphrase")
    olga.click("button:has-text('Open')")
    olga.wait_for_url(f"{url}/incidents")
    olga.goto(f"{url}/checklists")
    attest = olga.locator("form[action='/checklists/attest']")
    attest.locator("input[name=note]").fill("threat model reviewed with legal on 2026-12-07")
    attest.locator("input[type=file]").set_input_files(
        {"name": "threat-model.txt", "mimeType": "text/plain", "buffer": b"threat model v3, reviewed\n"}
    )
    attest.locator("input[name=passphrase]").fill("olga-passphrase")
    attest.locator("button:has-text('Attest')").click()
    olga.wait_for_url(f"{url}/checklists")
    olga.goto(f"{url}/approvals")  # the request half signed: the owner's form is waiting for her
    olga.screenshot(path=str(IMG / "web-approvals.png"))
    form = olga.locator("form[action^='/approvals/']").first
    form.locator("input[name=passphrase]").fill("olga-passphrase")
    form.locator("button[value=approve]").click()
    olga.wait_for_url(f"{url}/approvals")


def photograph(browser: Browser, url: str) -> list[Path]:
    page = log_in(browser, url, "olga")
    audit = page.locator("a[href^='/audits/']").first.get_attribute("href")
    shots = {
        "overview": "/",
        "audit": audit,
        "gates": "/gates",
        "checklists": "/checklists",
        "records": "/records",
        "incidents": "/incidents",
        "documents": "/documents",
        "people": "/people",
        "log": "/log",
    }
    written = []
    for name, path in shots.items():
        page.goto(f"{url}{path}")
        if name == "log":
            page.click("button:has-text('Verify the log now')")
        target = IMG / f"web-{name}.png"
        page.screenshot(path=str(target), full_page=False)
        written.append(target)
    return written


def crypto_report(browser: Browser, root: Path) -> Path:
    """The readiness report of the scanner's labelled corpus with the example register (nothing recorded)."""
    from qtrust.workflow.crypto import readiness_report, scan_to_cbom

    corpus = Path(__file__).parent.parent / "tests" / "crypto" / "corpus"
    session = Session.at(root / "crypto-home")
    scan_to_cbom(session, [corpus], root / "cbom.json", record=False)
    (root / "assets.yaml").write_text(EXAMPLE)
    readiness_report(
        session, root / "cbom.json", root / "readiness", register=root / "assets.yaml",
        as_of=dt.date(2026, 12, 7), record=False,
    )  # fmt: skip
    page = browser.new_context(viewport={"width": 1100, "height": 1250}).new_page()
    page.goto((root / "readiness" / "report.html").as_uri())
    target = IMG / "crypto-readiness.png"
    page.screenshot(path=str(target), full_page=False)
    return target


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not on the PATH: `apt-get install chromium`")
    with tempfile.TemporaryDirectory() as tmp:
        session, out = workspace(Path(tmp))
        with serving(session, out) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                act_through_the_pages(browser, url)
                print(IMG / "web-approvals.png")
                for path in photograph(browser, url):
                    print(path)
                print(crypto_report(browser, Path(tmp)))
            finally:
                browser.close()


if __name__ == "__main__":
    main()
