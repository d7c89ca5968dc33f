"""The explanation actions, run as the action server runs them."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.knowledge import ActionCiteSource, ActionExplain, ActionExplainTopic
from actions.pronunciation import ActionPronounce
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
    assert "tumor, an infection" in texts(messages)


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
