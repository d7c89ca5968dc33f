"""The handout action: a patient page in plain words, with pronunciations and the source."""

from __future__ import annotations

import asyncio
import re
import statistics

import pytest
import textstat
from rasa_sdk.executor import CollectingDispatcher

from actions.handout import (
    ActionHandout,
    handout_for_term,
    handout_for_test,
    handout_for_topic,
    render,
)
from actions.respelling import strip_respellings
from content.schema import load_content
from tests.actions.trackers import entity, tracker_for

CONTENT = load_content()


def run(tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandout().run(dispatcher, tracker, {}))
    return dispatcher.messages


def handout_text(messages: list[dict]) -> str:
    [message] = messages
    return message["text"]


@pytest.mark.parametrize("channel", ["slack", "botframework"])
def test_nurse_asking_for_a_bone_scan_handout_gets_the_patient_page_in_parts_and_markdown(
    channel,
):
    tracker = tracker_for(
        "handout bone scan", "ask_handout", [entity("test", "bone_scan")], channel=channel
    )
    [message] = run(tracker)
    page = message["custom"]["handout"]
    bone_scan = CONTENT.tests["bone_scan"]
    assert page["markdown"] == render(CONTENT, handout_for_test(CONTENT, "bone_scan"))
    assert page["title"] == "Bone scan"
    assert [part["heading"] for part in page["parts"]] == [
        None,
        "What it can show",
        "What it can miss",
    ]
    parts = " ".join(part["text"] for part in page["parts"])
    assert strip_respellings(parts, CONTENT).count(bone_scan.patient.what) == 1
    assert bone_scan.clinical.what not in page["markdown"]
    assert {"term": "blastic", "respelling": "BLAS-tik"}.items() <= page["words"][0].items()
    assert "May 2, 2016" in page["source"] and page["reviewed"] == "2016-05-02"
    assert page["filename"] == "bone-scan-patient-handout.md"


def test_handout_on_the_web_is_the_markdown_page():
    tracker = tracker_for("handout bone scan", "ask_handout", [entity("test", "bone_scan")])
    text = handout_text(run(tracker))
    assert text == render(CONTENT, handout_for_test(CONTENT, "bone_scan"))
    assert text.startswith("# Bone scan\n")
    assert "## What it can miss" in text


def test_handout_gives_each_hard_word_its_pronunciation_and_meaning():
    text = render(CONTENT, handout_for_test(CONTENT, "bone_scan"))
    assert "(blastic, BLAS-tik)" in text  # on first mention in the text
    assert f"- **blastic** (BLAS-tik): {CONTENT.terms['blastic'].meaning}" in text
    assert f"- **lytic** (LIT-ik): {CONTENT.terms['lytic'].meaning}" in text


def test_handout_about_a_test_lists_the_word_behind_its_name():
    text = render(CONTENT, handout_for_test(CONTENT, "ct"))
    assert f"**tomography** ({CONTENT.terms['tomography'].respelling})" in text


def test_handout_names_the_source_section_and_review_date():
    text = render(CONTENT, handout_for_test(CONTENT, "mri"))
    footer = text.split("\n---\n")[1]
    assert "American Cancer Society" in footer
    assert "How Are Bone Metastases Diagnosed?" in footer
    assert "May 2, 2016" in footer
    assert "Magnetic resonance imaging (MRI)" in footer


def test_handout_about_a_word_says_it_once_and_does_not_list_it_again():
    text = render(CONTENT, handout_for_term(CONTENT, "hypercalcemia"))
    assert text.startswith("# Hypercalcemia\n")
    assert text.count("HI-per-kal-SEE-me-uh") == 1
    assert "**hypercalcemia**" not in text


def test_general_topic_is_found_by_its_title_in_the_message():
    text = handout_text(run(tracker_for("handout lab tests", "ask_handout")))
    assert text.startswith("# Lab tests\n")
    assert CONTENT.topics["lab_overview"].patient.split(".")[0] in text


def test_general_topic_from_a_button_is_used():
    tracker = tracker_for(
        "/ask_handout", "ask_handout", [entity("handout_topic", "imaging_overview")]
    )
    assert handout_text(run(tracker)).startswith("# Imaging tests\n")


def test_handout_without_a_topic_covers_the_test_just_discussed():
    tracker = tracker_for("handout please", "ask_handout", slots={"current_test": "pet"})
    assert handout_text(run(tracker)).startswith("# PET scan\n")


def test_handout_without_any_topic_asks_which_one():
    [message] = run(tracker_for("handout", "ask_handout"))
    assert message["response"] == "utter_ask_handout_topic"


def readable_body(markdown: str) -> str:
    """The handout's text as a reader meets it: no respellings, Markdown marks or footer."""
    body = strip_respellings(markdown.split("\n---\n")[0], CONTENT)
    return re.sub(r"^#+ |^- |\*\*", "", body, flags=re.MULTILINE)


def test_handouts_on_tests_and_topics_read_at_grade_6_or_lower():
    handouts = [handout_for_test(CONTENT, test_id) for test_id in CONTENT.tests]
    handouts += [handout_for_topic(CONTENT, topic_id) for topic_id in CONTENT.topics]
    grades = {
        h.title: textstat.flesch_kincaid_grade(readable_body(render(CONTENT, h))) for h in handouts
    }
    assert statistics.median(grades.values()) <= 6, grades
    too_hard = {title: grade for title, grade in grades.items() if grade > 8}
    assert not too_hard, too_hard
