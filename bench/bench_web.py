"""Benchmark: page loads of the governance web app, measured in the browser, on a small log and on a log
of 1,000 entries with 100 audits on file; and the SQL statements each page runs.

Two workspaces: *small* (one recorded audit, its gate, a handful of entries) and *large* (the same audit's
entries recorded 100 times, filled up to 1,000 entries with signed test statements). Each serves
``qtrust web`` on 127.0.0.1 in this process; Debian's Chromium, driven by Playwright, logs in and loads the
overview and an audit page ``--loads`` times each. Reported: p50 / p95 of the navigation (request start to
load event, from the browser's Navigation Timing), and the SQLite statements the server ran per page view
(counted with ``sqlite3``'s trace callback) — the number must not grow with the log's length.

Run: ``.venv/bin/python bench/bench_web.py [--loads 20]`` (needs ``chromium`` on the PATH).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from qtrust.config import config_from_dict
from qtrust.evidence import statements
from qtrust.web.accounts import Accounts
from qtrust.web.app import create_web_app
from qtrust.workflow import people
from qtrust.workflow.audit import audit_and_record
from qtrust.workflow.gate import gate_results
from qtrust.workflow.loopback import served
from qtrust.workflow.session import Session

# the audit of well under a second the tests use (one definition for tests and bench)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tiny_audit import TINY

SECRET = b"bench-web-secret"
PASSWORD = "bench password 123"
STATEMENTS = [0]
_CONNECT = sqlite3.connect


def _counting_connect(*args, **kwargs):
    connection = _CONNECT(*args, **kwargs)
    connection.set_trace_callback(lambda sql: STATEMENTS.__setitem__(0, STATEMENTS[0] + 1))
    return connection


def workspace(root: Path, audits: int, entries: int) -> tuple[Session, int]:
    session = Session.at(root / "home", log_passphrase=lambda confirm: SECRET)
    log, _ = session.workspace.init(SECRET)
    log.store.close()
    olga = dataclasses.replace(session, person_passphrase=lambda confirm: b"olga-passphrase")
    people.keygen(olga, "olga")
    people.add_person(olga, "olga", person_id="olga", name="Olga", roles=["owner"], project_name="bench")
    audit_and_record(session, config_from_dict(TINY), root / "out", config_source="bench")
    gate_results(session, root / "out" / "results.json", record=True)
    with session.writing() as (log, ledger):
        audit = ledger.of("audits")[-1]
        pair = [audit.statement, ledger.entry(audit.seq + 1).statement]
        if audits > 1:
            log.append_many([doc for _ in range(audits - 1) for doc in pair])
        fill = entries - log.size()
        if fill > 0:
            log.append_many(
                statements.statement(
                    [statements.resource(f"bench-{i}", f"{i % 256:02x}" * 32)],
                    "https://qtrust.dev/evidence/bench/v1",
                    {"i": i},
                )
                for i in range(fill)
            )
        size, last_audit = log.size(), ledger.of("audits")[-1].seq
    Accounts(root / "home").set_password("olga", PASSWORD)
    print(f"  {root.name}: {size} entries, {audits} audits")
    return session, last_audit


def measure(session: Session, audit: int, loads: int, browser) -> dict[str, tuple[float, float, float]]:
    with served(create_web_app(session), "qtrust-bench-web") as url:
        return _measure_pages(url, audit, loads, browser)


def _measure_pages(url: str, audit: int, loads: int, browser) -> dict[str, tuple[float, float, float]]:
    page = browser.new_context().new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=person]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button")
    page.wait_for_url(f"{url}/")
    results = {}
    for name, path in (("overview", "/"), ("audit page", f"/audits/{audit}")):
        times, counts = [], []
        for _ in range(loads):
            before = STATEMENTS[0]
            page.goto(f"{url}{path}")
            counts.append(STATEMENTS[0] - before)
            timing = page.evaluate(
                "() => { const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.requestStart; }"
            )
            times.append(float(timing))
        results[name] = (statistics.median(times), float(np.percentile(times, 95)), statistics.median(counts))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    sqlite3.connect = _counting_connect  # count what the server runs from here on
    root = Path(tempfile.mkdtemp(prefix="qtrust-bench-web-"))
    print("building the workspaces")
    small = workspace(root / "small", audits=1, entries=0)
    large = workspace(root / "large", audits=100, entries=1_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        rows = [
            (label, measure(s, a, args.loads, browser))
            for label, (s, a) in (("small", small), ("large", large))
        ]
        browser.close()
    print(f"\n{'log':<8} {'page':<11} {'p50 ms':>8} {'p95 ms':>8} {'SQL statements':>15}")
    for label, results in rows:
        for page, (p50, p95, count) in results.items():
            print(f"{label:<8} {page:<11} {p50:>8.1f} {p95:>8.1f} {count:>15.0f}")


if __name__ == "__main__":
    main()
