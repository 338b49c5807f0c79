"""What qtrust itself can answer in a dataset's datasheet: facts from the provenance, the split and the encoding.

Only questions the audit has evidence for are answered here (:data:`qtrust.data.datasheet.QUESTIONS` marks
them ``fact``); a licence recorded as unknown is no answer. Everything else is the data owner's to answer, or
stays a gap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qtrust.assess.prepared import PreparedData
from qtrust.config.schema import AuditConfig
from qtrust.data.datasheet import QUESTION_IDS
from qtrust.results.schema import DatasetRecord, DatasheetRecord


def _share(part: int, whole: int) -> str:
    return f"{part:,} ({part / whole:.1%})" if whole else str(part)


def _facts(config: AuditConfig, data: PreparedData, record: DatasetRecord) -> dict[str, str]:
    prov = record.provenance
    n = record.n_rows
    y = data.dataset.y
    groups = np.asarray(data.dataset.group).astype(str)
    facts = {
        "composition.instances": (
            f"{n:,} rows, one per {('applicant' if record.name == 'german_credit' else 'instance')}"
            + (f" ({prov['description']})" if prov.get("description") else "")
            + f"; {len(record.model_features)} feature column(s) reach the model. The audit held out "
            f"{record.n_test:,} rows for testing (stratified by label × group, split seed {data.split_seed})."
        ),
        "composition.labels": (
            f"Yes: `{record.label_name}`, favourable outcome {record.positive_label!r} for "
            f"{_share(int(y.sum()), n)} of the rows."
        ),
        "composition.groups": (
            f"Yes, by the sensitive attribute `{record.sensitive}`"
            + (
                f" (from {', '.join(record.sensitive_source_columns)})"
                if record.sensitive_source_columns
                else ""
            )
            + (
                f"; rule: {prov['extra']['sensitive_rule']}"
                if prov.get("extra", {}).get("sensitive_rule")
                else ""
            )
            + ": "
            + "; ".join(
                f"{g} {_share(int((groups == g).sum()), n)}, favourable rate {y[groups == g].mean():.1%}"
                for g in sorted(set(groups))
            )
            + "."
        ),
        "composition.missing": (
            "None: qtrust refuses missing or empty cells when it loads data, so no row was dropped or imputed."
        ),
        "preprocessing.encoding": _encoding(config, data, record.preprocessing),
        "distribution.source": (
            f"{prov.get('source') or 'not stated'}; "
            + (
                f"sha256 of the source bytes {prov['sha256']}, checked on load; "
                if prov.get("sha256")
                else ""
            )
            + f"content digest {record.digest} (features, label, group), recorded with the audit."
        ),
    }
    licence = str(prov.get("licence") or "").strip()
    if licence and not licence.lower().startswith("unknown"):
        facts["distribution.licence"] = licence + (
            f". Cite as: {prov['citation']}" if prov.get("citation") else ""
        )
    return facts


def _encoding(config: AuditConfig, data: PreparedData, pre: dict[str, Any]) -> str:
    reduction = pre.get("reduction", config.encoding.reduction)
    n_qubits = pre.get("n_qubits", config.encoding.n_qubits)
    explained = pre.get("explained_variance_total")
    low, high = pre.get("angle_range", config.encoding.angle_range)
    text = (
        f"Categorical columns one-hot encoded and numeric ones standardised, then reduced by {str(reduction).upper()} to "
        f"{n_qubits} component(s), one per qubit"
        + (f" ({explained:.1%} of the variance)" if isinstance(explained, float) else "")
        + f", and scaled to rotation angles in [{low:.4g}, {high:.4g}]. Every step was fitted on the training "
        f"rows only; {data.test_clip_fraction:.1%} of the test angles fell outside the training range and were "
        "clipped to it."
    )
    if config.data.drop_sensitive:
        text += " The sensitive column(s) were kept out of the model inputs."
    return text


def datasheet_record(config: AuditConfig, data: PreparedData, record: DatasetRecord) -> DatasheetRecord:
    """qtrust's facts, the owner's answers, and every question left with neither (the gaps)."""
    facts = _facts(config, data, record)
    owner = data.datasheet_answers
    answers = owner.answers if owner else {}
    return DatasheetRecord(
        facts=facts,
        answers=dict(answers),
        answers_source=owner.source if owner else None,
        answers_sha256=owner.sha256 if owner else None,
        gaps=[q for q in QUESTION_IDS if q not in facts and q not in answers],
    )
