"""The nurse call-back: consent naming what is shared, the number, the alert, kept if down."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.nurse_alerts import Outbox, conversation_key
from actions.handoff import (
    ActionAskNurseConsent,
    ActionSendNurseAlert,
    ValidateNurseCallbackForm,
    phone_number_in,
)
from tests.actions.trackers import run, tracker_for

AFTER_RED_FLAG = {
    "red_flag_label": "possible spinal cord compression signs",
    "red_flag_signs": ["numbness or tingling"],
}


AGREED = {"nurse_consent": True, "callback_phone": "312 555 0142"}


def test_consent_question_names_everything_shared_and_gives_the_clinic_number(action_settings):
    action_settings(CLINIC_PHONE="312-555-0142")
    messages, events = run(ActionAskNurseConsent(), tracker_for("nurse", "talk_to_nurse"))
    assert messages[0]["response"] == "utter_ask_nurse_consent"
    assert messages[0]["shared"] == ("that you asked for a call, and the phone number you give me")
    assert messages[0]["clinic_phone"] == "312-555-0142"
    assert events == []


def test_consent_question_after_a_warning_sign_says_the_sign_would_be_shared_too():
    tracker = tracker_for("yes a nurse", "talk_to_nurse", slots=AFTER_RED_FLAG)
    messages, _ = run(ActionAskNurseConsent(), tracker)
    assert "that you mentioned numbness or tingling" in messages[0]["shared"]


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("312 555 0142", "312 555 0142"),
        ("call me at (312) 555-0142 after 5", "(312) 555-0142"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("my name is Ann", None),
        ("12345", None),
    ],
)
def test_phone_number_is_found_in_what_was_typed(typed, phone):
    assert phone_number_in(typed) == phone


def test_form_asks_for_the_number_only_after_a_yes():
    form = ValidateNurseCallbackForm()
    slots = ["nurse_consent", "callback_phone"]

    def required(consent):
        tracker = tracker_for("x", "affirm", slots={"nurse_consent": consent})
        return asyncio.run(form.required_slots(slots, CollectingDispatcher(), tracker, {}))

    assert required(None) == slots
    assert required(True) == slots
    assert required(False) == ["nurse_consent"]


def test_no_instead_of_a_number_withdraws_consent():
    form = ValidateNurseCallbackForm()
    tracker = tracker_for("no, cancel", "deny")
    kept = form.validate_callback_phone("no, cancel", CollectingDispatcher(), tracker, {})
    assert kept == {"callback_phone": None, "nurse_consent": False}


def test_form_keeps_only_the_number_and_asks_again_when_there_is_none():
    form = ValidateNurseCallbackForm()
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("x", "affirm")
    kept = form.validate_callback_phone("it's 312 555 0142 thanks", dispatcher, tracker, {})
    assert kept == {"callback_phone": "312 555 0142"}
    refused = form.validate_callback_phone("tomorrow please", dispatcher, tracker, {})
    assert refused == {"callback_phone": None}
    assert dispatcher.messages[0]["response"] == "utter_callback_phone_invalid"


def read_alerts(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_alert_reaches_the_local_file_with_only_what_was_agreed(action_settings):
    settings = action_settings()
    slots = {"nurse_consent": True, "callback_phone": "312 555 0142", **AFTER_RED_FLAG}
    tracker = tracker_for("312 555 0142", "affirm", slots=slots)
    messages, events = run(ActionSendNurseAlert(), tracker)
    (alert,) = read_alerts(settings.nurse_alert_file)
    assert alert["callback_phone"] == "312 555 0142"
    assert alert["urgent"] is True
    assert alert["reason"] == (
        "Mentioned numbness or tingling (possible spinal cord compression signs) "
        "and asked for a call."
    )
    assert alert["source"] == "website"
    # Nothing the person typed besides the number; the conversation only as a hash, for
    # "forget me" to find its alerts.
    assert set(alert) == {
        "reason",
        "callback_phone",
        "source",
        "urgent",
        "id",
        "created_at",
        "text",
        "conversation",
    }
    assert alert["conversation"] == conversation_key("test-sender") != "test-sender"
    assert messages[0]["response"] == "utter_nurse_alert_sent"
    assert SlotSet("callback_phone", None) in events
    assert SlotSet("nurse_consent", None) in events
    assert SlotSet("red_flag_signs", None) in events
    assert Outbox(settings.nurse_alert_outbox).pending() == []


def test_alert_asked_without_a_warning_sign_is_not_urgent(action_settings):
    settings = action_settings()
    tracker = tracker_for("312 555 0142", "affirm", slots=AGREED)
    run(ActionSendNurseAlert(), tracker)
    (alert,) = read_alerts(settings.nurse_alert_file)
    assert alert["urgent"] is False
    assert alert["reason"] == "Asked to talk to a nurse."


def test_alert_is_kept_in_the_outbox_and_the_person_told_when_the_channel_is_down(
    action_settings,
):
    # Slack at a port nothing listens on: the channel is down.
    settings = action_settings(
        NURSE_ALERT_MODE="slack",
        SLACK_API_BASE_URL="http://127.0.0.1:9/api/",
        SLACK_BOT_TOKEN="xoxb-test-token-for-stand-in",
        SLACK_NURSE_CHANNEL="C0NURSES",
        NURSE_ALERT_TIMEOUT_SECONDS="1",
    )
    tracker = tracker_for("312 555 0142", "affirm", slots=AGREED)
    messages, _ = run(ActionSendNurseAlert(), tracker)
    assert messages[0]["response"] == "utter_nurse_alert_queued"
    (waiting,) = Outbox(settings.nurse_alert_outbox).pending()
    assert waiting["attempts"] == 1
    assert "unreachable" in waiting["last_error"]


def test_no_to_the_offer_sends_nothing_and_asks_afresh_next_time(action_settings):
    settings = action_settings()
    tracker = tracker_for("no", "deny", slots={"nurse_consent": False})
    messages, events = run(ActionSendNurseAlert(), tracker)
    assert messages[0]["response"] == "utter_nurse_declined"
    assert SlotSet("nurse_consent", None) in events
    assert not settings.nurse_alert_file.exists()


def from_address(key: str | None):
    """A website message as the gateway passes it on: with the client's address key."""
    tracker = tracker_for("312 555 0142", "affirm", slots=AGREED)
    if key is not None:
        tracker.latest_message["metadata"] = {"web_client": key}
    return tracker


