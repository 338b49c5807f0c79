"""How an assessment puts its part into the report and the model card.

Every registered assessment may render a section of the HTML report (:class:`ReportSection`, from its
``report_section``) and a part of the model card's quantum-specific properties (Markdown, from its
``card_section``). They render beside the assessment, usually from a template fragment in a ``templates``
folder of the assessment's own package, with this module's :class:`ReportContext` / :class:`CardContext`:
the same helpers, macros and escaping as the rest of the report. A registered section whose assessment
brings no renderer (its run side is not imported, or it has none) still shows its numbers, from its metric
paths (:func:`numbers_section`), so no measured number silently disappears from the report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report._jinja import html_environment, markdown_environment
from qtrust.report.html_values import GROUP_METRICS, HELPERS, NOISE_METRICS, SHORT_NAMES, TABLE_METRICS
from qtrust.results.recorded import MetricTable
from qtrust.results.registry import REGISTRY, Entry, Registry, Section
from qtrust.results.schema import AuditResult, ModelRecord

__all__ = [
    "CardContext",
    "ReportContext",
    "ReportSection",
    "card_environment",
    "numbers_section",
    "presented",
    "report_environment",
]


@dataclass(frozen=True)
class ReportSection:
    """One ``<section>`` of the report: its anchor, its table-of-contents label, its heading and body."""

    id: str
    nav: str
    title: str
    html: Markup


@functools.cache
def report_environment(package: str | None = None) -> jinja2.Environment:
    """The report's HTML environment, also finding templates in ``package``'s ``templates`` folder."""
    base = html_environment()
    if package is None:
        return base
    assert base.loader is not None
    return base.overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader(package, "templates"), base.loader]))


@functools.cache
def card_environment(package: str | None = None) -> jinja2.Environment:
    """The model card's Markdown environment, also finding templates in ``package``'s ``templates`` folder."""
    base = markdown_environment()
    if package is None:
        return base
    assert base.loader is not None
    return base.overlay(loader=jinja2.ChoiceLoader([jinja2.PackageLoader(package, "templates"), base.loader]))


@dataclass
class ReportContext:
    """What every report section renders with: the result, metric metadata and the model colours."""

    result: AuditResult
    info: dict[str, dict[str, Any]]
    colors: dict[str, str]

    @property
    def verdicts(self) -> dict[str, Any]:
        return derive.verdicts(self.result)

    def values(self) -> dict[str, Any]:
        """The names every report template sees (the macros in ``_macros.html.j2`` read them)."""
        result = self.result
        return {
            "r": result,
            "view": self,
            "f": fmt,
            "derive": derive,
            "info": self.info,
            "verdicts": self.verdicts,
            "short": SHORT_NAMES,
            "table_metrics": TABLE_METRICS,
            "noise_metrics": NOISE_METRICS,
            "group_metrics": GROUP_METRICS,
            "role_label": lambda name: derive.role_label(derive.find_model(result, name)),
            **HELPERS,
        }

    def render(self, package: str, template: str, **values: Any) -> Markup:
        """Render ``template`` from ``package``'s ``templates`` folder into HTML (autoescaped)."""
        page = report_environment(package).get_template(template)
        return Markup(page.render(**self.values(), **values))


@dataclass
class CardContext:
    """What every model-card part renders with: the result and the model the card describes."""

    result: AuditResult
    model: ModelRecord
    info: dict[str, dict[str, Any]]

    @property
    def verdicts(self) -> dict[str, Any]:
        return derive.verdicts(self.result)

    def render(self, package: str, template: str, **values: Any) -> Markup:
        """Render ``template`` from ``package``'s ``templates`` folder into Markdown (values escaped)."""
        page = card_environment(package).get_template(template)
        base = {"r": self.result, "m": self.model, "f": fmt, "info": self.info, "verdicts": self.verdicts}
        return Markup(page.render(**base, **values))


def presented(registry: Registry = REGISTRY) -> list[Entry]:
    """Registered entries in report order: by topic, then in registration order."""
    order = {key: i for i, key in enumerate(registry.topic_order())}
    entries = list(registry)
    return sorted(entries, key=lambda e: (order.get(e.topic.key, len(order)), entries.index(e)))


_NUMBERS = jinja2.Template(
    """<p class="small muted">{{ section.topic.question }} The numbers this assessment recorded, by metric
path:</p>
<div class="table-wrap"><table class="numbers"><thead><tr><th>metric path</th><th class="n">value</th>
<th class="n">95% CI</th></tr></thead><tbody>
{% for path, m in rows %}<tr><td><code>{{ path }}</code></td><td class="n">{{ h_num(m.value, 4) }}</td>
<td class="n">{{ h_interval(m.ci_low, m.ci_high) }}</td></tr>
{% endfor %}</tbody></table></div>
""",
    autoescape=True,
)


def numbers_section(section: Section, value: Any, report: ReportContext) -> ReportSection | None:
    """A registered section with no renderer of its own: its metric paths and values as a table."""
    if section.is_empty(value):
        return None
    table = MetricTable()
    section.write_metrics(value, table)
    html = _NUMBERS.render(section=section, rows=table.entries.items(), **HELPERS)
    title = fmt.humanise(section.name).capitalize()
    return ReportSection(section.name, title, title, Markup(html))
