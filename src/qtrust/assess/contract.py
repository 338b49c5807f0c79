"""The assessment contract: one shape for every assessment the audit runs.

An assessment (scikit-learn's estimator contract, Evidently's metric-with-its-renderer, in one class):

* declares its ``name``, its ``topic`` and its ``section`` — the typed record it writes into
  ``results.json``, with the metric paths and their vocabulary (:class:`qtrust.results.registry.Section`);
* declares its config section: ``config_key`` (a field of ``AuditConfig``, or for an assessment outside
  qtrust a key of ``config.extensions``) validated by ``config_model``; :meth:`Assessment.settings` reads it;
* may refuse a config before any training (:meth:`Assessment.check`);
* runs on the typed :class:`~qtrust.assess.context.AssessmentContext` and returns its record
  (:meth:`Assessment.run`);
* turns that record into plain-language findings (:meth:`Assessment.findings`);
* renders its part of the HTML report and of the model card beside it (:meth:`Assessment.report_section`,
  :meth:`Assessment.card_section`).

Registering an instance (``REGISTRY.register(MyAssessment())``) is all it takes for the runner, the metric
table, policy validation, the report and the model card to include it; qtrust's own assessments register
in :mod:`qtrust.assess.builtin` when :mod:`qtrust.assess` is imported.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from qtrust.report.sections import CardContext, ReportContext, ReportSection, numbers_section
from qtrust.results.registry import Section, Topic
from qtrust.results.schema import Finding

if TYPE_CHECKING:
    from qtrust.assess.context import AssessmentContext
    from qtrust.assess.prepared import PreparedData
    from qtrust.config.schema import AuditConfig

R = TypeVar("R")

__all__ = ["Assessment", "CardContext", "ReportContext", "ReportSection"]


class Assessment(ABC, Generic[R]):
    """Base class of every assessment; subclasses set the class attributes and implement :meth:`run`."""

    #: registry key; also the key of its section in ``results.json``
    name: ClassVar[str]
    #: what its findings are about (the report groups verdicts by topic)
    topic: ClassVar[Topic]
    #: its record, metric paths and vocabulary; ``None`` for an assessment that only reports findings
    section: ClassVar[Section | None] = None
    #: its config section: a field of ``AuditConfig`` or a key of ``config.extensions``
    config_key: ClassVar[str | None] = None
    config_model: ClassVar[type[BaseModel] | None] = None
    #: key of its run time in ``result.timings``: its name when empty, not timed on its own when ``None``
    timing: ClassVar[str | None] = ""

    @property
    def timing_key(self) -> str | None:
        return self.name if self.timing == "" else self.timing

    def settings(self, ctx: AssessmentContext) -> Any:
        """Its config section, validated (``None`` when it declares none)."""
        if self.config_key is None or self.config_model is None:
            return None
        return ctx.section(self.config_key, self.config_model)

    def check(self, config: AuditConfig, data: PreparedData) -> None:
        """Refuse a config that cannot work on this data, before any model is trained."""

    @abstractmethod
    def run(self, ctx: AssessmentContext) -> R:
        """Measure, and return the record for ``results.json`` (``None`` or ``[]`` when it did not apply)."""

    def findings(self, ctx: AssessmentContext, record: R) -> list[Finding]:
        """Plain-language verdicts on ``record``, each with the numbers it rests on."""
        return []

    def report_section(self, value: R, report: ReportContext) -> ReportSection | None:
        """Its section of the HTML report; by default its numbers by metric path (``None``: no section)."""
        if self.section is None:
            return None
        return numbers_section(self.section, value, report)

    def card_section(self, value: R, card: CardContext) -> str | None:
        """Its part of the model card's quantum-specific properties, in Markdown (``None``: nothing)."""
        return None
