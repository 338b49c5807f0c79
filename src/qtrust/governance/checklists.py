"""Release checklists as data: items, the framework clauses they map to, and what satisfies each one.

Why data files: the items a team must tick before a quantum-ML model ships differ between organisations
and change as regulation does, so the three shipped checklists (``data/checklists/*.yaml``: research to
prototype, pre-deployment, policy and legal) are a starting point that users extend with their own YAML
files, which may add items to a shipped checklist or define a new one. Every file is validated strictly
(unknown fields are errors, so a misspelt key is never silently ignored) and every mapping must name a
real clause (:mod:`qtrust.governance.frameworks`). An item is satisfied either by *evidence* (rules
evaluated against the signed log: :mod:`qtrust.governance.status`) or by a signed *attestation*
(:mod:`qtrust.governance.attestations`), never by both: an attestation cannot stand in for a measurement.

File format (see the shipped files for complete examples)::

    sources: [{id, title, version, url}]      # the documents the mapping ids come from (optional for users)
    checklist: {id, title, description}       # title required only when the checklist is new
    items:
      - id: <checklist>.<slug>                # stable: status records and attestations cite it
        title: ...
        description: ...                      # what a reviewer looks for
        mappings: {nist_ai_rmf: [...], eu_ai_act: [...], iso_42001: [...]}
        satisfied_by:
          evidence: [{rule: audit_has_metrics, metrics: [noise/*/*@*/accuracy]}, ...]
          # or
          attestation: {require_attachment: true}
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qtrust.errors import InputError
from qtrust.governance.frameworks import FRAMEWORKS, check_identifier
from qtrust.yamlfile import read_yaml_mapping

BUILTIN_FILES = ("research_to_prototype.yaml", "pre_deployment.yaml", "policy_legal.yaml")
SLUG = r"[a-z0-9][a-z0-9-]*"
ITEM_ID = re.compile(rf"({SLUG})\.({SLUG})")
DATASET_FIELDS = ("source", "licence", "sha256", "citation", "description")
MAPPING_HINT = "use an id listed in qtrust/governance/data/frameworks.yaml (every NIST AI RMF 1.0 subcategory, EU AI Act Annex IV point and ISO/IEC 42001 Annex A control)"
FORMAT_HINT = "see the shipped files in qtrust/governance/data/checklists/ for the format"


class Strict(BaseModel):
    """Unknown fields are errors: a misspelt key in a checklist must not silently weaken it."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A document the mapping ids come from, with the version they were read in."""

    id: str
    title: str
    version: str
    url: str | None = None


class Mappings(Strict):
    """Clauses of each framework that the item helps to meet (checked against the catalogues)."""

    nist_ai_rmf: list[str] = Field(default_factory=list)
    eu_ai_act: list[str] = Field(default_factory=list)
    iso_42001: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _real_clauses(self) -> Mappings:
        if not any(getattr(self, name) for name in FRAMEWORKS):
            raise ValueError("an item needs at least one mapping (nist_ai_rmf, eu_ai_act or iso_42001)")
        for name in FRAMEWORKS:
            ids = getattr(self, name)
            for i, identifier in enumerate(ids):
                problem = check_identifier(name, identifier)
                if problem:
                    raise ValueError(f"{name}[{i}]: {problem}")
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name} lists an id twice")
        return self

    def as_dict(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in FRAMEWORKS}


class AuditHasMetrics(Strict):
    """An audit whose metrics table has, for every pattern, a path matching it.

    Patterns are metric paths (:mod:`qtrust.results.metrics_table`) in which ``*`` stands for one segment,
    e.g. ``noise/*/*@*/accuracy`` (accuracy under any non-zero noise setting of any model). With
    ``require_defined`` a matching path whose value is null (undefined) does not count.
    """

    rule: Literal["audit_has_metrics"]
    metrics: list[str] = Field(min_length=1)
    require_defined: bool = True

    @field_validator("metrics")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern or pattern.startswith("/") or pattern.endswith("/") or "//" in pattern:
                raise ValueError(f"metric pattern {pattern!r} must be segments joined by '/'")
        return value


class DatasetProvenance(Strict):
    """An audit whose dataset dependency records these provenance fields, non-empty and not 'unknown'."""

    rule: Literal["dataset_provenance"]
    fields: list[Literal["source", "licence", "sha256", "citation", "description"]] = Field(
        default_factory=lambda: ["source", "licence", "sha256"], min_length=1
    )
    datasheet: Literal["any", "recorded", "complete"] = Field(
        "any",
        description="recorded: the audit carries a datasheet of its data; complete: one with no open question",
    )


