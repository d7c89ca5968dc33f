"""The explanation actions, run as the action server runs them."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.answering import lent_sentences, sentences_lent
from actions.knowledge import ActionCiteSource, ActionExplain, ActionExplainTopic, ActionNotOnPage
from actions.pronunciation import ActionPronounce
from content.reading import Elsewhere
from content.schema import load_content
from tests.actions.trackers import customs, entity, run, texts, tracker_for


def test_bone_scan_question_gets_plain_answer_source_section_and_buttons():
    messages, events = run(
        ActionExplain(),
        tracker_for("what is a bone scan", "ask_what_is", [entity("test", "bone_scan")]),
    )
    assert "whole skeleton" in texts(messages)
    assert customs(messages, "source")[0]["section"] == "Bone scan"
    assert customs(messages, "source")[0]["last_medical_review"] == "2016-05-02"
    assert messages[0]["buttons"]
    assert SlotSet("current_test", "bone_scan") in events


def test_follow_up_without_a_test_uses_the_test_last_discussed():
    messages, _ = run(
        ActionExplain(),
        tracker_for("what does it show", "ask_what_it_shows", slots={"current_test": "mri"}),
    )
    assert "a tumor, an infection" in texts(messages)


def test_bone_mets_named_beside_the_test_talked_about_keeps_that_test():
    # From a carer's follow-up after ALP: "so a high one means bone mets?" got what bone mets are.
    tracker = tracker_for(
        "so a high one means bone mets?",
        "ask_limits",
        [entity("term", "metastasis")],
        slots={"current_test": "alp"},
    )
    assert "liver" in texts(run(ActionExplain(), tracker)[0])


def test_what_bone_mets_are_is_still_about_the_word_after_a_test():
    tracker = tracker_for(
        "what are bone mets",
        "ask_what_is",
        [entity("term", "metastasis")],
        slots={"current_test": "alp"},
    )
    assert "spread to the bone" in texts(run(ActionExplain(), tracker)[0])


def test_limits_question_gets_what_the_test_can_miss():
    messages, _ = run(
        ActionExplain(), tracker_for("can it miss", "ask_limits", [entity("test", "bone_scan")])
    )
    assert "miss" in texts(messages)


def test_term_question_gets_its_meaning_with_respelling_and_a_chip():
    messages, events = run(
        ActionExplain(),
        tracker_for("what is hypercalsemia", "ask_what_is", [entity("term", "hypercalcemia")]),
    )
    assert "Hypercalcemia (HI-per-kal-SEE-me-uh) means" in texts(messages)
    chip = customs(messages, "pronunciation")[0]
    assert chip == {
        "term": "hypercalcemia",
        "respelling": "HI-per-kal-SEE-me-uh",
        "source": "source",
    }
    pronounced = next(e for e in events if e["name"] == "pronounced_terms")["value"]
    assert "hypercalcemia" in pronounced


def test_respelling_already_given_in_the_conversation_is_not_repeated():
    messages, _ = run(
        ActionExplain(),
        tracker_for(
            "what is hypercalcemia",
            "ask_what_is",
            [entity("term", "hypercalcemia")],
            slots={"pronounced_terms": ["hypercalcemia", "metastasis"]},
        ),
    )
    assert "HI-per-kal-SEE-me-uh" not in texts(messages)
    assert customs(messages, "pronunciation") == []


def test_nurses_on_slack_get_the_clinical_wording_without_custom_payloads():
    messages, _ = run(
        ActionExplain(),
        tracker_for("bone scan", "ask_what_is", [entity("test", "bone_scan")], channel="slack"),
    )
    assert "blastic" in texts(messages) and "Source:" in texts(messages)
    assert not any(m.get("custom") for m in messages)


def test_question_without_any_subject_asks_which_test():
    messages, events = run(ActionExplain(), tracker_for("what is it", "ask_what_is"))
    assert messages[0]["response"] == "utter_ask_which_test"
    assert events == []


def test_pronunciation_answer_gives_respelling_meaning_and_chip():
    messages, _ = run(
        ActionPronounce(),
        tracker_for(
            "how do you say osteoblastic", "ask_pronunciation", [entity("term", "osteoblastic")]
        ),
    )
    assert texts(messages).startswith("Osteoblastic is said OS-tee-oh-BLAS-tik.")
    assert customs(messages, "pronunciation")[0]["respelling"] == "OS-tee-oh-BLAS-tik"


def test_pronunciation_of_a_test_uses_its_glossary_word():
    messages, _ = run(
        ActionPronounce(),
        tracker_for("how do you say ALP", "ask_pronunciation", [entity("test", "alp")]),
    )
    assert "AL-kuh-lin FOS-fuh-tays" in texts(messages)


def test_two_words_asked_at_once_are_both_said():
    messages, _ = run(
        ActionPronounce(),
        tracker_for(
            "how do i say osteolytic and osteoblastic",
            "ask_pronunciation",
            [entity("term", "osteolytic"), entity("term", "osteoblastic")],
        ),
    )
    said = texts(messages)
    assert "OS-tee-oh-lit-ik" in said and "OS-tee-oh-BLAS-tik" in said
    assert [p["respelling"] for p in customs(messages, "pronunciation")] == [
        "OS-tee-oh-lit-ik",
        "OS-tee-oh-BLAS-tik",
    ]


def test_what_it_is_and_how_to_say_it_gives_both_with_two_words_named():
    messages, _ = run(
        ActionPronounce(),
        tracker_for(
            "letter says hypercalcaemia ?bony mets. what is it, and how do you say it",
            "ask_pronunciation",
            [entity("term", "hypercalcemia"), entity("term", "metastasis")],
        ),
    )
    said = texts(messages)
    assert "HI-per-kal-SEE-me-uh" in said and "calcium" in said


def test_pronunciation_without_a_word_asks_which():
    messages, _ = run(ActionPronounce(), tracker_for("how do you say it", "ask_pronunciation"))
    assert messages[0]["response"] == "utter_ask_which_word"


def test_topic_question_gets_the_topic():
    messages, _ = run(
        ActionExplainTopic(),
        tracker_for("can it be both", "ask_mixed_lesions"),
    )
    assert "both" in texts(messages)


def test_source_question_names_title_publisher_and_review_date():
    messages, _ = run(ActionCiteSource(), tracker_for("source?", "ask_source"))
    assert messages[0]["response"] == "utter_source"
    assert "May 2, 2016" in messages[0]["citation"]
    assert "American Cancer Society" in messages[0]["citation"]


def read(tracker, **reading):
    """The reader's notes on the message (pipeline/question_reader.py), as Rasa passes them."""
    tracker.latest_message["reading"] = reading
    return tracker


