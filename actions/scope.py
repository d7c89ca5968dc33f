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

from actions.answering import (
    SLOT_TERM,
    SLOT_TEST,
    is_clinician,
    is_first_turn,
    reading,
    send_first_answer_note,
    subject_from,
)
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
# The declines: utter_out_of_scope/treatment, .../own_results...
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
    "pending_question",
}


def clinic_phone_slot() -> SlotSet:
    """Responses say the clinic's number through this slot; it comes from the settings."""
    return SlotSet(SLOT_CLINIC_PHONE, get_action_settings().clinic_phone)


class ActionGreet(Action):
    """A conversation that opens with a hello (or the widget opening) gets the welcome: what
    the assistant is and is not. A later hello gets a short hello back."""

    def name(self) -> str:
        return ACTION_GREET

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if is_first_turn(tracker) and not is_clinician(tracker):
            dispatcher.utter_message(
                response="utter_welcome", clinic_phone=get_action_settings().clinic_phone
            )
        else:
            dispatcher.utter_message(response="utter_greet")
        return []


class ActionSessionStart(Action):
    """A new conversation (or one back after an hour away) starts with the settings' clinic
    phone in a slot. It gives no patient welcome: that goes to a conversation that opens with a
    hello, and a first question gets its answer first (actions/answering.py, send_notes). A
    nurse in Slack or Teams gets one short line the first time in a day."""

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
        # Nurses in Slack and Teams get one short line a day, never the patient welcome.
        welcome_clinician(dispatcher, tracker)
        events.append(ActionExecuted("action_listen"))
        return events


def decline_response(tracker: Tracker) -> str:
    """The decline for the kind of question the reader recognised."""
    kind = reading(tracker).get("decline") or DEFAULT_DECLINE_KIND
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
        send_first_answer_note(dispatcher, tracker)
        # The test or word it named stays the subject, so "what is it?" next is about it.
        kind, subject_id = subject
        if kind and tracker.latest_message.get("entities"):
            return [
                SlotSet(SLOT_TEST, subject_id if kind == "test" else None),
                SlotSet(SLOT_TERM, subject_id if kind == "term" else None),
            ]
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
        send_first_answer_note(dispatcher, tracker)
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
