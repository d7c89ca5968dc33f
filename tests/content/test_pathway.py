"""The test pathway: schema, links to the other content, and every reason backed by the page."""

from __future__ import annotations

import re
import shutil
import statistics

import pytest
import textstat
import yaml

from actions.respelling import strip_respellings
from content.pathway import START, load_pathway
from content.schema import CONTENT_DIR, load_content
from content.source_text import source_sections
from tests.content.test_content import MEDICAL_WORD

PATHWAY = load_pathway()
CONTENT = load_content()


def evidence_items():
    for name, reason in PATHWAY.reasons():
        for ev in reason.evidence:
            yield pytest.param(ev.section, ev.phrase, id=f"{name}:{ev.phrase[:30]}")


@pytest.mark.parametrize(("section", "phrase"), list(evidence_items()))
def test_every_pathway_reason_is_backed_by_a_phrase_of_its_source_section(section, phrase):
    assert phrase in source_sections()[section]


def test_every_edge_names_a_section_and_evidence():
    for edge in PATHWAY.edges.values():
        assert edge.section in CONTENT.source.sections
        assert edge.evidence


def test_the_pathway_covers_the_findings_the_issue_names():
    whens = {edge.when for edge in PATHWAY.edges.values()}
    assert {
        "bone_pain",
        "mass_on_xray",
        "likely_lytic",
        "cord_compression",
        "spread_site_unknown",
        "area_on_pet",
        "high_calcium",
        "high_alp",
        "unclear",
    } <= whens


def test_every_test_can_be_reached_from_the_start():
    reached, frontier = set(), [START]
    while frontier:
        step = frontier.pop()
        for edge in PATHWAY.edges.values():
            if step in edge.from_ or (not edge.from_ and step == START):
                new = set(edge.to) - reached
                reached |= new
                frontier += new
    assert reached == set(CONTENT.tests)


def test_following_the_usual_next_step_from_the_first_test_ends_with_an_end_text():
    step, seen = PATHWAY.edges_from(START)[0].main_test, []
    while PATHWAY.edges_from(step):
        seen.append(step)
        step = PATHWAY.edges_from(step)[0].main_test
        assert step not in seen, f"the walk loops at {step}"
    assert PATHWAY.nodes[step].end is not None


def patient_texts() -> dict[str, str]:
    texts = {name: reason.patient for name, reason in PATHWAY.reasons()}
    texts["care_team"] = PATHWAY.care_team.patient
    return texts


def test_pathway_texts_never_say_what_a_persons_own_doctor_will_do():
    banned = re.compile(
        r"\b(your doctor will|you will (have|need|get)|you need|you must|will be done)\b",
        re.IGNORECASE,
    )
    for name, text in patient_texts().items():
        assert not banned.search(text), name


def test_every_medical_word_in_the_pathway_has_a_glossary_entry():
    known = {
        word.lower()
        for term in CONTENT.terms.values()
        for name in [*term.forms, *term.aliases]
        for word in name.split()
    }
    missing = {
        word.lower(): name
        for name, text in patient_texts().items()
        for word in MEDICAL_WORD.findall(text)
        if word.lower() not in known
    }
    assert not missing, f"words without a glossary entry: {missing}"


def test_pathway_patient_texts_are_short_and_plain():
    texts = [strip_respellings(t, CONTENT) for t in patient_texts().values()]
    grades = {text: textstat.flesch_kincaid_grade(text) for text in texts}
    assert statistics.median(len(t.split()) for t in texts) <= 60
    assert statistics.median(grades.values()) <= 6
    too_hard = {text: grade for text, grade in grades.items() if grade > 8}
    assert not too_hard, too_hard


@pytest.fixture
def content_copy(tmp_path):
    for path in CONTENT_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit_pathway(directory, change) -> None:
    path = directory / "pathway.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_schema_refuses_an_edge_to_an_unknown_test(content_copy):
    edit_pathway(content_copy, lambda raw: raw["edges"]["mri_for_the_spine"].update(to=["spect"]))
    with pytest.raises(ValueError, match="unknown test 'spect'"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_an_edge_without_evidence(content_copy):
    edit_pathway(content_copy, lambda raw: raw["edges"]["mri_for_the_spine"].update(evidence=[]))
    with pytest.raises(ValueError, match="at least one evidence phrase"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_an_unknown_finding(content_copy):
    edit_pathway(content_copy, lambda raw: raw["edges"]["mri_for_the_spine"].update(when="gut"))
    with pytest.raises(ValueError, match="unknown finding 'gut'"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_an_unknown_section(content_copy):
    edit_pathway(
        content_copy, lambda raw: raw["edges"]["mri_for_the_spine"].update(section="treatment")
    )
    with pytest.raises(ValueError, match="unknown section 'treatment'"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_a_test_with_no_reason_to_be_done(content_copy):
    edit_pathway(content_copy, lambda raw: raw["edges"].pop("pet_when_the_spread_is_unknown"))
    with pytest.raises(ValueError, match="'pet' has no reason to be done"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_a_last_test_without_an_end_text(content_copy):
    edit_pathway(content_copy, lambda raw: raw["nodes"]["biopsy"].pop("end"))
    with pytest.raises(ValueError, match="'biopsy' has no edge out and no `end` text"):
        load_pathway.__wrapped__(content_copy)


def test_schema_refuses_an_unknown_field(content_copy):
    edit_pathway(content_copy, lambda raw: raw["edges"]["mri_for_the_spine"].update(why="x"))
    with pytest.raises(ValueError, match="extra fields not permitted"):
        load_pathway.__wrapped__(content_copy)


def test_a_finding_said_not_to_be_there_is_not_mentioned():
    pain = load_pathway().findings["bone_pain"]
    assert pain.is_mentioned("his hip hurts", frozenset())
    assert not pain.is_mentioned("I don't have pain anywhere in particular", frozenset())
    assert not pain.is_mentioned("no pain, no symptoms at all", frozenset())
