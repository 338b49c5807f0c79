"""Assessments: one module per assessment behind one contract (:mod:`qtrust.assess.contract`).

Importing this package registers qtrust's own assessments (:mod:`qtrust.assess.builtin`) into the registry
(:data:`qtrust.results.registry.REGISTRY`) that the runner, the metric table, policy validation, the report
and the model card read.
"""

from __future__ import annotations

from qtrust.assess import builtin
from qtrust.assess.contract import Assessment
from qtrust.results.registry import REGISTRY

__all__ = ["REGISTRY", "Assessment", "builtin"]
