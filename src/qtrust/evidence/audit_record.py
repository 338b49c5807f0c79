"""What ``qtrust audit`` records: SLSA provenance of the run and the in-toto test result of its findings.

The provenance entry holds everything needed to re-run the audit and to check a re-run: the config (as
external parameters, with the plan it ran under), the seeds and environment, the dataset and code digests
(resolved dependencies), the circuits and trained parameters of every model, the noise model, the sha256 of
every probability stack, every measured metric (``metrics_table`` paths with their CIs), and the digest of
every output file (the subjects). The test-result entry states pass / warn / fail per finding and points at
the provenance statement by digest.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from qtrust._version import __version__
from qtrust.data.datasheet import QUESTION_IDS
from qtrust.encoding import canonical_json, sha256_hex
from qtrust.evidence import statements
from qtrust.results.metrics_table import flatten_metrics
from qtrust.results.schema import AuditResult

BUILDER_ID = "https://qtrust.dev/builder/qtrust-audit"
PROVENANCE_NAME = "qtrust-audit-provenance"


def _digest_of(value: Any) -> str:
    return sha256_hex(canonical_json(json_safe(value)))


def json_safe(value: Any) -> Any:
    """NaN and ±inf become null: canonical JSON (RFC 8259) has no spelling for them, so they cannot be signed."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _datasheet_summary(sheet: Any) -> dict[str, Any]:
    """What a reviewer of the log needs of the datasheet: how much is answered, and what is still open."""
    return {
        "questions": len(QUESTION_IDS),
        "answered": len(QUESTION_IDS) - len(sheet.gaps),
        "gaps": list(sheet.gaps),
        "answers_source": sheet.answers_source,
        "answers_sha256": sheet.answers_sha256,
        "file": "datasheet.md",
    }


def provenance_statement(
    result: AuditResult, output_digests: dict[str, str], distributions: list[dict[str, Any]]
) -> dict[str, Any]:
    finished = datetime.fromisoformat(result.created_at) + timedelta(seconds=result.duration_seconds)
    subjects = [statements.resource(name, digest) for name, digest in sorted(output_digests.items())]
    dataset = result.dataset
    models = [
        statements.resource(
            f"model:{m.name}",
            _digest_of(m.model_dump(mode="json")),
            annotations={
                "kind": m.kind,
                "family": m.family,
                "role": m.role,
                "params": m.params,
                "circuit": m.circuit,
                "simulation": m.simulation,
                "origin": m.origin,
                "execution": m.execution,
                "seed_spread_measured": m.seed_spread_measured,
                "fits": [f.model_dump(mode="json") for f in m.fits],
            },
        )
        for m in result.models
    ]
    metrics = {path: metric.to_dict() for path, metric in flatten_metrics(result).items()}
    noise = {
        "channels": result.config.get("noise", {}).get("channels"),
        "levels": result.config.get("noise", {}).get("levels"),
        "conventions": result.noise[0].conventions if result.noise else {},
    }
    external: dict[str, Any] = {"config": result.config}
    if result.plan is not None:
        external["plan"] = {"name": result.plan.name, "digest": result.plan.digest, "seq": result.plan.seq}
    return statements.statement(
        subjects,
        statements.SLSA_PROVENANCE_V1,
        {
            "buildDefinition": {
                "buildType": statements.AUDIT_BUILD_TYPE,
                "externalParameters": external,
                "internalParameters": {"seeds": result.seeds, "environment": result.environment},
                "resolvedDependencies": [
                    statements.resource(
                        f"dataset:{dataset.name}",
                        dataset.digest,
                        annotations={
                            "provenance": dataset.provenance,
                            "n_rows": dataset.n_rows,
                            **(
                                {"datasheet": _datasheet_summary(dataset.datasheet)}
                                if dataset.datasheet
                                else {}
                            ),
                        },
                    ),
                    statements.resource(
                        "code:qtrust",
                        result.environment.get("qtrust_code_sha256", "0" * 64),
                        annotations={"version": result.qtrust_version},
                    ),
                ],
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"qtrust": __version__}},
                "metadata": {
                    "invocationId": str(uuid.uuid4()),
                    "startedOn": result.created_at,
                    "finishedOn": finished.astimezone(UTC).isoformat(timespec="seconds"),
                },
                "byproducts": [
                    *models,
                    statements.resource("noise-model", _digest_of(noise), annotations=noise),
                    *[
                        statements.resource(
                            f"probabilities:{d['model']}/{d['noise']}/{d['shots']}",
                            d["sha256"],
                            annotations={"shape": d["shape"]},
                        )
                        for d in distributions
                    ],
                    statements.resource("metrics", _digest_of(metrics), annotations={"metrics": metrics}),
                ],
            },
        },
    )


def findings_statement(
    result: AuditResult, provenance: dict[str, Any], output_digests: dict[str, str]
) -> dict[str, Any]:
    by = {
        s: [f"{f.id}: {f.title}" for f in result.findings if f.severity == s]
        for s in ("pass", "warn", "fail")
    }
    outcome = "FAILED" if by["fail"] else "WARNED" if by["warn"] else "PASSED"
    # Which model each verdict is about, counted: a dashboard shows each model's verdicts from the signed
    # entry alone (the test-result predicate's own lists name findings, not models).
    per_model: dict[str, dict[str, int]] = {}
    for f in result.findings:
        if f.model and f.severity in by:
            counts = per_model.setdefault(f.model, {"pass": 0, "warn": 0, "fail": 0})
            counts[f.severity] += 1
    return statements.statement(
        [statements.resource("results.json", output_digests["results.json"])],
        statements.TEST_RESULT_V01,
        {
            "result": outcome,
            "configuration": [statements.resource(PROVENANCE_NAME, _digest_of(provenance))],
            "passedTests": by["pass"],
            "warnedTests": by["warn"],
            "failedTests": by["fail"],
            "modelCounts": dict(sorted(per_model.items())),
        },
    )


def audit_statements(
    result: AuditResult, output_digests: dict[str, str], distributions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    provenance = json_safe(provenance_statement(result, output_digests, distributions))
    return [provenance, findings_statement(result, provenance, output_digests)]
