"""The noise sweep: every quantum model re-scored under each channel, strength and device calibration.

Findings give one verdict per candidate and channel (from the recorded tolerance) and per device
snapshot. The report section draws each metric against noise strength with its 95% band and the verdict
threshold; the model card lists the tolerance per channel and the device results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from qtrust.assess.context import AssessmentContext
from qtrust.assess.contract import Assessment, CardContext, ReportContext, ReportSection
from qtrust.assess.findings import accuracy_change, ci, num, worst_accuracy_change
from qtrust.assess.noise import sweep_noise
from qtrust.config.schema import NoiseSweepConfig
from qtrust.report import _derive as derive
from qtrust.report import _format as fmt
from qtrust.report import charts
from qtrust.report.html_values import NOISE_METRICS
from qtrust.results.schema import AuditResult, Estimate, Finding, NoiseSweepResult
from qtrust.results.sections import noise as spec

TEMPLATES = "qtrust.assess.builtin"
NOT_RECORDED = "not recorded"


# --- findings ---------------------------------------------------------------------------------------------


def channel_findings(ctx: AssessmentContext, sweeps: list[NoiseSweepResult]) -> list[Finding]:
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
                            f"Accuracy {worst_accuracy_change(worst)} at every tested strength up to "
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
                    f"accuracy falls by {num(drop)} at strength {tol.accuracy_break:g} (limit {v.max_accuracy_drop:g})"
                )
            if tol.fairness_break is not None:
                gap = points[tol.fairness_break].metrics["equalized_odds_difference"].value
                parts.append(
                    f"the equalised-odds gap reaches {num(gap)} at {tol.fairness_break:g} "
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
            change = point.change.get("accuracy") or 0.0
            drop = -change
            gap = point.metrics["equalized_odds_difference"]
            reference_gap = sweep.reference["equalized_odds_difference"].value or 0.0
            problems = []
            if drop > v.max_accuracy_drop:
                problems.append(f"accuracy falls by {num(drop)} (limit {v.max_accuracy_drop:g})")
            if (gap.value or 0.0) > v.max_equalized_odds_difference >= reference_gap:
                problems.append(
                    f"the equalised-odds gap reaches {num(gap.value)} {ci(gap)} "
                    f"(limit {v.max_equalized_odds_difference:g}; {num(reference_gap)} without noise)"
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
                        + ("; ".join(problems) if problems else f"accuracy {accuracy_change(change)}")
                    ),
                    detail=(
                        f"Scored under every channel and readout error of {where}: accuracy "
                        f"{num(point.metrics['accuracy'].value)} against {num(sweep.reference['accuracy'].value)} "
                        f"noiseless, equalised-odds gap {num(gap.value)} {ci(gap)}. The snapshot is an offline "
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


# --- report -----------------------------------------------------------------------------------------------


@dataclass
class NoiseView:
    model: str
    grid: list[tuple[str, list[Markup]]]
    table: list[dict[str, Any]]
    path_note: str
    profiles: list[derive.ChannelProfile]


def _path(path: str | None) -> str:
    """A simulation path name; empty or ``unknown`` reads as not recorded."""
    return path if path and path != "unknown" else NOT_RECORDED


def _noise_view(
    report: ReportContext, sweep: NoiseSweepResult, domains: dict[str, tuple[float, float]]
) -> NoiseView:
    result = report.result
    profiles = derive.channel_profiles(result, sweep)
    max_drop = derive.threshold(result, "max_accuracy_drop")
    limits = {
        "equalized_odds_difference": derive.threshold(result, "max_equalized_odds_difference"),
        "demographic_parity_difference": derive.threshold(result, "max_demographic_parity_difference"),
    }
    paths = [_path(p.path) for p in sweep.points]
    main_path = max(set(paths), key=paths.count) if paths else None
    grid = []
    table = []
    for ci_, profile in enumerate(profiles):
        panels = []
        for key in NOISE_METRICS:
            ref = sweep.reference.get(key)
            ests = [sweep.reference.get(key)] + [p.metrics.get(key) for p in profile.points]
            limit = limits.get(key)
            if key == "accuracy" and max_drop is not None and ref is not None and fmt.is_number(ref.value):
                limit = ref.value - max_drop

            def broken(e: Estimate | None, key: str = key, limit: float | None = limit) -> bool:
                if e is None or not fmt.is_number(e.value) or limit is None:
                    return False
                return e.value < limit if key == "accuracy" else e.value > limit

            series = charts.NoiseSeries(
                model=sweep.model,
                channel=profile.channel,
                metric=key,
                metric_name=fmt.metric_name(report.info, key),
                levels=[0.0] + [p.level for p in profile.points],
                values=[e.value if e else None for e in ests],
                lows=[e.ci_low if e else None for e in ests],
                highs=[e.ci_high if e else None for e in ests],
                paths=["noiseless reference"] + [_path(p.path) for p in profile.points],
                breaks=[broken(e) for e in ests],
            )
            panels.append(
                Markup(
                    charts.noise_panel(
                        series,
                        y_domain=domains[key],
                        color=charts.channel_color(profile.channel, ci_),
                        limit=limit,
                        main_path=main_path,
                    )
                )
            )
        grid.append((profile.channel, panels))
        for p in profile.points:
            table.append({"channel": profile.channel, "point": p})
    distinct = sorted(set(paths))
    if not distinct:
        note = ""
    elif distinct == [NOT_RECORDED]:
        note = "The audit did not record which simulation path produced these points."
    elif len(distinct) == 1:
        note = f"Every noisy point was simulated by the “{distinct[0]}” path."
    else:
        note = (
            "Points were simulated by several paths ("
            + ", ".join(distinct)
            + f"); hollow markers are those not simulated by “{main_path}”."
        )
    return NoiseView(sweep.model, grid, table, note, profiles)


def noise_views(report: ReportContext, sweeps: list[NoiseSweepResult]) -> list[NoiseView]:
    """One view per swept model, every panel of a metric on the same y axis."""
    result = report.result
    domains = {}
    max_drop = derive.threshold(result, "max_accuracy_drop") or 0.0
    for key in NOISE_METRICS:
        values: list[Any] = []
        include: list[Any] = []
        for sweep in sweeps:
            for e in [sweep.reference.get(key), *(p.metrics.get(key) for p in sweep.points)]:
                if e is not None:
                    values += [e.value, e.ci_low, e.ci_high]
            ref = sweep.reference.get(key)
            if key == "accuracy" and ref is not None and fmt.is_number(ref.value):
                include.append(ref.value - max_drop)
        if key == "equalized_odds_difference":
            include.append(derive.threshold(result, "max_equalized_odds_difference"))
        if key == "demographic_parity_difference":
            include.append(derive.threshold(result, "max_demographic_parity_difference"))
        floor_zero = key in fmt.FAIRNESS_KEYS
        lo, hi = charts.metric_domain(values, include=include, floor_zero=floor_zero)
        domains[key] = (max(lo, 0.0), min(hi, 1.0)) if hi > lo else (lo, hi)
    return [_noise_view(report, sweep, domains) for sweep in sweeps if sweep.points]


def noise_limits(result: AuditResult) -> dict[str, str]:
    """What the dashed line in each noise column marks."""
    out = {}
    drop = derive.threshold(result, "max_accuracy_drop")
    if drop is not None:
        out["accuracy"] = f"dashed: {drop:g} below noiseless"
    for key, name in (
        ("equalized_odds_difference", "max_equalized_odds_difference"),
        ("demographic_parity_difference", "max_demographic_parity_difference"),
    ):
        limit = derive.threshold(result, name)
        if limit is not None:
            out[key] = f"dashed: limit {limit:g}"
    return out


# --- model card -------------------------------------------------------------------------------------------


def device_rows(sweep: NoiseSweepResult | None) -> list[dict[str, str]]:
    """The model under each device calibration snapshot, as Markdown cells."""
    return [
        {
            "device": d.device,
            "layout": f"{d.layout} ({', '.join(map(str, d.physical_qubits)) or 'n/a'})",
            "date": (d.calibration_date or "unknown")[:10],
            "accuracy": f"{fmt.estimate(d.metrics.get('accuracy'), 'accuracy')} "
            f"({fmt.metric_value('accuracy', d.change.get('accuracy'))} change)",
            "fairness": fmt.estimate(d.metrics.get("equalized_odds_difference"), "equalized_odds_difference"),
        }
        for d in (sweep.devices if sweep else [])
    ]


def channel_rows(result: AuditResult, sweep: NoiseSweepResult | None) -> list[dict[str, str]]:
    """Per channel: accuracy, fairness and the verdict in words, and the simulation paths."""
    if sweep is None:
        return []
    max_drop = derive.threshold(result, "max_accuracy_drop")
    max_eod = derive.threshold(result, "max_equalized_odds_difference")
    rows = []
    for p in derive.channel_profiles(result, sweep):
        largest = fmt.level(p.max_level)
        if p.accuracy_break is not None:
            drop = -(p.accuracy_break.change.get("accuracy") or 0.0)
            accuracy = f"drops by {fmt.num(drop)} at {fmt.level(p.accuracy_break.level)} " + (
                f"(beyond the {fmt.num(max_drop, 2)} tolerance)" if max_drop is not None else ""
            )
        elif max_drop is None:
            accuracy = "no tolerance configured"
        else:
            worst = min((pt.change.get("accuracy") or 0.0 for pt in p.points), default=0.0)
            accuracy = f"robust up to {largest} (largest change {fmt.signed(worst)})"
        if p.fairness_break is not None:
            eod = p.fairness_break.metrics["equalized_odds_difference"].value
            limit = f" (limit {max_eod:g})" if max_eod is not None else ""
            fairness = (
                f"equalized odds difference {fmt.num(eod)} at {fmt.level(p.fairness_break.level)}{limit}"
            )
        elif p.fairness_fails_without_noise:
            fairness = "over the limit already without noise"
        elif max_eod is None:
            fairness = "no limit configured"
        else:
            fairness = f"within {max_eod:g} up to {largest}"
        if p.robust:
            verdict = f"robust up to {largest}"
        elif p.tolerated is not None:
            verdict = f"tolerated up to {fmt.level(p.tolerated)}"
        else:
            verdict = "not tolerated at any tested strength"
        paths = ", ".join(x if x and x != "unknown" else "not recorded" for x in p.paths)
        rows.append(
            {
                "channel": fmt.humanise(p.channel),
                "accuracy": accuracy,
                "fairness": fairness,
                "verdict": verdict,
                "paths": paths,
            }
        )
    return rows


class NoiseAssessment(Assessment[list[NoiseSweepResult]]):
    """Accuracy and fairness under each noise channel and strength, and under device calibrations."""

    name = "noise"
    topic = spec.TOPIC
    section = spec.SECTION
    config_key = "noise"
    config_model = NoiseSweepConfig

    def run(self, ctx: AssessmentContext) -> list[NoiseSweepResult]:
        return sweep_noise(ctx, ctx.summaries)

    def findings(self, ctx: AssessmentContext, record: list[NoiseSweepResult]) -> list[Finding]:
        return channel_findings(ctx, record) + device_findings(ctx, record)

    def report_section(self, value: list[NoiseSweepResult], report: ReportContext) -> ReportSection:
        html = report.render(
            TEMPLATES,
            "noise.html.j2",
            noise_views=noise_views(report, value),
            noise_limits=noise_limits(report.result),
        )
        return ReportSection("noise", "Noise", "Metrics against hardware noise", html)

    def card_section(self, value: list[NoiseSweepResult], card: CardContext) -> str:
        sweep = next((s for s in value if s.model == card.model.name), None)
        return card.render(
            TEMPLATES,
            "noise.md.j2",
            noise_rows=channel_rows(card.result, sweep),
            device_rows=device_rows(sweep),
        )
