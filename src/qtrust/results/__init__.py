"""The typed, versioned audit result (``results.json``), its JSON Schema, its metric paths, and the
registry of the assessments that write it (:mod:`qtrust.results.registry`)."""

from qtrust.results.metrics_table import (
    MetricComparison,
    RecordedMetric,
    ReproductionReport,
    compare_metrics,
    flatten_metrics,
    metric_paths_matching,
)
from qtrust.results.recorded import MetricTable
from qtrust.results.registry import REGISTRY, MetricRoot, Registry, Section, Topic
from qtrust.results.schema import SCHEMA_VERSION, AuditResult, Estimate, Finding, json_schema

__all__ = [
    "REGISTRY",
    "SCHEMA_VERSION",
    "AuditResult",
    "Estimate",
    "Finding",
    "MetricComparison",
    "MetricRoot",
    "MetricTable",
    "RecordedMetric",
    "Registry",
    "ReproductionReport",
    "Section",
    "Topic",
    "compare_metrics",
    "flatten_metrics",
    "json_schema",
    "metric_paths_matching",
]
