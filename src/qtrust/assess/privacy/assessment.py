"""The assessment: every model, every attack, every (noise, shots) setting, on one membership design."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from qtrust.assess.privacy.attacks import AttackScores, lira_offline, loss_threshold_attack, shadow_attack
from qtrust.assess.privacy.attribute import attribute_inference
from qtrust.assess.privacy.design import MembershipDesign
from qtrust.assess.privacy.references import ReferenceModels, inclusion_mask, train_reference_models
from qtrust.assess.privacy.report import AttackResult, ModelPrivacy, PrivacyReport, SettingResult
from qtrust.assess.privacy.roc import MembershipMetrics, membership_metrics, roc_points
from qtrust.assess.privacy.settings import PrivacyTarget, Setting, privacy_settings
from qtrust.assess.privacy.validation import DEFAULT_FPRS, check_fprs
from qtrust.errors import InputError
from qtrust.parallel import SERIAL, Mapper
from qtrust.quantum.noise import NoiseModel
from qtrust.seeding import derive_rng, derive_seed

ATTACKS = ("loss", "shadow", "lira")


def _outputs(
    fit: Any,
    quantum: bool,
    X: NDArray[np.float64],
    noise: NoiseModel | None,
    shots: int | None,
    draws: int,
    rng: np.random.Generator | None,
) -> NDArray[np.float64]:
    """(draws, rows) P(class 1): exact (one draw) or ``draws`` shot estimates, under ``noise``."""
    if not quantum:
        return np.asarray(fit.predict_proba(X)[:, 1], dtype=float)[np.newaxis, :]
    if shots is None:
        return np.asarray(fit.probabilities(X, noise), dtype=float)[np.newaxis, :]
    assert rng is not None
    return np.asarray(fit.sample_probabilities(X, shots, draws, rng, noise), dtype=float)


@dataclass(frozen=True)
class _Plan:
    """What :func:`assess_privacy` validated once and every target shares."""

    design: MembershipDesign
    seed: int
    settings: list[Setting]
    attacks: tuple[str, ...]
    keep: NDArray[np.bool_]  # (references, pool rows)
    n_references: int
    needs_refs: bool
    shot_draws: int
    reference_draws: int
    reference_noise: str
    lira_variance: Literal["auto", "global", "local"]
    fprs: tuple[float, ...]
    confidence: float
    n_boot: int
    bootstrap_seed: int
    attribute_rows: str | None
    attribute_uses_label: bool
    mapper: Mapper = SERIAL  # where the reference models are fitted

    @property
    def rows(self) -> NDArray[np.int64]:
        return self.design.split.rows

    @property
    def n1(self) -> int:
        return self.design.split.n_members


class _Clock:
    """Seconds per part of the work, summed (the bench and the audit's timings read them)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._part = ""
        self._start = 0.0

    def __call__(self, part: str) -> _Clock:
        self._part = part
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.seconds[self._part] = self.seconds.get(self._part, 0.0) + time.perf_counter() - self._start


def _read_out(
    plan: _Plan, name: str, quantum: bool, fit: Any, refs: ReferenceModels, setting: Setting
) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[str, str]]:
    """Target (draws, rows) and reference (models, draws, rows) outputs on the split's rows, and RNG labels."""
    X = plan.design.X[plan.rows]
    labels: dict[str, str] = {}

    def rng(key: str, label: str) -> np.random.Generator | None:
        if setting.shots is None:
            return None
        labels[key] = label
        return derive_rng(plan.seed, label)

    target = _outputs(
        fit,
        quantum,
        X,
        setting.noise,
        setting.shots,
        plan.shot_draws,
        rng("target", f"privacy/shots/{name}/target/{setting.label}"),
    )
    if not plan.needs_refs:
        return target, np.empty((0, 1, len(plan.rows))), labels
    ref_noise = setting.noise if plan.reference_noise == "matched" else None
    references = np.stack(
        [
            _outputs(
                ref,
                quantum,
                X,
                ref_noise,
                setting.shots,
                plan.reference_draws,
                rng(f"reference/{j}", f"privacy/shots/{name}/reference/{j}/{setting.label}"),
            )
            for j, ref in enumerate(refs.fits)
        ]
    )
    return target, references, labels


def _attack(
    plan: _Plan, attack: str, target_p: NDArray[np.float64], ref_p: NDArray[np.float64], shots: int | None
) -> AttackScores:
    n1 = plan.n1
    y = plan.design.y[plan.rows]
    p1, y1, p0, y0 = target_p[:, :n1], y[:n1], target_p[:, n1:], y[n1:]
    if attack == "loss":
        return loss_threshold_attack(p1, y1, p0, y0)
    keep = plan.keep[:, plan.rows]
    if attack == "shadow":
        return shadow_attack(p1, y1, p0, y0, shadow_p=ref_p, shadow_y=y, shadow_in=keep, shots=shots)
    return lira_offline(
        p1,
        y1,
        p0,
        y0,
        ref_members=ref_p[:, :, :n1],
        ref_nonmembers=ref_p[:, :, n1:],
        out_members=~keep[:, :n1],
        out_nonmembers=~keep[:, n1:],
        variance=plan.lira_variance,
        shots=shots,
    )


