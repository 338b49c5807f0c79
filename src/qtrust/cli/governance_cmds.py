"""``qtrust checklist list | status | attest`` and ``qtrust governance approaches | adopt``.

Each command parses its arguments, makes one call into :mod:`qtrust.workflow.checklists` or
:mod:`qtrust.workflow.approaches`, and prints what it returns. Exit codes as everywhere in qtrust: 0 done,
2 bad input (an unknown item, a malformed checklist file, a missing attachment, no evidence log), with
nothing written. ``status`` reports missing items but still exits 0: it answers "where do we stand",
release gating is ``qtrust gate``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from qtrust.cli.common import HomeOption, StoreOption, TrustedOption, fail, out, session
from qtrust.errors import InputError
from qtrust.workflow import approaches, checklists

checklist_app = typer.Typer(
    help="Release checklists mapped to NIST AI RMF, EU AI Act Annex IV and ISO/IEC 42001.",
    no_args_is_help=True,
)
governance_app = typer.Typer(
    help="Governance approaches: the reference list, and which ones this project operates under.",
    no_args_is_help=True,
)

ExtraOption = Annotated[
    list[Path] | None,
    typer.Option("--extra", help="Your own checklist YAML file, or a directory of them (repeatable)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of text.")]


def _ids(values: list[str]) -> str:
    return ", ".join(values) if values else "-"


# --- checklist ---------------------------------------------------------------------------------------------


@checklist_app.command("list")
def checklist_list(extra: ExtraOption = None, as_json: JsonOption = False) -> None:
    """Every item with what satisfies it and the framework clauses it maps to."""
    try:
        loaded = checklists.checklists(extra or [])
    except InputError as error:
        fail(error)
    if as_json:
        doc = [
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "sources": [s.model_dump(mode="json") for s in c.sources],
                "items": [i.model_dump(mode="json") | {"file": c.origins[i.id]} for i in c.items],
            }
            for c in loaded
        ]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    # one block per item rather than a six-column table: item ids are long and must never be cut or wrapped
    for checklist in loaded:
        out.print(f"[bold]{checklist.title}[/] ({checklist.id})", highlight=False)
        for item in checklist.items:
            m = item.mappings
            out.print(f"  {item.id}  {item.title}  [dim]\\[{item.satisfied_by.kind}][/]", highlight=False)
            out.print(
                f"    NIST AI RMF {_ids(m.nist_ai_rmf)} | EU AI Act Annex {_ids(m.eu_ai_act)} | "
                f"ISO/IEC 42001 {_ids(m.iso_42001)}",
                highlight=False,
            )


@checklist_app.command("status")
def checklist_status(
    extra: ExtraOption = None,
    as_json: JsonOption = False,
    trusted_keys: TrustedOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Per item: satisfied or missing, and the log entry it rests on (only entries that verify count)."""
    try:
        found = checklists.status(session(home, store, trusted_keys), extra or [])
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(found.to_dict(), indent=2) + "\n")
        return
    # a block per item (status, id, entries, then the reason on its own line) reads at any terminal width
    current = None
    for s in found.items:
        if s.checklist != current:
            current = s.checklist
            out.print(f"[bold]{current}[/]", highlight=False)
        style = "green" if s.ok else "yellow"
        cited = f"  (entry {', '.join(map(str, s.entries))})" if s.entries else ""
        out.print(
            f"  [{style}]{s.status:<9}[/] {s.item}  [dim]\\[{s.satisfied_by}][/]{cited}", highlight=False
        )
        out.print(f"    {s.reason}", highlight=False)
    out.print(f"{found.satisfied} of {found.total} items satisfied.", highlight=False)


@checklist_app.command("attest")
def checklist_attest(
    item: Annotated[str, typer.Argument(help="The item id, e.g. research-to-prototype.ethical-review.")],
    note: Annotated[str, typer.Option("--note", help="What was checked, by whom, where the record is.")],
    as_: Annotated[
        str, typer.Option("--as", help="The person attesting (on the roster; signs with their key).")
    ],
    attachment: Annotated[
        Path | None, typer.Option("--attachment", help="The document attested to (its SHA-256 is recorded).")
    ] = None,
    extra: ExtraOption = None,
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Sign your attestation of ITEM into the evidence log and print its entry number."""
    try:
        attested = checklists.attest(session(home, store), as_, item, note, attachment, extra or [])
    except InputError as error:
        fail(error)
    out.print(
        f"Recorded the attestation of {item} as entry {attested.seq}, signed by {as_}.", highlight=False
    )


# --- governance approaches ---------------------------------------------------------------------------------


@governance_app.command("approaches")
def governance_approaches(
    as_json: JsonOption = False, home: HomeOption = None, store: StoreOption = None
) -> None:
    """The five governance approaches (scope, strengths, weaknesses, examples) and which are adopted."""
    try:
        found = approaches.approaches(session(home, store))
    except InputError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(found.to_dict(), indent=2) + "\n")
        return
    adopted = found.adopted
    chosen = set(adopted.ids) if adopted else set()
    for a in found.approaches:
        mark = " [green](adopted)[/]" if a.id in chosen else ""
        out.print(f"[bold]{a.title}[/] ({a.id}){mark}", highlight=False)
        out.print(f"  scope: {a.scope}", highlight=False)
        for label, values in (("strength", a.strengths), ("weakness", a.weaknesses)):
            for value in values:
                out.print(f"  {label}: {value}", highlight=False)
        for ex in a.examples:
            out.print(
                f"  example: {ex.name} ({ex.issuer}{f', {ex.year}' if ex.year else ''})", highlight=False
            )
    out.print(
        adopted.citation() if adopted else "No approach adopted yet: qtrust governance adopt ID --note TEXT"
    )


@governance_app.command("adopt")
def governance_adopt(
    approach_ids: Annotated[list[str], typer.Argument(help="Approach ids, e.g. industry-standards.")],
    note: Annotated[str, typer.Option("--note", help="Why these approaches, and who decided.")],
    home: HomeOption = None,
    store: StoreOption = None,
) -> None:
    """Record, signed, which governance approaches this project operates under."""
    try:
        adopted = approaches.adopt(session(home, store), approach_ids, note)
    except InputError as error:
        fail(error)
    out.print(f"Recorded the governance approaches as entry {adopted.seq}.", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(checklist_app, name="checklist")
    app.add_typer(governance_app, name="governance")
