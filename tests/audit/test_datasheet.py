"""Every audit writes a datasheet of its data (Gebru et al. 2021): qtrust's facts, the owner's answers, gaps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from qtrust.audit import run_audit, write_audit
from qtrust.config import config_from_dict
from qtrust.data.datasheet import QUESTION_IDS, QUESTIONS
from qtrust.errors import InputError
from qtrust.report.datasheet import render_datasheet
from tiny_audit import TINY

GERMAN = Path(__file__).parents[2] / "src" / "qtrust" / "data" / "german_credit" / "german.data"
OWNER = {q.id: f"owner says: {q.id}" for q in QUESTIONS if not q.fact}


@pytest.fixture(scope="module")
def german_run():
    return run_audit(config_from_dict({**TINY, "data": {"source": "german_credit"}}))


def test_the_facts_agree_with_the_raw_file_read_independently(german_run):
    raw = pd.read_csv(GERMAN, sep=r"\s+", header=None)
    good = int((raw[20] == 1).sum())  # class 1 = good
    female = int(raw[8].isin(["A92", "A95"]).sum())
    sheet = german_run.result.dataset.datasheet
    assert f"'good' for {good} ({good / len(raw):.1%})" in sheet.facts["composition.labels"]
    assert f"female {female} ({female / len(raw):.1%})" in sheet.facts["composition.groups"]
    female_good = (raw[20][raw[8].isin(["A92", "A95"])] == 1).mean()
    assert f"favourable rate {female_good:.1%}" in sheet.facts["composition.groups"]
    assert sheet.facts["distribution.licence"].startswith("CC BY 4.0")
    assert (
        "e2bc10785808eeb5e30462f0805edb73a672f295bc671dec0bca6e2fb5c8e1ca"
        in sheet.facts["distribution.source"]
    )
    assert "reduced by PLS to 2 component(s)" in sheet.facts["preprocessing.encoding"]
    # the built-in data brings its documentation's answers; the rest are listed as gaps, never invented
    assert sheet.answers_source.startswith("built-in")
    assert "Groemping (2019" in sheet.answers["uses.limits"]
    assert sheet.gaps == [q for q in QUESTION_IDS if q not in sheet.facts and q not in sheet.answers]
    assert "collection.consent" in sheet.gaps


def test_every_audit_writes_datasheet_md_with_each_section_and_its_gaps(german_run, tmp_path):
    digests = write_audit(german_run, tmp_path / "out")
    text = (tmp_path / "out" / "datasheet.md").read_text()
    assert "datasheet.md" in digests
    assert text == render_datasheet(german_run.result)  # regenerated from results.json alone
    for heading in ("Motivation", "Composition", "Collection process", "Uses", "Distribution", "Maintenance"):
        assert f"## {heading}" in text
    sheet = german_run.result.dataset.datasheet
    assert f"{len(QUESTIONS) - len(sheet.gaps)} of {len(QUESTIONS)} questions answered" in text
    assert text.count("**Gap:**") == len(sheet.gaps)
    card = (tmp_path / "out" / "model_card.md").read_text()
    assert "datasheet.md" in card


def test_the_owners_answers_are_taken_and_a_wrong_id_is_refused(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(OWNER))
    result = run_audit(config_from_dict({**TINY, "data": {**TINY["data"], "datasheet": str(answers)}})).result
    sheet = result.dataset.datasheet
    assert sheet.gaps == []
    assert sheet.answers["collection.consent"] == "owner says: collection.consent"
    assert sheet.answers_source == str(answers)
    answers.write_text(yaml.safe_dump({"collection.consnt": "typo"}))
    with pytest.raises(InputError, match=r"unknown question\(s\) collection\.consnt"):
        run_audit(config_from_dict({**TINY, "data": {**TINY["data"], "datasheet": str(answers)}}))
