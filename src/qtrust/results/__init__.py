"""The typed, versioned audit result (``results.json``) and its JSON Schema."""

from qtrust.results.metrics_table import (
    MetricComparison,
    RecordedMetric,
    ReproductionReport,
    compare_metrics,
    flatten_metrics,
    metric_paths_matching,
)
from qtrust.results.schema import SCHEMA_VERSION, AuditResult, Estimate, Finding, json_schema

__all__ = [
    "SCHEMA_VERSION",
    "AuditResult",
    "Estimate",
    "Finding",
    "MetricComparison",
    "RecordedMetric",
    "ReproductionReport",
    "compare_metrics",
    "flatten_metrics",
    "json_schema",
    "metric_paths_matching",
]
