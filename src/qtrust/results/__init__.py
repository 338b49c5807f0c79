"""The typed, versioned audit result (``results.json``) and its JSON Schema."""

from qtrust.results.schema import SCHEMA_VERSION, AuditResult, Estimate, Finding, json_schema

__all__ = ["SCHEMA_VERSION", "AuditResult", "Estimate", "Finding", "json_schema"]
