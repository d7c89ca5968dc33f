"""Honest limits: the welcome that says what the assistant is and is not, kind declines of
questions it does not cover, a fallback that offers topics instead of guessing, and start over.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import subject_from
from actions.chat_app_welcome import welcome_clinician
from actions.suggestions import buttons_for
from content.schema import load_content
from content.scope import load_scope
from settings.actions import get_action_settings

ACTION_GREET = "action_greet"
ACTION_SESSION_START = "action_session_start"
ACTION_DECLINE_OUT_OF_SCOPE = "action_decline_out_of_scope"
ACTION_SUGGEST_TOPICS = "action_suggest_topics"
ACTION_START_OVER = "action_start_over"

SLOT_CLINIC_PHONE = "clinic_phone"
OUT_OF_SCOPE = "out_of_scope"
# The retrieval intent's responses: utter_out_of_scope/treatment, .../own_results...
DECLINE_RESPONSES = "utter_out_of_scope"
DEFAULT_DECLINE_KIND = "other_medical"
# About this moment only: a warning sign or a phone number from an earlier session is not
# carried into the next one.
NOT_CARRIED_OVER = {
    "session_started_metadata",
    "requested_slot",
    "red_flag_label",
    "red_flag_signs",
    "callback_phone",
}


def clinic_phone_slot() -> SlotSet:
    """Responses say the clinic's number through this slot; it comes from the settings."""
    return SlotSet(SLOT_CLINIC_PHONE, get_action_settings().clinic_phone)


class ActionGreet(Action):
    """Hello back, unless this hello opened the conversation: the welcome has just said it.
    (A nurse's new Slack thread has no welcome, so it gets the hello.)"""

    def name(self) -> str:
        return ACTION_GREET

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        user_turns = 0
        welcomed = False
        # Back to the session's start: its welcome is logged before the session_started event.
        for event in reversed(tracker.events):
            if event.get("event") == "action" and event.get("name") == ACTION_SESSION_START:
                break
            user_turns += event.get("event") == "user"
            welcomed |= event.get("event") == "bot"
        if user_turns > 1 or not welcomed:
            dispatcher.utter_message(response="utter_greet")
        return []


class ActionSessionStart(Action):
    """A new conversation (or one back after an hour away) starts with the welcome."""

    def name(self) -> str:
        return ACTION_SESSION_START

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if domain.get("session_config", {}).get("carry_over_slots_to_new_session", True):
            events += [
                SlotSet(name, value)
                for name, value in tracker.slots.items()
                if value is not None and name not in NOT_CARRIED_OVER
            ]
        events.append(clinic_phone_slot())
        if not welcome_clinician(dispatcher, tracker):
            dispatcher.utter_message(
                response="utter_welcome", clinic_phone=get_action_settings().clinic_phone
            )
        events.append(ActionExecuted("action_listen"))
        return events


def decline_response(tracker: Tracker) -> str:
    """The decline for the kind of question the ResponseSelector recognised."""
    selected = (tracker.latest_message.get("response_selector") or {}).get(OUT_OF_SCOPE) or {}
    key = (selected.get("response") or {}).get("intent_response_key") or ""
    kind = key.partition("/")[2] or DEFAULT_DECLINE_KIND
    return f"{DECLINE_RESPONSES}/{kind}"


class ActionDeclineOutOfScope(Action):
    """Says kindly what it cannot do, points to the care team, and offers what it can."""

    def name(self) -> str:
        return ACTION_DECLINE_OUT_OF_SCOPE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        scope = load_scope()
        subject = subject_from(tracker)
        dispatcher.utter_message(
            response=decline_response(tracker),
            buttons=buttons_for([], subject, scope, load_content()),
            clinic_phone=get_action_settings().clinic_phone,
        )
        return []


class ActionSuggestTopics(Action):
    """Not sure what was asked: the closest topics NLU saw, as buttons, instead of a guess."""

    def name(self) -> str:
        return ACTION_SUGGEST_TOPICS

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ranking = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []]
        buttons = buttons_for(ranking, subject_from(tracker), load_scope(), load_content())
        dispatcher.utter_message(response="utter_not_sure", buttons=buttons)
        return []


class ActionStartOver(Action):
    """Forgets what was being talked about (not the stored conversation) and starts afresh."""

    def name(self) -> str:
        return ACTION_START_OVER

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = []
        if tracker.active_loop.get("name"):
            events.append(ActiveLoop(None))
        events += [AllSlotsReset(), clinic_phone_slot()]
        dispatcher.utter_message(response="utter_start_over")
        return events
