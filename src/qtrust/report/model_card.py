"""A model card for one audited model, in the Hugging Face layout.

``render_model_card(result, model=None)`` returns Markdown with YAML front matter (``license``, ``tags``,
``datasets``, ``metrics`` and a ``model-index`` with the model's test-set results) followed by the usual
sections — Model Details, Uses, Bias/Risks/Limitations, Training Details, Evaluation — and a
*Quantum-specific properties* section: circuit size, noise-profile dependence, shot budget and
reproducibility. The card describes the first quantum candidate unless ``model`` names another.

Every value taken from the result is Markdown-escaped by the template environment; the front matter is
written with ``yaml.safe_dump``.
"""

from __future__ import annotations

from typing import Any

import yaml
from markupsafe import Markup

from qtrust.data.datasheet import QUESTIONS as DATASHEET_QUESTIONS
from qtrust.metrics._engine import OVERALL_METRICS
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report._jinja import markdown_environment
from qtrust.report.sections import CardContext, presented
from qtrust.results.registry import REGISTRY, Registry
from qtrust.results.schema import AuditResult, FairnessResult, ModelRecord

__all__ = ["HF_METRIC_TYPES", "front_matter", "render_model_card"]

#: qtrust metric key → the metric id the Hugging Face Hub uses, where one exists.
HF_METRIC_TYPES = {"accuracy": "accuracy", "auc": "roc_auc", "brier": "brier_score"}

#: Order of metrics in the model index and the evaluation table.
CARD_METRICS = OVERALL_METRICS

KIND_TAGS = {"variational": "variational-quantum-classifier", "quantum_kernel": "quantum-kernel"}

KIND_TEXT = {
    "variational": "variational quantum classifier (parameterised circuit trained by gradient descent)",
    "quantum_kernel": "quantum kernel classifier (support vector machine on a quantum-circuit kernel)",
    "circuit": "quantum circuit classifier brought to the audit (translated into qtrust's circuit representation)",
    "qnode": "PennyLane QNode classifier brought to the audit (run on its own device)",
    "black_box": "classifier known only through its predicted probabilities (a black box)",
    "supplied": "classifier brought to the audit",
}


def _pick_model(result: AuditResult, model: str | None) -> ModelRecord:
    if model is not None:
        record = derive.find_model(result, model)
        if record is None:
            known = ", ".join(m.name for m in result.models) or "none"
            raise ValueError(f"no model named {model!r} in this audit; models: {known}")
        return record
    candidates = derive.candidates(result)
    if candidates:
        return candidates[0]
    quantum = derive.quantum_models(result)
    if quantum:
        return quantum[0]
    if result.models:
        return result.models[0]
    raise ValueError("the audit result has no models to describe")


def _fairness(result: AuditResult, name: str) -> FairnessResult | None:
    return next((f for f in result.fairness if f.model == name), None)


def _round(x: float) -> float:
    return float(f"{x:.4g}") if abs(x) < 1e-3 and x != 0 else round(x, 4)


def model_index_metrics(
    result: AuditResult, record: ModelRecord, info: dict[str, dict[str, Any]]
) -> list[dict]:
    """The ``metrics`` list of the model-index entry: one ``{type, value, name}`` per defined metric."""
    fairness = _fairness(result, record.name)
    if fairness is None:
        return []
    out = []
    for key in [*CARD_METRICS, *(k for k in fairness.overall if k not in CARD_METRICS)]:
        est = fairness.overall.get(key)
        if est is None or not fmt.is_number(est.value):
            continue
        name = fmt.metric_name(info, key)
        if key in fmt.FAIRNESS_KEYS:
            name = f"{name} ({result.dataset.sensitive})"
        out.append({"type": HF_METRIC_TYPES.get(key, key), "value": _round(est.value), "name": name})
    return out


