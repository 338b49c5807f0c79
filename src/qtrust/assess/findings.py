"""Plain-language verdicts: what a research lead and a policy lead should take away, with the numbers.

Each finding states one claim, its severity (``pass``, ``warn``, ``fail``, ``info``) and the evidence it
rests on. Thresholds come from the ``verdicts`` section of the config; formal release gates are separate
(``qtrust gate``). Severity rules: a fairness bound *fails* when the point estimate breaks it, *warns* when
only the far end of the 95% interval does (inconclusive), and *passes* when the whole interval is inside.
"""

from __future__ import annotations

import numpy as np

from qtrust.assess.context import AssessmentContext
from qtrust.metrics import metric_info
from qtrust.results.schema import (
    ComparisonResult,
    Estimate,
    FairnessResult,
    Finding,
    NoiseSweepResult,
    ReproducibilityResult,
    ShotsResult,
)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _ci(e: Estimate) -> str:
    return f"{_num(e.value)} (95% CI {_num(e.ci_low)}–{_num(e.ci_high)})"


def _upper_bound_finding(model: str, key: str, est: Estimate, limit: float, fid: str) -> Finding:
    name = metric_info(key).name
    evidence = {
        "metric": key,
        "value": est.value,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "limit": limit,
    }
    if est.value is None:
        return Finding(
            id=fid,
            severity="warn",
            topic="fairness",
            model=model,
            title=f"{name} is undefined",
            detail=f"{name} could not be computed (a group has no positive or no negative cases).",
            evidence=evidence,
        )
    if est.value > limit:
        severity, verdict, short = (
            "fail",
            f"exceeds the limit of {limit:g}",
            f"exceeds the limit of {limit:g}",
        )
    elif est.ci_high is not None and est.ci_high > limit:
        severity = "warn"
        verdict = f"is below {limit:g}, but the upper end of its 95% interval is not (inconclusive)"
        short = f"inconclusive against the limit of {limit:g}"
    else:
        severity = "pass"
        verdict = short = f"stays below {limit:g} across its whole 95% interval"
    return Finding(
        id=fid,
        severity=severity,
        topic="fairness",
        model=model,
        title=f"{name} {_num(est.value)}: {short}",
        detail=f"{metric_info(key).meaning} For {model}: {_ci(est)}, which {verdict}.",
        evidence=evidence,
    )


def _disparate_impact_finding(model: str, est: Estimate, limit: float) -> Finding:
    evidence = {"metric": "disparate_impact_ratio", "value": est.value, "ci_low": est.ci_low, "limit": limit}
    if est.value is None:
        severity = "warn"
        verdict = short = "is undefined (no one receives the favourable decision)"
    elif est.value < limit:
        severity = "fail"
        verdict = short = f"is below the four-fifths threshold of {limit:g}"
    elif est.ci_low is not None and est.ci_low < limit:
        severity = "warn"
        verdict = f"meets {limit:g}, but the lower end of its 95% interval does not (inconclusive)"
        short = f"inconclusive against the threshold of {limit:g}"
    else:
        severity = "pass"
        verdict = short = f"meets {limit:g} across its whole 95% interval"
    return Finding(
        id=f"{model}.fairness.disparate_impact",
        severity=severity,
        topic="fairness",
        model=model,
        title=f"Disparate impact ratio {_num(est.value)}: {short}",
        detail=(
            "The least-favoured group's selection rate divided by the most-favoured group's. "
            f"For {model}: {_ci(est)}, which {verdict}."
        ),
        evidence=evidence,
    )


def fairness_findings(ctx: AssessmentContext, fairness: list[FairnessResult]) -> list[Finding]:
    v = ctx.config.verdicts
    out = []
    for result in fairness:
        if result.model not in {m.name for m in ctx.candidates}:
            continue
        o = result.overall
        out.append(
            _upper_bound_finding(
                result.model,
                "equalized_odds_difference",
                o["equalized_odds_difference"],
                v.max_equalized_odds_difference,
                f"{result.model}.fairness.equalized_odds",
            )
        )
        out.append(
            _upper_bound_finding(
                result.model,
                "demographic_parity_difference",
                o["demographic_parity_difference"],
                v.max_demographic_parity_difference,
                f"{result.model}.fairness.demographic_parity",
            )
        )
        out.append(
            _disparate_impact_finding(result.model, o["disparate_impact_ratio"], v.min_disparate_impact_ratio)
        )
    return out


