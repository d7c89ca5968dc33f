"""A human when asked: with the person's consent, a nurse is asked to call them back.

`nurse_callback_form` asks for consent, naming exactly what would be shared (that they asked,
the warning sign they mentioned if any, and the phone number they give), then for the number.
Nothing else from the chat goes to the nurses. "No" at either step ends it with nothing sent.
The clinic's number is given at every step, so no one depends on the alert arriving. Alerts
are limited per hour, overall and per client address (actions/clients/alert_limits.py); past
the limit the person gets the clinic's number instead.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients.alert_limits import AlertLimits
from actions.clients.nurse_alerts import (
    NurseAlert,
    NurseNotifier,
    conversation_key,
    notifier_from_settings,
)
from actions.safety import SLOT_RED_FLAG_LABEL, SLOT_RED_FLAG_SIGNS, describe
from settings.actions import get_action_settings

ACTION_ASK_NURSE_CONSENT = "action_ask_nurse_consent"
ACTION_VALIDATE_NURSE_CALLBACK_FORM = "validate_nurse_callback_form"
ACTION_SEND_NURSE_ALERT = "action_send_nurse_alert"
SLOT_NURSE_CONSENT = "nurse_consent"
SLOT_CALLBACK_PHONE = "callback_phone"

# A phone number inside whatever was typed: digits with the usual separators.
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,22}\d")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15
CHANNEL_NAMES = {"rest": "website", "slack": "Slack", "botframework": "Teams"}
# Where the gateway puts the client's address key in a website message's metadata
# (bot/gateway/ownership.py, CLIENT_METADATA).
CLIENT_METADATA = "web_client"


@lru_cache
def nurse_notifier() -> NurseNotifier:
    return notifier_from_settings(get_action_settings())


@lru_cache
def alert_limits() -> AlertLimits:
    settings = get_action_settings()
    return AlertLimits(
        settings.nurse_alert_outbox,
        settings.nurse_alerts_per_hour,
        settings.nurse_alerts_per_hour_per_address,
    )


def client_of(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get(CLIENT_METADATA)
    return client if isinstance(client, str) else None


def phone_number_in(text: str) -> str | None:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
            return match.group(0).strip()
    return None


def what_would_be_shared(tracker: Tracker) -> str:
    shared = ["that you asked for a call"]
    signs = tracker.get_slot(SLOT_RED_FLAG_SIGNS)
    if signs:
        shared.append(f"that you mentioned {describe(signs)}")
    shared.append("the phone number you give me")
    return f"{', '.join(shared[:-1])}, and {shared[-1]}"


def alert_reason(tracker: Tracker) -> str:
    signs = tracker.get_slot(SLOT_RED_FLAG_SIGNS)
    if not signs:
        return "Asked to talk to a nurse."
    label = tracker.get_slot(SLOT_RED_FLAG_LABEL)
    why = f" ({label})" if label else ""
    return f"Mentioned {describe(signs)}{why} and asked for a call."


class ActionAskNurseConsent(Action):
    """The form's consent question, naming everything the nurses would receive."""

    def name(self) -> str:
        return ACTION_ASK_NURSE_CONSENT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_ask_nurse_consent",
            shared=what_would_be_shared(tracker),
            clinic_phone=get_action_settings().clinic_phone,
        )
        return []


class ValidateNurseCallbackForm(FormValidationAction):
    def name(self) -> str:
        return ACTION_VALIDATE_NURSE_CALLBACK_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # After a "no" there is nothing left to ask: the form ends and nothing is sent.
        if tracker.get_slot(SLOT_NURSE_CONSENT) is False:
            return [SLOT_NURSE_CONSENT]
        return domain_slots

    def validate_callback_phone(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if (tracker.latest_message.get("intent") or {}).get("name") == "deny":
            return {SLOT_CALLBACK_PHONE: None, SLOT_NURSE_CONSENT: False}
        phone = phone_number_in(str(slot_value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_callback_phone_invalid")
        # Only the number is kept, not the rest of what was typed.
        return {SLOT_CALLBACK_PHONE: phone}


class ActionSendNurseAlert(Action):
    """At the end of the form: sends the alert if the person agreed; it is kept and retried
    if the nurses' channel is down."""

    def name(self) -> str:
        return ACTION_SEND_NURSE_ALERT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        clinic_phone = get_action_settings().clinic_phone
        phone = tracker.get_slot(SLOT_CALLBACK_PHONE)
        # Asked afresh next time, whatever was answered now.
        cleared = [SlotSet(SLOT_NURSE_CONSENT, None), SlotSet(SLOT_CALLBACK_PHONE, None)]
        if not (tracker.get_slot(SLOT_NURSE_CONSENT) and phone):
            dispatcher.utter_message(response="utter_nurse_declined", clinic_phone=clinic_phone)
            return cleared
        if not alert_limits().take_slot(client_of(tracker), time.time()):
            dispatcher.utter_message(
                response="utter_nurse_alert_limit",
                clinic_phone=clinic_phone,
                emergency_number=get_action_settings().emergency_number,
            )
            return cleared
        channel = tracker.get_latest_input_channel() or "rest"
        alert = NurseAlert(
            reason=alert_reason(tracker),
            callback_phone=phone,
            source=CHANNEL_NAMES.get(channel, channel),
            urgent=bool(tracker.get_slot(SLOT_RED_FLAG_SIGNS)),
            conversation=conversation_key(tracker.sender_id),
        )
        delivered = await nurse_notifier().send(alert)
        dispatcher.utter_message(
            response="utter_nurse_alert_sent" if delivered else "utter_nurse_alert_queued",
            clinic_phone=clinic_phone,
        )
        # Sent: the number and the sign need not stay in the conversation's state.
        return [*cleared, SlotSet(SLOT_RED_FLAG_SIGNS, None), SlotSet(SLOT_RED_FLAG_LABEL, None)]
