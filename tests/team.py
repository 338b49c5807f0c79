"""A workspace with log keys and a team on the roster, each person with a key under their own passphrase:
what the rollout and web tests start from."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from qtrust.workflow import people
from qtrust.workflow.session import Session


def as_person(session: Session, person_id: str) -> Session:
    """The session of ``person_id``: the same workspace, their own passphrase (``<id>-own-passphrase``)."""
    secret = f"{person_id}-own-passphrase".encode()
    return dataclasses.replace(session, person_passphrase=lambda confirm: secret)


def team_workspace(
    home: Path, log_secret: bytes, team: Mapping[str, Sequence[str]], project: str, store: str | None = None
) -> Session:
    """Start a log in ``home`` (on ``store``, a store URL, if given) and put ``team`` (id → roles; the first id
    is the owner who signs) on it."""
    session = Session.at(home, store, log_passphrase=lambda confirm: log_secret)
    log, _ = session.workspace.init(log_secret)
    log.store.close()
    owner = next(iter(team))
    for person_id in team:
        people.keygen(as_person(session, person_id), person_id)
    for person_id, roles in team.items():
        people.add_person(
            as_person(session, owner),
            owner,
            person_id=person_id,
            name=person_id.title(),
            roles=list(roles),
            project_name=project,
        )
    return session
