"""Issue 11's verification and credential attacks, as a user or an attacker mounts them from the shell.

Each test names the old behaviour it replaces: a bundle verified by the keys it carries, an output checked
against an unsigned digest, a reader that wrote to the store, three first uses that made three logs, a
store password printed and recorded, a damaged column or an odd QTRUST_HOME that ended in a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from pg_support import PG_URL, drop_schema, new_schema
from qtrust.cli.app import app

runner = CliRunner()

QTRUST = str(Path(sys.executable).parent / "qtrust")
REPO = Path(__file__).resolve().parents[2]


def qtrust(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def home() -> Path:
    return Path(os.environ["QTRUST_HOME"])


@pytest.fixture
def audited(small_audit_config, tmp_path):
    """A recorded audit in out/, its log exported to bundle.json and its public keys to trust.json."""
    out = tmp_path / "out"
    done = qtrust("audit", small_audit_config, "--out", out, "--no-progress")
    assert done.exit_code == 0, done.output
    bundle, trust = tmp_path / "bundle.json", tmp_path / "trust.json"
    assert qtrust("export", bundle).exit_code == 0
    assert qtrust("keys", "export", trust).exit_code == 0
    return out, bundle, trust


@pytest.fixture
def pg_schema():
    """A fresh PostgreSQL schema name, dropped afterwards (whether or not anything created it)."""
    schema = new_schema()
    yield schema
    drop_schema(schema)


def schema_exists(schema: str) -> bool:
    with psycopg.connect(PG_URL) as db:
        row = db.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,))
        return row.fetchone()[0] == 1


# --- what a bundle proves -------------------------------------------------------------------------------


def test_a_bundle_checked_only_against_its_own_keys_is_not_a_pass(audited, tmp_path):
    """Before: without --trusted-keys, verify trusted the bundle's own key list and exited 0."""
    _, bundle, trust = audited
    auditor = {"QTRUST_HOME": str(tmp_path / "auditor")}
    unpinned = qtrust("verify", bundle, env=auditor)
    assert unpinned.exit_code == 1
    lines = [line for line in unpinned.output.splitlines() if line.strip()]
    assert lines
    assert all(line.startswith("UNPINNED KEYS") for line in lines), unpinned.output
    assert "NOT TRUSTED" in unpinned.output
    assert json.loads(qtrust("verify", bundle, "--json", env=auditor).stdout)["ok"] is False
    knowingly = qtrust("verify", bundle, "--trust-bundle-keys", env=auditor)
    assert knowingly.exit_code == 0, knowingly.output
    assert all(line.startswith("UNPINNED KEYS") for line in knowingly.output.splitlines() if line.strip())
    pinned = qtrust("verify", bundle, "--trusted-keys", trust, env=auditor)
    assert pinned.exit_code == 0
    assert "UNPINNED" not in pinned.output


def test_outputs_are_compared_only_with_signed_digests(audited, tmp_path):
    """Before: edit results.json, write its new digest into the bundle's unsigned artefacts list: verified."""
    out, bundle, trust = audited
    edited = tmp_path / "edited"
    shutil.copytree(out, edited)
    results = edited / "results.json"
    results.write_text(results.read_text().replace('"accuracy"', '"accuracy" ', 1))
    forged = json.loads(bundle.read_text())
    forged["artefacts"] = {"results.json": "sha256:" + hashlib.sha256(results.read_bytes()).hexdigest()}
    forged_path = tmp_path / "forged.json"
    forged_path.write_text(json.dumps(forged))
    caught = qtrust("verify", forged_path, "--trusted-keys", trust, "--outputs", edited)
    assert caught.exit_code == 1
    assert "results.json does not match any digest a verified entry records" in caught.output
    assert qtrust("verify", bundle, "--trusted-keys", trust, "--outputs", out).exit_code == 0


# --- readers write nothing --------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


READERS = (
    ["verify"],
    ["log", "list"],
    ["log", "show", "1"],
    ["keys", "list"],
    ["people", "list"],
    ["approvals"],
    ["checklist", "status"],
    ["risk", "list"],
    ["incident", "list"],
    ["export", "{tmp}/again.json"],
)


def test_read_only_commands_leave_the_home_byte_for_byte_unchanged(audited, tmp_path):
    """Before: opening the SQLite store ran BEGIN IMMEDIATE and the schema script, so an auditor with
    read access could not verify, and every reader touched the database."""
    before = snapshot(home())
    for command in READERS:
        done = qtrust(*[part.format(tmp=tmp_path) for part in command])
        assert done.exit_code in (0, 1), (command, done.output)
        assert snapshot(home()) == before, command
    assert not [p.name for p in home().iterdir() if p.name.endswith(("-wal", "-shm"))]