def _setting_outcome(
    plan: _Plan, name: str, quantum: bool, fit: Any, refs: ReferenceModels, setting: Setting
) -> tuple[dict[str, str], dict[str, tuple[MembershipMetrics, dict[str, Any]]], dict[str, float]]:
    """One setting of one target: read out, every attack, its metrics (the unit of work a mapper ships).

    Returns the RNG labels, per attack its metrics and details (the ROC too at the reference setting), and
    the seconds spent per part.
    """
    clock = _Clock()
    with clock(_part(setting)):
        target_p, ref_p, rng_labels = _read_out(plan, name, quantum, fit, refs, setting)
    per_attack = {}
    for attack in plan.attacks:
        with clock(f"attack_{attack}"):
            scores = _attack(plan, attack, target_p, ref_p, setting.shots)
        with clock("metrics"):
            metrics = membership_metrics(
                scores,
                fprs=plan.fprs,
                confidence=plan.confidence,
                n_boot=plan.n_boot,
                seed=plan.bootstrap_seed,
            )
        details = dict(scores.details)
        if setting.is_reference:
            details["roc"] = roc_points(scores)
        per_attack[attack] = (metrics, details)
    return rng_labels, per_attack, clock.seconds


def _part(setting: Setting) -> str:
    if setting.is_reference:
        return "outputs_exact"
    if setting.noise is None:
        return "outputs_shots"
    return "outputs_noise" if setting.shots is None else "outputs_noise+shots"


def _assess_target(plan: _Plan, target: PrivacyTarget, step: Callable[[str], None]) -> ModelPrivacy:
    notes: list[str] = []
    if target.factory is None and plan.needs_refs:
        skipped = [a for a in plan.attacks if a != "loss"]
        notes.append(
            f"{', '.join(skipped)} not run: they need reference models trained like the target, and this "
            "model cannot be retrained (a black box without fit/get_params)"
        )
        plan = replace(
            plan, attacks=tuple(a for a in plan.attacks if a == "loss"), needs_refs=False, n_references=0
        )
    design, split = plan.design, plan.design.split
    clock = _Clock()
    fit, target_state = target.fit, None
    if fit is None:
        step(f"{target.name}: training the target")
        target_state = derive_seed(plan.seed, "privacy", "target")
        if target.factory is None:
            raise InputError(
                f"{target.name} has no fitted model and no factory to train one",
                where="privacy targets",
                fix="pass the fitted target or an estimator factory",
            )
        with clock("train_target"):
            fit = target.factory(target_state).fit(design.X[split.members], design.y[split.members])
    refs = ReferenceModels([], plan.keep, [], derive_seed(plan.seed, "privacy", "reference-mask"))
    if plan.needs_refs:
        step(f"{target.name}: training {plan.n_references} reference models")
        with clock("train_references"):
            refs = train_reference_models(
                target.factory, design.X, design.y, plan.n_references, plan.seed, keep=plan.keep,
                # a model whose fits read a process-wide memo is fitted here, so its numbers stay bit-exact
                mapper=SERIAL if getattr(fit, "shares_process_cache", False) else plan.mapper,
            )  # fmt: skip

    # Each setting's read-out, attacks and bootstrap are independent of the others (their draws are seeded
    # by labels): on the executor, unless the target reads a process-wide memo (then here, in this order).
    settings = plan.settings if target.quantum else plan.settings[:1]
    here = getattr(fit, "shares_process_cache", False)
    portable = replace(plan, mapper=SERIAL)
    jobs = [(portable, target.name, target.quantum, fit, refs, setting) for setting in settings]
    step(f"{target.name}: {len(settings)} setting(s)")
    outcomes = (SERIAL if here else plan.mapper).map(_setting_outcome, jobs)
    exact: dict[str, MembershipMetrics] = {}
    setting_results = []
    for setting, (rng_labels, per_attack, seconds) in zip(settings, outcomes, strict=True):
        for part, spent in seconds.items():
            clock.seconds[part] = clock.seconds.get(part, 0.0) + spent
        attack_results = {}
        for attack, (metrics, details) in per_attack.items():
            if setting.is_reference:
                exact[attack] = metrics
            drop = None if setting.is_reference else metrics.auc_difference(exact[attack])
            attack_results[attack] = AttackResult(attack, metrics, drop, details)
        setting_results.append(SettingResult(setting.noise_label, setting.shots, attack_results, rng_labels))

    attribute = None
    if plan.attribute_rows is not None:
        step(f"{target.name}: attribute inference")
        chosen = {"all": plan.rows, "members": split.members, "nonmembers": split.nonmembers}[
            plan.attribute_rows
        ]
        with clock("attribute"):
            attribute = attribute_inference(
                _outputs(fit, target.quantum, design.X[chosen], None, None, 1, None)[0],
                design.groups[chosen],
                design.y[chosen] if plan.attribute_uses_label else None,
                confidence=plan.confidence,
                n_boot=plan.n_boot,
                seed=plan.seed,
            )
    return ModelPrivacy(
        model=target.name,
        family=target.family,
        target_random_state=target_state,
        references=refs,
        settings=setting_results,
        attribute=attribute,
        timings=clock.seconds,
        notes=notes,
    )


