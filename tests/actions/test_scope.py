"""Honest limits: the welcome, kind declines, the topic fallback, start over."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError
from rasa_sdk.events import ActionExecuted, ActiveLoop, AllSlotsReset, SessionStarted, SlotSet

from actions.scope import (
    ActionDeclineOutOfScope,
    ActionGreet,
    ActionSessionStart,
    ActionStartOver,
    ActionSuggestTopics,
)
from actions.suggestions import buttons_for
from content.schema import CONTENT_DIR, load_content
from content.scope import Scope, load_scope
from settings import PROJECT_DIR
from tests.actions.trackers import entity, run, tracker_for

SESSION_CONFIG = {"session_config": {"carry_over_slots_to_new_session": True}}


def payloads(message):
    return [b["payload"] for b in message.get("buttons") or []]


def test_session_start_says_nothing_and_sets_the_clinic_number(action_settings):
    action_settings(CLINIC_PHONE="312-555-0142")
    messages, events = run(ActionSessionStart(), tracker_for("hi", "greet"), SESSION_CONFIG)
    assert messages == []
    assert events[0] == SessionStarted()
    assert SlotSet("clinic_phone", "312-555-0142") in events
    assert events[-1] == ActionExecuted("action_listen")


def test_a_conversation_opened_with_hello_gets_the_welcome(action_settings):
    action_settings(CLINIC_PHONE="312-555-0142")
    messages, _ = run(ActionGreet(), tracker_for("hi", "greet"))
    assert [m["response"] for m in messages] == ["utter_welcome"]
    assert messages[0]["clinic_phone"] == "312-555-0142"


def test_a_later_hello_gets_a_short_hello_back():
    tracker = tracker_for("hello again", "greet")
    tracker.events.insert(0, {"event": "user", "text": "what is a ct"})
    messages, _ = run(ActionGreet(), tracker)
    assert [m["response"] for m in messages] == ["utter_greet"]


def test_nurses_in_slack_get_no_patient_welcome():
    messages, _ = run(ActionGreet(), tracker_for("hi", "greet", channel="slack"))
    assert [m["response"] for m in messages] == ["utter_greet"]


def test_new_session_keeps_the_topic_but_not_a_warning_sign_or_a_phone_number():
    slots = {
        "current_test": "mri",
        "red_flag_signs": ["numbness or tingling"],
        "callback_phone": "312 555 0142",
    }
    tracker = tracker_for("hi", "greet", slots=slots)
    _, events = run(ActionSessionStart(), tracker, SESSION_CONFIG)
    assert SlotSet("current_test", "mri") in events
    assert not [e for e in events if e.get("name") in {"red_flag_signs", "callback_phone"}]


def test_welcome_says_what_it_is_not_and_never_raises_an_alarm():
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    welcome = domain["responses"]["utter_welcome"][0]["text"]
    assert "not a doctor" in welcome and "can't see your records" in welcome
    # The evaluation counts 911 or 988 in an answer as an alarm (eval/scoring.py).
    assert "911" not in welcome and "988" not in welcome


def out_of_scope_tracker(text: str, kind: str | None, entities=None):
    tracker = tracker_for(text, "out_of_scope", entities)
    if kind:
        tracker.latest_message["reading"] = {"decline": kind}
    return tracker


def test_own_results_question_gets_the_own_results_decline_and_the_test_it_named():
    tracker = out_of_scope_tracker(
        "my calcium is 11.2, is that bad?", "own_results", [entity("test", "blood_calcium")]
    )
    messages, _ = run(ActionDeclineOutOfScope(), tracker)
    assert messages[0]["response"] == "utter_out_of_scope/own_results"
    assert payloads(messages[0])[0] == '/ask_what_it_shows{"test": "blood_calcium"}'


def test_a_first_message_declined_gets_the_note_of_what_the_assistant_is():
    messages, _ = run(ActionDeclineOutOfScope(), out_of_scope_tracker("cost?", "costs"))
    assert [m.get("response") for m in messages] == [
        "utter_out_of_scope/costs",
        "utter_first_answer_note",
    ]


def test_decline_without_a_recognised_kind_uses_the_general_one_and_default_topics():
    messages, _ = run(ActionDeclineOutOfScope(), out_of_scope_tracker("hmm", None))
    assert messages[0]["response"] == "utter_out_of_scope/other_medical"
    assert payloads(messages[0]) == ["/ask_what_is", "/ask_test_list", "/talk_to_nurse"]


def test_fallback_offers_the_closest_topics_nlu_saw_about_the_test_named():
    tracker = tracker_for("bone scan blah miss?", "nlu_fallback", [entity("test", "bone_scan")])
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_limits", "confidence": 0.4},
        {"name": "greet", "confidence": 0.3},
        {"name": "ask_what_it_shows", "confidence": 0.2},
    ]
    messages, _ = run(ActionSuggestTopics(), tracker)
    assert messages[0]["response"] == "utter_not_sure"
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "What can the bone scan miss?",
        "What does the bone scan show?",
        "What is the bone scan?",
    ]


def test_fallback_without_a_subject_offers_plain_topics_only():
    tracker = tracker_for("erm", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_limits", "confidence": 0.3},
        {"name": "ask_lab_overview", "confidence": 0.2},
    ]
    messages, _ = run(ActionSuggestTopics(), tracker)
    assert payloads(messages[0]) == ["/ask_lab_overview", "/ask_what_is", "/ask_test_list"]


def test_start_over_clears_the_context_keeps_the_clinic_number_and_stops_a_form(action_settings):
    action_settings(CLINIC_PHONE="312-555-0142")
    tracker = tracker_for("start over", "start_over", slots={"current_test": "mri"})
    tracker.active_loop = {"name": "nurse_callback_form"}
    messages, events = run(ActionStartOver(), tracker)
    assert messages[0]["response"] == "utter_start_over"
    assert events == [ActiveLoop(None), AllSlotsReset(), SlotSet("clinic_phone", "312-555-0142")]


def test_every_suggested_intent_is_in_the_domain():
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert set(load_scope().suggestions) <= set(domain["intents"])


def test_every_button_title_about_a_test_is_filled_in():
    content, scope = load_content(), load_scope()
    for test_id in content.tests:
        for button in buttons_for(scope.suggestions, ("test", test_id), scope, content):
            assert "{" not in button["title"]


def test_scope_refuses_a_suggestion_without_a_title():
    data = yaml.safe_load((CONTENT_DIR / "scope.yml").read_text())
    data["suggestions"]["help"] = {}
    with pytest.raises(ValidationError, match="at least one title"):
        Scope(**data)
