"""A small audit end to end: every assessment present, outputs consistent with each other and the schema."""

from __future__ import annotations

import json
import os

import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from qtrust.audit import run_audit, write_audit
from qtrust.errors import InputError
from qtrust.results import AuditResult, json_schema


def test_every_assessment_is_present(small_run, small_config):
    r = small_run.result
    assert {m.name for m in r.models} == {"vqc", "qkernel", "logistic", "no_entanglement"}
    assert {f.model for f in r.fairness} == {m.name for m in r.models}
    quantum = {"vqc", "qkernel", "no_entanglement"}
    assert {n.model for n in r.noise} == quantum
    sweep = next(n for n in r.noise if n.model == "vqc")
    assert {(p.channel, p.level) for p in sweep.points} == {
        (c, lv) for c in ("depolarizing", "readout") for lv in (0.01, 0.05)
    }
    assert {s.model for s in r.shots} == quantum
    assert [p.shots for p in r.shots[0].points] == [50, 500]
    assert {(c.quantum_model, c.baseline) for c in r.comparisons} == {
        (q, b) for q in ("vqc", "qkernel") for b in ("logistic", "no_entanglement")
    }
    vqc = next(x for x in r.reproducibility if x.model == "vqc")
    assert vqc.seeds == [0, 1]
    assert {v.metric for v in vqc.variance} >= {
        "accuracy",
        "equalized_odds_difference",
    }
    assert r.findings
    assert all(f.detail for f in r.findings)
    assert r.models[0].simulation["path"] in {"heisenberg", "statevector"}
    vqc_fit = r.models[0].fits[0]
    assert vqc_fit.iterations is not None
    assert vqc_fit.final_loss is not None


def test_fairness_points_equal_fairlearn_on_the_recorded_predictions(small_run):
    """The reported point value is the mean over seeds of fairlearn's metric on that seed's predictions."""
    r, frame = small_run.result, small_run.predictions.frame()
    clean = frame[(frame.model == "vqc") & (frame.noise == "none") & (frame.shots == 0)]
    dp, eo = [], []
    for _, draw in clean.groupby("draw"):
        dp.append(demographic_parity_difference(draw.y_true, draw.y_pred, sensitive_features=draw.group))
        eo.append(equalized_odds_difference(draw.y_true, draw.y_pred, sensitive_features=draw.group))
    overall = next(f for f in r.fairness if f.model == "vqc").overall
    assert overall["demographic_parity_difference"].value == pytest.approx(np.mean(dp), abs=1e-12)
    assert overall["equalized_odds_difference"].value == pytest.approx(np.mean(eo), abs=1e-12)


def test_noise_sweep_predictions_are_the_models_own(small_run):
    from qtrust.quantum import NoiseModel

    frame = small_run.predictions.frame()
    rows = frame[(frame.model == "vqc") & (frame.noise == "depolarizing=0.05") & (frame.seed == 1)]
    assert len(rows) == small_run.result.dataset.n_test
    # re-score: the recorded probabilities are the fitted model's exact probabilities under that noise
    r = small_run.result
    assert rows.proba.between(0, 1).all()
    noiseless = frame[
        (frame.model == "vqc") & (frame.noise == "none") & (frame.seed == 1) & (frame.shots == 0)
    ]
    assert not np.allclose(rows.proba.to_numpy(), noiseless.proba.to_numpy())
    assert NoiseModel.single("depolarizing", 0.05).label == "depolarizing=0.05"
    assert r.dataset.split["test_rows"] == sorted(rows.row.tolist())


def test_same_config_same_results(small_config, small_run):
    again = run_audit(small_config)
    timing = {
        "created_at": True,
        "duration_seconds": True,
        "timings": True,
        "models": {"__all__": {"fits": {"__all__": {"train_seconds"}}}},
        "certified_fairness": {"__all__": {"seconds"}},
    }
    a = small_run.result.model_dump(exclude=timing)
    b = again.result.model_dump(exclude=timing)
    assert a == b  # trained weights, circuits and every metric included
    pd.testing.assert_frame_equal(small_run.predictions.frame(), again.predictions.frame())


