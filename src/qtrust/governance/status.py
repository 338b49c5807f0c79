"""Which checklist items the signed log satisfies, and which entry each one rests on.

Why evaluate against the log rather than against files on disk: the log is what a third party can verify.
An item is ``satisfied`` only by verified entries (:mod:`qtrust.governance.entries`): for evidence items,
every rule must hold and the newest qualifying entry is cited; for attestation items, the newest verified
attestation of that item is cited. Anything else is ``missing``, with the reason in words: what was looked
for, what was found instead, and which entries were set aside because they do not verify.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from qtrust.evidence import statements
from qtrust.governance.attestations import parse_attestation
from qtrust.governance.checklists import (
    AuditHasMetrics,
    Checklist,
    ChecklistItem,
    DatasetProvenance,
    LogVerifies,
    PlanRegistered,
)
from qtrust.governance.entries import Entry, LogEntries
from qtrust.results.metrics_table import metric_paths_matching

Status = Literal["satisfied", "missing"]


@dataclass(frozen=True)
class ItemStatus:
    """The verdict on one item: satisfied or missing, the entries it rests on, and why, in words."""

    checklist: str
    item: str
    title: str
    status: Status
    satisfied_by: Literal["evidence", "attestation"]
    entries: tuple[int, ...]
    reason: str
    mappings: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return self.status == "satisfied"

    def to_dict(self) -> dict[str, Any]:
        return {
            "checklist": self.checklist,
            "item": self.item,
            "title": self.title,
            "status": self.status,
            "satisfied_by": self.satisfied_by,
            "entries": list(self.entries),
            "reason": self.reason,
            "mappings": self.mappings,
        }


@dataclass(frozen=True)
class RuleResult:
    ok: bool
    entries: tuple[int, ...]
    reason: str


# --- reading audit statements ------------------------------------------------------------------------------


def audit_metrics(entry: Entry) -> dict[str, Any]:
    """The metrics table recorded in an audit's provenance (``runDetails.byproducts[name=metrics]``)."""
    for item in entry.predicate.get("runDetails", {}).get("byproducts", []) or []:
        if isinstance(item, dict) and item.get("name") == "metrics":
            table = (item.get("annotations") or {}).get("metrics")
            return table if isinstance(table, dict) else {}
    return {}


