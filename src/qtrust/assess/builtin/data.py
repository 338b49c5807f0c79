"""Data checks: is the data fit to judge the model? Findings only — no section, no metric paths.

Groups with fewer test rows than ``verdicts.min_group_test_rows`` get a warning (their metrics have wide
intervals); every note data preparation made (dropped rows, clipped values) becomes an info finding.
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment
from qtrust.results.schema import Finding
from qtrust.results.sections import DATA_TOPIC


class DataChecks(Assessment[None]):
    """Checks of the prepared data itself."""

    name = "data"
    topic = DATA_TOPIC
    timing = None

    def run(self, ctx: AssessmentContext) -> None:
        return None

    def findings(self, ctx: AssessmentContext, record: None) -> list[Finding]:
        v = ctx.config.verdicts
        out = []
        groups, counts = np.unique(ctx.data.groups_test, return_counts=True)
        small = [(str(g), int(n)) for g, n in zip(groups, counts, strict=True) if n < v.min_group_test_rows]
        if small:
            out.append(
                Finding(
                    id="data.small_groups",
                    severity="warn",
                    topic="data",
                    title="Some groups are too small to judge",
                    detail=(
                        "Test rows per group: "
                        + ", ".join(f"{g}: {n}" for g, n in small)
                        + f" (below {v.min_group_test_rows}). Their metrics have wide intervals."
                    ),
                    evidence={"groups": dict(small)},
                )
            )
        for note in ctx.data.notes:
            out.append(
                Finding(
                    id=f"data.note.{len(out)}",
                    severity="info",
                    topic="data",
                    title="Data preparation note",
                    detail=note,
                )
            )
        return out
