"""Every number an audit measured, flattened to one path each, and the rule for re-checking them.

An :class:`~qtrust.results.schema.AuditResult` nests its numbers in per-model, per-channel, per-budget
records. Reproducing an audit ("does a re-run give the same numbers?") and gating a release ("is this number
within its limit?") both need to name a single number, so :func:`flatten_metrics` lays the result out as a
flat table ``path -> RecordedMetric``. The paths are the public names of the numbers: release-gate policies
refer to metrics by them, so the scheme below is stable and derived only from names the schema already
uses (model names, metric keys such as ``accuracy`` or ``tpr``, channel names, shot budgets, seeds).

Path scheme (``<metric>`` is a key of the schema's metric dicts, e.g. ``equalized_odds_difference``)::

    fairness/<model>/overall/<metric>                        Estimate on exact noiseless predictions
    fairness/<model>/group=<group>/<metric>                  per-group Estimate
    noise/<model>/reference/<metric>                         noiseless reference Estimate of the sweep
    noise/<model>/<channel>@<level>/<metric>                 Estimate under that noise setting
    noise/<model>/<channel>@<level>/change/<metric>          metric minus its noiseless value
    noise/<model>/tolerance/<channel>/<field>                accuracy_break, fairness_break,
                                                             tolerated_up_to, fairness_fails_without_noise
    noise/<model>/device=<device>:<layout>/<metric>          Estimate under a device calibration snapshot
    noise/<model>/device=<device>:<layout>/change/<metric>   metric minus its noiseless value
    shots/<model>/exact/<metric>                             Estimate on exact probabilities (shots = 0)
    shots/<model>/<shots>/flip_rate                          share of decisions flipped by shot noise
    shots/<model>/<shots>/<metric>                           Estimate over shot-sampled draws
    shots/<model>/<shots>/shot_sd/<metric>                   sd of the metric over shot draws
    shots/<model>/minimum_shots | extrapolated_shots         shot advice
    reproducibility/<model>/<metric>/mean                    mean over training seeds (CI: t-interval)
    reproducibility/<model>/<metric>/sd                      sd over training seeds
    reproducibility/<model>/<metric>/seed=<seed>             the metric of one training seed
    variance/<model>/<metric>/<shots>/<part>                 mean, seed, shot, data, total,
                                                             fraction_seed, fraction_shot, fraction_data
    comparison/<quantum>-vs-<baseline>/<metric>/<field>      difference (CI: paired bootstrap),
                                                             quantum, classical, p_value
    comparison/<quantum>-vs-<baseline>/mcnemar/<field>       p_value, quantum_only_correct,
                                                             classical_only_correct
    certified/<model>/reference/<field>                      lipschitz (K*), lipschitz_max (over seeds),
    certified/<model>/<channel>@<level>/<field>              fair (1.0 / 0.0): certified fairness
    certified/<model>/device=<device>:<layout>/<field>       … under a device calibration snapshot
    privacy/<model>/<attack>/<setting>/<field>               attack: loss, shadow, lira; setting: exact,
                                                             shots=<n>, <channel>@<level>; field: auc,
                                                             auc_drop (vs exact), tpr@<fpr>
    privacy/<model>/attribute/<field>                        auc, accuracy of attribute inference
    robustness/<model>/certified/eps=<ε>/<field>             robust_accuracy, bound_certified_fraction,
                                                             robust_fraction (Guan, Fang & Ying 2021)
    robustness/<model>/gaussian/sigma=<σ>/<field>            accuracy, equalized_odds_difference, flip_rate
    robustness/<model>/linf/eps=<ε>/<field>                  … and attack_success_rate under the L∞ attack
    certified/<model>/bias_pair/<field>                      reachable_gap, p_high, p_low: the widest output
                                                             gap found inside the encoding's reach
    <root>/...                                               any other registered assessment's own paths

Each assessment writes its own part (``write_metrics`` of its section in :mod:`qtrust.results.sections`,
or of a section registered from outside qtrust); :func:`flatten_metrics` walks the registry
(:mod:`qtrust.results.registry`) in order and lets each section write into one table, which refuses a
path twice.

Conventions: ``<level>`` is the shortest decimal that round-trips the float, with a trailing ``.0`` dropped
(``0.01``, ``0.05``, ``1``, ``1e-05``), so it matches how levels are written in a config; every noise
setting has an ``@`` and no other segment there does, so ``noise/<model>/*@*/<metric>`` selects the noisy
settings without the reference. Booleans are 1.0 / 0.0. A ``/`` or ``%`` inside a name is written ``%2F`` /
``%25`` so a name can never add a segment.
Undefined numbers (``null`` in ``results.json``, NaN, ±inf) are kept as ``None`` rather than dropped: a
metric that was undefined and is now defined is a difference worth reporting. Inputs echoed in the result
(``flip_limit``, tolerance ``max_level``, the tested levels, group sizes), training diagnostics and timings
are not outcomes and are left out; the dataset digest and the config already pin the inputs down.

Which numbers are stochastic: ``stochastic=True`` marks exactly the numbers computed from shot-sampled
draws — every ``ShotPoint`` number (flip rate, metrics, ``shot_sd``), the shot advice derived from the flip
rate bounds (``minimum_shots``, ``extrapolated_shots``), and every ``VarianceSplit`` number (the whole
decomposition, its seed and data parts included, is estimated from the reference-budget shot draws).
Everything else comes from exact probabilities (noiseless or exactly simulated noise, shots = 0), and the
bootstrap intervals and permutation p-values on them are seeded, so it is deterministic given the recorded
seeds. :func:`compare_metrics` holds deterministic numbers to exact equality and lets stochastic ones fall
within the recorded interval, because shot sampling may legitimately differ between platforms or library
versions while the exact path must not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from qtrust.results.recorded import MetricTable, RecordedMetric
from qtrust.results.registry import REGISTRY, Registry
from qtrust.results.schema import AuditResult

Status = Literal["exact", "within_ci", "mismatch", "missing", "extra"]
STATUSES: tuple[Status, ...] = ("exact", "within_ci", "mismatch", "missing", "extra")

__all__ = [
    "STATUSES",
    "MetricComparison",
    "RecordedMetric",
    "ReproductionReport",
    "compare_metrics",
    "flatten_metrics",
    "metric_paths_matching",
]


def flatten_metrics(result: AuditResult, registry: Registry = REGISTRY) -> dict[str, RecordedMetric]:
    """Every numeric outcome of ``result`` under its path (see the module docstring for the scheme).

    The order follows the registry (fairness, noise, shots, reproducibility and variance, comparisons,
    certified fairness, privacy, robustness, then any other registered section), so two flattenings of the
    same result list their paths identically. A section in ``extensions`` whose assessment is not
    registered cannot be read and adds nothing.
    """
    table = MetricTable()
    for section in registry.sections():
        value = result.section_value(section.name)
        if not section.is_empty(value):
            section.write_metrics(value, table)
    return table.entries


def metric_paths_matching(table: Mapping[str, Any], pattern: str) -> list[str]:
    """Paths of ``table`` matching ``pattern``, in table order.

    The pattern has as many ``/``-separated segments as the paths it matches; each segment is an
    :func:`fnmatch.fnmatchcase` pattern, so ``*`` stands for exactly one segment (never crosses a ``/``):
    ``fairness/*/overall/accuracy`` names every model's accuracy but not a per-group one. Matching is
    case-sensitive so a policy means the same on every platform.
    """
    wanted = pattern.split("/")
    out = []
    for path in table:
        parts = path.split("/")
        if len(parts) == len(wanted) and all(fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True)):
            out.append(path)
    return out


@dataclass
class MetricComparison:
    """The verdict on one path: how the reproduced number relates to the recorded one, in words too."""

    path: str
    recorded: RecordedMetric | None
    reproduced: RecordedMetric | None
    status: Status
    detail: str


@dataclass
class ReproductionReport:
    """All per-path verdicts of one reproduction; ``ok`` is the pass/fail answer."""

    comparisons: list[MetricComparison]

    @property
    def ok(self) -> bool:
        """True when nothing differs beyond the rule and nothing recorded is missing (extras are fine)."""
        return not any(c.status in ("mismatch", "missing") for c in self.comparisons)

    @property
    def counts(self) -> dict[str, int]:
        """Number of paths per status, every status listed (zeros included) so readers need no defaults."""
        counted = Counter(c.status for c in self.comparisons)
        return {status: counted.get(status, 0) for status in STATUSES}

    @property
    def mismatches(self) -> list[MetricComparison]:
        return [c for c in self.comparisons if c.status == "mismatch"]


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.10g}"


def _compare_one(
    path: str, recorded: RecordedMetric, reproduced: RecordedMetric, tolerance: float
) -> MetricComparison:
    def verdict(status: Status, detail: str) -> MetricComparison:
        return MetricComparison(path, recorded, reproduced, status, detail)

    old, new = recorded.value, reproduced.value
    if old is None and new is None:
        return verdict("exact", "undefined in both")
    if old is None or new is None:
        return verdict("mismatch", f"recorded {_fmt(old)}, reproduced {_fmt(new)}")
    delta = abs(new - old)
    both = f"recorded {_fmt(old)}, reproduced {_fmt(new)}"
    if delta <= tolerance:
        return verdict("exact", f"{both}, |Δ| = {delta:.1e} ≤ {tolerance:.0e}")
    if not recorded.stochastic:
        return verdict(
            "mismatch", f"{both}, |Δ| = {delta:.1e} > {tolerance:.0e} (deterministic: must be exact)"
        )
    low, high = recorded.ci_low, recorded.ci_high
    if low is None or high is None:
        return verdict(
            "mismatch", f"{both}, |Δ| = {delta:.1e} > {tolerance:.0e} and no recorded CI to fall within"
        )
    ci = f"[{_fmt(low)}, {_fmt(high)}]"
    if low - tolerance <= new <= high + tolerance:
        return verdict("within_ci", f"{both}, |Δ| = {delta:.1e}, within the recorded CI {ci}")
    return verdict("mismatch", f"{both}, |Δ| = {delta:.1e}, outside the recorded CI {ci}")


def compare_metrics(
    recorded: Mapping[str, RecordedMetric],
    reproduced: Mapping[str, RecordedMetric],
    *,
    exact_tolerance: float = 1e-9,
) -> ReproductionReport:
    """Check a reproduction against the recorded table, path by path.

    The rule: a deterministic number must match exactly (absolute difference at most ``exact_tolerance``,
    or undefined in both); a stochastic one must match exactly or lie within the *recorded* interval
    ``[ci_low, ci_high]`` (widened by ``exact_tolerance`` for float rounding at the bounds); without a
    recorded interval it must match exactly. Whether a number is stochastic is read from the recorded
    side: the recording is the contract a reproduction is held to. A recorded path absent from the
    reproduction is ``missing`` (a failure); a reproduced path not recorded is ``extra`` (reported, not a
    failure: a newer qtrust may measure more).
    """
    if not exact_tolerance >= 0:
        raise ValueError(f"exact_tolerance must be >= 0, got {exact_tolerance!r}")
    comparisons = []
    for path, old in recorded.items():
        new = reproduced.get(path)
        if new is None:
            comparisons.append(
                MetricComparison(path, old, None, "missing", f"recorded {_fmt(old.value)}, not reproduced")
            )
        else:
            comparisons.append(_compare_one(path, old, new, exact_tolerance))
    for path, new in reproduced.items():
        if path not in recorded:
            comparisons.append(
                MetricComparison(path, None, new, "extra", f"reproduced {_fmt(new.value)}, not recorded")
            )
    return ReproductionReport(comparisons)
