"""One registry: an assessment registered from the test folder alone reaches every reader.

The toy (``toy_assessment.py``) touches no qtrust file: registered, it runs in the audit with its own config
section, its record lands in results.json (and reads back typed), its numbers get metric paths, a release
gate judges them, and the report, the verdicts and the model card show it. Unregistered, a policy naming
its paths is refused again, and so is a config section for it.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from toy_assessment import ToyAssessment, ToyScore

from qtrust.assess import REGISTRY
from qtrust.audit import run_audit, write_audit
from qtrust.config import config_from_dict
from qtrust.errors import InputError
from qtrust.policy.gate import run_gate
from qtrust.policy.policy import Policy
from qtrust.report import render_model_card, render_report
from qtrust.results import AuditResult, flatten_metrics
from qtrust.results.registry import MetricRoot, Registry, Section, Topic

TINY = {
    "seed": 3,
    "data": {"source": "synthetic", "synthetic": {"n_rows": 200, "n_features": 4, "group_bias": 0.3}},
    "encoding": {"n_qubits": 3},
    "models": [{"kind": "variational", "name": "vqc", "n_layers": 1, "max_iter": 10}],
    "baselines": [{"kind": "logistic_regression", "name": "logistic"}],
    "noise": {"channels": ["depolarizing"], "levels": [0.0, 0.01]},
    "shots": {"budgets": [100], "repeats": 2, "reference": 100},
    "reproducibility": {"seeds": [0, 1]},
    "statistics": {"n_boot": 50, "n_permutations": 100},
    "privacy": {"enabled": False},
    "robustness": {"enabled": False},
    "extensions": {"toy": {"offset": 0.25}},
}
PATH = "toy/vqc/score"


def _parse_html():
    """The report tests' HTML checker (tests/report/conftest.py), loaded under its own name."""
    spec = importlib.util.spec_from_file_location(
        "_qtrust_report_fixtures", Path(__file__).resolve().parents[1] / "report" / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse


def toy_policy(limit: float) -> Policy:
    return Policy.model_validate(
        {"name": "toy", "checks": [{"id": "toy", "metric": "toy/*/score", "max": limit, "mode": "point"}]}
    )


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    """One audit with the toy registered (only while it runs and writes its outputs)."""
    with REGISTRY.registered(ToyAssessment()):
        run = run_audit(config_from_dict(TINY))
        out = tmp_path_factory.mktemp("toy-audit")
        write_audit(run, out)
    return run, out


@pytest.fixture
def toy():
    """The toy registered for one test, as a plug-in that was imported would be."""
    with REGISTRY.registered(ToyAssessment()) as assessment:
        yield assessment


def test_the_toy_runs_with_its_own_config_section_and_lands_in_results_json(toy_run, toy):
    run, out = toy_run
    scores = run.result.extensions["toy"]
    assert [s.model for s in scores] == ["vqc", "logistic"]
    assert all(s.score > 0.25 for s in scores)  # the offset from config.extensions.toy reached the run
    doc = json.loads((out / "results.json").read_text())
    assert doc["extensions"]["toy"] == [s.model_dump() for s in scores]
    reread = AuditResult.model_validate_json((out / "results.json").read_text())
    assert reread.extensions["toy"] == scores
    assert isinstance(reread.extensions["toy"][0], ToyScore)
    assert "toy" in run.result.timings


def test_the_toy_has_metric_paths_beside_the_builtin_ones(toy_run, toy):
    run, out = toy_run
    table = flatten_metrics(run.result)
    assert table[PATH].value == run.result.extensions["toy"][0].score
    assert list(table)[-2:] == ["toy/vqc/score", "toy/logistic/score"]  # after every built-in section
    reread = AuditResult.model_validate_json((out / "results.json").read_text())
    assert flatten_metrics(reread) == table


def test_a_gate_on_the_toy_path_passes_or_fails_as_its_number_says(toy_run, toy):
    run, _ = toy_run
    score = flatten_metrics(run.result)[PATH].value
    passing = run_gate(run.result, toy_policy(score + 0.01))
    failing = run_gate(run.result, toy_policy(score - 0.01))
    assert passing.passed
    assert [j.path for j in passing.checks[0].judgements] == [PATH]  # candidates only, by the policy's scope
    assert not failing.passed
    assert failing.checks[0].status == "fail"


def test_the_report_and_the_model_card_show_the_toy(toy_run):
    run, out = toy_run
    parse_html = _parse_html()
    score = run.result.extensions["toy"][0].score
    html = (out / "report.html").read_text()
    tree = parse_html(html)
    assert tree.errors == []
    section = html[html.index('<section id="toy">') : html.index('<section id="models">')]
    assert "Toy scores" in section
    assert f"vqc: {score:.4f}" in section
    assert '<a href="#toy">Toy</a>' in html
    assert '<div class="topic" id="findings-toy">' in html  # its findings under its own topic
    assert "Does the toy score stay low?" in html
    assert f"**Toy score:** {score:.4f}" in (out / "model_card.md").read_text()
    with REGISTRY.registered(ToyAssessment()):
        assert render_report(run.result) == html  # the written report is the registry's rendering
    assert '<section id="toy">' not in render_report(run.result)  # unregistered: no section to render
    assert "### Toy score" not in render_model_card(run.result)


def test_unregistered_the_toy_is_unknown_again(toy_run):
    run, _ = toy_run
    assert REGISTRY.get("toy") is None
    with pytest.raises(ValueError, match="not a metric path"):
        toy_policy(1.0)
    with pytest.raises(InputError, match="extensions names toy"):
        run_audit(config_from_dict(TINY))
    # a results.json with the toy's section still loads, as plain JSON, and adds no metric path
    reread = AuditResult.model_validate_json(run.result.model_dump_json())
    assert reread.extensions["toy"][0] == run.result.extensions["toy"][0].model_dump()
    assert not any(p.startswith("toy/") for p in flatten_metrics(reread))


def test_the_builtin_assessments_are_all_registered_in_run_order():
    assert [a.name for a in REGISTRY.assessments()] == [
        "fairness",
        "noise",
        "shots",
        "reproducibility",
        "comparisons",
        "certified_fairness",
        "privacy",
        "robustness",
        "data",
    ]
    assert list(REGISTRY.vocabulary()) == [
        "fairness",
        "noise",
        "shots",
        "reproducibility",
        "variance",
        "comparison",
        "certified",
        "privacy",
        "robustness",
    ]
    assert REGISTRY.topic_order() == (
        "performance",
        "fairness",
        "noise",
        "shots",
        "reproducibility",
        "privacy",
        "robustness",
        "data",
    )


def test_a_registry_refuses_a_taken_name_root_or_topic():
    registry = Registry()
    topic = Topic("t", "T", "?", 1)
    section = Section("s", topic, ToyScore, lambda value, table: None, (MetricRoot("root"),))
    registry.add_section(section)
    with pytest.raises(ValueError, match="already registered"):
        registry.add_section(Section("s", topic, ToyScore, lambda value, table: None, ()))
    with pytest.raises(ValueError, match="metric root 'root'"):
        registry.add_section(
            Section("other", topic, ToyScore, lambda value, table: None, (MetricRoot("root"),))
        )
    with pytest.raises(ValueError, match="topic 't'"):
        registry.add_topic(Topic("t", "Other", "?", 2))
    registry.register(ToyAssessment())

    class Impostor(ToyAssessment):
        pass

    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor())
