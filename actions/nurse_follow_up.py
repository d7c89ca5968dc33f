"""A nurse pressed "I'll call" or "Done" on a patient's call-back alert in Slack.

The Slack connector turns the click into the message `/nurse_alert_follow_up`, with the alert,
the step and the nurse in the message's metadata, which only the connector sets (from Slack's
signed request; the gateway forwards no metadata from the web). The outbox records the first
click of each kind and the alert's message shows it; nothing is said in the chat.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.alert_follow_up import ACTION_IDS
from actions.handoff import nurse_notifier

ACTION_FOLLOW_UP_NURSE_ALERT = "action_follow_up_nurse_alert"


def nurse_alert_click(tracker: Tracker) -> tuple[str, str, str] | None:
    """The alert id, the step and the nurse of the click this message came from, if any."""
    if tracker.get_latest_input_channel() != "slack":
        return None
    user_event = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    metadata = user_event.get("metadata") or {}
    click = metadata.get("nurse_alert") or {}
    alert_id, step, nurse = click.get("id"), click.get("step"), metadata.get("chat_user")
    if isinstance(alert_id, str) and step in ACTION_IDS and isinstance(nurse, str) and nurse:
        return alert_id, step, nurse
    return None


class ActionFollowUpNurseAlert(Action):
    def name(self) -> str:
        return ACTION_FOLLOW_UP_NURSE_ALERT

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        click = nurse_alert_click(tracker)
        if click is not None:
            await nurse_notifier().follow_up(*click)
        return []
