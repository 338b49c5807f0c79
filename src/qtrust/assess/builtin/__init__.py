"""qtrust's own assessments, one module each with its findings and its report and model-card parts
beside it (template fragments in ``templates/``), registered in the order they run.

The order matters where one assessment builds on another through the context: noise compares with the
clean summaries fairness leaves, reproducibility splits the variance of the shot draws shots leaves.
"""

from __future__ import annotations

from qtrust.assess.builtin.certified import CertifiedFairnessAssessment
from qtrust.assess.builtin.comparison import ComparisonAssessment
from qtrust.assess.builtin.data import DataChecks
from qtrust.assess.builtin.fairness import FairnessAssessment
from qtrust.assess.builtin.noise import NoiseAssessment
from qtrust.assess.builtin.privacy import PrivacyAssessment
from qtrust.assess.builtin.reproducibility import ReproducibilityAssessment
from qtrust.assess.builtin.robustness import RobustnessAssessment
from qtrust.assess.builtin.shots import ShotsAssessment
from qtrust.results.registry import REGISTRY

BUILTIN = (
    FairnessAssessment(),
    NoiseAssessment(),
    ShotsAssessment(),
    ReproducibilityAssessment(),
    ComparisonAssessment(),
    CertifiedFairnessAssessment(),
    PrivacyAssessment(),
    RobustnessAssessment(),
    DataChecks(),
)
for _assessment in BUILTIN:
    REGISTRY.register(_assessment)

__all__ = [
    "BUILTIN",
    "CertifiedFairnessAssessment",
    "ComparisonAssessment",
    "DataChecks",
    "FairnessAssessment",
    "NoiseAssessment",
    "PrivacyAssessment",
    "ReproducibilityAssessment",
    "RobustnessAssessment",
    "ShotsAssessment",
]
