"""A toy assessment that lives in the test folder only: proof that one module and one registration are all
an assessment needs to reach results.json, the metric paths, a release gate, the report and the model card.

It scores every model by its mean clean P(favourable) plus a configurable offset (``config.extensions.toy``).
"""

from __future__ import annotations

from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.results.recorded import MetricTable
from qtrust.results.records import Record
from qtrust.results.registry import MetricRoot, Section, Topic
from qtrust.results.schema import Finding


class ToyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    offset: float = 0.0


class ToyScore(Record):
    model: str
    score: float


def write_metrics(scores: list[ToyScore], table: MetricTable) -> None:
    for s in scores:
        table.number(("toy", s.model, "score"), s.score)


TOPIC = Topic("toy", "Toy", "Does the toy score stay low?", 80)
SECTION = Section(
    name="toy",
    topic=TOPIC,
    record=ToyScore,
    write_metrics=write_metrics,
    roots=(MetricRoot("toy", frozenset({"score"})),),
)


class ToyAssessment(Assessment[list[ToyScore]]):
    name = "toy"
    topic = TOPIC
    section = SECTION
    config_key = "toy"
    config_model = ToyConfig

    def run(self, ctx: AssessmentContext) -> list[ToyScore]:
        offset = self.settings(ctx).offset
        return [ToyScore(model=m.name, score=float(ctx.clean[m.name].mean()) + offset) for m in ctx.models]

    def findings(self, ctx: AssessmentContext, record: list[ToyScore]) -> list[Finding]:
        return [
            Finding(
                id=f"toy-{s.model}",
                severity="info",
                topic="toy",
                model=s.model,
                title=f"{s.model}: toy score {s.score:.4f}",
                detail="The mean clean probability of the favourable outcome, plus the configured offset.",
            )
            for s in record
        ]

    def report_section(self, value: list[ToyScore], report: ReportContext) -> ReportSection | None:
        if not value:
            return None
        rows = Markup("").join(
            Markup('<li data-toy="{}">{}: {:.4f}</li>').format(s.model, s.model, s.score) for s in value
        )
        return ReportSection("toy", "Toy", "Toy scores", Markup("<ul>") + rows + Markup("</ul>"))

    def card_section(self, value: list[ToyScore], card: CardContext) -> str | None:
        score = next((s.score for s in value if s.model == card.model.name), None)
        return None if score is None else f"### Toy score\n\n- **Toy score:** {escape(f'{score:.4f}')}\n"