def comparison_findings(ctx: AssessmentContext, comparisons: list[ComparisonResult]) -> list[Finding]:
    out = []
    classical = {m.name for m in ctx.models if m.family == "classical"}
    alpha = 1 - ctx.config.statistics.confidence
    for quantum in ctx.candidates:
        rows = [c for c in comparisons if c.quantum_model == quantum.name]
        against_classical = [c for c in rows if c.baseline in classical]
        if against_classical:
            best = max(against_classical, key=lambda c: _metric(c, "accuracy").classical or 0.0)
            acc = _metric(best, "accuracy")
            evidence = acc.model_dump() | {"baseline": best.baseline, "mcnemar_p": best.mcnemar.p_value}
            diff = f"{_num(acc.difference)} (95% CI {_num(acc.ci_low)} to {_num(acc.ci_high)}, p = {_num(acc.p_value)})"
            if acc.ci_high is not None and acc.ci_high < 0:
                severity, title = "warn", f"{quantum.name} is less accurate than the best classical baseline"
            elif acc.ci_low is not None and acc.ci_low > 0:
                severity, title = "pass", f"{quantum.name} is more accurate than the best classical baseline"
            else:
                severity, title = (
                    "info",
                    f"{quantum.name} is not measurably better than classical {best.baseline}",
                )
            out.append(
                Finding(
                    id=f"{quantum.name}.performance.vs_classical",
                    severity=severity,
                    topic="performance",
                    model=quantum.name,
                    title=title,
                    detail=(
                        f"Accuracy {_num(acc.quantum)} against {_num(acc.classical)} for {best.baseline}, the most "
                        f"accurate classical baseline on the same rows and seeds; difference {diff}. "
                        + (
                            "The quantum model's cost and risk are not repaid by accuracy here."
                            if severity != "pass"
                            else "The gain holds on this test set; confirm on new data."
                        )
                    ),
                    evidence=evidence,
                )
            )
        for c in rows:
            shifted = [
                m
                for m in c.metrics
                if m.metric not in ("accuracy", "auc") and m.p_value is not None and m.p_value < alpha
            ]
            if shifted:
                parts = "; ".join(
                    f"{metric_info(m.metric).name} {_num(m.quantum)} vs {_num(m.classical)} "
                    f"(difference {_num(m.difference)}, p = {_num(m.p_value)})"
                    for m in shifted
                )
                out.append(
                    Finding(
                        id=f"{quantum.name}.fairness.shift_vs_{c.baseline}",
                        severity="warn",
                        topic="fairness",
                        model=quantum.name,
                        title=f"{quantum.name} treats the groups differently from {c.baseline}",
                        detail=(
                            f"On identical rows and seeds the quantum model shifts whom it is fair to: {parts}. "
                            "Check which group gains and which loses before choosing between the models."
                        ),
                        evidence={"baseline": c.baseline, "metrics": [m.model_dump() for m in shifted]},
                    )
                )
        control = [c for c in rows if any(m.name == c.baseline and m.role == "control" for m in ctx.models)]
        for c in control:
            acc = _metric(c, "accuracy")
            if acc.ci_low is not None and acc.ci_low > 0:
                continue
            out.append(
                Finding(
                    id=f"{quantum.name}.performance.vs_control",
                    severity="info",
                    topic="performance",
                    model=quantum.name,
                    title="Entanglement adds no measurable accuracy",
                    detail=(
                        f"{c.baseline}, the same circuit without entangling gates (classically simulable), reaches "
                        f"{_num(acc.classical)} against {_num(acc.quantum)}; difference {_num(acc.difference)} "
                        f"(95% CI {_num(acc.ci_low)} to {_num(acc.ci_high)})."
                    ),
                    evidence=acc.model_dump() | {"control": c.baseline},
                )
            )
    return out


def _metric(c: ComparisonResult, key: str):
    return next(m for m in c.metrics if m.metric == key)


