"""The red-flag reply: care team now or emergency services, the clinic's number, then go on."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, SlotSet

from actions.safety import ActionGoOn, ActionRedFlag, describe
from tests.actions.trackers import run, tracker_for


def red_flag_tracker(found: dict | None, channel: str = "rest", active_loop: str = "") -> Tracker:
    tracker = tracker_for("my legs are numb", "red_flag", channel=channel)
    if found is not None:
        tracker.latest_message["red_flag"] = found
    if active_loop:
        tracker.active_loop = {"name": active_loop}
    return tracker


NUMB = {
    "category": "spinal_cord",
    "reply": "urgent",
    "label": "possible spinal cord compression signs",
    "signs": ["numbness"],
    "says": ["numbness or tingling"],
}


def test_warning_sign_gets_the_urgent_reply_with_clinic_and_emergency_numbers(action_settings):
    action_settings(CLINIC_PHONE="312-555-0142")
    messages, events = run(ActionRedFlag(), red_flag_tracker(NUMB))
    (reply,) = messages
    assert reply["response"] == "utter_red_flag"
    assert reply["signs"] == "numbness or tingling"
    assert reply["clinic_phone"] == "312-555-0142"
    assert (reply["emergency_number"], reply["crisis_line"]) == ("911", "988")
    assert SlotSet("red_flag_signs", ["numbness or tingling"]) in events
    assert SlotSet("red_flag_label", "possible spinal cord compression signs") in events


def test_thoughts_of_self_harm_get_the_crisis_reply():
    found = {
        "category": "self_harm",
        "reply": "crisis",
        "signs": ["self_harm"],
        "says": ["thoughts of hurting"],
    }
    messages, _ = run(ActionRedFlag(), red_flag_tracker(found))
    assert messages[0]["response"] == "utter_red_flag_crisis"


def test_nurses_in_slack_get_the_clinical_wording():
    messages, _ = run(ActionRedFlag(), red_flag_tracker(NUMB, channel="slack"))
    assert messages[0]["response"] == "utter_red_flag_clinician"


def test_red_flag_from_a_button_without_details_still_gets_the_urgent_reply():
    messages, events = run(ActionRedFlag(), red_flag_tracker(None))
    assert messages[0]["response"] == "utter_red_flag"
    assert messages[0]["signs"] == "a possible warning sign"
    assert SlotSet("red_flag_signs", None) in events


def test_red_flag_ends_a_running_form():
    _, events = run(ActionRedFlag(), red_flag_tracker(NUMB, active_loop="nurse_callback_form"))
    assert ActiveLoop(None) in events
    assert SlotSet("requested_slot", None) in events


def test_no_form_running_means_no_form_events():
    _, events = run(ActionRedFlag(), red_flag_tracker(NUMB))
    assert not [e for e in events if e.get("event") == "active_loop"]


def test_several_signs_are_named_in_plain_words():
    assert describe(["numbness or tingling"]) == "numbness or tingling"
    assert describe(["a", "b"]) == "a and b"
    assert describe(["a", "b", "c"]) == "a, b and c"


def test_a_question_that_came_with_a_warning_sign_waits_for_the_person_to_be_safe():
    tracker = red_flag_tracker(NUMB)
    tracker.latest_message["text"] = "my legs went numb, also what is an MRI?"
    tracker.latest_message["entities"] = [
        {"entity": "test", "value": "mri", "start": 32, "end": 35, "confidence": None}
    ]
    tracker.latest_message["reading"] = {"intent": "ask_what_is", "subject": None}
    _, events = run(ActionRedFlag(), tracker)
    (pending,) = [e["value"] for e in events if e.get("name") == "pending_question"]
    assert pending["intent"]["name"] == "ask_what_is"
    assert pending["entities"] == [{"entity": "test", "value": "mri", "start": 32, "end": 35}]


def test_a_warning_sign_alone_leaves_no_question_waiting():
    _, events = run(ActionRedFlag(), red_flag_tracker(NUMB))
    assert SlotSet("pending_question", None) in events


def test_going_on_asks_the_waiting_question_again_after_a_listen():
    pending = {"text": "what is an MRI?", "intent": {"name": "ask_what_is", "confidence": 1.0}}
    tracker = tracker_for("ok go on", "safe_to_go_on", slots={"pending_question": pending})
    _, events = run(ActionGoOn(), tracker)
    assert events[0] == SlotSet("pending_question", None)
    assert events[1] == ActionExecuted("action_listen")
    assert events[2]["event"] == "user" and events[2]["parse_data"] == pending


def test_going_on_with_nothing_waiting_says_what_it_can_do():
    messages, events = run(ActionGoOn(), tracker_for("go on", "safe_to_go_on"))
    assert messages[0]["response"] == "utter_help" and events == []
