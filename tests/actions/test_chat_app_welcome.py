"""Nurses in Slack and Teams: no patient welcome, one short line a day at most."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from rasa_sdk.events import SessionStarted

from actions.chat_app_welcome import first_time_today
from actions.scope import ActionGreet, ActionSessionStart
from tests.actions.trackers import run, tracker_for

SESSION_CONFIG = {"session_config": {"carry_over_slots_to_new_session": True}}


def new_session(channel: str, metadata: dict | None):
    slots = {"session_started_metadata": metadata} if metadata else {}
    return run(ActionSessionStart(), tracker_for("hi", "greet", slots=slots, channel=channel))


def responses(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages]


@pytest.mark.parametrize("app", ["slack", "teams"])
def test_nurses_first_session_of_the_day_gets_one_short_line_not_the_patient_welcome(
    action_settings, app
):
    action_settings()
    messages, events = new_session(app, {"chat_app": app, "chat_user": "U-nurse-1"})
    assert responses(messages) == ["utter_clinician_welcome"]
    assert events[0] == SessionStarted()


def test_nurses_next_threads_that_day_start_with_nothing_at_all(action_settings):
    action_settings()
    metadata = {"chat_app": "slack", "chat_user": "U-nurse-2", "thread_id": "111.1"}
    new_session("slack", metadata)
    for thread in ("222.2", "333.3"):
        messages, _ = new_session("slack", {**metadata, "thread_id": thread})
        assert messages == []


def test_each_nurse_gets_the_line_once(action_settings):
    action_settings()
    first, _ = new_session("slack", {"chat_app": "slack", "chat_user": "U-nurse-3"})
    other, _ = new_session("slack", {"chat_app": "slack", "chat_user": "U-nurse-4"})
    assert responses(first) == responses(other) == ["utter_clinician_welcome"]


def test_line_comes_again_the_next_day_and_only_todays_are_kept(tmp_path):
    path = tmp_path / "welcomes.db"
    monday, tuesday = date(2025, 3, 3), date(2025, 3, 4)
    assert first_time_today(path, "teams", "29:nurse", monday) is True
    assert first_time_today(path, "teams", "29:nurse", monday) is False
    assert first_time_today(path, "teams", "29:nurse", tuesday) is True
    with sqlite3.connect(path) as db:
        rows = db.execute("select day, user from welcomed").fetchall()
    assert [day for day, _ in rows] == ["2025-03-04"]
    assert "29:nurse" not in rows[0][1]  # a hash, not the user id


def test_click_on_a_nurse_alert_button_gets_no_line(action_settings):
    action_settings()
    metadata = {"chat_app": "slack", "chat_user": "U-nurse-5", "nurse_alert": {"id": "a1"}}
    messages, _ = new_session("slack", metadata)
    assert messages == []


def test_web_session_start_says_nothing_the_patient_welcome_answers_a_hello(action_settings):
    action_settings()
    messages, _ = new_session("rest", None)
    assert responses(messages) == []


def session_start_then_hi(channel: str, said_at_start: list[dict]):
    """A new conversation as Rasa logs it: the session start action, what it said, then the
    session_started event, then the user's hello."""
    tracker = tracker_for("hi", "greet", channel=channel)
    tracker.events[:0] = [
        {"event": "action", "name": "action_session_start"},
        *said_at_start,
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
    ]
    return tracker


def test_hello_that_opens_a_nurses_thread_without_a_line_gets_a_hello_back():
    messages, _ = run(ActionGreet(), session_start_then_hi("slack", []))
    assert responses(messages) == ["utter_greet"]


def test_a_web_conversation_that_opens_with_hello_gets_the_patient_welcome():
    messages, _ = run(ActionGreet(), session_start_then_hi("rest", []))
    assert responses(messages) == ["utter_welcome"]
