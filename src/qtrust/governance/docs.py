"""Documents from the evidence: the EU AI Act Annex IV technical documentation pack, a plain-language
transparency summary, and the governance status an audit report carries.

Why generated and not written by hand: each statement in them rests on signed evidence entries, and each
document names those entries, so a reader can check any claim with ``qtrust log show N`` / ``qtrust
verify``. What the evidence cannot supply is listed as a gap, never papered over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qtrust.evidence import statements
from qtrust.governance.approaches import AdoptedApproaches, current_approaches
from qtrust.governance.approvals import RequestStatus
from qtrust.governance.checklists import load_checklists
from qtrust.governance.entries import LogEntries
from qtrust.governance.frameworks import catalogues
from qtrust.governance.people import Project
from qtrust.governance.records import Incident, incidents, latest_records
from qtrust.governance.status import ItemStatus, evaluate_checklists
from qtrust.results.schema import GovernanceStatus


@dataclass
class Snapshot:
    """Everything the documents say, read once from the log."""

    origin: str
    size: int
    project: tuple[Project, int] | None
    approaches: AdoptedApproaches | None
    checklist: list[ItemStatus]
    audits: list[tuple[int, dict[str, Any]]]  # (seq, provenance statement)
    findings: list[tuple[int, dict[str, Any]]]
    gates: list[tuple[int, dict[str, Any]]]
    plans: list[tuple[int, dict[str, Any]]]
    requests: list[RequestStatus]
    risks: dict[str, tuple[Any, int, str]]
    impacts: dict[str, tuple[Any, int, str]]
    incidents: dict[str, Incident]
    key_events: list[tuple[int, str]] = field(default_factory=list)

    @property
    def latest_audit(self) -> tuple[int, dict[str, Any]] | None:
        return self.audits[-1] if self.audits else None

    @property
    def latest_gate(self) -> tuple[int, dict[str, Any]] | None:
        return self.gates[-1] if self.gates else None


def _of(ledger: LogEntries, predicate_type: str) -> list[tuple[int, dict[str, Any]]]:
    return [(e.seq, e.statement) for e in ledger.of(predicate_type)]


def snapshot(ledger: LogEntries, origin: str) -> Snapshot:
    """Everything the documents say, from the entries of one verified read of the log."""
    rule = ledger.rule
    return Snapshot(
        origin=origin,
        size=ledger.size,
        project=(rule.project, rule.project_seq) if rule.project is not None else None,
        approaches=current_approaches(ledger),
        checklist=evaluate_checklists(load_checklists(), ledger),
        audits=_of(ledger, statements.SLSA_PROVENANCE_V1),
        findings=_of(ledger, statements.TEST_RESULT_V01),
        gates=_of(ledger, statements.GATE_DECISION_V1),
        plans=_of(ledger, statements.PLAN_V1),
        requests=list(rule.requests.values()),
        risks=latest_records(ledger, "risk"),
        impacts=latest_records(ledger, "impact"),
        incidents=incidents(ledger),
        key_events=[
            (e.seq, statements.kind_of(e.predicate_type))
            for e in ledger.verified
            if e.predicate_type in (statements.LOG_INIT_V1, statements.KEY_ROTATION_V1)
        ],
    )


def _cite(*seqs: int | None) -> str:
    shown = [f"#{s}" for s in seqs if s is not None]
    return f" *(evidence: {', '.join(shown)})*" if shown else ""


class _Doc:
    """A markdown document that keeps track of the gaps it had to declare."""

    def __init__(self, provided: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.gaps: list[tuple[str, str]] = []
        self.provided = provided

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def gap(self, point: str, what: str) -> None:
        if point in self.provided:
            return  # the provider's own text, shown under the heading, answers it
        self.gaps.append((point, what))
        self.lines.append(f"> **Gap:** {what}")


def _audit_summary(snap: Snapshot) -> dict[str, Any] | None:
    if snap.latest_audit is None:
        return None
    seq, doc = snap.latest_audit
    build = doc["predicate"]["buildDefinition"]
    byproducts = doc["predicate"]["runDetails"]["byproducts"]
    metrics = next((b["annotations"]["metrics"] for b in byproducts if b["name"] == "metrics"), {})
    models = [b for b in byproducts if b["name"].startswith("model:")]
    dataset = next((d for d in build["resolvedDependencies"] if d["name"].startswith("dataset:")), None)
    return {
        "seq": seq,
        "doc": doc,
        "config": build["externalParameters"]["config"],
        "metrics": metrics,
        "models": models,
        "dataset": dataset,
        "environment": build["internalParameters"]["environment"],
    }


def _accuracy_lines(summary: dict[str, Any]) -> list[str]:
    out = []
    for model in summary["models"]:
        name = model["name"].removeprefix("model:")
        metric = summary["metrics"].get(f"fairness/{name}/overall/accuracy")
        if metric and metric.get("value") is not None:
            ci = metric.get("ci") or [None, None]
            role = model["annotations"].get("role", "")
            span = f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})" if None not in ci else ""
            out.append(
                f"- {name} ({model['annotations'].get('family', '')} {role}): accuracy {metric['value']:.3f}{span}"
            )
    return out


def technical_documentation(
    snap: Snapshot, provided: dict[str, str] | None = None
) -> tuple[str, list[tuple[str, str]]]:
    """The Annex IV pack as markdown, and its gaps as (point, what is missing).

    ``provided`` maps Annex IV points to the provider's own text (a YAML file given to ``qtrust docs``):
    it is shown under its point, marked as the provider's statement rather than evidence, and fills the gap.
    """
    ids = catalogues()["eu_ai_act"].ids
    provided = provided or {}
    unknown = sorted(set(provided) - set(ids))
    if unknown:
        from qtrust.errors import InputError

        raise InputError(
            f"unknown Annex IV point(s) {unknown}",
            where="--provided",
            fix="use points such as IV.1(b) or IV.8",
        )
    d = _Doc(provided)
    audit = _audit_summary(snap)
    project = snap.project[0] if snap.project else None
    impact = max(snap.impacts.values(), key=lambda r: r[1]) if snap.impacts else None

    def heading(point: str) -> None:
        d.add("", f"### {point} — {ids.get(point, '')}", "")
        if point in provided:
            d.add(f"*Provider's statement (not evidence):* {provided[point].strip()}", "")

    d.add(
        f"# Technical documentation (EU AI Act, Annex IV) — {project.name if project else 'unnamed project'}",
        "",
    )
    d.add(
        f"Generated by qtrust from evidence log `{snap.origin}` at {snap.size} entries, "
        f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}. Every statement names the evidence entries "
        "it rests on; check them with `qtrust log show N` and the whole log with `qtrust verify`.",
        "",
        "GAPS_PLACEHOLDER",
        "",
        "## 1. General description",
    )
    heading("IV.1(a)")
    if impact:
        item, seq, _ = impact
        d.add(f"Intended purpose: {item.intended_purpose} (system `{item.system}`).{_cite(seq)}")
    else:
        d.gap("IV.1(a)", "no impact assessment states the intended purpose (`qtrust impact record`).")
    if audit:
        d.add(
            f"Version: qtrust {audit['environment'].get('packages', {}).get('qtrust', '?')}, code sha256 `{audit['environment'].get('qtrust_code_sha256', '?')}`.{_cite(audit['seq'])}"
        )
    if project:
        owner = project.with_roles("owner")
        d.add(
            f"Provider team: {project.name}; responsible owner for quantum safety: {owner[0].name if owner else '—'}.{_cite(snap.project[1])}"
        )
    else:
        d.gap("IV.1(a)", "no project roster names the provider team and owner (`qtrust people add`).")
    heading("IV.1(b)")
    d.gap("IV.1(b)", "not derivable from the evidence log; the provider writes it.")
    heading("IV.1(c)")
    if audit:
        packages = ", ".join(f"{k} {v}" for k, v in sorted(audit["environment"].get("packages", {}).items()))
        d.add(f"Software: Python {audit['environment'].get('python')}; {packages}.{_cite(audit['seq'])}")
    else:
        d.gap("IV.1(c)", "no recorded audit gives the software versions.")
    for point in ("IV.1(d)", "IV.1(e)", "IV.1(g)", "IV.1(h)"):
        heading(point)
        d.gap(point, "not derivable from the evidence log; the provider writes it.")
    heading("IV.1(f)")
    if "IV.1(f)" not in provided:
        d.add("Not applicable to software placed on the market on its own.")

    d.add("", "## 2. Elements of the system and its development")
    heading("IV.2(a)")
    if audit:
        cfg = audit["config"]
        d.add(
            f"Development follows `qtrust audit` runs: models {', '.join(m['kind'] for m in cfg.get('models', []))}, "
            f"baselines {', '.join(b['kind'] for b in cfg.get('baselines', []))}, root seed {cfg.get('seed')}, "
            f"training seeds {cfg.get('reproducibility', {}).get('seeds')}.{_cite(audit['seq'])}"
        )
    else:
        d.gap("IV.2(a)", "no audit run is recorded.")
    heading("IV.2(b)")
    if audit:
        for model in audit["models"]:
            circuit = model["annotations"].get("circuit") or {}
            width = circuit.get("n_qubits")
            d.add(
                f"- {model['name'].removeprefix('model:')}: {model['annotations'].get('kind')}"
                + (f", {width} qubits" if width else "")
                + f", parameters sha256 `{model['digest']['sha256'][:16]}…`"
            )
        d.add(_cite(audit["seq"]).strip())
    else:
        d.gap("IV.2(b)", "no recorded model design.")
    heading("IV.2(c)")
    d.gap("IV.2(c)", "system architecture and compute resources are not in the evidence log.")
    heading("IV.2(d)")
    if audit and audit["dataset"]:
        prov = audit["dataset"].get("annotations", {}).get("provenance", {})
        d.add(
            f"Data: {prov.get('name', audit['dataset']['name'])}; source {prov.get('source', '—')}; licence "
            f"{prov.get('licence', '—')}; content sha256 `{audit['dataset']['digest']['sha256']}`.{_cite(audit['seq'])}"
        )
        sheet = audit["dataset"].get("annotations", {}).get("datasheet")
        if sheet:
            d.add(
                f"Datasheet (Gebru et al. 2021, `{sheet['file']}` with the audit): {sheet['answered']} of "
                f"{sheet['questions']} questions answered"
                + (
                    f", the data owner's answers from {sheet['answers_source']}"
                    if sheet.get("answers_source")
                    else ""
                )
                + f".{_cite(audit['seq'])}"
            )
            if sheet["gaps"]:
                d.gap(
                    "IV.2(d)",
                    f"datasheet questions nobody has answered: {', '.join(sheet['gaps'])} (`data.datasheet`).",
                )
        else:
            d.gap(
                "IV.2(d)",
                "the recorded audit has no datasheet of its data (audit with qtrust ≥ this version).",
            )
    else:
        d.gap("IV.2(d)", "no recorded dataset provenance.")
    heading("IV.2(e)")
    if snap.requests:
        for r in snap.requests:
            d.add(
                f"- {r.kind} request #{r.seq} by {r.requested_by}: {r.state}; signed {', '.join(f'{role} by {who} (#{s})' for role, (who, s) in r.approvals.items()) or 'by no one yet'}"
            )
    else:
        d.gap(
            "IV.2(e)", "no approval request records human oversight of a release (`qtrust request release`)."
        )
    heading("IV.2(f)")
    if snap.plans:
        for seq, doc in snap.plans:
            p = doc["predicate"]
            loosened = [c["what"] for c in p.get("changes", []) if c["kind"] == "loosened"]
            d.add(
                f"- plan `{p['plan']['name']}` #{seq}"
                + (f" — amendment loosening: {'; '.join(loosened)}" if loosened else "")
            )
    else:
        d.gap("IV.2(f)", "no pre-registered evaluation plan (`qtrust plan register`).")
    heading("IV.2(g)")
    if audit:
        d.add(*_accuracy_lines(audit))
        d.add(
            "Metrics: accuracy, AUC, Brier, equalised odds / demographic parity / equal opportunity differences, disparate impact ratio — each with a 95% CI over test rows and prediction draws, under noise and shot budgets."
            + _cite(audit["seq"])
        )
        for seq, doc in snap.findings[-1:]:
            p = doc["predicate"]
            d.add(
                f"Test report: {p['result']} — {len(p['passedTests'])} passed, {len(p['warnedTests'])} warned, {len(p['failedTests'])} failed.{_cite(seq)}"
            )
        if snap.latest_gate:
            seq, doc = snap.latest_gate
            d.add(
                f"Release gate: **{doc['predicate']['decision']}** under policy `{doc['predicate']['policy']['name']}`.{_cite(seq)}"
            )
        else:
            d.gap("IV.2(g)", "no release-gate decision is recorded (`qtrust gate`).")
    else:
        d.gap("IV.2(g)", "no validation or testing is recorded.")
    heading("IV.2(h)")
    d.add(
        "Evidence integrity: every entry is an in-toto statement in a DSSE envelope on an RFC 9162 Merkle log; "
        "checkpoints are signed with Ed25519 and ML-DSA-65 (post-quantum)."
        + _cite(*[s for s, _ in snap.key_events])
    )

    d.add("", "## 3–9. Monitoring, metrics, risk management, changes, standards, conformity, post-market")
    heading("IV.3")
    if audit:
        groups = [
            p
            for p in audit["metrics"]
            if p.startswith("fairness/") and "/group=" in p and p.endswith("/accuracy")
        ]
        for path in groups[:12]:
            d.add(f"- {path}: {audit['metrics'][path].get('value')}")
        d.add(_cite(audit["seq"]).strip())
    else:
        d.gap("IV.3", "no per-group performance is recorded.")
    heading("IV.4")
    d.gap(
        "IV.4",
        "why these metrics suit this system is a judgement the provider writes (the plan's thresholds are in IV.2(f)).",
    )
    heading("IV.5")
    if snap.risks:
        for item, seq, by in snap.risks.values():
            d.add(
                f"- **{item.id}** {item.title}: likelihood {item.likelihood}, severity {item.severity}, residual {item.residual_risk}; review {item.review_date} (by {by}){_cite(seq)}"
            )
    else:
        d.gap("IV.5", "the risk register is empty (`qtrust risk record`).")
    heading("IV.6")
    d.add(f"The evidence log holds {snap.size} entries; `qtrust log list` lists every change in order.")
    heading("IV.7")
    if snap.approaches:
        d.add(snap.approaches.citation())
    else:
        d.gap("IV.7", "no governance approach / standards recorded (`qtrust governance adopt`).")
    satisfied = [s for s in snap.checklist if s.ok]
    d.add(
        f"Checklists: {len(satisfied)} of {len(snap.checklist)} items satisfied (mapped to NIST AI RMF 1.0, EU AI Act Annex IV, ISO/IEC 42001 Annex A)."
    )
    heading("IV.8")
    d.gap("IV.8", "the EU declaration of conformity is a legal document qtrust does not produce.")
    heading("IV.9")
    if snap.incidents:
        for inc in snap.incidents.values():
            d.add(
                f"- {inc.id} ({inc.severity}, {'closed' if inc.closed else 'open'}): {inc.title}{_cite(inc.opened_seq)}"
            )
    else:
        d.add("No incidents recorded.")
    d.gap("IV.9", "a post-market monitoring plan is not in the evidence log.")
    gaps = "\n".join(f"- {p}: {w}" for p, w in d.gaps)
    text = "\n".join(d.lines).replace("GAPS_PLACEHOLDER", f"## Gaps ({len(d.gaps)})\n\n{gaps}")
    return text + "\n", d.gaps


def _open_findings(snap: Snapshot) -> list[str]:
    """The latest audit's failing and inconclusive (warning) findings, whether or not a risk register exists.

    A summary that only shows accuracy would hide a broken fairness limit from the public whenever nobody
    wrote it into the register; these lines come straight from the signed test-result entry.
    """
    if not snap.findings:
        return []
    seq, doc = snap.findings[-1]
    predicate = doc["predicate"]

    def titles(key: str) -> list[str]:
        return [f"- {text.split(': ', 1)[-1]}" for text in predicate.get(key, [])]

    out: list[str] = []
    if predicate.get("failedTests"):
        out += ["", f"The latest audit failed {len(predicate['failedTests'])} check(s):{_cite(seq)}", ""]
        out += titles("failedTests")
    if predicate.get("warnedTests"):
        out += [
            "",
            f"It could not settle {len(predicate['warnedTests'])} other check(s) (warnings: close to a limit or "
            f"inconclusive):{_cite(seq)}",
            "",
        ]
        out += titles("warnedTests")
    if not out:
        out = ["", f"The latest audit passed every check it ran.{_cite(seq)}"]
    return out


def transparency_summary(snap: Snapshot) -> str:
    """A plain-language summary for the public: capabilities, risks, mitigations, audit status."""
    project = snap.project[0] if snap.project else None
    audit = _audit_summary(snap)
    impact = max(snap.impacts.values(), key=lambda r: r[1]) if snap.impacts else None
    lines = [
        f"# How {project.name if project else 'this system'} uses a quantum model — transparency summary",
        "",
    ]
    lines += ["## What it does", ""]
    lines.append(
        f"{impact[0].intended_purpose.capitalize()}.{_cite(impact[1])}"
        if impact
        else "The provider has not yet recorded what the system is for."
    )
    lines += ["", "## How well it works", ""]
    if audit:
        lines += _accuracy_lines(audit)
        lines.append(
            f"These figures come from an independent-style audit with fixed seeds that anyone with the evidence can re-run.{_cite(audit['seq'])}"
        )
    else:
        lines.append("No audit has been recorded yet.")
    lines += ["", "## Risks and what is done about them", ""]
    if snap.risks:
        for item, seq, _ in snap.risks.values():
            lines.append(
                f"- {item.title}. Who could be affected: {', '.join(item.who_may_be_harmed)}. What we do: {'; '.join(item.mitigations)}. Remaining risk: {item.residual_risk}.{_cite(seq)}"
            )
    else:
        lines.append("The provider has not recorded a risk register yet.")
    lines += _open_findings(snap)
    lines += ["", "## Status", ""]
    if snap.latest_gate:
        seq, doc = snap.latest_gate
        lines.append(f"- Release check: **{doc['predicate']['decision']}**.{_cite(seq)}")
    releases = [r for r in snap.requests if r.kind == "release"]
    if releases:
        r = releases[-1]
        lines.append(f"- Release approval: {r.state}.{_cite(r.seq)}")
    open_incidents = [i for i in snap.incidents.values() if not i.closed]
    lines.append(f"- Open incidents: {len(open_incidents)}.")
    if snap.approaches:
        lines.append(f"- {snap.approaches.citation()}")
    lines += ["", f"Every statement above is backed by the signed evidence log `{snap.origin}`."]
    return "\n".join(lines) + "\n"


def governance_status(snap: Snapshot) -> GovernanceStatus:
    """The compact status an audit report carries (see ``AuditResult.governance``)."""
    project = snap.project[0] if snap.project else None
    owner = project.with_roles("owner") if project else []
    entries: list[int] = [snap.project[1]] if snap.project else []
    latest_gate = None
    if snap.latest_gate:
        seq, doc = snap.latest_gate
        latest_gate = (
            f"{doc['predicate']['decision']} under policy {doc['predicate']['policy']['name']} (entry {seq})"
        )
        entries.append(seq)
    if snap.approaches:
        entries.append(snap.approaches.seq)
    pending = [
        f"{r.kind} #{r.seq} by {r.requested_by}: needs {', '.join(r.missing_roles)}"
        for r in snap.requests
        if r.state == "pending"
    ]
    entries += [r.seq for r in snap.requests if r.state == "pending"]
    open_incidents = [f"{i.id} ({i.severity}): {i.title}" for i in snap.incidents.values() if not i.closed]
    entries += [i.opened_seq for i in snap.incidents.values() if not i.closed]
    high = [f"{item.id}: {item.title}" for item, _, _ in snap.risks.values() if item.residual_risk == "high"]
    entries += [seq for item, seq, _ in snap.risks.values() if item.residual_risk == "high"]
    entries += [e for s in snap.checklist if s.ok for e in s.entries]
    return GovernanceStatus(
        origin=snap.origin,
        log_size=snap.size,
        project=project.name if project else None,
        owner=owner[0].name if owner else None,
        approaches=snap.approaches.citation() if snap.approaches else None,
        checklist_satisfied=sum(s.ok for s in snap.checklist),
        checklist_total=len(snap.checklist),
        checklist_missing=[f"{s.item}: {s.title}" for s in snap.checklist if not s.ok],
        latest_gate=latest_gate,
        pending_requests=pending,
        open_incidents=open_incidents,
        high_risks=high,
        entries=sorted(set(entries)),
    )
