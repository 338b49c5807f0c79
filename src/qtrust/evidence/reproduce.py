"""Re-execution: run a recorded audit again from its recorded config and seeds, and compare.

The comparison is metric by metric (``qtrust.results.compare_metrics``): numbers computed from exact
probabilities must come out the same to 1e-9, shot-sampled ones exactly or within the CI recorded with
them. The sha256 of every probability stack is compared too: on the same platform and library versions a
faithful re-run is bit-identical, and that is the strongest statement a reproduction can make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadpoolctl import threadpool_limits

from qtrust.errors import InputError
from qtrust.evidence import statements
from qtrust.evidence.log import EvidenceLog
from qtrust.results.metrics_table import RecordedMetric, ReproductionReport, compare_metrics, flatten_metrics


@dataclass
class Reproduction:
    seq: int
    report: ReproductionReport
    recorded_dataset: str
    reproduced_dataset: str
    distributions_identical: int = 0
    distributions_differing: list[str] = field(default_factory=list)
    environment_differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.report.ok and self.recorded_dataset == self.reproduced_dataset


def recorded_audit(log: EvidenceLog, seq: int) -> tuple[int, dict[str, Any]]:
    """(seq, statement) of the provenance of audit entry ``seq`` (a findings entry leads to its provenance)."""
    doc = log.statement(seq)
    if doc.get("predicateType") == statements.TEST_RESULT_V01 and seq > 0:
        previous = log.statement(seq - 1)
        if previous.get("predicateType") == statements.SLSA_PROVENANCE_V1:
            return seq - 1, previous
    if doc.get("predicateType") != statements.SLSA_PROVENANCE_V1:
        raise InputError(
            f"entry {seq} is a {statements.kind_of(doc.get('predicateType', ''))} entry, not an audit run",
            where="N",
            fix="give the sequence number `qtrust audit` printed (list audits with `qtrust log list --kind audit`)",
        )
    return seq, doc


def _byproduct(doc: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [b for b in doc["predicate"]["runDetails"]["byproducts"] if b["name"].startswith(prefix)]


def _rebuilt_supplied(doc: dict[str, Any], seq: int, given: list[Any]) -> list[Any]:
    """The supplied models of a recorded audit: translated circuits rebuilt from the record, others given again.

    A translated circuit's record holds its whole circuit and weights, so it re-runs without the original
    framework. A scikit-learn model, a black box or a QNode on its own device is code, not data: the auditor
    passes the same file again (``--model``), and a file whose sha256 differs from the recorded one is refused.
    """
    from qtrust.audit.supplied import Supplied
    from qtrust.models.circuit_classifier import CircuitClassifier

    by_name = {item.name: item for item in given}
    out = []
    for resource in _byproduct(doc, "model:"):
        notes = resource.get("annotations", {})
        if notes.get("origin") != "supplied":
            continue
        name = resource["name"].removeprefix("model:")
        role = notes.get("role", "candidate")
        params = notes.get("params", {})
        fits = notes.get("fits", [])
        descriptions = [f.get("description", {}) for f in fits]
        retrained = str(params.get("retrained", "")).startswith("a fresh clone")
        if name in by_name:
            item = by_name.pop(name)
            recorded = params.get("loaded_from", {}).get("sha256")
            if recorded and item.provenance.get("sha256") != recorded:
                raise InputError(
                    f"the file given for {name!r} is not the one entry {seq} audited (sha256 "
                    f"{str(item.provenance.get('sha256'))[:12]}… vs {recorded[:12]}…)",
                    where="--model",
                    fix="pass the exact file the audit ran with",
                )
            out.append(item)
        elif descriptions and all(d.get("kind") == "circuit" for d in descriptions):
            models = [CircuitClassifier.from_description(d) for d in descriptions]
            if retrained:
                out.append(Supplied(name, models[0], role=role, retrain=True))  # retrained as unfitted clones
            elif notes.get("seed_spread_measured") is False:
                out.append(Supplied(name, models[0], role=role))
            else:
                out.append(
                    Supplied(name, {int(f["seed"]): m for f, m in zip(fits, models, strict=True)}, role=role)
                )
        else:
            loaded = params.get("loaded_from", {})
            hint = f"{loaded['file']}:{loaded['name']}" if loaded else "FILE.py:NAME"
            raise InputError(
                f"entry {seq} audited the supplied model {name!r} ({notes.get('execution') or 'code'}), which "
                "cannot be rebuilt from the record",
                where="reproduce",
                fix=f"pass the same file again: qtrust reproduce {seq} --model {hint}",
            )
    if by_name:
        raise InputError(
            f"entry {seq} audited no supplied model named {', '.join(sorted(by_name))}",
            where="--model",
            fix="pass only the models the recorded audit had",
        )
    return out


def reproduce(
    log: EvidenceLog, seq: int, progress: Any = None, supplied: list[Any] | None = None
) -> Reproduction:
    from qtrust.audit import run_audit
    from qtrust.audit.data_prep import load_dataset
    from qtrust.config import config_from_dict

    seq, doc = recorded_audit(log, seq)
    build = doc["predicate"]["buildDefinition"]
    config_dict = dict(build["externalParameters"]["config"])
    source = config_dict.pop("source", None)
    config = config_from_dict(config_dict, source=f"entry {seq} config")
    recorded_dataset = next(
        d["digest"]["sha256"] for d in build["resolvedDependencies"] if d["name"].startswith("dataset:")
    )
    dataset = load_dataset(config)
    if dataset.digest() != recorded_dataset:
        raise InputError(
            f"the data differs from what entry {seq} audited (sha256 {dataset.digest()[:12]}… vs "
            f"{recorded_dataset[:12]}…)",
            where=f"data ({config.data.source}{': ' + str(config.data.path) if config.data.path else ''})",
            fix="restore the exact dataset the audit used; a re-run on other data is a new audit, not a reproduction",
        )
    rebuilt = _rebuilt_supplied(doc, seq, list(supplied or []))
    then = build["internalParameters"]["environment"]
    # Same native thread counts as the recorded run: summation order, and so rounding, depends on them.
    with threadpool_limits(limits=then.get("thread_pools") or None):
        run = run_audit(config, dataset=dataset, progress=progress, config_source=source, supplied=rebuilt)
    recorded_metrics = {
        path: RecordedMetric.from_dict(value)
        for path, value in _byproduct(doc, "metrics")[0]["annotations"]["metrics"].items()
    }
    report = compare_metrics(recorded_metrics, flatten_metrics(run.result))
    recorded_dists = {b["name"]: b["digest"]["sha256"] for b in _byproduct(doc, "probabilities:")}
    reproduced = {
        f"probabilities:{d['model']}/{d['noise']}/{d['shots']}": d["sha256"]
        for d in run.predictions.distribution_digests()
    }
    identical = sum(reproduced.get(name) == digest for name, digest in recorded_dists.items())
    differing = sorted(name for name, digest in recorded_dists.items() if reproduced.get(name) != digest)
    now = run.result.environment
    env_diff = {
        key: (then.get(key), now.get(key))
        for key in ("python", "platform", "packages", "qtrust_code_sha256", "thread_pools")
        if then.get(key) != now.get(key)
    }
    return Reproduction(
        seq=seq,
        report=report,
        recorded_dataset=recorded_dataset,
        reproduced_dataset=run.result.dataset.digest,
        distributions_identical=identical,
        distributions_differing=differing,
        environment_differences=env_diff,
    )
