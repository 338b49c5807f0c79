"""A datasheet for the data an audit ran on (Gebru et al., "Datasheets for Datasets", CACM 64(12), 2021).

Why beside the model card: the card says what the model is; most of what goes wrong with it comes from the
data (who is in it, how it was collected, what it must not be used for). The datasheet asks the paper's
questions in its seven sections and answers each one from one of two places, never invented:

* **facts** qtrust knows — the provenance (source, licence, digest), the rows, label balance, group sizes
  and base rates, missing values (qtrust refuses them), the qubit encoding's reduction and clipping;
* **the data owner's answers**, a YAML file of ``question id: text`` (``data.datasheet`` in the config;
  the built-in German Credit data ships its own).

Every question left without either is a *gap*, listed as such: an unanswered question is information too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qtrust.errors import InputError

SECTIONS = {
    "motivation": "Motivation",
    "composition": "Composition",
    "collection": "Collection process",
    "preprocessing": "Preprocessing, cleaning and labelling",
    "uses": "Uses",
    "distribution": "Distribution",
    "maintenance": "Maintenance",
}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    fact: bool = False  # qtrust can answer it from what the audit knows

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]


QUESTIONS: tuple[Question, ...] = (
    Question("motivation.purpose", "For what purpose was the dataset created? Was there a specific task in mind?"),
    Question("motivation.creators", "Who created the dataset, on behalf of which entity, and who funded it?"),
    Question("composition.instances", "What do the instances represent, and how many are there?", fact=True),
    Question("composition.labels", "Is there a label associated with each instance, and how is it balanced?", fact=True),
    Question("composition.groups", "Does it identify sub-populations, and how are they distributed?", fact=True),
    Question("composition.missing", "Is any information missing from individual instances?", fact=True),
    Question("composition.sample", "Is it a sample of a larger set? If so, how representative is it?"),
    Question("composition.sensitive", "Does it contain data that might be considered sensitive or confidential?"),
    Question("collection.how", "How was the data collected, over what timeframe, and by whom?"),
    Question("collection.consent", "Were the people concerned notified, and did they consent to the collection and uses?"),
    Question("collection.impact", "Has an analysis of the potential impact on data subjects (e.g. a DPIA) been conducted?"),
    Question("preprocessing.encoding", "What preprocessing was done before the model saw the data?", fact=True),
    Question("preprocessing.raw", "Was the raw data kept besides the preprocessed data, and where?"),
    Question("uses.tasks", "What tasks has the dataset been used for, and what else could it be used for?"),
    Question("uses.limits", "Is there anything about its composition or collection that limits its uses? Tasks it should not be used for?"),
    Question("distribution.licence", "Under which licence or terms of use is it distributed?", fact=True),
    Question("distribution.source", "Where does it come from, and can its bytes be verified?", fact=True),
    Question("maintenance.owner", "Who maintains the dataset, and how can they be contacted?"),
    Question("maintenance.updates", "Will it be updated (errata, new instances, deletions), and how will users learn of it?"),
)  # fmt: skip
QUESTION_IDS = tuple(q.id for q in QUESTIONS)


@dataclass(frozen=True)
class OwnerAnswers:
    """The data owner's answers, keyed by question id, with where they came from and their sha256."""

    answers: dict[str, str]
    source: str
    sha256: str


def check_answers(raw: object, where: str) -> dict[str, str]:
    """``question id -> text``, every id known and every answer a non-empty string."""
    if not isinstance(raw, dict):
        raise InputError(f"{where} is not a mapping of question id to answer", where=where, fix=_FIX)
    unknown = sorted(str(k) for k in raw if k not in QUESTION_IDS)
    if unknown:
        raise InputError(f"{where} answers unknown question(s) {', '.join(unknown)}", where=where, fix=_FIX)
    out = {}
    for key, value in raw.items():
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
            raise InputError(f"{where}: the answer to {key} is empty or not text", where=where, fix=_FIX)
        out[str(key)] = " ".join(str(value).split())
    return out


_FIX = "write `question id: answer` lines; the ids are " + ", ".join(QUESTION_IDS)


def load_answers(path: str | Path) -> OwnerAnswers:
    """The owner's answers from a YAML file (``data.datasheet``)."""
    from qtrust.yamlfile import read_yaml_mapping

    path = Path(path)
    raw = read_yaml_mapping(path, what="datasheet answers file", flag="data.datasheet", fix=_FIX)
    answers = check_answers(raw, str(path))
    return OwnerAnswers(answers, str(path), hashlib.sha256(path.read_bytes()).hexdigest())


def builtin_answers(name: str) -> OwnerAnswers | None:
    """The answers qtrust ships for a built-in dataset (from its documentation), if any."""
    resource = resources.files("qtrust.data").joinpath(name, "datasheet.yaml")
    if not resource.is_file():
        return None
    import yaml

    data = resource.read_bytes()
    answers = check_answers(yaml.safe_load(data), f"qtrust.data/{name}/datasheet.yaml")
    return OwnerAnswers(answers, f"built-in ({name}/datasheet.yaml)", hashlib.sha256(data).hexdigest())
