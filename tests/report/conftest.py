"""A small but complete AuditResult built in code, so report tests need no audit run and no files."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from qtrust.assess.noise import channel_tolerance
from qtrust.assess.shots import shot_advice
from qtrust.config.schema import VerdictConfig
from qtrust.metrics import METRIC_INFO
from qtrust.metrics._engine import OVERALL_METRICS
from qtrust.results.schema import (
    AuditResult,
    ComparisonResult,
    DatasetRecord,
    Estimate,
    FairnessResult,
    Finding,
    GroupMetrics,
    GroupRecord,
    McNemar,
    ModelFit,
    ModelRecord,
    NoisePoint,
    NoiseSweepResult,
    PairedMetric,
    ReproducibilityResult,
    SeedSummary,
    ShotPoint,
    ShotsResult,
    VarianceSplit,
)

OVERALL = OVERALL_METRICS
CHANNELS = ("depolarizing", "readout")
LEVELS = (0.0, 0.001, 0.01)
SEEDS = (0, 1, 2)
VERDICTS = {
    "max_equalized_odds_difference": 0.1,
    "max_demographic_parity_difference": 0.1,
    "min_disparate_impact_ratio": 0.8,
    "max_accuracy_drop": 0.02,
    "max_seed_sd": 0.02,
    "max_flip_rate": 0.01,
    "min_group_test_rows": 30,
}


def est(value: float | None, half: float = 0.04) -> Estimate:
    if value is None:
        return Estimate(value=None, n_draws=3, n_boot=100, n_undefined=100, method="percentile bootstrap")
    return Estimate(
        value=value,
        ci_low=value - half,
        ci_high=value + half,
        sd=0.01,
        n_draws=3,
        n_boot=100,
        method="percentile",
    )


def overall(base: float) -> dict[str, Estimate]:
    """Plausible overall metrics around accuracy ``base``."""
    values = {
        "accuracy": base,
        "auc": base + 0.07,
        "brier": 0.2,
        "selection_rate": 0.6,
        "tpr": 0.71,
        "fpr": 0.33,
        "demographic_parity_difference": 0.105,
        "disparate_impact_ratio": 0.83,
        "equalized_odds_difference": 0.08,
        "equal_opportunity_difference": 0.05,
    }
    return {k: est(v) for k, v in values.items()}


def circuit(n_qubits: int, depth: int, two_qubit: int) -> dict[str, Any]:
    return {
        "name": "variational",
        "n_qubits": n_qubits,
        "depth": depth,
        "encoding_depth": 1,
        "trainable_depth": depth - 1,
        "two_qubit_gates": two_qubit,
        "gate_counts": {"RY": 2 * n_qubits, "CNOT": two_qubit},
        "n_weights": 2 * n_qubits,
        "encode_first": True,
        "entangling": two_qubit > 0,
        "measurement": {"qubits": list(range(n_qubits)), "rule": "mean"},
    }


def fits(training: bool) -> list[ModelFit]:
    out = []
    for seed in SEEDS:
        description: dict[str, Any] = {"kind": "x"}
        if training:
            description["training"] = {
                "optimizer": "L-BFGS-B",
                "gradient": "analytic",
                "iterations": 40 + seed,
                "final_loss": 0.56,
                "converged": seed != 1,
                "train_noise": {
                    "depolarizing_convention": "pennylane: rho -> (1-p) rho + p/3 (XrX + YrY + ZrZ)",
                    "placement": "after every matching gate, on each of its wires",
                },
            }
        out.append(ModelFit(seed=seed, train_seconds=0.5 + seed, description=description))
    return out


def model(
    name: str, family: str, role: str, kind: str, qubits: int = 0, depth: int = 0, two: int = 0
) -> ModelRecord:
    quantum = family == "quantum"
    return ModelRecord(
        name=name,
        family=family,
        role=role,
        kind=kind,
        params={"kind": kind, "max_iter": 60, "rotations": ["RY", "RZ"]},
        fits=fits(training=quantum),
        circuit=circuit(qubits, depth, two) if quantum else None,
        simulation={"path": "heisenberg", "reason": "encode-first circuit"} if quantum else None,
    )


def fairness(name: str, base: float) -> FairnessResult:
    groups = [
        GroupMetrics(
            group="female",
            n_test=93,
            metrics={
                "accuracy": est(base - 0.02),
                "tpr": est(0.64),
                "fpr": est(0.28),
                "selection_rate": est(0.52),
            },
        ),
        GroupMetrics(
            group="male",
            n_test=207,
            metrics={
                "accuracy": est(base + 0.01),
                "tpr": est(0.72),
                "fpr": est(0.35),
                "selection_rate": est(0.62),
            },
        ),
    ]
    return FairnessResult(model=name, n_draws=3, overall=overall(base), by_group=groups)


def sweep(name: str, base: float) -> NoiseSweepResult:
    points = []
    for channel in CHANNELS:
        for i, level in enumerate(LEVELS[1:], start=1):
            drop = 0.012 * i if channel == "depolarizing" else 0.0
            metrics = overall(base - drop)
            metrics["equalized_odds_difference"] = est(
                0.08 + (0.015 * i if channel == "depolarizing" else 0.0)
            )
            change = {k: (metrics[k].value or 0) - (overall(base)[k].value or 0) for k in OVERALL}
            points.append(
                NoisePoint(
                    channel=channel,
                    level=level,
                    label=f"{channel}={level:g}",
                    path="heisenberg",
                    metrics=metrics,
                    change=change,
                )
            )
    tolerance = [
        channel_tolerance(VerdictConfig(), c, [p for p in points if p.channel == c]) for c in CHANNELS
    ]
    return NoiseSweepResult(
        model=name,
        channels=list(CHANNELS),
        levels=list(LEVELS),
        reference=overall(base),
        points=points,
        tolerance=tolerance,
    )


def shots(name: str, base: float) -> ShotsResult:
    points = [
        ShotPoint(
            shots=budget,
            n_draws=30,
            flip_rate=Estimate(value=rate, ci_low=rate * 0.6, ci_high=rate * 1.4, n_draws=30, n_boot=100),
            metrics=overall(base),
            shot_sd={k: 0.01 for k in OVERALL},
        )
        for budget, rate in ((100, 0.085), (1000, 0.021), (10000, 0.004))
    ]
    minimum, extrapolated = shot_advice(points, 0.01)
    return ShotsResult(
        model=name,
        repeats=10,
        exact=overall(base),
        points=points,
        flip_limit=0.01,
        minimum_shots=minimum,
        extrapolated_shots=extrapolated,
    )


def reproducibility(name: str, base: float, quantum: bool) -> ReproducibilityResult:
    metrics = [
        SeedSummary(
            metric=key,
            values=[base + d for d in (0.0, 0.01, -0.01)],
            mean=base,
            sd=0.01,
            ci_low=base - 0.02,
            ci_high=base + 0.02,
        )
        for key in ("accuracy", "auc", "equalized_odds_difference")
    ]
    variance = []
    if quantum:
        variance = [
            VarianceSplit(
                metric=key,
                shots=1000,
                mean=base,
                seed=1e-5,
                shot=3e-5,
                data=6e-4,
                total=6.4e-4,
                fraction_seed=0.05,
                fraction_shot=0.1,
                fraction_data=0.85,
            )
            for key in ("accuracy", "auc")
        ]
    return ReproducibilityResult(model=name, seeds=list(SEEDS), metrics=metrics, variance=variance)


def paired(metric: str, q: float, c: float, lo: float, hi: float, p: float) -> PairedMetric:
    return PairedMetric(
        metric=metric,
        quantum=q,
        classical=c,
        difference=q - c,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        favours="quantum" if q > c else "classical",
    )


def comparison(quantum: str, baseline: str, *, shift: bool = False) -> ComparisonResult:
    metrics = [
        paired("accuracy", 0.6933, 0.7478, -0.0990, -0.0044, 0.016),
        paired("auc", 0.7692, 0.7817, -0.0421, 0.0134, 0.631),
        paired("demographic_parity_difference", 0.1054, 0.0753, -0.0517, 0.1301, 0.541),
        paired("equalized_odds_difference", 0.0800, 0.0893, -0.1310, 0.1530, 0.878),
    ]
    if shift:
        metrics[2] = paired("demographic_parity_difference", 0.2054, 0.0553, 0.0612, 0.2410, 0.004)
    return ComparisonResult(
        quantum_model=quantum,
        baseline=baseline,
        n_seeds=3,
        metrics=metrics,
        mcnemar=McNemar(quantum_only_correct=18, classical_only_correct=29, p_value=0.144),
    )


def findings(names: list[str]) -> list[Finding]:
    q = names[0]
    return [
        Finding(
            id=f"{q}.fairness.demographic_parity",
            severity="fail",
            topic="fairness",
            model=q,
            title="Demographic parity difference 0.105 exceeds the limit of 0.1",
            detail="Gap between the groups most and least often given the favourable decision.",
            evidence={"value": 0.105, "limit": 0.1},
        ),
        Finding(
            id=f"{q}.shots",
            severity="warn",
            topic="shots",
            model=q,
            title="Shot noise flips decisions at every tested budget",
            detail="100 shots: 8.5%, 1,000 shots: 2.1%.",
            evidence={"flip_rates": {"100": 0.085, "1000": 0.021}},
        ),
        Finding(
            id=f"{q}.reproducibility",
            severity="pass",
            topic="reproducibility",
            model=q,
            title="Training is reproducible across seeds (sd 0.010)",
            detail="Over 3 training seeds accuracy is 0.693 ± 0.010.",
        ),
        Finding(
            id="data.note.0",
            severity="info",
            topic="data",
            title="Data preparation note",
            detail="0.1% of test angles fell outside the training range and were clipped",
        ),
    ]


def dataset() -> DatasetRecord:
    return DatasetRecord(
        name="german_credit",
        digest="ab" * 32,
        provenance={
            "name": "german_credit",
            "source": "https://archive.ics.uci.edu/dataset/144/statlog+german+credit+data",
            "licence": "CC BY 4.0",
            "sha256": "cd" * 32,
            "citation": "Hofmann, H. (1994). Statlog (German Credit Data).",
            "extra": {"sensitive_rule": "female = A92 or A95"},
        },
        n_rows=1000,
        n_train=700,
        n_test=300,
        label_name="credit_risk",
        positive_label="good",
        sensitive="sex",
        sensitive_source_columns=["personal_status_sex"],
        model_features=["duration_months", "credit_amount"],
        groups=[
            GroupRecord(
                group="female", n_train=217, n_test=93, favourable_rate_train=0.65, favourable_rate_test=0.645
            ),
            GroupRecord(
                group="male", n_train=483, n_test=207, favourable_rate_train=0.723, favourable_rate_test=0.725
            ),
        ],
        split={"test_size": 0.3, "seed": 123, "stratified_by": "label x group"},
        preprocessing={
            "n_qubits": 4,
            "reduction": "pls",
            "angle_range": [0.0, 3.14159],
            "clip": True,
            "explained_variance_total": 0.32,
            "components": [
                {
                    "qubit": 0,
                    "explained_variance_ratio": 0.09,
                    "top_loadings": [{"feature": "duration_months", "loading": 0.55}],
                }
            ],
        },
    )


def build_result(
    quantum: tuple[str, ...] = ("vqc", "qkernel"),
    baselines: tuple[str, ...] = ("logistic",),
    *,
    control: str | None = "no_entanglement",
    shift: bool = False,
) -> AuditResult:
    """An AuditResult with the given quantum candidates, classical baselines and optional control."""
    models = [
        model(n, "quantum", "candidate", "variational", qubits=4 + i, depth=12 + i, two=6 + i)
        for i, n in enumerate(quantum)
    ]
    models += [model(n, "classical", "baseline", "logistic_regression") for n in baselines]
    if control:
        models.append(model(control, "quantum", "control", "variational", qubits=4, depth=5, two=0))
    bases = {m.name: 0.66 + 0.01 * (i % 8) for i, m in enumerate(models)}
    quantum_names = [m.name for m in models if m.family == "quantum"]
    references = [*baselines, *([control] if control else [])]
    return AuditResult(
        qtrust_version="0.1.0",
        created_at="2026-11-25T14:28:33+00:00",
        duration_seconds=81.9,
        config={
            "seed": 0,
            "statistics": {"confidence": 0.95, "n_boot": 100, "n_permutations": 200},
            "verdicts": VERDICTS,
        },
        environment={
            "python": "3.11.7",
            "platform": "Linux",
            "machine": "x86_64",
            "cpu_count": 2,
            "packages": {"numpy": "2"},
        },
        seeds={
            "root": 0,
            "training_seeds": list(SEEDS),
            "split": 123,
            "derivation": "sha256 of a label path",
        },
        dataset=dataset(),
        models=models,
        fairness=[fairness(m.name, bases[m.name]) for m in models],
        noise=[sweep(n, bases[n]) for n in quantum_names],
        shots=[shots(n, bases[n]) for n in quantum_names],
        reproducibility=[reproducibility(m.name, bases[m.name], m.family == "quantum") for m in models],
        comparisons=[
            comparison(q, b, shift=shift and b == references[0]) for q in quantum for b in references
        ],
        findings=findings(list(quantum)) if quantum else [],
        metric_info={k: v.to_dict() for k, v in METRIC_INFO.items()},
        timings={"training": 6.0, "noise": 71.9},
    )


@pytest.fixture
def result() -> AuditResult:
    return build_result()


@pytest.fixture
def make_result():
    """``make_result(quantum=..., baselines=..., control=..., shift=...)`` builds a fresh AuditResult."""
    return build_result


@pytest.fixture
def make_estimate():
    return est


class Tree(HTMLParser):
    """Checks tag balance and collects visible text and elements with their attributes."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = self._in_style or tag == "style"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]} at {self.getpos()}")
            return
        self.stack.pop()
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)

    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in want.items())]


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


@pytest.fixture
def parse_html():
    """``parse_html(text)`` → a :class:`Tree` (tag balance errors, visible text, elements)."""
    return parse