def audit_datasets(entry: Entry) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, provenance, datasheet summary) of every ``dataset:<name>`` dependency of an audit."""
    out = []
    for dep in entry.predicate.get("buildDefinition", {}).get("resolvedDependencies", []) or []:
        name = dep.get("name", "") if isinstance(dep, dict) else ""
        if name.startswith("dataset:"):
            annotations = dep.get("annotations") or {}
            provenance, sheet = annotations.get("provenance"), annotations.get("datasheet")
            out.append(
                (
                    name.removeprefix("dataset:"),
                    provenance if isinstance(provenance, dict) else {},
                    sheet if isinstance(sheet, dict) else {},
                )
            )
    return out


def _audits(log: LogEntries) -> list[Entry]:
    return [e for e in log.of("audits") if e.statement.get("predicateType") == statements.SLSA_PROVENANCE_V1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- evidence rules ----------------------------------------------------------------------------------------


def _metrics_found(rule: AuditHasMetrics, entry: Entry) -> tuple[list[str], list[str]]:
    """(first matching path of each pattern that matched, patterns without a match) in one audit."""
    table = audit_metrics(entry)
    found, unmatched = [], []
    for pattern in rule.metrics:
        paths = metric_paths_matching(table, pattern)
        if rule.require_defined:
            paths = [p for p in paths if isinstance(table[p], dict) and table[p].get("value") is not None]
        (found.append(paths[0]) if paths else unmatched.append(pattern))
    return found, unmatched


def _audit_has_metrics(rule: AuditHasMetrics, audits: Sequence[Entry]) -> RuleResult:
    for entry in reversed(audits):
        found, unmatched = _metrics_found(rule, entry)
        if not unmatched:
            return RuleResult(True, (entry.seq,), f"audit entry {entry.seq} measured {', '.join(found)}")
    wanted = ", ".join(rule.metrics)
    defined = " with a defined value" if rule.require_defined else ""
    if not audits:
        return RuleResult(False, (), f"no audit in the log (an audit must record {wanted}{defined})")
    newest = audits[-1]
    _, unmatched = _metrics_found(rule, newest)
    earlier = f"; nor do the {_plural(len(audits) - 1, 'earlier audit')}" if len(audits) > 1 else ""
    return RuleResult(
        False,
        (),
        f"the newest audit (entry {newest.seq}) has no metric matching {', '.join(unmatched)}{defined}{earlier}",
    )


def _provenance_gaps(rule: DatasetProvenance, entry: Entry) -> tuple[list[str], list[str]]:
    """(descriptions of complete datasets, descriptions of gaps) of one audit."""
    complete, gaps = [], []
    datasets = audit_datasets(entry)
    if not datasets:
        return [], ["it records no dataset dependency"]
    for name, provenance, sheet in datasets:
        missing = []
        for field_name in rule.fields:
            value = provenance.get(field_name)
            if not isinstance(value, str) or not value.strip() or value.strip().lower().startswith("unknown"):
                missing.append(f"{field_name} ({value!r})" if value else field_name)
        if rule.datasheet != "any" and not sheet:
            missing.append("a datasheet")
        elif rule.datasheet == "complete" and sheet.get("gaps"):
            missing.append(f"answers to datasheet question(s) {', '.join(sheet['gaps'])}")
        if missing:
            gaps.append(f"dataset {name!r} lacks {', '.join(missing)}")
        else:
            sha = str(provenance.get("sha256", ""))[:12]
            complete.append(
                f"dataset {name!r} from {provenance.get('source')!s}, licence {provenance.get('licence')!s}"
                + (f", sha256 {sha}…" if sha else "")
            )
    return complete, gaps


def _dataset_provenance(rule: DatasetProvenance, audits: Sequence[Entry]) -> RuleResult:
    for entry in reversed(audits):
        complete, gaps = _provenance_gaps(rule, entry)
        if complete and not gaps:
            return RuleResult(True, (entry.seq,), f"audit entry {entry.seq} records {'; '.join(complete)}")
    if not audits:
        return RuleResult(False, (), "no audit in the log, so no dataset provenance is recorded")
    _, gaps = _provenance_gaps(rule, audits[-1])
    return RuleResult(
        False,
        (),
        f"the newest audit (entry {audits[-1].seq}): {'; '.join(gaps)} "
        f"(needed: {', '.join(rule.fields)}"
        + (f", a {rule.datasheet} datasheet" if rule.datasheet != "any" else "")
        + "; a licence 'unknown' does not count)",
    )


def _plan_registered(rule: PlanRegistered, audits: Sequence[Entry], plans: Sequence[Entry]) -> RuleResult:
    registered = {e.seq: e for e in plans if e.statement.get("predicateType") == statements.PLAN_V1}
    if not registered:
        return RuleResult(False, (), "no evaluation plan is registered (qtrust plan register PLAN.yaml)")
    if not rule.cited_by_audit:
        newest = max(registered)
        name = registered[newest].predicate.get("plan", {}).get("name")
        return RuleResult(True, (newest,), f"plan {name!r} registered in entry {newest}")
    for entry in reversed(audits):
        cited = entry.predicate.get("buildDefinition", {}).get("externalParameters", {}).get("plan")
        if not isinstance(cited, dict):
            continue
        seq = cited.get("seq")
        plan = registered.get(seq) if isinstance(seq, int) else None
        if plan is not None and plan.seq < entry.seq and plan.predicate.get("digest") == cited.get("digest"):
            return RuleResult(
                True,
                (plan.seq, entry.seq),
                f"audit entry {entry.seq} ran under plan {cited.get('name')!r}, registered earlier in entry {plan.seq}",
            )
    return RuleResult(
        False,
        (),
        f"{_plural(len(registered), 'plan')} registered, but no audit ran under one "
        "(qtrust audit CONFIG --plan NAME)",
    )


def _log_verifies(rule: LogVerifies, log: LogEntries, audits: Sequence[Entry]) -> RuleResult:
    report = log.report
    if not report.ok:
        first = report.first
        return RuleResult(False, (), f"the log does not verify: {first}")
    covered = [e.seq for e in audits if e.seq < log.latest_checkpoint_size]
    if len(covered) < rule.min_audits:
        what = "no audit entry" if not audits else f"only {_plural(len(covered), 'audit entry')}"
        return RuleResult(
            False,
            (),
            f"the log verifies, but {what} is covered by a signed checkpoint (needed: {rule.min_audits})",
        )
    return RuleResult(
        True,
        (covered[-1],),
        f"the log verifies ({report.entries} entries, {_plural(report.checkpoints, 'signed checkpoint')}); "
        f"audit entry {covered[-1]} is covered by the checkpoint of size {log.latest_checkpoint_size}",
    )


def _rejected_note(log: LogEntries, group: str, would: Callable[[list[Entry]], RuleResult]) -> str:
    """Name the entries that would satisfy the rule but do not verify (so tampering is visible)."""
    notes = []
    for entry, reason in log.rejected_of(group):
        if would([entry]).ok:
            notes.append(f"entry {entry.seq} would, but does not verify ({reason}) and is not counted")
    return ("; " + "; ".join(notes)) if notes else ""


def _evaluate_evidence(item: ChecklistItem, log: LogEntries) -> tuple[bool, tuple[int, ...], str]:
    audits = _audits(log)
    plans = log.of("plans")
    results = []
    for rule in item.satisfied_by.evidence or []:
        if isinstance(rule, AuditHasMetrics):
            result = _audit_has_metrics(rule, audits)
            if not result.ok:
                result = RuleResult(
                    False,
                    (),
                    result.reason + _rejected_note(log, "audits", lambda a, r=rule: _audit_has_metrics(r, a)),
                )
        elif isinstance(rule, DatasetProvenance):
            result = _dataset_provenance(rule, audits)
            if not result.ok:
                result = RuleResult(
                    False,
                    (),
                    result.reason
                    + _rejected_note(log, "audits", lambda a, r=rule: _dataset_provenance(r, a)),
                )
        elif isinstance(rule, PlanRegistered):
            result = _plan_registered(rule, audits, plans)
        else:
            result = _log_verifies(rule, log, audits)
        results.append(result)
    ok = all(r.ok for r in results)
    entries = tuple(sorted({seq for r in results for seq in r.entries})) if ok else ()
    reason = "; ".join(r.reason for r in results if r.ok == ok)
    return ok, entries, reason


def _evaluate_attestation(item: ChecklistItem, log: LogEntries) -> tuple[bool, tuple[int, ...], str]:
    rule = item.satisfied_by.attestation
    assert rule is not None
    set_aside = []
    for entry in reversed(log.of("attestations")):
        attestation, problem = parse_attestation(entry)
        if attestation is None:
            if entry.predicate.get("item") == item.id:
                set_aside.append(f"entry {entry.seq} is malformed ({problem})")
            continue
        if attestation.item != item.id:
            continue
        if rule.require_attachment and attestation.attachment is None:
            set_aside.append(f"entry {entry.seq} has no attachment, which this item requires")
            continue
        return True, (entry.seq,), attestation.describe()
    for entry, reason in log.rejected_of("attestations"):
        if entry.predicate.get("item") == item.id:
            set_aside.append(
                f"entry {entry.seq} attests it but does not verify ({reason}) and is not counted"
            )
    attach = " --attachment FILE" if rule.require_attachment else " [--attachment FILE]"
    reason = f"no verified attestation; record one: qtrust checklist attest {item.id} --note TEXT{attach}"
    return False, (), reason + ("; " + "; ".join(set_aside) if set_aside else "")


def evaluate_checklists(checklists: Sequence[Checklist], entries: LogEntries) -> list[ItemStatus]:
    """The status of every item, in checklist order, against the entries that verify.

    ``entries`` comes from :func:`qtrust.governance.entries.read_log` with the keys an entry must be signed
    with to count (the workspace keyring, or a trust file an auditor pinned) — never the keys the log
    names itself, which would let a rewritten log vouch for itself.
    """
    out = []
    for checklist in checklists:
        for item in checklist.items:
            if item.satisfied_by.kind == "evidence":
                ok, seqs, reason = _evaluate_evidence(item, entries)
            else:
                ok, seqs, reason = _evaluate_attestation(item, entries)
            out.append(
                ItemStatus(
                    checklist=checklist.id,
                    item=item.id,
                    title=item.title,
                    status="satisfied" if ok else "missing",
                    satisfied_by=item.satisfied_by.kind,
                    entries=seqs,
                    reason=reason,
                    mappings=item.mappings.as_dict(),
                )
            )
    return out
