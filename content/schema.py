"""Loads the medical content in `content/` once, checked against a schema.

Everything the assistant says about medicine comes from these files, and every fact in them
names the section of the one source page it comes from.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Extra, root_validator, validator

CONTENT_DIR = Path(__file__).resolve().parent

# One respelling style everywhere: hyphenated syllables, the stressed one in capitals
# (NCI/ACS style, as in HI-per-kal-SEE-me-uh). Words are separated by spaces.
_SYLLABLE = r"(?:[a-z]+|[A-Z]+)"
_WORD = rf"{_SYLLABLE}(?:-{_SYLLABLE})*"
RESPELLING_STYLE = re.compile(rf"^{_WORD}(?: {_WORD})*$")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Evidence(Strict):
    section: str
    phrase: str


def pairs_to_evidence(cls, value: list) -> list:
    """Evidence is written in YAML as `[section, phrase]` pairs."""
    return [Evidence(section=v[0], phrase=v[1]) if isinstance(v, list) else v for v in value]


class Term(Strict):
    id: str
    term: str
    respelling: str
    respelling_source: Literal["source", "project"]
    forms: list[str]
    respelled_forms: dict[str, str] = {}
    aliases: list[str]
    meaning: str
    clinical: str
    section: str
    evidence: list[str]

    def respelling_of(self, form: str) -> str:
        """Plural forms can sound different ("metastases", meh-TAS-tuh-seez)."""
        return self.respelled_forms.get(form.lower(), self.respelling)

    @validator("respelled_forms", each_item=True)
    def form_respelling_follows_style(cls, value: str) -> str:
        return cls.respelling_follows_style(value)

    @validator("respelling")
    def respelling_follows_style(cls, value: str) -> str:
        syllables = re.split(r"[- ]", value)
        if not RESPELLING_STYLE.match(value) or not any(s.isupper() for s in syllables):
            raise ValueError(f"respelling {value!r} is not hyphenated syllables with a CAPS stress")
        return value


class PatientTexts(Strict):
    what: str
    shows: str
    limits: str
    # How the test is done, only where the page describes it.
    how: str | None = None


class ClinicalTexts(Strict):
    what: str


class TestInfo(Strict):
    id: str
    name: str
    kind: Literal["imaging", "lab", "procedure"]
    term: str | None = None
    aliases: list[str]
    # Names of the test's kinds ("fine needle", "core needle"): a question comparing two of
    # them gets what the test shows, where the page tells them apart.
    kinds: list[str] = []
    section: str
    patient: PatientTexts
    clinical: ClinicalTexts
    evidence: list[Evidence]

    def kinds_named(self, text: str) -> int:
        """How many of the test's kinds the text names."""
        text = text.lower()
        return sum(kind in text for kind in self.kinds)

    def kinds_compared(self, text: str) -> bool:
        """Whether the text names two of the test's kinds, each at least by its first word
        ("fine needle or core?")."""
        words = set(re.findall(r"[a-z]+", text.lower()))
        return len({kind.split()[0].split("-")[0] for kind in self.kinds} & words) >= 2

    _pairs = validator("evidence", pre=True, allow_reuse=True)(pairs_to_evidence)


class Topic(Strict):
    id: str
    title: str
    section: str
    patient: str
    clinical: str
    evidence: list[Evidence]

    _pairs = validator("evidence", pre=True, allow_reuse=True)(pairs_to_evidence)


class Section(Strict):
    heading: str
    title: str


class Source(Strict):
    title: str
    publisher: str
    last_medical_review: date
    file: str
    sections: dict[str, Section]


class Content(Strict):
    source: Source
    terms: dict[str, Term]
    tests: dict[str, TestInfo]
    topics: dict[str, Topic]

    @root_validator(skip_on_failure=True)
    def references_resolve(cls, values: dict) -> dict:
        sections = values["source"].sections
        problems = []
        for kind in ("terms", "tests", "topics"):
            for item in values[kind].values():
                if item.section not in sections:
                    problems.append(f"{kind}.{item.id}: unknown section {item.section!r}")
                for ev in getattr(item, "evidence", []):
                    if isinstance(ev, Evidence) and ev.section not in sections:
                        problems.append(f"{kind}.{item.id}: unknown section {ev.section!r}")
        for test in values["tests"].values():
            if test.term and test.term not in values["terms"]:
                problems.append(f"tests.{test.id}: unknown glossary term {test.term!r}")
        seen: dict[str, str] = {}
        for kind in ("tests", "terms"):
            for item in values[kind].values():
                for alias in item.aliases:
                    key = alias.lower()
                    if key in seen and seen[key] != f"{kind}.{item.id}":
                        problems.append(f"alias {alias!r} used by {seen[key]} and {kind}.{item.id}")
                    seen[key] = f"{kind}.{item.id}"
        if problems:
            raise ValueError("; ".join(problems))
        return values

    def source_citation(self) -> str:
        src = self.source
        reviewed = (
            f"{src.last_medical_review:%B} {src.last_medical_review.day}, "
            f"{src.last_medical_review.year}"
        )
        return f"{src.publisher}, \u201c{src.title}\u201d, last medical review {reviewed}"


def read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def with_ids(mapping: dict) -> dict:
    return {key: {"id": key, **value} for key, value in mapping.items()}


@lru_cache(maxsize=4)
def load_content(directory: Path = CONTENT_DIR) -> Content:
    return Content(
        source=read_yaml(directory / "source.yml"),
        terms=with_ids(read_yaml(directory / "glossary.yml")["terms"]),
        tests=with_ids(read_yaml(directory / "tests.yml")["tests"]),
        topics=with_ids(read_yaml(directory / "topics.yml")["topics"]),
    )