def test_readers_on_a_missing_postgres_schema_create_nothing(pg_schema, tmp_path):
    """Before: any command opening a PostgreSQL store ran the schema DDL, creating an empty log."""
    assert qtrust("keys", "init").exit_code == 0  # the reader holds the log's public keys
    before = snapshot(home())
    store = f"{PG_URL}?schema={pg_schema}"
    for command in (["verify"], ["log", "list"], ["approvals"], ["people", "list"]):
        done = qtrust(*command, "--store", store)
        assert done.exit_code == 2, (command, done.output)
        assert f"no qtrust evidence log in schema '{pg_schema}'" in done.output
        assert "Traceback" not in done.output
    assert not schema_exists(pg_schema)
    assert snapshot(home()) == before


# --- concurrent first use ---------------------------------------------------------------------------------


def keys_init_at_once(homes: list[Path], *extra: str) -> list[subprocess.CompletedProcess]:
    env = os.environ | {"OMP_NUM_THREADS": "1"}
    started = [
        subprocess.Popen(
            [QTRUST, "keys", "init", *extra],
            env=env | {"QTRUST_HOME": str(path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path in homes
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), p.stdout.read(), "") for p in started]


def test_three_first_uses_of_one_sqlite_home_make_one_log_naming_its_keyring(tmp_path):
    """Before: racing `keys init` left a keyring the log-init entry did not name."""
    shared = tmp_path / "home"
    done = keys_init_at_once([shared] * 3)
    assert sorted(p.returncode for p in done) == [0, 2, 2], [p.stdout for p in done]
    assert all("already exist" in p.stdout for p in done if p.returncode == 2)
    env = {"QTRUST_HOME": str(shared)}
    verified = qtrust("verify", env=env)
    assert verified.exit_code == 0, verified.output
    assert "1 entries" in verified.output
    with sqlite3.connect(shared / "evidence.db") as db:
        assert db.execute("SELECT kind FROM entries").fetchall() == [("log-init",)]


def test_three_first_uses_of_one_postgres_schema_make_one_log(pg_schema, tmp_path):
    """Before: three `keys init` against one schema appended three log-init entries for good."""
    store = f"{PG_URL}?schema={pg_schema}"
    homes = [tmp_path / f"home-{i}" for i in range(3)]
    done = keys_init_at_once(homes, "--store", store)
    assert sorted(p.returncode for p in done) == [0, 2, 2], [p.stdout for p in done]
    with psycopg.connect(PG_URL) as db:
        assert db.execute(f"SELECT kind FROM {pg_schema}.entries").fetchall() == [("log-init",)]
    winner = homes[[p.returncode for p in done].index(0)]
    for path in homes:
        assert (path / "keys" / "ed25519.key").exists() == (path == winner)  # losers keep no orphan keys
    verified = qtrust("verify", "--store", store, env={"QTRUST_HOME": str(winner)})
    assert verified.exit_code == 0, verified.output


# --- credentials ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "postgresql://postgres:s3cret@127.0.0.1:5432/test?schema={schema}",
        "postgresql://postgres@127.0.0.1:5432/test?schema={schema}&password=s3cret",
    ],
)
def test_a_store_password_is_never_printed_or_recorded(template, pg_schema, small_audit_config, tmp_path):
    """Before: the password was printed and written into evidence.json. (The test server trusts local
    connections, so any password connects.)"""
    out = tmp_path / "out"
    done = qtrust(
        "audit",
        small_audit_config,
        "--out",
        out,
        "--no-progress",
        "--store",
        template.format(schema=pg_schema),
    )
    assert done.exit_code == 0, done.output
    assert "s3cret" not in done.output
    for path in [*out.rglob("*"), *home().rglob("*")]:
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path
    with psycopg.connect(PG_URL) as db:
        rows = db.execute(f"SELECT envelope FROM {pg_schema}.entries").fetchall()
    assert rows
    assert not any(b"s3cret" in bytes(envelope) for (envelope,) in rows)


