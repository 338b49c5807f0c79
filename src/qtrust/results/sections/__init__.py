"""qtrust's own result sections, one module per assessment, registered in the order they run.

Each module holds the typed records of one assessment, the metric paths it writes
(``write_metrics``), their vocabulary and its topic: what a reader of ``results.json`` needs without
running anything. The run side of each lives in :mod:`qtrust.assess.builtin`. The ``data`` topic has no
section: data checks only produce findings.
"""

from __future__ import annotations

from qtrust.results.registry import REGISTRY, Topic
from qtrust.results.sections import (
    certified,
    comparison,
    fairness,
    noise,
    privacy,
    reproducibility,
    robustness,
    shots,
)

DATA_TOPIC = Topic("data", "Data", "Is the data fit to judge the model?", 90)

#: Registration order is run order and metric-path order.
BUILTIN = (
    fairness.SECTION,
    noise.SECTION,
    shots.SECTION,
    reproducibility.SECTION,
    comparison.SECTION,
    certified.SECTION,
    privacy.SECTION,
    robustness.SECTION,
)
for _section in BUILTIN:
    REGISTRY.add_section(_section)
REGISTRY.add_topic(DATA_TOPIC)

__all__ = ["BUILTIN", "DATA_TOPIC"]