def front_matter(result: AuditResult, record: ModelRecord, info: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The card's YAML metadata as a plain dict (Hugging Face model-card keys)."""
    metrics = model_index_metrics(result, record, info)
    tags = ["quantum-machine-learning", "fairness-audit", "tabular-classification", "qtrust"]
    kind_tag = KIND_TAGS.get(record.kind, record.kind.replace("_", "-"))
    if kind_tag not in tags:
        tags.append(kind_tag)
    dataset = result.dataset
    return {
        "license": "unknown",
        "tags": tags,
        "datasets": [dataset.name],
        "metrics": list(dict.fromkeys(m["type"] for m in metrics)),
        "pipeline_tag": "tabular-classification",
        "model-index": [
            {
                "name": record.name,
                "results": [
                    {
                        "task": {"type": "tabular-classification", "name": "Tabular Classification"},
                        "dataset": {"name": dataset.name, "type": dataset.name, "split": "test"},
                        "metrics": metrics,
                    }
                ],
            }
        ],
    }


def _training(record: ModelRecord) -> dict[str, Any]:
    """Optimiser facts over the model's fits (quantum variational models record them)."""
    out: dict[str, Any] = {"optimizer": None, "gradient": None, "iterations": [], "converged": [], "loss": []}
    for fit in record.fits:
        training = fit.description.get("training") if isinstance(fit.description, dict) else None
        if not isinstance(training, dict):
            continue
        out["optimizer"] = out["optimizer"] or training.get("optimizer")
        out["gradient"] = out["gradient"] or training.get("gradient")
        if training.get("iterations") is not None:
            out["iterations"].append(training["iterations"])
        if training.get("converged") is not None:
            out["converged"].append(bool(training["converged"]))
        if fmt.is_number(training.get("final_loss")):
            out["loss"].append(training["final_loss"])
    return out


def card_parts(card: CardContext, registry: Registry = REGISTRY) -> Markup:
    """Each registered assessment's part of the quantum-specific properties, in topic order, as Markdown."""
    parts = []
    for entry in presented(registry):
        if entry.assessment is None:
            continue
        value = card.result.section_value(entry.name) if entry.section is not None else None
        text = entry.assessment.card_section(value, card)
        if text and text.strip():
            parts.append(text.strip("\n") + "\n")
    return Markup("\n".join(parts).rstrip("\n"))


def _comparison_rows(result: AuditResult, name: str, info: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for c in result.comparisons:
        if c.quantum_model != name:
            continue
        by_key = {m.metric: m for m in c.metrics}
        acc, auc = by_key.get("accuracy"), by_key.get("auc")
        shifts = [
            f"{fmt.metric_name(info, m.metric)} {fmt.signed(m.difference)} {fmt.interval('', m.ci_low, m.ci_high)}"
            for m in c.metrics
            if m.metric in fmt.FAIRNESS_KEYS and derive.significant(m)
        ]
        rows.append(
            {
                "baseline": c.baseline,
                "role": derive.role_label(derive.find_model(result, c.baseline)),
                "accuracy": fmt.num(acc.classical) if acc else fmt.NA,
                "accuracy_diff": _difference(acc),
                "p": fmt.p_value(acc.p_value) if acc else fmt.NA,
                "auc_diff": _difference(auc),
                "shifts": "; ".join(shifts) or "none",
            }
        )
    return rows


def _difference(m: Any) -> str:
    if m is None or not fmt.is_number(m.difference):
        return fmt.NA
    ci = fmt.interval("", m.ci_low, m.ci_high)
    return fmt.signed(m.difference) + ("" if ci == fmt.NA else f" {ci}")


#: Topics the card reports under "Fairness findings"; every other registered topic is an "Other risk".
FAIRNESS_TOPICS = ("fairness", "data")


def _findings(result: AuditResult, name: str, topics: tuple[str, ...]) -> list[Any]:
    return [f for f in result.findings if f.topic in topics and (f.model == name or f.model is None)]


def _advantage(result: AuditResult, name: str) -> str:
    """One sentence on whether the model beats the classical baselines on accuracy."""
    classical = {m.name for m in result.models if m.family == "classical"}
    rows = [c for c in result.comparisons if c.quantum_model == name and c.baseline in classical]
    if not rows:
        return f"no classical baseline was compared with {name}, so no advantage can be claimed."
    better, worse = [], []
    for c in rows:
        acc = next((m for m in c.metrics if m.metric == "accuracy"), None)
        if acc is None or not derive.significant(acc):
            continue
        (better if (acc.difference or 0) > 0 else worse).append(c.baseline)
    parts = []
    if better:
        parts.append(f"significantly more accurate than {', '.join(better)}")
    if worse:
        parts.append(f"significantly less accurate than {', '.join(worse)}")
    if not parts:
        return f"{name} is not significantly more or less accurate than any classical baseline tested."
    return f"{name} is " + " and ".join(parts) + "."


def render_model_card(result: AuditResult, model: str | None = None, registry: Registry = REGISTRY) -> str:
    """A Hugging Face-style model card (Markdown with YAML front matter) for ``model``.

    ``model`` defaults to the first quantum candidate. Raises ``ValueError`` for an unknown name.
    """
    record = _pick_model(result, model)
    info = derive.metric_info(result)
    meta = front_matter(result, record, info)
    yaml_text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)
    fairness = _fairness(result, record.name)
    shots = next((s for s in result.shots if s.model == record.name), None)
    sweep = next((s for s in result.noise if s.model == record.name), None)
    circuit = record.circuit or {}
    dataset = result.dataset
    features = set(dataset.model_features)
    excluded = [c for c in dataset.sensitive_source_columns if c not in features]
    other_topics = tuple(t for t in registry.topic_order() if t not in FAIRNESS_TOPICS)
    card = CardContext(result=result, model=record, info=info)
    template = markdown_environment().get_template("model_card.md.j2")
    return template.render(
        front_matter=Markup(yaml_text),
        r=result,
        m=record,
        datasheet_questions=len(DATASHEET_QUESTIONS),
        ds=dataset,
        f=fmt,
        info=info,
        kind_text=KIND_TEXT.get(record.kind, fmt.humanise(record.kind)),
        role=derive.role_label(record),
        params=", ".join(
            f"{k}={fmt.short_value(v)}" for k, v in record.params.items() if k not in ("kind", "name")
        ),
        circuit=circuit,
        simulation=record.simulation or {},
        training=_training(record),
        fairness=fairness,
        estimate=fmt.estimate,
        card_metrics=[k for k in CARD_METRICS if fairness and k in fairness.overall]
        + [k for k in (fairness.overall if fairness else {}) if k not in CARD_METRICS],
        fairness_findings=_findings(result, record.name, FAIRNESS_TOPICS),
        other_findings=[
            f for f in _findings(result, record.name, other_topics) if f.severity in ("fail", "warn")
        ],
        comparisons=_comparison_rows(result, record.name, info),
        advantage=_advantage(result, record.name),
        noise_rows=bool(sweep and derive.channel_profiles(result, sweep)),
        advice=derive.shot_advice(result, shots) if shots else None,
        card_parts=card_parts(card, registry) if record.family == "quantum" else Markup(""),
        verdicts=derive.verdicts(result),
        sensitive_excluded=excluded,
        is_quantum=record.family == "quantum",
        train_seconds=[fit.train_seconds for fit in record.fits],
    )
