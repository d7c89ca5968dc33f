"""Forget me: after the person confirms (`forget_form`), their conversation is deleted.

Deleting the tracker from inside an action cannot work: Rasa saves the tracker again after the
action. So the action only asks for it, with the custom payload `{"forget_conversation": true}`;
the gateway sees it in Rasa's reply, deletes the conversation once the turn is saved, and
tells the person what was deleted (bot/forget.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import is_clinician

ACTION_FORGET_CONVERSATION = "action_forget_conversation"
SLOT_FORGET_CONFIRMED = "forget_confirmed"
FORGET_PAYLOAD = {"forget_conversation": True}


class ActionForgetConversation(Action):
    def name(self) -> str:
        return ACTION_FORGET_CONVERSATION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Asked afresh next time.
        cleared: list[EventType] = [SlotSet(SLOT_FORGET_CONFIRMED, None)]
        if not tracker.get_slot(SLOT_FORGET_CONFIRMED):
            dispatcher.utter_message(response="utter_forget_cancelled")
            return cleared
        # Slack and Teams replies do not pass through the gateway, so the request would
        # never be seen there; say so instead of pretending.
        if is_clinician(tracker):
            dispatcher.utter_message(response="utter_forget_only_on_website")
            return cleared
        dispatcher.utter_message(json_message=FORGET_PAYLOAD)
        return cleared
