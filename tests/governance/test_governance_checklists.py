"""Checklist files: the shipped items and their mappings, strict validation, and user extensions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from qtrust.errors import InputError
from qtrust.governance import find_item, load_checklists
from qtrust.governance.checklists import builtin_paths
from qtrust.governance.frameworks import catalogues, check_identifier

ISSUE_ITEMS = {
    "research-to-prototype": [
        "threat-model",
        "informed-consent",
        "dataset-provenance",
        "ethical-review",
        "rollback-hooks",
    ],
    "pre-deployment": [
        "noise-sensitivity",
        "fairness",
        "data-provenance",
        "failure-modes",
        "reproducible-tests",
        "forensic-logging",
        "safety-slos",
        "feature-flags",
    ],
    "policy-legal": [
        "export-control",
        "privacy-impact-assessment",
        "data-retention",
        "vendor-contracts",
        "cross-border-data",
    ],
}


def item_doc(item_id: str = "pre-deployment.red-team", **changes) -> dict:
    doc = {
        "id": item_id,
        "title": "Red-team exercise",
        "description": "An external red team attacked the deployed model.",
        "mappings": {"nist_ai_rmf": ["MEASURE 2.7"], "iso_42001": ["A.6.2.4"]},
        "satisfied_by": {"attestation": {"require_attachment": True}},
    }
    doc.update(changes)
    return doc


def write(path: Path, checklist: dict, *items: dict) -> Path:
    path.write_text(yaml.safe_dump({"checklist": checklist, "items": list(items)}, sort_keys=False))
    return path


def test_the_shipped_checklists_hold_every_item_of_the_issue_in_lifecycle_order():
    checklists = load_checklists()
    assert [c.id for c in checklists] == list(ISSUE_ITEMS)
    for checklist in checklists:
        assert [i.id for i in checklist.items] == [
            f"{checklist.id}.{slug}" for slug in ISSUE_ITEMS[checklist.id]
        ]
        for item in checklist.items:
            assert item.mappings.nist_ai_rmf, f"{item.id} maps to no NIST AI RMF subcategory"
            assert item.mappings.iso_42001, f"{item.id} maps to no ISO/IEC 42001 control"
            assert len(item.description) > 80, f"{item.id} does not say what a reviewer looks for"


def test_the_mappings_cite_the_clauses_that_say_what_the_item_is_about():
    checklists = load_checklists()
    text = {k: c.ids for k, c in catalogues().items()}
    fairness = find_item(checklists, "pre-deployment.fairness")
    assert "MEASURE 2.11" in fairness.mappings.nist_ai_rmf
    assert text["nist_ai_rmf"]["MEASURE 2.11"].startswith("Fairness and bias")
    assert "IV.2(g)" in fairness.mappings.eu_ai_act
    assert "potentially discriminatory impacts" in text["eu_ai_act"]["IV.2(g)"]
    provenance = find_item(checklists, "research-to-prototype.dataset-provenance")
    assert "A.7.5" in provenance.mappings.iso_42001
    assert text["iso_42001"]["A.7.5"] == "Data provenance"
    assert "IV.2(d)" in provenance.mappings.eu_ai_act
    assert "provenance" in text["eu_ai_act"]["IV.2(d)"]
    logging = find_item(checklists, "pre-deployment.forensic-logging")
    assert text["iso_42001"][logging.mappings.iso_42001[0]] == "AI system recording of event logs"
    rollback = find_item(checklists, "research-to-prototype.rollback-hooks")
    assert "deactivate" in text["nist_ai_rmf"]["MANAGE 2.4"]
    assert "MANAGE 2.4" in rollback.mappings.nist_ai_rmf
    noise = find_item(checklists, "pre-deployment.noise-sensitivity")
    assert [r.model_dump() for r in noise.satisfied_by.evidence] == [
        {"rule": "audit_has_metrics", "metrics": ["noise/*/*@*/accuracy"], "require_defined": True}
    ]


def test_the_catalogues_are_complete_and_each_shipped_file_names_its_sources():
    nist = catalogues()["nist_ai_rmf"].ids
    assert len(nist) == 72  # AI RMF 1.0 has 72 subcategories
    assert sum(k.startswith("MEASURE 2.") for k in nist) == 13
    assert {k for k in catalogues()["eu_ai_act"].ids if "(" not in k} == {f"IV.{n}" for n in range(1, 10)}
    headings = {f"A.{n}" for n in range(2, 11)} | {"A.6.1", "A.6.2"}
    assert headings <= set(catalogues()["iso_42001"].ids)
    assert len(set(catalogues()["iso_42001"].ids) - headings) == 38  # Annex A has 38 controls
    for path in builtin_paths():
        sources = yaml.safe_load(path.read_text())["sources"]
        assert {s["id"] for s in sources} == {"nist_ai_rmf", "eu_ai_act", "iso_42001"}, path
        assert all(s["version"] for s in sources)


@pytest.mark.parametrize(
    ("framework", "identifier", "expected"),
    [
        ("nist_ai_rmf", "MEASURE 2.11", None),
        ("nist_ai_rmf", "measure 2.11", "not written as"),
        ("nist_ai_rmf", "MEASURE 2.14", "did you mean"),
        ("eu_ai_act", "IV.2(g)", None),
        ("eu_ai_act", "IV.2.g", "not written as"),
        ("eu_ai_act", "IV.10", "not in OJ L"),
        ("iso_42001", "A.6.2.4", None),
        ("iso_42001", "A.6.2.9", "not in ISO/IEC 42001:2023"),
        ("iso_42001", "6.2.4", "not written as"),
    ],
)
def test_mapping_ids_are_checked_for_format_and_existence(framework, identifier, expected):
    problem = check_identifier(framework, identifier)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


def test_a_bad_mapping_id_is_refused_naming_the_file_and_the_item(tmp_path):
    path = write(
        tmp_path / "mine.yaml",
        {"id": "pre-deployment"},
        item_doc(mappings={"nist_ai_rmf": ["MEASURE 2.7", "MEASURE 9.1"]}),
    )
    with pytest.raises(InputError) as caught:
        load_checklists([path])
    assert caught.value.where == f"{path}:pre-deployment.red-team"
    assert "nist_ai_rmf[1]" in caught.value.problem
    assert "'MEASURE 9.1' is not in NIST AI 100-1" in caught.value.problem
    assert "frameworks.yaml" in caught.value.fix


def test_an_item_id_defined_twice_is_refused_naming_both_files(tmp_path):
    first = write(tmp_path / "a.yaml", {"id": "pre-deployment"}, item_doc())
    second = write(tmp_path / "b.yaml", {"id": "pre-deployment"}, item_doc(title="Another"))
    with pytest.raises(InputError) as caught:
        load_checklists([first, second])
    assert str(first) in caught.value.problem
    assert str(second) in caught.value.problem
    # a user item that reuses a shipped id is refused the same way, naming the shipped file
    clash = write(tmp_path / "c.yaml", {"id": "pre-deployment"}, item_doc("pre-deployment.fairness"))
    with pytest.raises(InputError, match=r"pre_deployment\.yaml and in .*c\.yaml"):
        load_checklists([clash])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mapping": {"nist_ai_rmf": ["MEASURE 2.7"]}}, "unknown field 'mapping'"),
        (
            {"satisfied_by": {"evidence": [{"rule": "audit_has_metrics", "metric": ["x"]}]}},
            "unknown field 'metric'",
        ),
        ({"satisfied_by": {"evidence": [{"rule": "audit_passed"}]}}, "unknown evidence rule"),
        ({"satisfied_by": {"evidence": [{"metrics": ["x"]}]}}, "has no 'rule'"),
        ({"satisfied_by": {"attestation": {}, "evidence": [{"rule": "log_verifies"}]}}, "exactly one of"),
        ({"satisfied_by": {}}, "exactly one of"),
        ({"mappings": {}}, "at least one mapping"),
        ({"id": "policy-legal.red-team"}, "must start with 'pre-deployment.'"),
        ({"id": "Pre-Deployment.RedTeam"}, "lower case"),
        ({"title": ""}, "title"),
    ],
)
def test_malformed_items_are_refused_with_what_and_where(tmp_path, changes, message):
    path = write(tmp_path / "mine.yaml", {"id": "pre-deployment"}, item_doc(**changes))
    with pytest.raises(InputError) as caught:
        load_checklists([path])
    assert message in caught.value.one_line()
    assert str(path) in caught.value.where


def test_a_user_file_adds_items_to_a_shipped_checklist_and_defines_a_new_one(tmp_path):
    extra = tmp_path / "ours"
    extra.mkdir()
    write(extra / "10-pre.yaml", {"id": "pre-deployment"}, item_doc())
    write(
        extra / "20-ops.yml",
        {"id": "operations", "title": "Operations", "description": "After go-live."},
        item_doc(
            "operations.drift-monitoring",
            satisfied_by={"evidence": [{"rule": "audit_has_metrics", "metrics": ["shots/*/*/flip_rate"]}]},
        ),
    )
    (extra / "notes.txt").write_text("not a checklist")
    checklists = load_checklists([extra])
    assert [c.id for c in checklists] == [*ISSUE_ITEMS, "operations"]
    pre = next(c for c in checklists if c.id == "pre-deployment")
    assert pre.items[-1].id == "pre-deployment.red-team"
    assert pre.origins["pre-deployment.red-team"] == str(extra / "10-pre.yaml")
    assert find_item(checklists, "operations.drift-monitoring").satisfied_by.kind == "evidence"
    # the shipped checklists are unchanged when no extra file is given
    assert len(next(c for c in load_checklists() if c.id == "pre-deployment").items) == len(
        ISSUE_ITEMS["pre-deployment"]
    )


def test_a_new_checklist_needs_a_title_and_a_missing_path_is_reported(tmp_path):
    path = write(tmp_path / "ops.yaml", {"id": "operations"}, item_doc("operations.on-call"))
    with pytest.raises(InputError, match="is new, so it needs a title"):
        load_checklists([path])
    with pytest.raises(InputError, match="no checklist file or directory"):
        load_checklists([tmp_path / "missing.yaml"])
    (tmp_path / "broken.yaml").write_text("checklist: [unclosed")
    with pytest.raises(InputError, match=r"broken\.yaml:1: not valid YAML"):  # the line is named
        load_checklists([tmp_path / "broken.yaml"])