class PlanRegistered(Strict):
    """A registered evaluation plan; with ``cited_by_audit``, one that a later audit ran under."""

    rule: Literal["plan_registered"]
    cited_by_audit: bool = False


class LogVerifies(Strict):
    """The whole log verifies and its latest checkpoint covers at least ``min_audits`` audit entries."""

    rule: Literal["log_verifies"]
    min_audits: int = Field(default=1, ge=1)


EvidenceRule = Annotated[
    AuditHasMetrics | DatasetProvenance | PlanRegistered | LogVerifies, Field(discriminator="rule")
]
RULE_NAMES = ("audit_has_metrics", "dataset_provenance", "plan_registered", "log_verifies")


class AttestationRule(Strict):
    """A signed attestation of the item; ``require_attachment`` demands the document's digest with it."""

    require_attachment: bool = False


class SatisfiedBy(Strict):
    """Exactly one of: evidence rules (all must hold) or an attestation."""

    evidence: list[EvidenceRule] | None = None
    attestation: AttestationRule | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SatisfiedBy:
        if (self.evidence is None) == (self.attestation is None):
            raise ValueError(
                "satisfied_by needs exactly one of 'evidence' (a list of rules) or 'attestation'"
            )
        if self.evidence is not None and not self.evidence:
            raise ValueError("satisfied_by.evidence needs at least one rule")
        return self

    @property
    def kind(self) -> Literal["evidence", "attestation"]:
        return "evidence" if self.evidence is not None else "attestation"


class ChecklistItem(Strict):
    id: str = Field(description="<checklist>.<slug>; stable, because attestations and reports cite it")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1, description="what a reviewer looks for")
    mappings: Mappings
    satisfied_by: SatisfiedBy

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ITEM_ID.fullmatch(value):
            raise ValueError(
                f"item id {value!r} must be '<checklist>.<slug>' in lower case, e.g. 'pre-deployment.noise-sensitivity'"
            )
        return value

    @property
    def checklist(self) -> str:
        return self.id.split(".", 1)[0]


class ChecklistHeader(Strict):
    id: str
    title: str | None = None
    description: str = ""

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(SLUG, value):
            raise ValueError(f"checklist id {value!r} must be lower case letters, digits and '-'")
        return value