def test_outputs_are_written_atomically_and_validate(small_run, tmp_path):
    out = tmp_path / "audit"
    digests = write_audit(small_run, out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".qtrust-manifest.json",
        "datasheet.md",
        "model_card.md",
        "predictions.csv",
        "report.html",
        "results.json",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary directory left behind
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    data = json.loads((out / "results.json").read_text())
    jsonschema.validate(data, json_schema())
    result = AuditResult.model_validate(data)
    assert result.outputs["predictions.csv"] == f"sha256:{digests['predictions.csv']}"
    predictions = pd.read_csv(out / "predictions.csv")
    assert list(predictions.columns[:3]) == ["model", "noise", "shots"]
    assert {"model", "noise", "draw", "row", "group", "y_true", "proba", "y_pred"} <= set(predictions.columns)
    n_test, seeds = result.dataset.n_test, 2
    expected = n_test * seeds * (4 + 3 * 4) + n_test * seeds * 4 * 2 * 3  # clean + sweep, shots
    assert len(predictions) == expected
    card = (out / "model_card.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert "quantum-machine-learning" in front["tags"]


def test_refuses_to_overwrite_a_foreign_directory(small_run, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a qtrust output directory"):
        write_audit(small_run, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_replaces_a_previous_audit_and_keeps_it_on_failure(small_run, tmp_path, monkeypatch):
    out = tmp_path / "audit"
    write_audit(small_run, out)
    before = (out / "results.json").read_text()
    import qtrust.report.html as html

    def broken(_result):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(html, "render_report", broken)
    with pytest.raises(RuntimeError):
        write_audit(small_run, out)
    assert (out / "results.json").read_text() == before  # the previous complete output is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit"]


def test_noise_tolerance_rules():
    """Breaks are the first strengths past each limit; a gap already over the limit is not blamed on noise."""
    from qtrust.assess.noise import channel_tolerance
    from qtrust.config.schema import VerdictConfig
    from qtrust.results.schema import Estimate, NoisePoint

    def point(level, change, gap):
        return NoisePoint(
            channel="c",
            level=level,
            label="",
            path="heisenberg",
            metrics={"equalized_odds_difference": Estimate(value=gap)},
            change={"accuracy": change},
        )

    points = [point(1e-3, -0.01, 0.05), point(1e-2, -0.03, 0.08), point(3e-2, -0.05, 0.12)]
    tol = channel_tolerance(VerdictConfig(), "c", points, reference_gap=0.04)
    assert (tol.accuracy_break, tol.fairness_break, tol.tolerated_up_to) == (1e-2, 3e-2, 1e-3)
    unfair = channel_tolerance(VerdictConfig(), "c", points, reference_gap=0.15)
    assert unfair.fairness_break is None
    assert unfair.fairness_fails_without_noise
    assert unfair.tolerated_up_to == 1e-3


def test_certified_fairness_lands_in_results_report_and_model_card(small_run):
    """K* for the variational candidate (not the kernel SVM), its verdict, and the bias pair in feature units."""
    from qtrust.report.html import render_report
    from qtrust.report.model_card import render_model_card

    result = small_run.result
    assert [c.model for c in result.certified_fairness] == ["vqc"]
    cert = result.certified_fairness[0]
    assert cert.points[0].channel == "none"
    assert cert.points[0].lipschitz == pytest.approx(1.0)
    assert all(p.lipschitz <= 1.0 + 1e-9 for p in cert.points)
    assert all(p.fair is (cert.delta >= p.lipschitz_max * cert.epsilon - 1e-12) for p in cert.points)
    pair = cert.bias_pair
    assert pair.group_high != pair.group_low
    assert 0 < pair.reachable_gap <= cert.points[0].lipschitz
    assert pair.features_high  # in the original feature units, via the preprocessor's inverse
    html = render_report(result)
    assert "Certified fairness for every input state" in html
    assert f"{pair.reachable_gap:.3f}" in html
    card = render_model_card(result, "vqc")
    assert "Lipschitz constant K*" in card
    assert any(f.id == "certified-fairness-vqc" for f in result.findings)


def test_privacy_and_robustness_land_in_results_report_and_model_card(small_run):
    from qtrust.report.html import render_report
    from qtrust.report.model_card import render_model_card

    result = small_run.result
    privacy = result.privacy
    assert [m.model for m in privacy.models] == [m.name for m in result.models]
    exact = privacy.models[0].exact()
    assert set(exact.attacks) == {"loss", "shadow", "lira"}
    assert privacy.fprs == []  # 90 non-members cannot measure a TPR at 1% FPR: none reported, none invented
    robustness = result.robustness
    assert [c.model for c in robustness.certified] == ["vqc"]  # the kernel SVM has no measurement operator
    points = robustness.certified[0].epsilons
    assert [p.robust_accuracy for p in points] == sorted((p.robust_accuracy for p in points), reverse=True)
    assert {e.model for e in robustness.empirical} == {m.name for m in result.models}
    html = render_report(result)
    assert "Privacy: membership and attribute inference" in html
    assert "Robustness of the decisions" in html
    assert html.count('data-attack="lira"') == len(privacy.models)  # one ROC chart per model
    roc = exact.attacks["lira"].roc
    assert roc.fpr[0] == 0.0 and roc.tpr[-1] == 1.0  # noqa: PT018
    card = render_model_card(result, "vqc")
    assert "Membership inference (exact outputs)" in card
    assert "Robust accuracy" in card
    assert any(f.id == "privacy-vqc" for f in result.findings)
