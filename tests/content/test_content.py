"""The medical content: schema, sources, respelling style and readability."""

from __future__ import annotations

import re
import statistics

import pytest
import textstat
import yaml
from pydantic import ValidationError

from actions.respelling import strip_respellings
from content.schema import CONTENT_DIR, Content, load_content
from content.source_text import source_sections, source_text
from settings import PROJECT_DIR

CONTENT = load_content()


def evidence_items():
    for kind in ("tests", "topics"):
        for item in getattr(CONTENT, kind).values():
            for ev in item.evidence:
                yield pytest.param(ev.section, ev.phrase, id=f"{kind}.{item.id}:{ev.phrase[:30]}")
    for term in CONTENT.terms.values():
        for phrase in term.evidence:
            yield pytest.param(term.section, phrase, id=f"terms.{term.id}:{phrase[:30]}")


def test_every_section_heading_is_found_in_the_source():
    assert set(source_sections()) == set(CONTENT.source.sections)


@pytest.mark.parametrize(("section", "phrase"), list(evidence_items()))
def test_every_fact_is_backed_by_a_phrase_of_its_source_section(section, phrase):
    assert phrase in source_sections()[section]


def test_source_respellings_are_kept_exactly_as_the_page_writes_them():
    from_source = [t for t in CONTENT.terms.values() if t.respelling_source == "source"]
    assert {t.id for t in from_source} == {"osteolytic", "lytic", "hypercalcemia"}
    for term in from_source:
        assert term.respelling in source_text()


def test_project_respellings_are_not_claimed_to_come_from_the_page():
    for term in CONTENT.terms.values():
        if term.respelling_source == "project":
            assert term.respelling not in source_text()


@pytest.mark.parametrize(
    "bad", ["hi-per-kal-see-me-uh", "HI-per-kal-SEE-me-uh-", "HI-per-kal-SEE-me-uh.", "Hi-PER"]
)
def test_schema_refuses_a_respelling_in_another_style(bad, tmp_path):
    for name in ("source.yml", "tests.yml", "topics.yml"):
        (tmp_path / name).write_text((CONTENT_DIR / name).read_text())
    glossary = yaml.safe_load((CONTENT_DIR / "glossary.yml").read_text())
    glossary["terms"]["lytic"]["respelling"] = bad
    (tmp_path / "glossary.yml").write_text(yaml.safe_dump(glossary))
    with pytest.raises(ValidationError, match="respelling"):
        load_content.__wrapped__(tmp_path)


def test_schema_refuses_an_unknown_section(tmp_path):
    for name in ("source.yml", "glossary.yml", "topics.yml"):
        (tmp_path / name).write_text((CONTENT_DIR / name).read_text())
    tests = yaml.safe_load((CONTENT_DIR / "tests.yml").read_text())
    tests["tests"]["mri"]["section"] = "treatment"
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(tests))
    with pytest.raises(ValidationError, match="unknown section 'treatment'"):
        load_content.__wrapped__(tmp_path)


def patient_texts(content: Content) -> dict[str, str]:
    texts = {}
    for test in content.tests.values():
        for aspect in ("what", "shows", "limits"):
            texts[f"tests.{test.id}.{aspect}"] = getattr(test.patient, aspect)
    texts.update({f"terms.{t.id}": t.meaning for t in content.terms.values()})
    texts.update({f"topics.{t.id}": t.patient for t in content.topics.values()})
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    for name, variants in domain["responses"].items():
        for i, variant in enumerate(variants):
            if "text" in variant:
                texts[f"domain.{name}.{i}"] = variant["text"]
    return texts


# Words that mark a medical term: each one the assistant says needs a glossary entry.
MEDICAL_WORD = re.compile(
    r"\b[\w-]*(?:metasta|osteo|lytic|blastic|sclero|calcemi|phosphat|peptide|tomograph|biops|"
    r"radioactiv|fractur|resonance|positron)\w*\b",
    re.IGNORECASE,
)


def test_every_medical_word_in_an_answer_has_a_glossary_entry():
    known = {
        word.lower()
        for term in CONTENT.terms.values()
        for name in [*term.forms, *term.aliases]
        for word in name.split()
    }
    missing = {}
    for where, text in patient_texts(CONTENT).items():
        for word in MEDICAL_WORD.findall(text):
            if word.lower() not in known:
                missing.setdefault(word.lower(), where)
    assert not missing, f"words without a glossary entry: {missing}"


def test_patient_answers_are_short_and_plain():
    texts = [strip_respellings(t, CONTENT) for t in patient_texts(CONTENT).values()]
    grades = {text: textstat.flesch_kincaid_grade(text) for text in texts}
    words = [len(text.split()) for text in texts]
    assert statistics.median(words) <= 60
    assert statistics.median(grades.values()) <= 6
    too_hard = {text: grade for text, grade in grades.items() if grade > 8}
    assert not too_hard, too_hard