def test_alerts_past_the_hourly_limit_for_one_address_get_the_clinic_phone_instead(
    action_settings,
):
    settings = action_settings(NURSE_ALERTS_PER_HOUR_PER_ADDRESS="2", CLINIC_PHONE="312-555-0199")
    said = [run(ActionSendNurseAlert(), from_address("a1"))[0][0] for _ in range(3)]
    assert [m["response"] for m in said] == ["utter_nurse_alert_sent"] * 2 + [
        "utter_nurse_alert_limit"
    ]
    assert said[2]["clinic_phone"] == "312-555-0199"
    assert len(read_alerts(settings.nurse_alert_file)) == 2
    # Another address still gets through.
    (other,), _ = run(ActionSendNurseAlert(), from_address("b2"))
    assert other["response"] == "utter_nurse_alert_sent"


def test_alerts_past_the_hourly_limit_from_everyone_get_the_clinic_phone_instead(
    action_settings,
):
    settings = action_settings(NURSE_ALERTS_PER_HOUR="3")
    said = [
        run(ActionSendNurseAlert(), from_address(key))[0][0]["response"]
        for key in ("a1", "b2", None, "c3", None)
    ]
    assert said == ["utter_nurse_alert_sent"] * 3 + ["utter_nurse_alert_limit"] * 2
    assert len(read_alerts(settings.nurse_alert_file)) == 3