def noise_findings(ctx: AssessmentContext, sweeps: list[NoiseSweepResult]) -> list[Finding]:
    """One finding per candidate and channel, read from the recorded :class:`ChannelTolerance`."""
    v = ctx.config.verdicts
    out = []
    candidates = {m.name for m in ctx.candidates}
    for sweep in sweeps:
        if sweep.model not in candidates:
            continue
        for tol in sweep.tolerance:
            points = {p.level: p for p in sweep.points if p.channel == tol.channel}
            name = tol.channel.replace("_", " ")
            fid = f"{sweep.model}.noise.{tol.channel}"
            evidence = tol.model_dump()
            if tol.accuracy_break is None and tol.fairness_break is None:
                worst = min((p.change.get("accuracy") or 0.0) for p in points.values())
                out.append(
                    Finding(
                        id=fid,
                        severity="pass",
                        topic="noise",
                        model=sweep.model,
                        title=f"Robust to {name} up to {tol.max_level:g}",
                        detail=(
                            f"Accuracy changes by at most {_num(worst)} at every tested strength up to "
                            f"{tol.max_level:g}; "
                            + (
                                "the equalised-odds gap is over its limit already without noise (see the "
                                "fairness findings)."
                                if tol.fairness_fails_without_noise
                                else f"the equalised-odds gap stays within {v.max_equalized_odds_difference:g}."
                            )
                        ),
                        evidence=evidence,
                    )
                )
                continue
            parts = []
            if tol.accuracy_break is not None:
                drop = -(points[tol.accuracy_break].change.get("accuracy") or 0.0)
                parts.append(
                    f"accuracy falls by {_num(drop)} at strength {tol.accuracy_break:g} (limit {v.max_accuracy_drop:g})"
                )
            if tol.fairness_break is not None:
                gap = points[tol.fairness_break].metrics["equalized_odds_difference"].value
                parts.append(
                    f"the equalised-odds gap reaches {_num(gap)} at {tol.fairness_break:g} "
                    f"(limit {v.max_equalized_odds_difference:g})"
                )
            tolerated = (
                f"Tolerated up to {tol.tolerated_up_to:g}. "
                if tol.tolerated_up_to is not None
                else "Not tolerated at any tested strength. "
            )
            out.append(
                Finding(
                    id=fid,
                    severity="warn",
                    topic="noise",
                    model=sweep.model,
                    title=f"Sensitive to {name} noise",
                    detail=f"Under {name} noise "
                    + " and ".join(parts)
                    + ". "
                    + tolerated
                    + "Compare with the error rates of the target device before deployment.",
                    evidence=evidence,
                )
            )
    return out


def device_findings(ctx: AssessmentContext, sweeps: list[NoiseSweepResult]) -> list[Finding]:
    """One finding per candidate and device calibration snapshot: does it keep its accuracy and fairness?"""
    v = ctx.config.verdicts
    candidates = {m.name for m in ctx.candidates}
    out = []
    for sweep in sweeps:
        if sweep.model not in candidates:
            continue
        for point in sweep.devices:
            drop = -(point.change.get("accuracy") or 0.0)
            gap = point.metrics["equalized_odds_difference"]
            reference_gap = sweep.reference["equalized_odds_difference"].value or 0.0
            problems = []
            if drop > v.max_accuracy_drop:
                problems.append(f"accuracy falls by {_num(drop)} (limit {v.max_accuracy_drop:g})")
            if (gap.value or 0.0) > v.max_equalized_odds_difference >= reference_gap:
                problems.append(
                    f"the equalised-odds gap reaches {_num(gap.value)} {_ci(gap)} "
                    f"(limit {v.max_equalized_odds_difference:g}; {_num(reference_gap)} without noise)"
                )
            where = (
                f"the {point.device} calibration snapshot of {point.calibration_date or 'unknown date'} "
                f"({point.layout} qubits {', '.join(map(str, point.physical_qubits)) or 'n/a'})"
            )
            out.append(
                Finding(
                    id=f"{sweep.model}.device.{point.device}.{point.layout}",
                    severity="warn" if problems else "pass",
                    topic="noise",
                    model=sweep.model,
                    title=(
                        f"{sweep.model} on {point.device} ({point.layout} qubits): "
                        + ("; ".join(problems) if problems else f"accuracy changes by {_num(-drop)}")
                    ),
                    detail=(
                        f"Scored under every channel and readout error of {where}: accuracy "
                        f"{_num(point.metrics['accuracy'].value)} against {_num(sweep.reference['accuracy'].value)} "
                        f"noiseless, equalised-odds gap {_num(gap.value)} {_ci(gap)}. The snapshot is an offline "
                        "calibration record, not the device today; re-run against a current one before deployment."
                    ),
                    evidence={
                        "device": point.device,
                        "layout": point.layout,
                        "calibration_date": point.calibration_date,
                        "accuracy_change": point.change.get("accuracy"),
                        "equalized_odds_difference": gap.value,
                    },
                )
            )
    return out