def test_first_answer_of_a_conversation_is_followed_by_what_the_assistant_is():
    messages, _ = run(
        ActionExplain(), tracker_for("what is a ct", "ask_what_is", [entity("test", "ct")])
    )
    assert messages[-1]["response"] == "utter_first_answer_note"


def test_a_later_answer_has_no_note():
    tracker = tracker_for("what is a ct", "ask_what_is", [entity("test", "ct")])
    tracker.events.insert(0, {"event": "user", "text": "hi"})
    messages, _ = run(ActionExplain(), tracker)
    assert "utter_first_answer_note" not in [m.get("response") for m in messages]


def test_a_question_that_also_asks_about_ones_own_case_gets_the_care_team_sentence():
    tracker = read(
        tracker_for("what does a bone scan show and is it bad", "ask_what_it_shows"),
        subject={"kind": "test", "id": "bone_scan"},
        care_team=True,
    )
    messages, _ = run(ActionExplain(), tracker)
    assert "denser" in texts(messages)
    assert "utter_care_team_note" in [m.get("response") for m in messages]


def test_the_reader_s_subject_wins_over_the_first_one_named():
    tracker = read(
        tracker_for(
            "what does lytic mean on my x-ray report",
            "ask_what_is",
            [entity("test", "xray"), entity("term", "lytic")],
        ),
        subject={"kind": "term", "id": "lytic"},
    )
    assert "dark hole" in texts(run(ActionExplain(), tracker)[0])


def test_how_a_test_is_done_where_the_page_describes_it():
    tracker = tracker_for("how is it done", "ask_how_done", [entity("test", "ct_biopsy")])
    assert "again and again" in texts(run(ActionExplain(), tracker)[0])


def test_how_a_test_is_done_where_the_page_does_not_say_is_honest():
    tracker = tracker_for("how is it done", "ask_how_done", [entity("test", "bone_scan")])
    messages, _ = run(ActionExplain(), tracker)
    assert messages[0]["response"] == "utter_not_on_page_about"
    assert messages[0]["what"] == "what happens during it"
    assert "whole skeleton" in texts(messages)


def test_what_the_page_does_not_say_is_said_with_what_it_does_say_about_the_test():
    tracker = read(
        tracker_for("does a bone scan hurt and how long is it", "ask_not_on_page"),
        subject={"kind": "test", "id": "bone_scan"},
        not_on_page=["duration", "pain"],
    )
    messages, _ = run(ActionNotOnPage(), tracker)
    assert messages[0]["response"] == "utter_not_on_page_about"
    assert messages[0]["what"] == "how long it takes or whether it hurts"
    assert messages[0]["name"] == "bone scan"
    assert "whole skeleton" in texts(messages)


def test_what_the_page_does_not_say_without_a_test_sends_to_the_care_team():
    tracker = read(
        tracker_for("how long till results", "ask_not_on_page"), not_on_page=["results_time"]
    )
    messages, _ = run(ActionNotOnPage(), tracker)
    assert messages[0]["response"] == "utter_not_on_page"
    assert messages[0]["what"] == "how soon the results come back"


