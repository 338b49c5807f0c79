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

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from qtrust.results.schema import AuditResult, Estimate

Status = Literal["exact", "within_ci", "mismatch", "missing", "extra"]
STATUSES: tuple[Status, ...] = ("exact", "within_ci", "mismatch", "missing", "extra")


def _finite(value: Any) -> float | None:
    """A float, or None for anything undefined (None, NaN, ±inf), so undefined compares equal to undefined."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class RecordedMetric:
    """One number of an audit: its value, its interval (when it has one), and whether it is shot-sampled."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    stochastic: bool = False

    def __post_init__(self) -> None:
        # NaN != NaN would make an undefined metric never reproduce; normalise to None once, here.
        object.__setattr__(self, "value", _finite(self.value))
        object.__setattr__(self, "ci_low", _finite(self.ci_low))
        object.__setattr__(self, "ci_high", _finite(self.ci_high))
        object.__setattr__(self, "stochastic", bool(self.stochastic))

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON form: ``{"value": v}``, plus ``"ci": [lo, hi]`` and ``"stochastic": true`` when set.

        Defaults are omitted because a results table holds thousands of these and most have neither.
        """
        out: dict[str, Any] = {"value": self.value}
        if self.ci_low is not None or self.ci_high is not None:
            out["ci"] = [self.ci_low, self.ci_high]
        if self.stochastic:
            out["stochastic"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordedMetric:
        """Inverse of :meth:`to_dict`; unknown keys are an error so a misspelt field is not silently lost."""
        unknown = set(data) - {"value", "ci", "stochastic"}
        if unknown:
            raise ValueError(f"unknown RecordedMetric fields: {sorted(unknown)}")
        if "value" not in data:
            raise ValueError("a RecordedMetric needs a 'value' (null when undefined)")
        ci = data.get("ci")
        if ci is None:
            low = high = None
        else:
            if len(ci) != 2:
                raise ValueError(f"'ci' must be [low, high], got {ci!r}")
            low, high = ci
        return cls(value=data["value"], ci_low=low, ci_high=high, stochastic=bool(data.get("stochastic")))


def _segment(name: object) -> str:
    """One path segment: a ``/`` inside a name must not split it (``%`` is escaped first, so it is reversible)."""
    return str(name).replace("%", "%25").replace("/", "%2F")


def _number(level: float) -> str:
    """Shortest round-trip decimal, ``1.0`` written ``1``: how a level is written in a config."""
    text = repr(float(level))
    return text[:-2] if text.endswith(".0") else text


class _Table:
    """Collects entries and refuses a path twice: two numbers under one name would make gates ambiguous."""

    def __init__(self) -> None:
        self.entries: dict[str, RecordedMetric] = {}

    def add(self, parts: Iterable[object], metric: RecordedMetric) -> None:
        path = "/".join(_segment(p) for p in parts)
        if path in self.entries:
            raise ValueError(f"metric path {path!r} occurs twice in the audit result; names must be unique")
        self.entries[path] = metric

    def number(self, parts: Iterable[object], value: Any, *, stochastic: bool) -> None:
        self.add(parts, RecordedMetric(value=_finite(value), stochastic=stochastic))

    def estimate(self, parts: Iterable[object], est: Estimate, *, stochastic: bool) -> None:
        self.add(parts, RecordedMetric(est.value, est.ci_low, est.ci_high, stochastic))

    def estimates(
        self, prefix: tuple[object, ...], metrics: Mapping[str, Estimate], *, stochastic: bool
    ) -> None:
        for key, est in metrics.items():
            self.estimate((*prefix, key), est, stochastic=stochastic)


def flatten_metrics(result: AuditResult) -> dict[str, RecordedMetric]:
    """Every numeric outcome of ``result`` under its path (see the module docstring for the scheme).

    The order follows the result (fairness, noise, shots, reproducibility, variance, comparisons), so two
    flattenings of the same result list their paths identically.
    """
    table = _Table()

    for fair in result.fairness:
        table.estimates(("fairness", fair.model, "overall"), fair.overall, stochastic=False)
        for group in fair.by_group:
            table.estimates(("fairness", fair.model, f"group={group.group}"), group.metrics, stochastic=False)

    for sweep in result.noise:
        table.estimates(("noise", sweep.model, "reference"), sweep.reference, stochastic=False)
        for point in sweep.points:
            setting = f"{point.channel}@{_number(point.level)}"
            table.estimates(("noise", sweep.model, setting), point.metrics, stochastic=False)
            for key, change in point.change.items():
                table.number(("noise", sweep.model, setting, "change", key), change, stochastic=False)
        for tol in sweep.tolerance:
            prefix = ("noise", sweep.model, "tolerance", tol.channel)
            table.number((*prefix, "accuracy_break"), tol.accuracy_break, stochastic=False)
            table.number((*prefix, "fairness_break"), tol.fairness_break, stochastic=False)
            table.number((*prefix, "tolerated_up_to"), tol.tolerated_up_to, stochastic=False)
            table.number(
                (*prefix, "fairness_fails_without_noise"),
                float(tol.fairness_fails_without_noise),
                stochastic=False,
            )
        for device in sweep.devices:
            setting = f"device={device.device}:{device.layout}"
            table.estimates(("noise", sweep.model, setting), device.metrics, stochastic=False)
            for key, change in device.change.items():
                table.number(("noise", sweep.model, setting, "change", key), change, stochastic=False)

    for shots in result.shots:
        table.estimates(("shots", shots.model, "exact"), shots.exact, stochastic=False)
        for point in shots.points:
            prefix = ("shots", shots.model, point.shots)
            table.estimate((*prefix, "flip_rate"), point.flip_rate, stochastic=True)
            table.estimates(prefix, point.metrics, stochastic=True)
            for key, sd in point.shot_sd.items():
                table.number((*prefix, "shot_sd", key), sd, stochastic=True)
        # Both come from the flip-rate upper bounds, so they inherit the shot sampling.
        table.number(("shots", shots.model, "minimum_shots"), shots.minimum_shots, stochastic=True)
        table.number(("shots", shots.model, "extrapolated_shots"), shots.extrapolated_shots, stochastic=True)

    for repro in result.reproducibility:
        for summary in repro.metrics:
            prefix = ("reproducibility", repro.model, summary.metric)
            table.add((*prefix, "mean"), RecordedMetric(summary.mean, summary.ci_low, summary.ci_high))
            table.number((*prefix, "sd"), summary.sd, stochastic=False)
            if len(summary.values) != len(repro.seeds):
                raise ValueError(
                    f"reproducibility of {repro.model!r}: {len(summary.values)} values of {summary.metric!r} "
                    f"for {len(repro.seeds)} seeds"
                )
            for seed, value in zip(repro.seeds, summary.values, strict=True):
                table.number((*prefix, f"seed={seed}"), value, stochastic=False)

    for repro in result.reproducibility:
        for split in repro.variance:
            prefix = ("variance", repro.model, split.metric, split.shots)
            for part in (
                "mean",
                "seed",
                "shot",
                "data",
                "total",
                "fraction_seed",
                "fraction_shot",
                "fraction_data",
            ):
                table.number((*prefix, part), getattr(split, part), stochastic=True)

    for comp in result.comparisons:
        pair = f"{comp.quantum_model}-vs-{comp.baseline}"
        for paired in comp.metrics:
            prefix = ("comparison", pair, paired.metric)
            table.add(
                (*prefix, "difference"), RecordedMetric(paired.difference, paired.ci_low, paired.ci_high)
            )
            table.number((*prefix, "quantum"), paired.quantum, stochastic=False)
            table.number((*prefix, "classical"), paired.classical, stochastic=False)
            table.number((*prefix, "p_value"), paired.p_value, stochastic=False)
        mcnemar = ("comparison", pair, "mcnemar")
        table.number((*mcnemar, "p_value"), comp.mcnemar.p_value, stochastic=False)
        table.number((*mcnemar, "quantum_only_correct"), comp.mcnemar.quantum_only_correct, stochastic=False)
        table.number(
            (*mcnemar, "classical_only_correct"), comp.mcnemar.classical_only_correct, stochastic=False
        )

    for cert in result.certified_fairness:
        for point in cert.points:
            if point.channel == "none":
                setting = "reference"
            elif point.device is not None:
                setting = f"device={point.device}"
            else:
                setting = f"{point.channel}@{_number(point.level)}"
            prefix = ("certified", cert.model, setting)
            table.number((*prefix, "lipschitz"), point.lipschitz, stochastic=False)
            table.number((*prefix, "lipschitz_max"), point.lipschitz_max, stochastic=False)
            table.number((*prefix, "fair"), 1.0 if point.fair else 0.0, stochastic=False)
        if cert.bias_pair is not None:
            for part in ("reachable_gap", "p_high", "p_low"):
                table.number(
                    ("certified", cert.model, "bias_pair", part),
                    getattr(cert.bias_pair, part),
                    stochastic=False,
                )

    if result.privacy:
        for model in result.privacy.get("models", []):
            for setting in model["settings"]:
                noise = setting["noise"]
                label = "exact" if noise == "noiseless" else noise.replace("=", "@")
                if setting["shots"] is not None:
                    label = (
                        f"shots={setting['shots']}"
                        if noise == "noiseless"
                        else f"{label}+shots={setting['shots']}"
                    )
                stochastic = setting["shots"] is not None
                for attack, found in setting["attacks"].items():
                    prefix = ("privacy", model["model"], attack, label)
                    table.estimate((*prefix, "auc"), Estimate(**found["auc"]), stochastic=stochastic)
                    if found.get("auc_drop"):
                        table.estimate(
                            (*prefix, "auc_drop"), Estimate(**found["auc_drop"]), stochastic=stochastic
                        )
                    for fpr, est in found.get("tpr_at_fpr", {}).items():
                        table.estimate((*prefix, f"tpr@{fpr}"), Estimate(**est), stochastic=stochastic)
            attribute = model.get("attribute_inference")
            if attribute:
                table.estimate(
                    ("privacy", model["model"], "attribute", "auc"),
                    Estimate(**attribute["auc"]),
                    stochastic=False,
                )
                table.estimate(
                    ("privacy", model["model"], "attribute", "accuracy"),
                    Estimate(**attribute["accuracy"]),
                    stochastic=False,
                )

    if result.robustness:
        for name, doc in result.robustness.get("certified", {}).items():
            for point in doc["epsilons"]:
                prefix = ("robustness", name, "certified", f"eps={_number(point['epsilon'])}")
                for part in ("robust_accuracy", "bound_certified_fraction", "robust_fraction"):
                    table.number((*prefix, part), point[part], stochastic=False)
        for name, doc in result.robustness.get("empirical", {}).items():
            for g in doc["gaussian"]:
                prefix = ("robustness", name, "gaussian", f"sigma={_number(g['sigma'])}")
                table.number((*prefix, "accuracy"), g["accuracy_mean"], stochastic=False)
                table.number(
                    (*prefix, "equalized_odds_difference"),
                    g["equalized_odds_difference_mean"],
                    stochastic=False,
                )
                table.number((*prefix, "flip_rate"), g["flip_rate"], stochastic=False)
            for a in doc["linf"]:
                prefix = ("robustness", name, "linf", f"eps={_number(a['epsilon'])}")
                for part in ("accuracy", "equalized_odds_difference", "flip_rate", "attack_success_rate"):
                    table.number((*prefix, part), a[part], stochastic=False)

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
