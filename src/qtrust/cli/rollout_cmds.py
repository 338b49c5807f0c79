"""``qtrust rollout``: start a canary rollout, see where it stands, and move it as a person.

The controller inside ``qtrust serve --rollout ID`` judges each step on its own; these commands are for
people. Each parses its arguments, makes one call into :mod:`qtrust.workflow.rollout`, and prints the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qtrust.cli.common import AsOption, HomeOption, StoreOption, fail, out, session
from qtrust.errors import InputError

rollout_app = typer.Typer(
    help="Canary rollouts: cohorts by flag, steps judged by sequential tests, automatic rollback.",
    no_args_is_help=True,
)
IdArgument = Annotated[str, typer.Argument(help="The rollout, e.g. R-0001.")]
NoteOption = Annotated[str, typer.Option("--note", help="Why, for the record.")]


def _print_state(state) -> None:
    out.print(
        f"{state.rollout_id} ({state.plan.name}): {state.status} at step {state.step + 1}/{len(state.plan.steps)} "
        f"= {state.percent:g}% (deployment entry {state.deployment})"
        + (f"; incident {state.incident}" if state.incident else ""),
        highlight=False,
    )


def _move(call, *args) -> None:
    """One person's move on a rollout: the workflow call, its refusal as exit 2, the new state printed."""
    try:
        state = call(*args)
    except InputError as error:
        fail(error)
    _print_state(state)


@rollout_app.command("start")
def start(
    plan: Annotated[Path, typer.Argument(help="The rollout plan (YAML).")],
    deployment: Annotated[
        int, typer.Option("--deployment", help="The deployment entry `qtrust serve` printed.")
    ],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Start a rollout of a recorded deployment at the plan's first step (the plan is recorded with it)."""
    from qtrust.workflow.rollout import start_rollout

    try:
        state = start_rollout(session(home, store), as_, plan, deployment)
    except InputError as error:
        fail(error)
    _print_state(state)
    out.print(f"Serve it with: qtrust serve ARTEFACT --rollout {state.rollout_id}", highlight=False)


@rollout_app.command("status")
def status(
    rollout_id: Annotated[str | None, typer.Argument(help="The rollout (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Where each rollout stands, its last decision and its history, from the entries that verify."""
    from qtrust.workflow.rollout import all_rollouts

    try:
        found = all_rollouts(session(home, store))
    except InputError as error:
        fail(error)
    if rollout_id is not None:
        if rollout_id not in found:
            fail(
                InputError(
                    f"no rollout {rollout_id!r}", where="ROLLOUT", fix=f"known: {', '.join(found) or 'none'}"
                )
            )
        found = {rollout_id: found[rollout_id]}
    if as_json:
        sys.stdout.write(
            json.dumps({k: s.summary() | {"history": s.history} for k, s in found.items()}, indent=2) + "\n"
        )
        return
    for state in found.values():
        _print_state(state)
        if state.last_decision:
            out.print(
                f"  last decision (entry {state.last_decision['seq']}): {state.last_decision['outcome']} — "
                + "; ".join(state.last_decision["reasons"]),
                highlight=False,
            )
        table = Table("entry", "time", "event", "by", "at")
        for event in state.history:
            table.add_row(
                str(event["seq"]),
                event["time"],
                event.get("outcome", event["event"]),
                event["by"],
                f"{event['percent']:g}%",
            )
        out.print(table)


@rollout_app.command("request")
def request(
    rollout_id: IdArgument,
    as_: AsOption,
    note: NoteOption = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Ask for the sign-offs that advancing to the next (gated) step needs."""
    from qtrust.workflow.rollout import rollout_state
    from qtrust.workflow.signoff import request_rollout_advance

    try:
        here = session(home, store)
        target = rollout_state(here, rollout_id).next_percent
        if target is None:
            raise InputError(f"{rollout_id} is at its last step", where="ROLLOUT", fix="nothing to advance")
        opened = request_rollout_advance(here, as_, rollout_id, target)
    except InputError as error:
        fail(error)
    out.print(
        f"Request {opened.seq}: advance {rollout_id} to {target:g}%; needs {', '.join(opened.needs)}.",
        highlight=False,
    )


@rollout_app.command("advance")
def advance(
    rollout_id: IdArgument,
    as_: AsOption,
    request_seq: Annotated[
        int | None, typer.Option("--request", help="The approved rollout request.")
    ] = None,
    note: NoteOption = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Move to the next step (a step the plan gates needs an approved request)."""
    from qtrust.workflow.rollout import advance_rollout

    try:
        state = advance_rollout(session(home, store), as_, rollout_id, request=request_seq, note=note)
    except InputError as error:
        fail(error)
    _print_state(state)


@rollout_app.command("pause")
def pause(
    rollout_id: IdArgument,
    as_: AsOption,
    note: NoteOption = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Stop judging and advancing; the current cohort keeps its model."""
    from qtrust.workflow.rollout import pause_rollout

    _move(pause_rollout, session(home, store), as_, rollout_id, note)


@rollout_app.command("resume")
def resume(
    rollout_id: IdArgument,
    as_: AsOption,
    note: NoteOption = "",
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Resume a paused rollout."""
    from qtrust.workflow.rollout import resume_rollout

    _move(resume_rollout, session(home, store), as_, rollout_id, note)


@rollout_app.command("rollback")
def rollback(
    rollout_id: IdArgument,
    as_: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Send every request to the classical model now (servers follow within one evaluation interval)."""
    from qtrust.workflow.rollout import rollback_rollout

    _move(rollback_rollout, session(home, store), as_, rollout_id, reason)


@rollout_app.command("register")
def register_plan(
    plan: Annotated[Path, typer.Argument(help="A rollout plan (YAML).")],
    as_: AsOption,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Sign a rollout plan into the log before any rollout uses it (the same name again: an amendment)."""
    from qtrust.workflow.rollout import register_plan as register

    try:
        registered = register(session(home, store), as_, plan)
    except InputError as error:
        fail(error)
    out.print(
        f"Rollout plan {registered.plan.name} (sha256 {registered.plan.digest()[:12]}…) is entry {registered.seq}, "
        f"registered by {registered.registered_by}.",
        highlight=False,
    )


@rollout_app.command("plans")
def list_plans(home: HomeOption = None, store: StoreOption = None) -> None:
    """The registered rollout plans (the last registration of each name is in force)."""
    from qtrust.workflow.rollout import plans

    try:
        found = plans(session(home, store))
    except InputError as error:
        fail(error)
    for name, registered in found.items():
        steps = ", ".join(f"{s:g}%" for s in registered.plan.steps)
        out.print(
            f"{name}: entry {registered.seq} by {registered.registered_by}; steps {steps}", highlight=False
        )


@rollout_app.command("check")
def check(plan: Annotated[Path, typer.Argument(help="A rollout plan (YAML).")]) -> None:
    """Validate a rollout plan and print its digest."""
    from qtrust.workflow.rollout import check_plan

    try:
        parsed = check_plan(plan)
    except InputError as error:
        fail(error)
    out.print(
        f"{parsed.name}: steps {', '.join(f'{s:g}%' for s in parsed.steps)}; false-rollback rate "
        f"{parsed.false_rollback_rate:g} per step; sha256 {parsed.digest()}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(rollout_app, name="rollout")
