"""The one registry of assessments: what every reader of an audit and the runner look up by name.

An assessment has two sides, and they sit in different layers on purpose:

* its **section** (:class:`Section`): the typed record it writes into ``results.json``, the metric paths it
  adds to the flat table, the policy-path vocabulary those paths use, and the topic its findings belong to;
* its **run side** (``qtrust.assess.contract.Assessment``): config section, the run on the typed context,
  the findings, and the report and model-card sections beside it.

Both go into the single :data:`REGISTRY` below, one entry per name. The runner
(:mod:`qtrust.audit.runner`) reads the assessments; ``flatten_metrics``, policy validation, the report's
topics and sections and the model card read the same entries.

Why the registry's types and storage live here, in the ground layer, and not in ``qtrust.assess``: the
readers of a result sit below ``assess`` (``results``, ``policy``, ``report``), and some of them run
without any assessment being imported — ``qtrust gate`` and ``qtrust plan register`` validate a policy and
flatten a ``results.json`` in a fresh process that never imports ``qtrust.assess``. So the half of an
assessment that those readers need (the record, its metric paths, its vocabulary, its topic) must be
importable from here: the built-in sections register when :mod:`qtrust.results` is imported
(``qtrust.results.sections``), as their record types always were part of the result. The run side
registers into the same entry when :mod:`qtrust.assess` is imported, because it needs the assessment
context, the models and the report helpers of higher layers. Passing the registry down as an argument from
``audit`` instead would leave those shells without one. Nothing here imports a higher layer, statically or
by name: an assessment outside qtrust (or a test's toy) calls :meth:`Registry.register` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, TypeAdapter

from qtrust.results.recorded import MetricTable


@dataclass(frozen=True)
class Topic:
    """What a finding is about: the report's verdict groups and scorecard columns, in ``order``."""

    key: str
    title: str
    question: str
    order: int


@dataclass(frozen=True)
class MetricRoot:
    """The first segment of some metric paths and the names that may end them besides metric keys.

    ``prefixes`` admit a family of final segments (``seed=3``); ``fields`` name them one by one. Policy
    validation refuses a pattern whose root or last segment is in no section's vocabulary: a typo caught
    when the policy is written, not a check that silently judges nothing.
    """

    root: str
    fields: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def admits(self, last: str) -> bool:
        return last in self.fields or (bool(self.prefixes) and last.startswith(self.prefixes))


@dataclass(frozen=True)
class Section:
    """Where an assessment's record sits in ``results.json`` and what its numbers are called.

    ``name`` is the key in ``results.json`` (a field of ``AuditResult`` for qtrust's own assessments, a
    key of ``AuditResult.extensions`` for any other). ``record`` is the pydantic model of one entry; with
    ``many`` the section is a list of them (one per model), else one record or ``None``. ``write_metrics``
    adds the section's numbers to the flat table under ``roots``.
    """

    name: str
    topic: Topic
    record: type[BaseModel]
    write_metrics: Callable[[Any, MetricTable], None]
    roots: tuple[MetricRoot, ...]
    many: bool = True

    def adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(list[self.record] if self.many else self.record | None)  # type: ignore[name-defined]

    def parse(self, value: Any) -> Any:
        """A section read back from JSON (or already typed) as its records."""
        return self.adapter().validate_python(value)

    def is_empty(self, value: Any) -> bool:
        return value is None or (self.many and not value)


class Presented(Protocol):
    """The run side of an assessment, as the readers below ``assess`` see it (see ``qtrust.assess.contract``).

    The report and the model card call these with the section's value and their own context; ``None``
    means "nothing to show".
    """

    name: str
    topic: Topic
    section: Section | None

    def report_section(self, value: Any, report: Any) -> Any: ...

    def card_section(self, value: Any, card: Any) -> Any: ...


@dataclass
class Entry:
    """One assessment by name: its section (readers), its run side (runner, report, card), or both."""

    name: str
    topic: Topic
    section: Section | None = None
    assessment: Presented | None = None


@dataclass
class Registry:
    """Assessments in registration order, which is the order they run in and write their metric paths."""

    entries: dict[str, Entry] = field(default_factory=dict)
    _topics: dict[str, Topic] = field(default_factory=dict)

    # --- registering ------------------------------------------------------------------------------------

    def add_topic(self, topic: Topic) -> Topic:
        """Declare a topic; declaring the same key again must say the same thing."""
        known = self._topics.get(topic.key)
        if known is not None and known != topic:
            raise ValueError(f"topic {topic.key!r} is already registered as {known}, not {topic}")
        self._topics.setdefault(topic.key, topic)
        return topic

    def add_section(self, section: Section) -> Entry:
        """Declare a section (its record, metric paths and vocabulary) before or without its run side."""
        entry = self.entries.get(section.name)
        if entry is not None and entry.section is not None and entry.section is not section:
            raise ValueError(f"a section named {section.name!r} is already registered")
        taken = {r.root: name for name, e in self.entries.items() if e.section for r in e.section.roots}
        for root in section.roots:
            owner = taken.get(root.root)
            if owner is not None and owner != section.name:
                raise ValueError(f"metric root {root.root!r} of {section.name!r} is already {owner!r}'s")
        self.add_topic(section.topic)
        if entry is None:
            entry = self.entries[section.name] = Entry(section.name, section.topic)
        entry.section = section
        return entry

    def register(self, assessment: Presented) -> Presented:
        """Register an assessment's run side, with its section and topic; returns it (usable as a decorator
        on an instance). Registering a second, different assessment under a taken name is an error."""
        if assessment.section is not None:
            if assessment.section.name != assessment.name:
                raise ValueError(f"assessment {assessment.name!r} writes section {assessment.section.name!r}")
            self.add_section(assessment.section)
        self.add_topic(assessment.topic)
        entry = self.entries.setdefault(assessment.name, Entry(assessment.name, assessment.topic))
        if entry.assessment is not None and type(entry.assessment) is not type(assessment):
            raise ValueError(f"an assessment named {assessment.name!r} is already registered")
        entry.assessment = assessment
        return assessment

    def unregister(self, name: str) -> None:
        """Remove an entry and the topics only it used (for tests and plug-in unloading)."""
        entry = self.entries.pop(name)
        if not any(e.topic.key == entry.topic.key for e in self.entries.values()):
            self._topics.pop(entry.topic.key, None)

    @contextmanager
    def registered(self, assessment: Presented) -> Iterator[Presented]:
        """``with REGISTRY.registered(MyAssessment()):`` — registered inside the block only."""
        self.register(assessment)
        try:
            yield assessment
        finally:
            self.unregister(assessment.name)

    # --- reading ----------------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self.entries.values()))

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def sections(self) -> list[Section]:
        return [e.section for e in self.entries.values() if e.section is not None]

    def assessments(self) -> list[Any]:
        """The registered run sides, in run order."""
        return [e.assessment for e in self.entries.values() if e.assessment is not None]

    def topics(self) -> list[Topic]:
        """Every topic, in report order (``order``, then first registration)."""
        index = {key: i for i, key in enumerate(self._topics)}
        return sorted(self._topics.values(), key=lambda t: (t.order, index[t.key]))

    def topic_order(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.topics())

    def vocabulary(self) -> Mapping[str, MetricRoot]:
        """Metric root -> what may end its paths, over every registered section."""
        return {r.root: r for s in self.sections() for r in s.roots}


#: The registry qtrust reads. Its built-in sections register in :mod:`qtrust.results.sections`, the
#: built-in run sides in :mod:`qtrust.assess`.
REGISTRY = Registry()
