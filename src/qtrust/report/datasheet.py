"""``datasheet.md``: the datasheet of the audit's data, in the seven sections of Gebru et al. (2021).

Each question shows what qtrust knows (marked as such), the data owner's answer (marked with its source), or
a gap. Rendered from ``results.json`` alone, so an auditor can regenerate it from the signed record.
"""

from __future__ import annotations

from qtrust.data.datasheet import QUESTIONS, SECTIONS
from qtrust.results import AuditResult


def render_datasheet(result: AuditResult) -> str:
    ds = result.dataset
    sheet = ds.datasheet
    lines = [
        f"# Datasheet: {ds.provenance.get('name', ds.name)}",
        "",
        "Questions from Gebru et al., *Datasheets for Datasets* (Communications of the ACM 64(12), 2021). "
        f"Written by qtrust {result.qtrust_version} with the audit of {result.created_at}; the data's content "
        f"digest is `{ds.digest}`.",
        "",
    ]
    if sheet is None:
        return "\n".join([*lines, "This audit recorded no datasheet.", ""])
    answered = len(QUESTIONS) - len(sheet.gaps)
    builtin = (sheet.answers_source or "").startswith("built-in")
    who = "From the dataset's documentation" if builtin else "Data owner"
    source = f" Answers marked *{who}* come from {sheet.answers_source}" if sheet.answers_source else ""
    digest = f" (sha256 `{sheet.answers_sha256}`)." if sheet.answers_sha256 else "." if source else ""
    lines += [
        f"**{answered} of {len(QUESTIONS)} questions answered, {len(sheet.gaps)} open.** Answers marked "
        f"*qtrust* are computed from the data and its provenance.{source}{digest}",
        "",
    ]
    for section, title in SECTIONS.items():
        lines += [f"## {title}", ""]
        for question in (q for q in QUESTIONS if q.section == section):
            lines.append(f"**{question.text}**")
            lines.append("")
            if question.id in sheet.facts:
                lines.append(f"- *qtrust:* {sheet.facts[question.id]}")
            if question.id in sheet.answers:
                lines.append(f"- *{who}:* {sheet.answers[question.id]}")
            if question.id in sheet.gaps:
                lines.append(
                    f"- **Gap:** not answered (`{question.id}` in the answers file, `data.datasheet`)."
                )
            lines.append("")
    if sheet.gaps:
        lines += ["## Open questions", "", *[f"- `{q}`" for q in sheet.gaps], ""]
    return "\n".join(lines)