@pytest.mark.parametrize(
    "store",
    [
        "postgresql://postgres:s3cret@127.0.0.1:1/test",
        "postgresql://127.0.0.1:1/test?password=s3cret",
        "mysql://root:s3cret@127.0.0.1/db",
        "host=127.0.0.1 port=1 password=s3cret",
    ],
)
def test_store_errors_do_not_repeat_the_password(store):
    assert qtrust("keys", "init").exit_code == 0
    failed = qtrust("verify", "--store", store)
    assert failed.exit_code == 2
    assert "s3cret" not in failed.output
    assert "***" in failed.output
    assert len(failed.output.strip().splitlines()) == 1


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_n_audit_does_not_show_the_passphrase():
    """Before: the recipe wrote QTRUST_KEY_PASSPHRASE='...' on its command line, so `make -n` printed it."""
    shown = subprocess.run(
        ["make", "-n", "audit"],
        cwd=REPO,
        env=os.environ | {"QTRUST_KEY_PASSPHRASE": "my-own-secret-phrase"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "qtrust audit" in shown.stdout
    assert "my-own-secret-phrase" not in shown.stdout + shown.stderr
    assert "qtrust-demo-only-change-me" not in shown.stdout


# --- one line, exit 2 (or a named failure), never a traceback ---------------------------------------------


def test_a_store_column_of_the_wrong_type_is_named_not_a_traceback(audited):
    """Before: an integer where the envelope bytes belong crashed verify and log show."""
    with sqlite3.connect(home() / "evidence.db") as db:
        db.execute("DROP TRIGGER entries_no_update")
        db.execute("UPDATE entries SET envelope = 42 WHERE seq = 1")
    verified = qtrust("verify")
    assert verified.exit_code == 1
    assert "first bad entry: 1" in verified.output
    assert "altered in the database: envelope is int, not bytes" in verified.output
    shown = qtrust("log", "show", "1")
    assert shown.exit_code == 2
    assert shown.output.strip().splitlines() == [shown.output.strip()]
    assert "entry 1 cannot be read" in shown.output
    listed = qtrust("log", "list")
    assert listed.exit_code == 0
    assert "unreadable" in listed.output
    for result in (verified, shown, listed):
        assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["keys", "init"], ["verify"], ["log", "list"]])
def test_a_qtrust_home_that_is_a_file_or_cannot_be_written_is_one_line(command, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a directory")
    for where in (a_file, Path("/proc/qtrust-home")):
        done = qtrust(*command, env={"QTRUST_HOME": str(where)})
        assert done.exit_code == 2, done.output
        assert done.output.startswith("error: ")
        assert len(done.output.strip().splitlines()) == 1
        assert isinstance(done.exception, SystemExit)
    assert a_file.read_text() == "not a directory"


# --- the witness, end to end ------------------------------------------------------------------------------


def test_a_witness_cosigns_what_it_saw_and_verify_demands_it(
    audited, small_audit_config, tmp_path, monkeypatch
):
    """Before: there was no witness; a truncated or re-signed log passed a plain verify (the library tests
    in tests/evidence/test_witness.py mount those two attacks against the witness)."""
    _, _, trust = audited
    monkeypatch.setenv("QTRUST_WITNESS_PASSPHRASE", "witness-passphrase")
    witness = tmp_path / "witness"
    assert qtrust("witness", "init", witness, "--name", "audit.example.org/witness").exit_code == 0
    never_seen = qtrust("verify", "--witness", witness)
    assert never_seen.exit_code == 1
    assert "not witnessed by audit.example.org/witness" in never_seen.output
    first = qtrust("witness", "cosign", witness)
    assert first.exit_code == 2  # on first contact the witness needs the log's keys pinned
    assert "--trusted-keys" in first.output
    assert qtrust("witness", "cosign", witness, "--trusted-keys", trust).exit_code == 0
    assert qtrust("verify", "--witness", witness).exit_code == 0
    more = qtrust("audit", small_audit_config, "--out", tmp_path / "more", "--no-progress")
    assert more.exit_code == 0
    behind = qtrust("verify", "--witness", witness)
    assert behind.exit_code == 1
    assert "are not witnessed" in behind.output
    assert qtrust("witness", "cosign", witness).exit_code == 0
    bundle = tmp_path / "witnessed.json"
    assert qtrust("export", bundle).exit_code == 0
    auditor = {"QTRUST_HOME": str(tmp_path / "auditor")}
    public = witness / "witness.json"  # all an auditor receives from the witness
    checked = qtrust("verify", bundle, "--trusted-keys", trust, "--witness", public, env=auditor)
    assert checked.exit_code == 0, checked.output
    assert "witnessed by audit.example.org/witness" in checked.output
    wrong = qtrust("witness", "cosign", witness, env={"QTRUST_WITNESS_PASSPHRASE": "not-it"})
    assert wrong.exit_code == 2
    assert "QTRUST_WITNESS_PASSPHRASE: the passphrase is wrong" in wrong.output
