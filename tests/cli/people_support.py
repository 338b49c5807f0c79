"""The project team the CLI tests share: who they are, and adding one to the roster as the owner."""

from __future__ import annotations

from typer.testing import CliRunner

from qtrust.cli.app import app

runner = CliRunner()

TEAM = (
    ("olga", "Olga", ("owner",)),
    ("alice", "Alice", ("researcher",)),
    ("bob", "Bob", ("approver",)),
    ("rui", "Rui", ("reviewer",)),
    ("lena", "Lena", ("legal", "reviewer")),
)


def add_person(person_id: str, name: str, roles, *extra: str, as_: str = "olga"):
    args = ["people", "add", person_id, "--name", name, "--as", as_, *extra]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(app, args)