def assess_privacy(
    targets: Sequence[PrivacyTarget],
    design: MembershipDesign,
    *,
    seed: int,
    noises: Sequence[NoiseModel] = (),
    shots: Sequence[int] = (),
    cross: bool = False,
    attacks: Sequence[str] = ATTACKS,
    n_references: int = 8,
    pkeep: float = 0.5,
    shot_draws: int = 10,
    reference_draws: int = 4,
    reference_noise: Literal["matched", "noiseless"] = "matched",
    lira_variance: Literal["auto", "global", "local"] = "auto",
    fprs: Sequence[float] = DEFAULT_FPRS,
    confidence: float = 0.95,
    n_boot: int = 1000,
    attribute_rows: Literal["all", "members", "nonmembers"] | None = "all",
    attribute_uses_label: bool = False,
    on_step: Callable[[str], None] | None = None,
    mapper: Mapper = SERIAL,
) -> PrivacyReport:
    """Run every requested attack on every target at every (noise, shots) setting, on one design.

    For each target: ``n_references`` reference models are trained from its factory on the balanced
    inclusion mask over the whole pool (one mask and one set of reference seeds for all models); they are
    the shadow models of :func:`shadow_attack` and the OUT models of :func:`lira_offline`. Quantum targets
    are then read out exactly and under every setting of :func:`privacy_settings` (``shot_draws`` draws for
    the target, ``reference_draws`` per reference model); classical targets at the exact setting only. Each
    attack's metrics share one bootstrap seed, so every ``auc_drop`` (exact noiseless − setting) is paired.
    Attribute inference runs on the exact noiseless outputs of the ``attribute_rows`` rows (``None``
    skips it). ``on_step`` is called with a short description before each unit of work (progress bars).

    Raises :class:`InputError` before any training when the FPR list needs more non-members than the
    design has, an attack is unknown, or the design cannot train references.
    """
    fprs = check_fprs(fprs, design.split.n_nonmembers)
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown or not attacks:
        raise InputError(
            f"unknown attack(s) {unknown}", where="attacks", fix=f"use any of: {', '.join(ATTACKS)}"
        )
    if reference_noise not in ("matched", "noiseless"):
        raise InputError(f"unknown reference_noise {reference_noise!r}", fix="use 'matched' or 'noiseless'")
    if attribute_rows not in (None, "all", "members", "nonmembers"):
        raise InputError(f"unknown attribute_rows {attribute_rows!r}", fix="use all, members or nonmembers")
    for name, value in (("shot_draws", shot_draws), ("reference_draws", reference_draws)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise InputError(f"{name}={value!r} must be a positive integer", where=name)
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise InputError(f"target names repeat: {names}", where="targets")
    needs_refs = bool({"shadow", "lira"} & set(attacks))
    plan = _Plan(
        design=design,
        seed=seed,
        settings=privacy_settings(noises, shots, cross=cross),
        attacks=tuple(attacks),
        keep=inclusion_mask(len(design.y), n_references, seed, pkeep),
        n_references=n_references if needs_refs else 0,
        needs_refs=needs_refs,
        shot_draws=int(shot_draws),
        reference_draws=int(reference_draws),
        reference_noise=reference_noise,
        lira_variance=lira_variance,
        fprs=fprs,
        confidence=confidence,
        n_boot=n_boot,
        bootstrap_seed=derive_seed(seed, "privacy", "bootstrap"),
        attribute_rows=attribute_rows,
        attribute_uses_label=attribute_uses_label,
        mapper=mapper,
    )
    start = time.perf_counter()
    step = on_step or (lambda _: None)
    models = [_assess_target(plan, target, step) for target in targets]
    return PrivacyReport(
        seed=seed,
        design={**design.to_dict(), "attribute_rows": attribute_rows},
        fprs=fprs,
        confidence=confidence,
        n_boot=n_boot,
        bootstrap_seed=plan.bootstrap_seed,
        n_references=plan.n_references,
        reference_noise=reference_noise,
        shot_draws=plan.shot_draws,
        reference_draws=plan.reference_draws,
        attacks=plan.attacks,
        models=models,
        seconds=time.perf_counter() - start,
    )
