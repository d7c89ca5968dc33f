"""Forget me: the action asks the gateway to delete the conversation after the turn."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.privacy import ActionForgetConversation
from tests.actions.trackers import run, tracker_for

YES = {"forget_confirmed": True}


def test_confirmed_forget_me_sends_the_gateway_the_forget_payload():
    messages, events = run(ActionForgetConversation(), tracker_for("yes", "affirm", slots=YES))
    assert [m["custom"] for m in messages] == [{"forget_conversation": True}]
    assert events == [SlotSet("forget_confirmed", None)]


def test_no_to_forget_me_keeps_the_conversation():
    tracker = tracker_for("no", "deny", slots={"forget_confirmed": False})
    messages, events = run(ActionForgetConversation(), tracker)
    assert messages[0]["response"] == "utter_forget_cancelled"
    assert not messages[0].get("custom")
    assert events == [SlotSet("forget_confirmed", None)]


def test_forget_me_in_slack_says_it_only_works_on_the_website():
    tracker = tracker_for("yes", "affirm", slots=YES, channel="slack")
    messages, _ = run(ActionForgetConversation(), tracker)
    assert messages[0]["response"] == "utter_forget_only_on_website"
    assert not messages[0].get("custom")