def shot_findings(ctx: AssessmentContext, shots: list[ShotsResult]) -> list[Finding]:
    out = []
    for result in shots:
        if result.model not in {m.name for m in ctx.candidates}:
            continue
        points = sorted(result.points, key=lambda p: p.shots)
        rates = ", ".join(f"{p.shots:,} shots: {_pct(p.flip_rate.value)}" for p in points)
        evidence = {
            "flip_rates": {p.shots: p.flip_rate.value for p in points},
            "minimum_shots": result.minimum_shots,
            "extrapolated_shots": result.extrapolated_shots,
        }
        if result.minimum_shots is None:
            more = (
                f" Extrapolating the 1/√shots trend, about {result.extrapolated_shots:,} shots would be needed "
                "(verify before relying on it)."
                if result.extrapolated_shots
                else ""
            )
            out.append(
                Finding(
                    id=f"{result.model}.shots",
                    severity="warn",
                    topic="shots",
                    model=result.model,
                    title="Shot noise flips decisions at every tested budget",
                    detail=(
                        f"Share of decisions that differ from the exact-probability decision — {rates}. None keeps "
                        f"its upper bound below {_pct(result.flip_limit)}; people near the threshold get a decision "
                        "that depends on measurement luck." + more
                    ),
                    evidence=evidence,
                )
            )
        else:
            out.append(
                Finding(
                    id=f"{result.model}.shots",
                    severity="pass",
                    topic="shots",
                    model=result.model,
                    title=f"At least {result.minimum_shots:,} shots keep decisions stable",
                    detail=(
                        f"Share of decisions flipped by shot noise — {rates}. From {result.minimum_shots:,} shots "
                        f"the upper bound stays below {_pct(result.flip_limit)}."
                    ),
                    evidence=evidence,
                )
            )
    return out


def reproducibility_findings(ctx: AssessmentContext, results: list[ReproducibilityResult]) -> list[Finding]:
    v = ctx.config.verdicts
    out = []
    for result in results:
        if result.model not in {m.name for m in ctx.candidates}:
            continue
        acc = next(m for m in result.metrics if m.metric == "accuracy")
        if result.note:
            out.append(
                Finding(
                    id=f"{result.model}.reproducibility",
                    severity="info",
                    topic="reproducibility",
                    model=result.model,
                    title="Stability across training seeds not measured (one supplied fitted model)",
                    detail=f"Accuracy {_num(acc.mean)}; {result.note}.",
                    evidence={"note": result.note},
                )
            )
            continue
        split = next((s for s in result.variance if s.metric == "accuracy"), None)
        shares = (
            (
                f" Of the accuracy variance at {split.shots:,} shots, {_pct(split.fraction_seed)} comes from the "
                f"training seed, {_pct(split.fraction_shot)} from shot noise and {_pct(split.fraction_data)} from "
                "the finite test set."
            )
            if split
            else ""
        )
        severity = "warn" if (acc.sd or 0.0) > v.max_seed_sd else "pass"
        out.append(
            Finding(
                id=f"{result.model}.reproducibility",
                severity=severity,
                topic="reproducibility",
                model=result.model,
                title=(
                    f"Accuracy varies with the training seed (sd {_num(acc.sd)})"
                    if severity == "warn"
                    else f"Training is reproducible across seeds (sd {_num(acc.sd)})"
                ),
                detail=(
                    f"Over {len(result.seeds)} training seeds accuracy is {_num(acc.mean)} ± {_num(acc.sd)} "
                    f"(95% CI {_num(acc.ci_low)}–{_num(acc.ci_high)}); limit {v.max_seed_sd:g}." + shares
                ),
                evidence={"sd": acc.sd, "values": acc.values},
            )
        )
    return out


def data_findings(ctx: AssessmentContext) -> list[Finding]:
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


def derive_findings(ctx, fairness, comparisons, sweeps, shots, reproducibility) -> list[Finding]:
    order = {"fail": 0, "warn": 1, "pass": 2, "info": 3}
    findings = (
        data_findings(ctx)
        + comparison_findings(ctx, comparisons)
        + fairness_findings(ctx, fairness)
        + noise_findings(ctx, sweeps)
        + device_findings(ctx, sweeps)
        + shot_findings(ctx, shots)
        + reproducibility_findings(ctx, reproducibility)
    )
    return sorted(findings, key=lambda f: order[f.severity])