class ChecklistFile(Strict):
    sources: list[Source] = Field(default_factory=list)
    checklist: ChecklistHeader
    items: list[ChecklistItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_belong(self) -> ChecklistFile:
        for item in self.items:
            if item.checklist != self.checklist.id:
                raise ValueError(
                    f"item {item.id!r} is in checklist {self.checklist.id!r}: its id must start with "
                    f"'{self.checklist.id}.'"
                )
        return self


@dataclass
class Checklist:
    """One checklist, possibly assembled from several files (a shipped one plus user additions)."""

    id: str
    title: str
    description: str
    items: list[ChecklistItem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # item id -> the file that defined it

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def builtin_paths() -> list[Path]:
    """The shipped checklist files, in lifecycle order."""
    root = resources.files("qtrust.governance").joinpath("data/checklists")
    return [Path(str(root.joinpath(name))) for name in BUILTIN_FILES]


def _item_label(doc: Any, loc: Sequence[Any]) -> str | None:
    """The id of the item a validation error is in (or ``items[i]`` when it has none yet)."""
    if len(loc) < 2 or loc[0] != "items" or not isinstance(loc[1], int):
        return None
    try:
        item = doc["items"][loc[1]]
    except (KeyError, IndexError, TypeError):
        return None
    found = item.get("id") if isinstance(item, dict) else None
    return str(found) if isinstance(found, str) and found else f"items[{loc[1]}]"


def _describe(error: dict[str, Any], doc: Any, path: Path) -> InputError:
    loc = tuple(error["loc"])
    label = _item_label(doc, loc)
    rest = loc[2:] if label is not None else loc
    # tagged-union members appear in loc by their tag name; drop them so the path reads like the YAML
    field_path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in rest if p not in RULE_NAMES)
    field_path = field_path.replace(".[", "[")
    where = f"{path}:{label}" if label else str(path)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = field_path.rsplit(".", 1)[0] if "." in field_path else "this level"
        meant = error.get("meant")
        return InputError(
            f"unknown field '{loc[-1]}' (at {field_path})",
            where=where,
            fix=f"did you mean '{meant}'?"
            if meant
            else f"remove it or correct its spelling (the fields allowed in {parent}: {FORMAT_HINT})",
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = error["input"].get("rule") if isinstance(error["input"], dict) else None
        return InputError(
            f"unknown evidence rule at {field_path}: {given!r}"
            if given is not None
            else f"the evidence rule at {field_path} has no 'rule'",
            where=where,
            fix=f"start each rule with 'rule: <name>', one of: {', '.join(RULE_NAMES)}",
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        message = "required field is missing"
    return InputError(
        f"{field_path}: {message}" if field_path else message,
        where=where,
        fix=MAPPING_HINT if field_path.startswith("mappings") else FORMAT_HINT,
    )


def read_checklist_file(path: Path) -> ChecklistFile:
    """Parse and validate one checklist file; the first problem is raised naming the file and the item."""
    doc = read_yaml_mapping(path, what="checklist file", flag="--extra", fix=FORMAT_HINT)
    try:
        return ChecklistFile.model_validate(doc)
    except ValidationError as error:
        raise _describe(_first_error(error.errors()), doc, path) from None


def _first_error(errors: Sequence[Any]) -> dict[str, Any]:
    """The error to report: an unknown field first (a misspelt key also shows up as the real one missing),
    with the missing sibling it probably meant."""
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            missing = [
                str(e["loc"][-1])
                for e in errors
                if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]
            ]
            close = difflib.get_close_matches(str(loc[-1]), missing, n=1)
            return dict(error, meant=close[0]) if close else dict(error)
    return dict(errors[0])


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                raise InputError(
                    f"the directory {path} holds no .yaml / .yml checklist file",
                    where="--extra",
                    fix="pass a checklist file, or a directory that contains some",
                )
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(
                f"no checklist file or directory at {path}", where="--extra", fix="check the path"
            )
    return out


def load_checklists(extra_paths: Iterable[str | Path] = ()) -> list[Checklist]:
    """The shipped checklists plus the user's files (files, or directories of ``*.yaml`` / ``*.yml``).

    A user file whose checklist id is new defines a checklist (it needs a title); one whose id is shipped
    adds items to it. An item id defined twice, in any two files, is an error naming both files, because
    attestations and status records cite items by id and must not become ambiguous.
    """
    checklists: dict[str, Checklist] = {}
    defined_in: dict[str, Path] = {}
    for path in [*builtin_paths(), *_expand(extra_paths)]:
        parsed = read_checklist_file(path)
        header = parsed.checklist
        existing = checklists.get(header.id)
        if existing is None:
            if not header.title:
                raise InputError(
                    f"checklist {header.id!r} is new, so it needs a title",
                    where=f"{path}:checklist",
                    fix=f"add checklist.title, or use an existing checklist id ({', '.join(checklists)})",
                )
            existing = checklists[header.id] = Checklist(header.id, header.title, header.description)
        elif header.title and header.title != existing.title:
            raise InputError(
                f"checklist {header.id!r} is already titled {existing.title!r}; this file titles it {header.title!r}",
                where=f"{path}:checklist",
                fix="leave out checklist.title when adding items to an existing checklist",
            )
        for item in parsed.items:
            if item.id in defined_in:
                raise InputError(
                    f"item id {item.id!r} is defined twice: in {defined_in[item.id]} and in {path}",
                    where=f"{path}:{item.id}",
                    fix="give your item a new id (ids are stable: attestations and reports cite them)",
                )
            defined_in[item.id] = path
            existing.items.append(item)
            existing.origins[item.id] = str(path)
        existing.sources.extend(s for s in parsed.sources if s not in existing.sources)
    return list(checklists.values())


def find_item(checklists: Sequence[Checklist], item_id: str) -> ChecklistItem:
    """The item with this id, or an InputError that lists the ids (and the closest one)."""
    for checklist in checklists:
        found = checklist.item(item_id)
        if found is not None:
            return found
    known = [i.id for c in checklists for i in c.items]
    close = difflib.get_close_matches(item_id, known, n=1)
    raise InputError(
        f"no checklist item {item_id!r}",
        where="ITEM",
        fix=(f"did you mean {close[0]!r}? " if close else "")
        + "list the items with `qtrust checklist list` (pass --extra for your own files)",
    )