def test_a_bare_follow_up_asks_the_last_aspect_of_the_new_test():
    tracker = read(
        tracker_for(
            "and the mri?",
            "ask_what_is",
            [entity("test", "mri")],
            slots={"last_aspect": "ask_limits"},
        ),
        subject={"kind": "test", "id": "mri"},
        follow_up=True,
    )
    assert "one part of the body" in texts(run(ActionExplain(), tracker)[0])


def test_a_limit_of_a_word_is_its_test_s_limit():
    tracker = tracker_for(
        "is it always from bone mets", "ask_limits", slots={"current_term": "hypercalcemia"}
    )
    assert "Other problems" in texts(run(ActionExplain(), tracker)[0])


def test_a_test_s_full_name_stands_for_the_test():
    tracker = read(
        tracker_for("positron emission tomography?", "ask_what_is"),
        subject={"kind": "term", "id": "positron"},
    )
    assert "sugar" in texts(run(ActionExplain(), tracker)[0])


def test_about_it_keeps_the_subject_talked_about():
    tracker = read(
        tracker_for(
            "does it use x-rays",
            "ask_what_is",
            [entity("test", "xray")],
            slots={"current_test": "mri"},
        ),
        subject={"kind": "it"},
    )
    assert "magnets" in texts(run(ActionExplain(), tracker)[0])


def test_the_plural_is_said_when_asked_for():
    tracker = tracker_for(
        "how do you say the plural", "ask_pronunciation", [entity("term", "metastasis")]
    )
    assert "Metastases is said meh-TAS-tuh-seez" in texts(run(ActionPronounce(), tracker)[0])


def test_a_kind_of_a_test_gets_what_the_page_says_about_that_kind():
    messages, _ = run(
        ActionExplain(),
        tracker_for("what's a core needle biopsy", "ask_what_is", [entity("test", "ct_biopsy")]),
    )
    assert "cylinder" in texts(messages)


def test_how_to_say_that_after_an_answer_without_a_subject_says_its_last_hard_word():
    tracker = tracker_for("how do you say that", "ask_pronunciation")
    question = tracker.events.pop()
    tracker.events += [
        {"event": "user", "text": "is there a urine test too"},
        {"event": "bot", "text": "A urine test can measure N-telopeptide (en-TEL-oh-PEP-tide)."},
        {"event": "bot", "text": None, "data": {"custom": {"source": {}}}},
        question,
    ]
    assert "en-TEL-oh-PEP-tide" in texts(run(ActionPronounce(), tracker)[0])


def test_asking_whether_a_test_finds_what_its_limits_name_gets_its_limits():
    tracker = read(
        tracker_for(
            "and does the bone scan pick those up",
            "ask_what_it_shows",
            [entity("test", "bone_scan")],
            slots={"current_term": "osteolytic"},
        ),
        subject={"kind": "test", "id": "bone_scan"},
    )
    assert "harder time" in texts(run(ActionExplain(), tracker)[0])


def test_asking_whether_a_test_finds_what_it_is_good_at_gets_what_it_shows():
    tracker = read(
        tracker_for(
            "does a bone scan pick up blastic spots",
            "ask_what_it_shows",
            [entity("test", "bone_scan"), entity("term", "blastic")],
        ),
        subject={"kind": "test", "id": "bone_scan"},
    )
    answer = texts(run(ActionExplain(), tracker)[0])
    assert "denser" in answer and "harder time" not in answer


def test_the_lab_tests_overview_asked_about_a_scan_is_what_that_scan_shows():
    tracker = tracker_for(
        "can a CT scan help find bone mets", "ask_lab_overview", [entity("test", "ct")]
    )
    answer = texts(run(ActionExplainTopic(), tracker)[0])
    assert "CT scan" in answer and "blood" not in answer


def test_a_test_asked_for_what_another_test_does_gets_that_tests_sentence_too():
    # "Can a CT tell a tumour from an infection?": the page says an MRI usually can.
    tracker = tracker_for(
        "can a CT tell a tumour from an infection in the bone",
        "ask_what_it_shows",
        [entity("test", "ct")],
    )
    reply = texts(run(ActionExplain(), tracker)[0])
    assert "size and shape" in reply
    assert "An MRI can usually tell if a lump is likely a tumor, an infection" in reply


def test_the_test_that_does_it_is_not_told_about_itself_twice():
    tracker = tracker_for(
        "can an MRI tell infection from cancer", "ask_what_it_shows", [entity("test", "mri")]
    )
    assert texts(run(ActionExplain(), tracker)[0]).count("an infection") == 1


def test_every_sentence_lent_from_another_test_exists_once():
    # reading.yml names a word; the answer lends the one sentence of that test holding it.
    lent = sentences_lent()
    assert lent
    assert all(word in sentence for (_, word), sentence in lent.items())


@pytest.mark.parametrize("word", ["a word the page never uses", "the"])
def test_a_word_in_no_sentence_or_in_several_is_a_content_error(word):
    rule = Elsewhere(cues=["infection"], test="mri", holds=word)
    with pytest.raises(ValueError, match="sentences of mri"):
        lent_sentences([rule], load_content())
