"""The red-flag reply: contact the care team now or call emergency services, then go on.

The NLU component in `pipeline/red_flag_classifier.py` decides that a message is a red flag
and puts what it found in the parse data; this action only answers. It never explains the
symptom (that would be a medical fact the source page does not give), it sends the person to
people.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import READING_KEY, is_clinician
from content.red_flags import describe
from settings.actions import get_action_settings

ACTION_RED_FLAG = "action_red_flag"
ACTION_GO_ON = "action_go_on"
SLOT_PENDING_QUESTION = "pending_question"
# What the reader can answer (pipeline/question_reader.py), as opposed to "hello" or "help".
ANSWERABLE = re.compile(r"^ask_")
SLOT_RED_FLAG_LABEL = "red_flag_label"
# Where the NLU pipeline puts what it found (pipeline/red_flag_classifier.py).
RED_FLAG_KEY = "red_flag"
SLOT_RED_FLAG_SIGNS = "red_flag_signs"


def red_flag_response(reply: str | None, clinician: bool) -> str:
    if clinician:
        return "utter_red_flag_clinician"
    return "utter_red_flag_crisis" if reply == "crisis" else "utter_red_flag"


def pending_question(tracker: Tracker) -> dict | None:
    """The question that came with the warning sign, to answer once the person is safe."""
    message = tracker.latest_message
    asked = (message.get(READING_KEY) or {}).get("intent") or ""
    if not ANSWERABLE.match(asked):
        return None
    return {
        "text": message.get("text"),
        "intent": {"name": asked, "confidence": 1.0},
        # Only what Rasa's schema for a returned user message accepts (no empty confidence).
        "entities": [
            {k: v for k, v in e.items() if v is not None} for e in message.get("entities") or []
        ],
        READING_KEY: message.get(READING_KEY),
    }


class ActionRedFlag(Action):
    def name(self) -> str:
        return ACTION_RED_FLAG

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        found = tracker.latest_message.get(RED_FLAG_KEY) or {}
        says = found.get("says") or []
        settings = get_action_settings()
        dispatcher.utter_message(
            response=red_flag_response(found.get("reply"), is_clinician(tracker)),
            signs=describe(says),
            clinic_phone=settings.clinic_phone,
            emergency_number=settings.emergency_number,
            crisis_line=settings.crisis_line,
        )
        # Kept so a nurse alert right after can say why (only if the person agrees).
        events: list[EventType] = [
            SlotSet(SLOT_RED_FLAG_LABEL, found.get("label")),
            SlotSet(SLOT_RED_FLAG_SIGNS, says or None),
            SlotSet(SLOT_PENDING_QUESTION, pending_question(tracker)),
        ]
        # A warning sign ends whatever form was running: nothing else should be asked now.
        # An unfinished consent is dropped: what a call-back would share has just changed.
        if tracker.active_loop.get("name"):
            events += [
                ActiveLoop(None),
                SlotSet("requested_slot", None),
                SlotSet("nurse_consent", None),
                SlotSet("forget_confirmed", None),
            ]
        return events


class ActionGoOn(Action):
    """ "I'm safe, go on": the question that came with the warning sign is answered now, as if
    asked again, so the person need not type it twice. With none waiting, what it can do."""

    def name(self) -> str:
        return ACTION_GO_ON

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        pending = tracker.get_slot(SLOT_PENDING_QUESTION)
        if not pending:
            dispatcher.utter_message(response="utter_help")
            return []
        # Rasa runs the policies again on a user message an action returns; after a listen, as
        # in any turn, so the rules that answer a question apply to it.
        return [
            SlotSet(SLOT_PENDING_QUESTION, None),
            ActionExecuted("action_listen"),
            UserUttered(text=pending["text"], parse_data=pending),
        ]
